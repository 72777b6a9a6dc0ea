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

// stepsPerWorkerCount is a typical search's step count (doubling from 64 to
// tens of thousands, then six bisections), used only to move the bar.
const stepsPerWorkerCount = 16

// progress draws a one-line bar on standard error when it is a terminal,
// and nothing otherwise, so redirected output stays clean. It is called
// between steps, never while a step is timed.
type progress struct {
	out         io.Writer // nil: not a terminal
	counts      int       // worker counts in the run
	done, steps int       // worker counts finished; steps in the current one
	workers     int       // worker count being measured
}

func newProgress(stderr io.Writer, counts int) *progress {
	p := &progress{counts: counts}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.out = f
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
	frac := (float64(p.done) + min(float64(p.steps)/stepsPerWorkerCount, 0.95)) / float64(p.counts)
	filled := int(frac * barWidth)
	verdict := "over"
	if s.Pass {
		verdict = "ok"
	}
	fmt.Fprintf(p.out, "\r\033[K[%s%s] %d workers, step %d: %d voices, p99.9 %.1f µs, %s",
		strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled),
		workers, p.steps, s.Voices, float64(s.P999.Nanoseconds())/1e3, verdict)
}

// clear erases the bar so the report starts on a clean line.
func (p *progress) clear() {
	if p.out != nil {
		fmt.Fprint(p.out, "\r\033[K")
	}
}
