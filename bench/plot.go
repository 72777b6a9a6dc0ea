package bench

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// plotWidth and plotHeight size the figure: two panels side by side, each
// about the size of a printed half page.
const (
	plotWidth  = 28 * vg.Centimeter
	plotHeight = 11 * vg.Centimeter
)

// WritePlotFile draws the report into path, as SVG or PNG by its extension:
// block-time percentiles against voice count for each worker count, and the
// scaling curve of max voices against workers.
func (rep *Report) WritePlotFile(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".svg" && ext != ".png" {
		return fmt.Errorf("plot file %q: want a .svg or .png name", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rep.WritePlot(f, ext[1:]); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WritePlot draws the report to w in format "svg" or "png".
func (rep *Report) WritePlot(w io.Writer, format string) error {
	times, err := rep.timesPlot()
	if err != nil {
		return err
	}
	scaling, err := rep.scalingPlot()
	if err != nil {
		return err
	}
	var canvas vg.CanvasWriterTo
	switch format {
	case "svg":
		canvas = vgsvg.New(plotWidth, plotHeight)
	case "png":
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(plotWidth, plotHeight)}
	default:
		return fmt.Errorf("plot format %q: want svg or png", format)
	}
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Centimeter, PadTop: vg.Millimeter, PadBottom: vg.Millimeter}
	dc := draw.New(canvas)
	cells := plot.Align([][]*plot.Plot{{times, scaling}}, tiles, dc)
	times.Draw(cells[0][0])
	scaling.Draw(cells[0][1])
	_, err = canvas.WriteTo(w)
	return err
}

// timesPlot draws p50, p99 and p99.9 block time against voice count, one
// colour per worker count, with the deadline and the headroom limit.
func (rep *Report) timesPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s %s, %s mode: block time", rep.Voice, rep.Scenario, rep.Mode)
	p.X.Label.Text = "voices"
	p.Y.Label.Text = "block time (µs)"
	p.Legend.Top, p.Legend.Left = false, false // times rise to the top right
	// Log-log: the search doubles the voice count, and block times run from
	// microseconds to the spikes of a missed deadline.
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	minVoices, maxVoices := math.Inf(1), 1.0
	for i, res := range rep.Results {
		for j, q := range []struct {
			name string
			at   func(Step) float64
		}{
			{"p50", func(s Step) float64 { return us(s.P50) }},
			{"p99", func(s Step) float64 { return us(s.P99) }},
			{"p99.9", func(s Step) float64 { return us(s.P999) }},
		} {
			var xys plotter.XYs
			for _, st := range res.Steps {
				if y := q.at(st); y > 0 && st.Voices > 0 { // a log axis has no 0
					xys = append(xys, plotter.XY{X: float64(st.Voices), Y: y})
					minVoices, maxVoices = min(minVoices, float64(st.Voices)), max(maxVoices, float64(st.Voices))
				}
			}
			if len(xys) == 0 {
				continue
			}
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, err
			}
			line.Color = plotutil.Color(i)
			line.Dashes = plotutil.Dashes(j)
			points.Color = line.Color
			points.Shape = plotutil.Shape(j)
			p.Add(line, points)
			p.Legend.Add(fmt.Sprintf("%d workers %s", res.Workers, q.name), line, points)
		}
	}
	if len(rep.Results) > 0 && !math.IsInf(minVoices, 1) {
		deadline := rep.Results[0].DeadlineUs
		for i, h := range []struct {
			name string
			y    float64
		}{{"deadline", deadline}, {fmt.Sprintf("%.0f%% of deadline", 100*rep.Headroom), rep.Headroom * deadline}} {
			line, err := plotter.NewLine(plotter.XYs{{X: minVoices, Y: h.y}, {X: maxVoices, Y: h.y}})
			if err != nil {
				return nil, err
			}
			line.Color = color.Gray{Y: 96}
			line.Dashes = plotutil.Dashes(i)
			p.Add(line)
			p.Legend.Add(h.name, line)
		}
	}
	return p, nil
}

// scalingPlot draws max voices against workers beside perfect scaling from
// the smallest worker count measured.
func (rep *Report) scalingPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "scaling"
	p.X.Label.Text = "workers"
	p.Y.Label.Text = "max voices"
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	measured := make(plotter.XYs, len(rep.Results))
	ideal := make(plotter.XYs, len(rep.Results))
	for i, res := range rep.Results {
		measured[i] = plotter.XY{X: float64(res.Workers), Y: float64(res.MaxVoices)}
		perfect := float64(res.MaxVoices)
		if res.ScalingEfficiency > 0 {
			perfect /= res.ScalingEfficiency
		}
		ideal[i] = plotter.XY{X: float64(res.Workers), Y: perfect}
	}
	line, points, err := plotter.NewLinePoints(measured)
	if err != nil {
		return nil, err
	}
	line.Color, points.Color = plotutil.Color(0), plotutil.Color(0)
	idealLine, err := plotter.NewLine(ideal)
	if err != nil {
		return nil, err
	}
	idealLine.Color = color.Gray{Y: 96}
	idealLine.Dashes = plotutil.Dashes(1)
	p.Add(idealLine, line, points)
	p.Legend.Add("measured", line, points)
	p.Legend.Add("perfect scaling", idealLine)
	return p, nil
}
