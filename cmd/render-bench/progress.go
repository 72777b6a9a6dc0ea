package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/aether-audio/aether/bench"
)

// barWidth is the progress bar's length in characters: short enough to
// leave room for the step's figures on an 80-column terminal.
const barWidth = 20

// stepsPerWorkerCount is a typical step count per worker count (doubling
// from 64 to tens of thousands, three brackets and bisections of five or
// six counts, failing counts measured three times), used only to move the
// bar.
const stepsPerWorkerCount = 45

// progress reports the run on standard error, between steps, never while
// a step is timed: on a terminal, a one-line bar redrawn in place; with -v
// elsewhere (a log, a CI job), one line per step; otherwise nothing, so
// redirected output stays clean.
type progress struct {
	out         io.Writer // nil: silent
	bar         bool      // out is a terminal: redraw one line
	counts      int       // worker counts in the run
	done, steps int       // worker counts finished; steps in the current one
	workers     int       // worker count being measured
}

func newProgress(stderr io.Writer, counts int, verbose bool) *progress {
	p := &progress{counts: counts}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.out, p.bar = f, true
	} else if verbose {
		p.out = stderr
	}
	return p
}

func (p *progress) step(workers int, s bench.Step) {
	if p.out == nil {
		return
	}
	if p.workers != 0 && workers != p.workers {
		p.done++
		p.steps = 0
	}
	p.workers = workers
	p.steps++
	what := fmt.Sprintf("%s, search %d, step %d: %s voices, p99.9 %.1f µs, %s",
		workerCount(workers), s.Search, p.steps, commas(s.Voices), float64(s.P999.Nanoseconds())/1e3, s.Outcome)
	if !p.bar {
		if s.Reason != "" {
			what += ": " + s.Reason
		}
		fmt.Fprintln(p.out, "render-bench: "+what)
		return
	}
	frac := (float64(p.done) + min(float64(p.steps)/stepsPerWorkerCount, 0.95)) / float64(p.counts)
	filled := int(frac * barWidth)
	fmt.Fprintf(p.out, "\r\033[K[%s%s] %s", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), what)
}

// note shows a line of its own: redrawn in place on a terminal.
func (p *progress) note(s string) {
	switch {
	case p.out == nil:
	case p.bar:
		fmt.Fprintf(p.out, "\r\033[K%s", s)
	default:
		fmt.Fprintln(p.out, "render-bench: "+s)
	}
}

// clear erases the bar so the report starts on a clean line.
func (p *progress) clear() {
	if p.bar {
		fmt.Fprint(p.out, "\r\033[K")
	}
}

// workerCount writes "1 worker", "2 workers".
func workerCount(n int) string {
	if n == 1 {
		return "1 worker"
	}
	return fmt.Sprintf("%d workers", n)
}
