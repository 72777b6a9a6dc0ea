package main

import (
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/aether-audio/aether/bench"
)

// The plot's size and the two panels' plotting areas, in pixels: block
// times against voices on the left, the answer per worker count on the
// right, the title above and the legend below, outside both.
const (
	plotWidth             = 1000
	timesLeft, timesRight = 80, 590
	barsLeft, barsRight   = 690, 970
	areaTop, areaBottom   = 100, 400
)

// palette colours the worker counts (Tableau 10), in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

func color(i int) string { return palette[i%len(palette)] }

var (
	gridStroke     = stroke{color: "#e4e4e4", width: 1}
	frameStroke    = stroke{color: "#444", width: 1}
	limitStroke    = stroke{color: "#444", width: 1.2, dash: "6,4"}
	deadlineStroke = stroke{color: "#444", width: 1.2, dash: "2,3"}
)

// writePlotFile draws the report into path (an .svg file), writing a
// temporary file first so that a failure leaves no half-written plot.
func writePlotFile(rep *bench.Report, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".render-bench-*.svg")
	if err != nil {
		return err
	}
	// CreateTemp makes the file private; a plot is for sharing.
	err = tmp.Chmod(0o644)
	if err == nil {
		_, err = tmp.Write(plot(rep))
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// plot draws the report as an SVG that reads without the table: the answer,
// the CPU, kernel tier and OS in the title; every step's p99.9 render time
// (its outcome as the marker) and the p50 against voices; the answer per
// worker count as bars with the spread of the searches.
func plot(rep *bench.Report) []byte {
	s := newSVG(plotWidth, int(legendBottom(rep))+16)
	s.text(plotWidth/2, 28, "middle", 18, "#000", rep.Headline())
	s.text(plotWidth/2, 50, "middle", 12, "#444", fmt.Sprintf("%s · kernel tier %s · %s", rep.CPU.Brand, rep.Kernel, rep.OS))
	s.text(plotWidth/2, 68, "middle", 12, "#444", fmt.Sprintf("%s voices, %s, %s mode · %g kHz, %d-sample blocks · p99.9 limit %.0f%% of the %.3f ms deadline",
		rep.Voice, rep.Scenario, rep.Mode, float64(rep.SampleRate)/1000, rep.Block, 100*rep.Headroom, deadlineUs(rep)/1000))
	plotTimes(s, rep)
	plotBars(s, rep)
	plotLegend(s, rep)
	return s.bytes()
}

func deadlineUs(rep *bench.Report) float64 {
	return float64(rep.Block) * 1e6 / float64(max(rep.SampleRate, 1))
}

// plotTimes draws the left panel: log-log render time against voices.
func plotTimes(s *svg, rep *bench.Report) {
	s.text((timesLeft+timesRight)/2, areaTop-12, "middle", 13, "#000", "render time of each block (µs)")
	deadline := deadlineUs(rep)
	limit := rep.Headroom * deadline
	vLo, vHi, tLo, tHi := math.Inf(1), 0.0, math.Inf(1), deadline
	for _, r := range rep.Results {
		for _, st := range r.Steps {
			v, p50, p999 := float64(st.Voices), max(st.P50.Seconds()*1e6, 0.1), max(st.P999.Seconds()*1e6, 0.1)
			vLo, vHi = min(vLo, v), max(vHi, v)
			tLo, tHi = min(tLo, p50), max(tHi, p999)
		}
	}
	if vHi == 0 { // nothing measured: an empty frame with sensible axes
		vLo, vHi, tLo = 64, 65536, 1
	}
	x := axis{lo: vLo / 1.4, hi: vHi * 1.4, p0: timesLeft, p1: timesRight, log: true}
	y := axis{lo: tLo / 1.6, hi: tHi * 1.6, p0: areaBottom, p1: areaTop, log: true}
	for _, t := range logTicks(x.lo, x.hi, 2, 7) {
		s.line(x.pos(t), areaTop, x.pos(t), areaBottom, gridStroke)
		s.text(x.pos(t), areaBottom+17, "middle", 11, "#000", commas(int(t)))
	}
	for _, t := range logTicks(y.lo, y.hi, 10, 6) {
		s.line(timesLeft, y.pos(t), timesRight, y.pos(t), gridStroke)
		s.text(timesLeft-6, y.pos(t)+4, "end", 11, "#000", formatTick(t))
	}
	frame(s, timesLeft, timesRight)
	s.text((timesLeft+timesRight)/2, areaBottom+38, "middle", 12, "#000", "voices")
	s.vtext(timesLeft-50, (areaTop+areaBottom)/2, 12, "µs, log scale")

	// Labelled at the left, where render times are far below the lines:
	// the deadline's above its line, the limit's below its own.
	s.line(timesLeft, y.pos(limit), timesRight, y.pos(limit), limitStroke)
	s.text(timesLeft+6, y.pos(limit)+13, "start", 11, "#444", fmt.Sprintf("limit %s µs", commas(int(limit+0.5))))
	s.line(timesLeft, y.pos(deadline), timesRight, y.pos(deadline), deadlineStroke)
	s.text(timesLeft+6, y.pos(deadline)-5, "start", 11, "#444", fmt.Sprintf("deadline %s µs", commas(int(deadline+0.5))))

	for i, r := range rep.Results {
		// The p50 line through each voice count's median step.
		byVoices := map[int][]float64{}
		for _, st := range r.Steps {
			byVoices[st.Voices] = append(byVoices[st.Voices], max(st.P50.Seconds()*1e6, 0.1))
		}
		counts := slices.Sorted(maps.Keys(byVoices))
		var xs, ys []float64
		for _, v := range counts {
			p := byVoices[v]
			slices.Sort(p)
			xs, ys = append(xs, x.pos(float64(v))), append(ys, y.pos(p[(len(p)-1)/2]))
		}
		s.polyline(xs, ys, stroke{color: color(i), width: 1.5})
		for _, st := range r.Steps {
			s.marker(x.pos(float64(st.Voices)), y.pos(max(st.P999.Seconds()*1e6, 0.1)), string(st.Outcome), color(i))
		}
	}
}

// plotBars draws the right panel: the answer per worker count as a bar,
// the searches' spread as a whisker, and perfect scaling from the fewest
// workers as a grey mark.
func plotBars(s *svg, rep *bench.Report) {
	s.text((barsLeft+barsRight)/2, areaTop-12, "middle", 13, "#000", "max voices per worker count")
	top := 1.0
	for _, r := range rep.Results {
		top = max(top, float64(r.MaxVoicesMax), float64(r.MaxVoices), rep.PerfectScaling(r.Workers))
	}
	y := axis{lo: 0, hi: top * 1.15, p0: areaBottom, p1: areaTop}
	for _, t := range linTicks(y.hi, 5) {
		if t > y.hi {
			break
		}
		s.line(barsLeft, y.pos(t), barsRight, y.pos(t), gridStroke)
		s.text(barsLeft-6, y.pos(t)+4, "end", 11, "#000", commas(int(t)))
	}
	frame(s, barsLeft, barsRight)
	s.text((barsLeft+barsRight)/2, areaBottom+38, "middle", 12, "#000", "workers")
	n := float64(max(len(rep.Results), 1))
	slot := (barsRight - barsLeft) / n
	width := min(60, slot*0.6)
	for i, r := range rep.Results {
		cx := barsLeft + slot*(float64(i)+0.5)
		s.rect(cx-width/2, y.pos(float64(r.MaxVoices)), width, areaBottom-y.pos(float64(r.MaxVoices)), color(i))
		if r.MaxVoicesMax > r.MaxVoicesMin {
			w := stroke{color: "#000", width: 1.2}
			s.line(cx, y.pos(float64(r.MaxVoicesMin)), cx, y.pos(float64(r.MaxVoicesMax)), w)
			s.line(cx-6, y.pos(float64(r.MaxVoicesMin)), cx+6, y.pos(float64(r.MaxVoicesMin)), w)
			s.line(cx-6, y.pos(float64(r.MaxVoicesMax)), cx+6, y.pos(float64(r.MaxVoicesMax)), w)
		}
		if perfect := rep.PerfectScaling(r.Workers); r.Decided && perfect > 0 && perfect != float64(r.MaxVoices) {
			s.line(cx-width/2-4, y.pos(perfect), cx+width/2+4, y.pos(perfect), stroke{color: "#888", width: 2, dash: "4,3"})
		}
		label := commas(r.MaxVoices)
		if !r.Decided {
			label = "≥ " + label
		}
		labelY := min(y.pos(float64(r.MaxVoices)), y.pos(float64(max(r.MaxVoicesMax, r.MaxVoices)))) - 6
		s.text(cx, labelY, "middle", 11, "#000", label)
		s.text(cx, areaBottom+17, "middle", 11, "#000", strconv.Itoa(r.Workers))
	}
}

// legendBottom returns the baseline of the legend's last line: the plot
// grows downwards with the rows the worker counts need.
func legendBottom(rep *bench.Report) float64 {
	return layoutWorkers(rep, nil) + 24 + 22
}

// layoutWorkers places the worker counts' swatches in rows below the
// panels, drawing them when s is not nil, and returns the last row's
// baseline.
func layoutWorkers(rep *bench.Report, s *svg) float64 {
	x, y := float64(timesLeft), float64(areaBottom+70)
	for i, r := range rep.Results {
		label := workerCount(r.Workers)
		if x+20+textWidth(label, 12) > plotWidth-20 {
			x, y = timesLeft, y+20
		}
		if s != nil {
			s.rect(x, y-10, 14, 10, color(i))
			s.text(x+20, y, "start", 12, "#000", label)
		}
		x += 36 + textWidth(label, 12)
	}
	return y
}

// plotLegend explains colours and marks below the panels, where it covers
// nothing.
func plotLegend(s *svg, rep *bench.Report) {
	x, y := float64(timesLeft), layoutWorkers(rep, s)+24
	for _, item := range []struct{ shape, label string }{
		{"pass", "p99.9 of a step: passed"}, {"fail", "failed"}, {"disturbed", "disturbed (measured again)"},
	} {
		s.marker(x+5, y-4, item.shape, "#444")
		s.text(x+14, y, "start", 12, "#000", item.label)
		x += 24 + textWidth(item.label, 12)
	}
	for _, item := range []struct {
		st    stroke
		label string
	}{
		{stroke{color: "#444", width: 1.5}, "p50"},
		{limitStroke, "limit"},
		{deadlineStroke, "deadline"},
		{stroke{color: "#888", width: 2, dash: "4,3"}, "perfect scaling"},
	} {
		s.line(x, y-4, x+22, y-4, item.st)
		s.text(x+28, y, "start", 12, "#000", item.label)
		x += 40 + textWidth(item.label, 12)
	}
	if len(rep.Results) > 0 && rep.Searches > 1 {
		s.text(timesLeft, y+22, "start", 12, "#000", fmt.Sprintf("Bars: the median of %d searches; whiskers: their smallest and largest answers.", rep.Searches))
	}
}

// frame draws a panel's border.
func frame(s *svg, left, right float64) {
	s.polyline([]float64{left, right, right, left, left}, []float64{areaTop, areaTop, areaBottom, areaBottom, areaTop}, frameStroke)
}

// formatTick writes a log tick: 0.1, 1, 10, 1,000.
func formatTick(v float64) string {
	if v < 1 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return commas(int(v + 0.5))
}

// commas writes n with thousands separators.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
