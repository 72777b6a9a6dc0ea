// Command render-bench answers: how many voices can this machine render in
// real time, per core and across cores, and with what tail latency?
//
// For each worker count it searches, by doubling then repeated bisection,
// for the largest voice count whose 99.9th-percentile render time stays
// within a fraction of the block deadline with no block rendered past it,
// reports the median of the searches with their spread, and says apart
// whether the machine wakes its render thread on time. It writes a table,
// JSON, CSV or an SVG plot; -tiers prints what each voice kind costs on
// each kernel tier. See docs/render-bench.md.
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
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
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
	// quickDuration keeps -quick short: 150 paced blocks a step.
	quickDuration = 200 * time.Millisecond
	// defaultResolution stops each bisection within 1/64 (1.6%) of its
	// answer; -quick settles for 1/32 (3.1%), still finer than the 10%
	// its answers must repeat within.
	defaultResolution = 1.0 / 64
	quickResolution   = 1.0 / 32
	// defaultSearches bisects three times: the median of three ignores one
	// search led astray, and the spread shows how much to trust it.
	defaultSearches = 3
	// maxVoices caps the search at 4M voices, beyond any machine today even
	// at 16 cores, so a synth that never slows down still ends.
	maxVoices = 1 << 22
	// maxWorkers bounds -workers against typos such as 1,2,40000.
	maxWorkers = 1024
	// repeatWindow is how soon after an interrupt a second one counts as
	// the same request delivered twice (timeout -s INT signals the child,
	// then its whole process group) rather than a user insisting.
	repeatWindow = time.Second
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go interrupts(sigs, cancel, os.Stderr, func() { os.Exit(exitInterrupted) })
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, newSynth))
}

// interrupts cancels the run at the first signal, so the report of what
// was measured is still written. A second signal within repeatWindow is
// the first one delivered twice and changes nothing; a later one exits at
// once, without the report.
func interrupts(sigs <-chan os.Signal, cancel func(), stderr io.Writer, exit func()) {
	<-sigs
	first := time.Now()
	cancel()
	for range sigs {
		if time.Since(first) >= repeatWindow {
			fmt.Fprintln(stderr, "render-bench: interrupted again: exiting without a report")
			exit()
			return
		}
	}
}

// config is the parsed command line.
type config struct {
	opts    bench.Options
	workers []int
	voices  int
	json    bool
	csv     bool
	plot    string
	verbose bool
	tiers   bool
	version bool
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
	if cfg.version {
		fmt.Fprintln(stdout, versionLine(debug.ReadBuildInfo()))
		return exitOK
	}
	if cfg.tiers {
		return runTiers(ctx, cfg, stdout, stderr, factory)
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
	bar := newProgress(stderr, len(cfg.workers), cfg.verbose)
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

// runTiers measures and writes the cost of each voice kind on each tier.
func runTiers(ctx context.Context, cfg config, stdout, stderr io.Writer, factory bench.SynthFactory) int {
	bar := newProgress(stderr, 1, cfg.verbose)
	t, err := measureTiers(ctx, factory, cfg.opts.SampleRate, cfg.opts.Duration, bar.note)
	bar.clear()
	if errors.Is(err, bench.ErrInterrupted) {
		fmt.Fprintln(stderr, "render-bench: interrupted; -tiers writes nothing until every tier is measured")
		return exitInterrupted
	}
	if err == nil {
		if cfg.json {
			err = t.writeJSON(stdout)
		} else {
			err = t.writeTable(stdout)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "render-bench: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// versionLine names the build: the module version Go stamped into the
// binary (a pseudo-version from the commit when built in a checkout,
// "(devel)" when it could not tell), the commit, and the Go toolchain.
func versionLine(bi *debug.BuildInfo, ok bool) string {
	version, module := "(unknown)", "github.com/aether-audio/aether"
	if ok {
		version, module = bi.Main.Version, bi.Main.Path
		if version == "" {
			version = "(devel)"
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" && !strings.Contains(version, rev[:min(12, len(rev))]) {
			version += " commit " + rev[:min(12, len(rev))]
			if settings["vcs.modified"] == "true" {
				version += "+dirty"
			}
		}
	}
	if module == "" {
		module = "github.com/aether-audio/aether"
	}
	return fmt.Sprintf("render-bench %s (%s, %s %s/%s)", version, module, runtime.Version(), runtime.GOOS, runtime.GOARCH)
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
		err = rep.WriteTable(stdout, cfg.verbose)
	}
	if err != nil {
		return err
	}
	if cfg.json || cfg.csv {
		// The answer in words, where the data goes to a file.
		for _, line := range rep.Summary() {
			fmt.Fprintln(stderr, "render-bench: "+line)
		}
		if rep.Realtime != "" {
			fmt.Fprintf(stderr, "render-bench: paced thread: %s\n", rep.Realtime)
		}
	}
	if cfg.plot != "" {
		return writePlotFile(rep, cfg.plot)
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

// tiersFlags are the flags -tiers takes; the others describe a search.
var tiersFlags = []string{"tiers", "json", "rate", "duration", "v", "block"}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("render-bench", flag.ContinueOnError)
	// The flag package's own messages span lines; run prints one line.
	fs.SetOutput(io.Discard)
	names := func(v any) string { return strings.Trim(strings.ReplaceAll(fmt.Sprint(v), " ", ", "), "[]") }
	voice := fs.String("voice", "sine", "voice kind: "+names(bench.VoiceKinds))
	scenario := fs.String("scenario", "steady", "scenario: "+names(bench.Scenarios))
	mode := fs.String("mode", "paced", "mode: "+names(bench.Modes))
	workers := fs.String("workers", "", "worker counts to measure, such as 1,2,4 (default 1..usable cores)")
	duration := fs.Duration("duration", defaultDuration, "measured time per step")
	headroom := fs.Float64("headroom", 0.70, "fraction of the block deadline the p99.9 render time may use")
	kernel := fs.String("kernel", "auto", "kernel tier: auto, "+names(mix.Tiers()))
	voices := fs.Int("voices", 0, "measure this voice count instead of searching")
	searches := fs.Int("searches", defaultSearches, "bisections per worker count; the answer is their median")
	quick := fs.Bool("quick", false, "short run: 200 ms steps, bisections to 1/32")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	asCSV := fs.Bool("csv", false, "write the report as CSV")
	plot := fs.String("plot", "", "also draw the report into `FILE`.svg")
	rate := fs.Int("rate", block.DefaultRate, "sample rate in Hz")
	blockFrames := fs.Int("block", block.Size, "block size in samples (only 64)")
	verbose := fs.Bool("v", false, "also show the CPU's features and every step with its outcome")
	tiers := fs.Bool("tiers", false, "print what each voice kind costs on each kernel tier, and exit")
	version := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(stderr)
			fmt.Fprintln(stderr, "usage: render-bench [flags]")
			fs.PrintDefaults()
		}
		return config{}, err
	}
	cfg := config{voices: *voices, json: *asJSON, csv: *asCSV, plot: *plot, verbose: *verbose, tiers: *tiers, version: *version}
	if *version {
		return cfg, nil
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	cfg.opts = bench.Options{
		SampleRate: *rate,
		Voice:      bench.VoiceKind(*voice),
		Scenario:   bench.Scenario(*scenario),
		Mode:       bench.Mode(*mode),
		Kernel:     *kernel,
		Duration:   *duration,
		Headroom:   *headroom,
		Resolution: defaultResolution,
		Searches:   *searches,
		MaxVoices:  maxVoices,
	}
	if *quick {
		cfg.opts.Resolution = quickResolution
		if !set["duration"] {
			cfg.opts.Duration = quickDuration
		}
	}
	if *tiers {
		for name := range set {
			if !slices.Contains(tiersFlags, name) {
				return cfg, fmt.Errorf("-tiers does not take -%s (it measures every voice kind and tier; it takes %s)",
					name, "-"+strings.Join(tiersFlags[1:], ", -"))
			}
		}
		if !set["duration"] {
			cfg.opts.Duration = tierDuration
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
	case *kernel != "auto" && !slices.Contains(mix.Tiers(), *kernel):
		return cfg, fmt.Errorf("-kernel %s: not a kernel tier of this CPU and build (want auto, %s)", *kernel, names(mix.Tiers()))
	case *plot != "" && strings.ToLower(filepath.Ext(*plot)) != ".svg":
		return cfg, fmt.Errorf("-plot %q: want a .svg file name", *plot)
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
