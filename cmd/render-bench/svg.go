package main

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// svg writes the few SVG elements the plot needs. Coordinates are pixels
// from the top left.
type svg struct {
	b strings.Builder
}

func newSVG(width, height int) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica, Arial, sans-serif">`+"\n",
		width, height, width, height)
	fmt.Fprintf(&s.b, `<rect width="%d" height="%d" fill="white"/>`+"\n", width, height)
	return s
}

// stroke is how a line is drawn: its colour, width and dash pattern
// ("" for solid).
type stroke struct {
	color string
	width float64
	dash  string
}

func (st stroke) attrs() string {
	a := fmt.Sprintf(`stroke="%s" stroke-width="%g" fill="none"`, st.color, st.width)
	if st.dash != "" {
		a += fmt.Sprintf(` stroke-dasharray="%s"`, st.dash)
	}
	return a
}

func (s *svg) line(x1, y1, x2, y2 float64, st stroke) {
	fmt.Fprintf(&s.b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" %s/>`+"\n", x1, y1, x2, y2, st.attrs())
}

func (s *svg) polyline(xs, ys []float64, st stroke) {
	if len(xs) < 2 {
		return
	}
	var pts []string
	for i := range xs {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", xs[i], ys[i]))
	}
	fmt.Fprintf(&s.b, `<polyline points="%s" %s/>`+"\n", strings.Join(pts, " "), st.attrs())
}

func (s *svg) rect(x, y, w, h float64, fill string) {
	fmt.Fprintf(&s.b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`+"\n", x, y, w, h, fill)
}

// marker draws a point's shape: "pass" a filled circle, "fail" an open
// circle, "disturbed" a cross.
func (s *svg) marker(x, y float64, shape, color string) {
	switch shape {
	case "pass":
		fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"/>`+"\n", x, y, color)
	case "fail":
		fmt.Fprintf(&s.b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="white" stroke="%s" stroke-width="1.5"/>`+"\n", x, y, color)
	default:
		st := stroke{color: color, width: 1.5}
		s.line(x-3.5, y-3.5, x+3.5, y+3.5, st)
		s.line(x-3.5, y+3.5, x+3.5, y-3.5, st)
	}
}

// text writes an escaped string; anchor is start, middle or end.
func (s *svg) text(x, y float64, anchor string, size float64, color, str string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%g" fill="%s">%s</text>`+"\n",
		x, y, anchor, size, color, escape(str))
}

// vtext writes a string turned a quarter left, for a y axis title.
func (s *svg) vtext(x, y float64, size float64, str string) {
	fmt.Fprintf(&s.b, `<text transform="translate(%.1f,%.1f) rotate(-90)" text-anchor="middle" font-size="%g">%s</text>`+"\n",
		x, y, size, escape(str))
}

func (s *svg) bytes() []byte { return []byte(s.b.String() + "</svg>\n") }

func escape(str string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(str)) // writes to a strings.Builder never fail
	return b.String()
}

// textWidth estimates a string's width in pixels at a font size: an
// average glyph of Helvetica is about 0.55 em wide, digits 0.56.
func textWidth(str string, size float64) float64 {
	return float64(len([]rune(str))) * 0.56 * size
}

// axis maps values onto pixels, linearly or logarithmically.
type axis struct {
	lo, hi float64 // value range (both > 0 when log)
	p0, p1 float64 // pixels of lo and hi
	log    bool
}

func (a axis) pos(v float64) float64 {
	f := (v - a.lo) / (a.hi - a.lo)
	if a.log {
		f = math.Log(v/a.lo) / math.Log(a.hi/a.lo)
	}
	return a.p0 + f*(a.p1-a.p0)
}

// logTicks returns the powers of base in [lo, hi], every step-th of them,
// with step chosen so that at most maxTicks remain.
func logTicks(lo, hi, base float64, maxTicks int) []float64 {
	first := math.Pow(base, math.Ceil(math.Log(lo)/math.Log(base)-1e-9))
	var all []float64
	for v := first; v <= hi*(1+1e-9); v *= base {
		all = append(all, v)
	}
	step := max(1, (len(all)+maxTicks-1)/maxTicks)
	var ticks []float64
	for i := 0; i < len(all); i += step {
		ticks = append(ticks, all[i])
	}
	return ticks
}

// linTicks returns round values (1, 2 or 5 times a power of ten apart)
// from 0 up to at least hi, at most maxTicks+1 of them.
func linTicks(hi float64, maxTicks int) []float64 {
	if hi <= 0 {
		hi = 1
	}
	raw := hi / float64(maxTicks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for v := 0.0; v < hi+step*0.999; v += step {
		ticks = append(ticks, v)
	}
	return ticks
}
