// Command render-bench answers: how many voices can this machine render in
// real time, per core and across cores, and with what tail latency?
//
// For each worker count it searches, by doubling then bisection, for the
// largest voice count whose 99.9th-percentile block time stays within a
// fraction of the block deadline (and, paced, with no deadline misses), and
// reports a table, JSON, CSV or a plot. See docs/render-bench.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1   // the run itself failed
	exitUsage       = 2   // bad flags or an impossible request
	exitInterrupted = 130 // 128 + SIGINT, as shells report it
)

// Defaults, and why.
const (
	// defaultDuration gives 1500 paced blocks per step: p99.9 then rests on
	// the worst two blocks rather than on a single one.
	defaultDuration = 2 * time.Second
	// quickDuration keeps -quick (the README's run) under 30 s on a 2-core
	// machine: about 14 steps per worker count.
	quickDuration = 200 * time.Millisecond
	// defaultResolution stops bisection within 1/64 (1.6%) of the answer,
	// finer than run-to-run noise; -quick settles for 1/8.
	defaultResolution = 1.0 / 64
	quickResolution   = 1.0 / 8
	// maxVoices caps the search at 4M voices, beyond any machine today even
	// at 16 cores, so a synth that never slows down still ends.
	maxVoices = 1 << 22
	// maxWorkers bounds -workers against typos such as 1,2,40000.
	maxWorkers = 1024
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, newSynth))
}

// config is the parsed command line.
type config struct {
	opts    bench.Options
	workers []int
	voices  int
	json    bool
	csv     bool
	plot    string
}

// run is the whole command, testable: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, factory bench.SynthFactory) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "render-bench: %v\n", err)
		return exitUsage
	}
	if err := probe(factory, cfg); err != nil {
		fmt.Fprintf(stderr, "render-bench: %v\n", err)
		return exitUsage
	}
	runner, err := bench.NewRunner(factory, cfg.opts)
	if err != nil {
		fmt.Fprintf(stderr, "render-bench: %v\n", err)
		return exitUsage
	}
	bar := newProgress(stderr, len(cfg.workers))
	rep, err := runner.Run(ctx, cfg.workers, cfg.voices, bar.step)
	bar.clear()
	interrupted := errors.Is(err, bench.ErrInterrupted)
	if err != nil && !interrupted {
		fmt.Fprintf(stderr, "render-bench: %v\n", err)
		return exitFailed
	}
	if werr := write(rep, cfg, stdout, stderr); werr != nil {
		fmt.Fprintf(stderr, "render-bench: %v\n", werr)
		return exitFailed
	}
	if interrupted {
		fmt.Fprintln(stderr, "render-bench: interrupted; the report holds what was measured so far")
		return exitInterrupted
	}
	return exitOK
}

// write sends the report to stdout in the chosen format, and the plot to
// its file.
func write(rep *bench.Report, cfg config, stdout, stderr io.Writer) error {
	var err error
	switch {
	case cfg.json:
		err = rep.WriteJSON(stdout)
	case cfg.csv:
		err = rep.WriteCSV(stdout)
	default:
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return err
	}
	if (cfg.json || cfg.csv) && rep.Realtime != "" {
		fmt.Fprintf(stderr, "render-bench: paced thread: %s\n", rep.Realtime)
	}
	if cfg.plot != "" {
		return rep.WritePlotFile(cfg.plot)
	}
	return nil
}

// probe builds one synth as the run will, so that an impossible request (a
// voice kind or kernel the synth lacks) is a usage error before any
// measuring starts.
func probe(factory bench.SynthFactory, cfg config) error {
	s, err := factory(bench.SynthConfig{
		Workers:    cfg.workers[0],
		Capacity:   1,
		Kind:       cfg.opts.Voice,
		Kernel:     cfg.opts.Kernel,
		SampleRate: cfg.opts.SampleRate,
	})
	if err != nil {
		return err
	}
	return s.Close()
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("render-bench", flag.ContinueOnError)
	// The flag package's own messages span lines; run prints one line.
	fs.SetOutput(io.Discard)
	names := func(v any) string { return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ", "), "[]") }
	voice := fs.String("voice", "sine", "voice kind: "+names(bench.VoiceKinds))
	scenario := fs.String("scenario", "steady", "scenario: "+names(bench.Scenarios))
	mode := fs.String("mode", "paced", "mode: "+names(bench.Modes))
	workers := fs.String("workers", "", "worker counts to measure, such as 1,2,4 (default 1..physical cores)")
	duration := fs.Duration("duration", defaultDuration, "measured time per step")
	headroom := fs.Float64("headroom", 0.70, "fraction of the block deadline p99.9 may use")
	kernel := fs.String("kernel", "auto", "kernel tier: auto, "+names(bench.Kernels))
	voices := fs.Int("voices", 0, "measure this voice count instead of searching")
	quick := fs.Bool("quick", false, "short run (under 30 s on 2 cores): 200 ms steps, coarser search")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	asCSV := fs.Bool("csv", false, "write the report as CSV")
	plot := fs.String("plot", "", "also draw the report into `FILE`.svg or .png")
	rate := fs.Int("rate", block.DefaultRate, "sample rate in Hz")
	blockFrames := fs.Int("block", block.Size, "block size in samples (only 64)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: render-bench [flags]")
			fs.PrintDefaults()
		}
		return config{}, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg := config{voices: *voices, json: *asJSON, csv: *asCSV, plot: *plot}
	cfg.opts = bench.Options{
		SampleRate: *rate,
		Voice:      bench.VoiceKind(*voice),
		Scenario:   bench.Scenario(*scenario),
		Mode:       bench.Mode(*mode),
		Kernel:     *kernel,
		Duration:   *duration,
		Headroom:   *headroom,
		Resolution: defaultResolution,
		MaxVoices:  maxVoices,
	}
	if *quick {
		cfg.opts.Resolution = quickResolution
		if !set["duration"] {
			cfg.opts.Duration = quickDuration
		}
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected argument %q (all settings are flags)", fs.Arg(0))
	case *blockFrames != block.Size:
		return cfg, fmt.Errorf("-block %d: only %d-sample blocks are supported", *blockFrames, block.Size)
	case *voices < 0:
		return cfg, fmt.Errorf("-voices %d: want a positive count, or 0 to search", *voices)
	case *voices > maxVoices:
		return cfg, fmt.Errorf("-voices %d: at most %d", *voices, maxVoices)
	case *asJSON && *asCSV:
		return cfg, errors.New("-json and -csv both given: choose one")
	case *plot != "" && !slices.Contains([]string{".svg", ".png"}, strings.ToLower(filepath.Ext(*plot))):
		return cfg, fmt.Errorf("-plot %q: want a .svg or .png file name", *plot)
	case *plot != "" && !isDir(filepath.Dir(*plot)):
		// Found now, not after minutes of measuring.
		return cfg, fmt.Errorf("-plot %q: no directory %q to write it in", *plot, filepath.Dir(*plot))
	}
	if err := cfg.opts.Validate(); err != nil {
		return cfg, err
	}
	var err error
	if cfg.workers, err = parseWorkers(*workers, bench.DetectCPU().Cores); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// parseWorkers reads a list such as "1,2,4"; empty means 1..cores.
func parseWorkers(s string, cores int) ([]int, error) {
	if s == "" {
		ws := make([]int, max(cores, 1))
		for i := range ws {
			ws[i] = i + 1
		}
		return ws, nil
	}
	var ws []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 || w > maxWorkers {
			return nil, fmt.Errorf("-workers %q: %q is not a worker count in 1..%d", s, f, maxWorkers)
		}
		if slices.Contains(ws, w) {
			return nil, fmt.Errorf("-workers %q: %d given twice", s, w)
		}
		ws = append(ws, w)
	}
	return ws, nil
}

// isDir reports whether path names an existing directory.
func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
