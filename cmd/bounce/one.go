package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/internal/errtext"
)

// runOne bounces one input to -o.
func runOne(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) int {
	if f, ok := stdout.(*os.File); ok && cfg.out == "-" && closedAtStart(f) {
		fmt.Fprintln(stderr, "bounce: -o -: standard output is closed: the WAV would be lost")
		return exitFailed
	}
	rep, err := newReporter(cfg.report)
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	o := &outcome{input: cfg.inputs[0], output: cfg.out}
	if cfg.skipExisting && outputExists(cfg.out) {
		o.status = statusSkipped
	} else {
		renderOne(ctx, cfg, stdin, stdout, stderr, o)
	}
	rep.add(o)
	report(stderr, cfg, o, nil)
	if err := rep.close(); err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	if o.status == statusFailed || o.status == statusInterrupted {
		return exitFailed
	}
	return exitOK
}

// renderOne loads and renders the single input into o.
func renderOne(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer, o *outcome) {
	start := time.Now()
	defer func() { o.wall = time.Since(start) }()
	ld := newLoader(cfg, stdin)
	s, err := ld.Load(o.input)
	if err != nil {
		o.status, o.err = statusFailed, err
		return
	}
	cfg.heap.cover(ld.SoundFontBytes())
	opt := cfg.options(ld, cfg.workers)
	opt.Accept = func(res bounce.Result) error { return checkAudible(cfg, s.Name, res) }
	bar := newProgressBar(stderr, s.Name, 1)
	bar.loadedFile(float64(s.Frames) / float64(s.SampleRate))
	if bar != nil {
		opt.Progress = func(done, total int64) { bar.rendering(0, float64(done)/float64(s.SampleRate)) }
	}
	if cfg.out == "-" {
		bw := bufio.NewWriterSize(stdout, 256<<10)
		o.res, err = bounce.Render(ctx, s, bw, opt)
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			err = checkAudible(cfg, s.Name, o.res)
		}
	} else {
		o.res, err = bounce.RenderFile(ctx, s, cfg.out, opt) // checks audibility before the file appears
	}
	bar.finished(0, o.res.Seconds(), false)
	bar.finish()
	o.settle(ctx, err)
}

// report prints what became of o on stderr: its error, or its line (unless
// -quiet) and a warning if it clipped or lacked presets, with bar (if any)
// off the screen.
func report(stderr io.Writer, cfg *config, o *outcome, bar *progressBar) {
	bar.above(func() {
		switch {
		case o.err != nil:
			fmt.Fprintf(stderr, "bounce: %s\n", errLine(o.err))
		case !cfg.quiet:
			writeLine(stderr, fileLine(o))
		}
		if o.status == statusOK && o.res.Clipped > 0 {
			writeLine(stderr, clipWarning(o, cfg.gainDB))
		}
		if o.status == statusOK && len(o.res.Missing) > 0 {
			writeLine(stderr, missingWarning(cfg, o))
		}
	})
}

// outputExists reports whether path holds a finished output: outputs
// appear only complete (written aside, then renamed), so any regular file
// there is one.
func outputExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// checkAudible fails a render that stayed silent although its input has
// notes: a broken input or instrument, never what the user wants.
func checkAudible(cfg *config, name string, res bounce.Result) error {
	if !res.Silent() || res.Notes == 0 {
		return nil
	}
	why := ""
	if len(res.Missing) > 0 {
		bank := "the instrument bank"
		if cfg.soundfont != "" {
			bank = "the SoundFont"
		}
		why = fmt.Sprintf(" (%s has no %s)", bank, strings.Join(res.Missing, ", "))
	}
	return fmt.Errorf("%s: silent render: peak %.1f dBFS (below %d dBFS) although the input has %d notes%s",
		errtext.Name(name), res.PeakDBFS(), bounce.SilenceDBFS, res.Notes, why)
}
