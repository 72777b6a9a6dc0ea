package main

import (
	"bytes"
	"encoding/xml"
	"fmt"

	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/bench"
)

// plotReport builds a report by hand: for each worker count, a search
// doubling from 64 and three bisections near 12,000 voices per worker.
func plotReport(workers ...int) *bench.Report {
	rep := &bench.Report{
		CPU: bench.CPUInfo{Brand: "Test CPU <R&D>", Cores: 16}, OS: "Linux 6.1.0", Kernel: "avx512",
		SampleRate: 48000, Block: 64, Voice: bench.Sine, Scenario: bench.Steady, Mode: bench.Paced, Headroom: 0.7, Searches: 3,
	}
	for _, w := range workers {
		capacity := 12000 * w * 9 / 10
		res := bench.Result{Workers: w, Answers: []int{capacity - 300, capacity, capacity + 400}, Decided: true,
			MaxVoices: capacity, MaxVoicesMin: capacity - 300, MaxVoicesMax: capacity + 400}
		at := func(v int) bench.Step {
			p50 := time.Duration(2000+v*60/w) * time.Nanosecond
			st := bench.Step{Search: 1, Voices: v, Blocks: 150, P50: p50, P99: p50 * 11 / 10, P999: p50 * 12 / 10, Max: p50 * 12 / 10, Outcome: bench.Pass}
			if st.P999 > 933*time.Microsecond {
				st.Outcome = bench.Fail
			}
			return st
		}
		for v := 64; v < 2*capacity; v *= 2 {
			res.Steps = append(res.Steps, at(v))
		}
		res.Steps = append(res.Steps, at(capacity), at(capacity+capacity/8))
		stalled := at(256)
		stalled.P999, stalled.Max, stalled.Outcome = 3*time.Millisecond, 3*time.Millisecond, bench.Disturbed
		res.Steps = append(res.Steps, stalled)
		rep.Results = append(rep.Results, res)
	}
	return rep
}

// svgText is a <text> element as the plot writes it.
type svgText struct {
	X         float64 `xml:"x,attr"`
	Y         float64 `xml:"y,attr"`
	Anchor    string  `xml:"text-anchor,attr"`
	Size      float64 `xml:"font-size,attr"`
	Transform string  `xml:"transform,attr"`
	Body      string  `xml:",chardata"`
}

// TestPlotReadsAlone checks the plot for one, two and sixteen worker
// counts: well-formed SVG; the answer, CPU, kernel tier and OS in it;
// "1 worker", never "1 workers"; and every label inside the canvas, none
// cut at an edge.
func TestPlotReadsAlone(t *testing.T) {
	for _, ws := range [][]int{{1}, {1, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}} {
		rep := plotReport(ws...)
		out := plot(rep)
		var doc struct {
			Width  int       `xml:"width,attr"`
			Height int       `xml:"height,attr"`
			Texts  []svgText `xml:"text"`
		}
		if err := xml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("%d worker counts: %v", len(ws), err)
		}
		var all []string
		for _, tx := range doc.Texts {
			all = append(all, tx.Body)
			if tx.Transform != "" {
				continue
			}
			w := textWidth(tx.Body, tx.Size)
			left := map[string]float64{"start": tx.X, "middle": tx.X - w/2, "end": tx.X - w}[tx.Anchor]
			if left < 0 || left+w > float64(doc.Width) || tx.Y-tx.Size < 0 || tx.Y > float64(doc.Height) {
				t.Errorf("%d worker counts: %q at (%.0f, %.0f) reaches outside the %dx%d canvas", len(ws), tx.Body, tx.X, tx.Y, doc.Width, doc.Height)
			}
		}
		text := strings.Join(all, "\n")
		best := rep.Results[len(rep.Results)-1]
		for _, want := range []string{
			commas(best.MaxVoices) + " sine voices in real time on " + strconv.Itoa(best.Workers) + " core",
			"Test CPU <R&D>", "kernel tier avx512", "Linux 6.1.0", "1 worker", commas(best.MaxVoices),
		} {
			if !strings.Contains(text, want) {
				t.Errorf("%d worker counts: the plot does not say %q:\n%s", len(ws), want, text)
			}
		}
		if regexp.MustCompile(`\b1 workers`).MatchString(text) {
			t.Errorf("%d worker counts: \"1 workers\"", len(ws))
		}
	}
}

// TestPlotFileIsWholeOrAbsent writes a plot and then fails to: the file is
// complete in the first case and not there in the second, and no
// temporary file is left behind.
func TestPlotFileIsWholeOrAbsent(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.svg")
	if err := writePlotFile(plotReport(1, 2), path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasSuffix(b, []byte("</svg>\n")) {
		t.Fatalf("plot: %v, %d bytes", err, len(b))
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("plot file mode %v, %v; want 0644, readable by all", fi.Mode(), err)
	}
	if err := writePlotFile(plotReport(1), filepath.Join(dir, "missing", "p.svg")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left in the directory: %v", entries)
	}
}

// TestWritePlots renders the plots to look at by eye when
// RENDER_BENCH_PLOTS names a directory.
func TestWritePlots(t *testing.T) {
	dir := os.Getenv("RENDER_BENCH_PLOTS")
	if dir == "" {
		t.Skip("set RENDER_BENCH_PLOTS to a directory to draw sample plots")
	}
	for _, ws := range [][]int{{1}, {1, 2}, {1, 2, 4, 8, 16}} {
		if err := writePlotFile(plotReport(ws...), filepath.Join(dir, fmt.Sprintf("plot-%d.svg", len(ws)))); err != nil {
			t.Fatal(err)
		}
	}
}
