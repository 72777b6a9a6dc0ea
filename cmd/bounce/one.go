package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/aether-audio/aether/bounce"
)

// runOne bounces one input to -o.
func runOne(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) int {
	if f, ok := stdout.(*os.File); ok && cfg.out == "-" && closedAtStart(f) {
		fmt.Fprintln(stderr, "bounce: -o -: standard output is closed: the WAV would be lost")
		return exitFailed
	}
	ld := newLoader(cfg, stdin)
	s, err := ld.Load(cfg.inputs[0])
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	opt := cfg.options(ld, cfg.workers)
	opt.Accept = func(res bounce.Result) error { return checkAudible(s.Name, res) }
	bar := newProgressBar(stderr, s.Name)
	if bar != nil {
		opt.Progress = bar.update
	}
	var res bounce.Result
	if cfg.out == "-" {
		bw := bufio.NewWriterSize(stdout, 256<<10)
		res, err = bounce.Render(ctx, s, bw, opt)
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			err = checkAudible(s.Name, res)
		}
	} else {
		res, err = bounce.RenderFile(ctx, s, cfg.out, opt) // checks audibility before the file appears
	}
	bar.finish()
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	return exitOK
}

// checkAudible fails a render that stayed silent although its input has
// notes: a broken input or instrument, never what the user wants.
func checkAudible(name string, res bounce.Result) error {
	if res.Silent() && res.Notes > 0 {
		return fmt.Errorf("%s: silent render: peak %.1f dBFS (below %d dBFS) although the input has %d notes",
			name, res.PeakDBFS(), bounce.SilenceDBFS, res.Notes)
	}
	return nil
}
