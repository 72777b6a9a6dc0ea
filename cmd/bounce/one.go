package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/aether-audio/aether"
)

// runOne bounces one input to -o.
func runOne(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) int {
	ld := newLoader(cfg, stdin)
	s, err := ld.load(cfg.inputs[0])
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	opt := aether.BounceOptions{Format: cfg.format, Seed: cfg.seed, Workers: cfg.workers, Limits: ld.limits,
		Accept: func(res aether.BounceResult) error { return checkAudible(s.Name, res) }}
	bar := newProgressBar(stderr, s.Name)
	if bar != nil {
		opt.Progress = bar.update
	}
	var res aether.BounceResult
	if cfg.out == "-" {
		bw := bufio.NewWriterSize(stdout, 256<<10)
		res, err = aether.Bounce(ctx, s, bw, opt)
		if err == nil {
			err = bw.Flush()
		}
		if err == nil {
			err = checkAudible(s.Name, res)
		}
	} else {
		res, err = aether.BounceFile(ctx, s, cfg.out, opt) // checks audibility before the file appears
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
func checkAudible(name string, res aether.BounceResult) error {
	if res.Silent() && res.Notes > 0 {
		return fmt.Errorf("%s: silent render: peak %.1f dBFS (below %d dBFS) although the input has %d notes",
			name, res.PeakDBFS(), aether.SilenceDBFS, res.Notes)
	}
	return nil
}
