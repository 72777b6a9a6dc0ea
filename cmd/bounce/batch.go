package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/panjf2000/ants/v2"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
)

// entry is one input of a batch.
type entry struct {
	input string // path as the renderer opens it
	where string // its place in the manifest, for messages
	out   string // output file name inside -outdir
	clash string // non-empty when another entry has the same output name
}

// maxManifest bounds the entries of a manifest, and maxManifestBytes its
// size: ten million lines, about 1 GiB of paths, are enough for any
// dataset, and a wrong file (a WAV, /dev/urandom) given as the manifest
// fails at once instead of filling memory.
const (
	maxManifest      = 10_000_000
	maxManifestBytes = 1 << 30
)

// runBatch renders the manifest's share of this shard into -outdir.
func runBatch(ctx context.Context, cfg *config, stdin io.Reader, stdout, stderr io.Writer) int {
	start := time.Now()
	all, err := readManifest(cfg.manifest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	if err := os.MkdirAll(cfg.outdir, 0o755); err != nil {
		fmt.Fprintf(stderr, "bounce: -outdir: %s\n", errLine(err))
		return exitFailed
	}
	// Temporary files of a run killed by SIGKILL (a preempted pod): the
	// entries rendered again reuse theirs, the others would stay forever.
	if n, _ := bounce.CleanTemp(cfg.outdir); n > 0 {
		fmt.Fprintf(stderr, "bounce: removed %d temporary files left in -outdir by a killed run\n", n)
	}
	rep, err := newReporter(cfg.report)
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	results := make([]outcome, 0, len(all)/cfg.of+1)
	var mine []entry
	for i, e := range all {
		if i%cfg.of == cfg.shard {
			mine = append(mine, e)
			results = append(results, outcome{index: i, input: e.input, output: filepath.Join(cfg.outdir, e.out)})
		}
	}
	workers := cfg.workers
	if workers == 0 {
		// Typical inputs (MIDI files) sound well under one chunk of
		// voices (256) at a time, so a second worker on the same file
		// would find nothing to render and only add a wake-up per
		// block; a file per core scales with no such cost.
		workers = 1
	}
	jobs := cfg.jobs
	if jobs == 0 {
		jobs = max(1, runtime.GOMAXPROCS(0)/workers)
	}
	ld := newLoader(cfg, stdin)
	bar := newProgressBar(stderr, fmt.Sprintf("shard %d/%d", cfg.shard, cfg.of), len(mine))
	var (
		outMu sync.Mutex // one line at a time on stderr
		done  sync.WaitGroup
	)
	render := func(i int) {
		defer done.Done()
		o := &results[i]
		renderEntry(ctx, ld, cfg, workers, mine[i], o, bar, i)
		rep.add(o)
		audio := 0.0
		if o.status == statusOK {
			audio = o.res.Seconds()
		}
		bar.finished(i, audio, o.status == statusSkipped)
		if o.status == statusInterrupted {
			return // counted in one line by summarize
		}
		outMu.Lock()
		report(stderr, cfg, o, bar)
		outMu.Unlock()
	}
	pool, err := ants.NewPoolWithFuncGeneric(jobs, render, ants.WithPreAlloc(true))
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		return exitFailed
	}
	defer pool.Release()
	for i := range mine {
		if ctx.Err() != nil {
			for j := i; j < len(mine); j++ {
				results[j].status, results[j].err = statusInterrupted, ctx.Err()
				rep.add(&results[j])
			}
			break
		}
		done.Add(1)
		if err := pool.Invoke(i); err != nil {
			done.Done()
			results[i].status, results[i].err = statusFailed, fmt.Errorf("%s: %w", mine[i].where, err)
		}
	}
	done.Wait()
	bar.finish()
	code := summarize(stdout, stderr, cfg, results, time.Since(start))
	if err := rep.close(); err != nil {
		fmt.Fprintf(stderr, "bounce: %s\n", errLine(err))
		code = exitFailed
	}
	return code
}

// renderEntry loads and bounces one entry into -outdir, recording the
// outcome in o; bar follows the render as input i.
func renderEntry(ctx context.Context, ld *bounce.Loader, cfg *config, workers int, e entry, o *outcome, bar *progressBar, i int) {
	start := time.Now()
	defer func() { o.wall = time.Since(start) }()
	if e.clash != "" {
		o.status, o.err = statusFailed, fmt.Errorf("%s (%s): output name %s is also the output of %s", e.input, e.where, e.out, e.clash)
		return
	}
	if cfg.skipExisting && outputExists(o.output) {
		o.status = statusSkipped
		return
	}
	s, err := ld.Load(e.input)
	if err != nil {
		o.status, o.err = statusFailed, err
		return
	}
	cfg.heap.cover(ld.SoundFontBytes())
	rate := float64(s.SampleRate)
	bar.loadedFile(float64(s.Frames) / rate)
	opt := cfg.options(ld, workers)
	// -outdir may be shared: a link planted there must not aim an
	// output at another file.
	opt.ReplaceLinks = true
	opt.Accept = func(res bounce.Result) error { return checkAudible(cfg, s.Name, res) }
	if bar != nil {
		opt.Progress = func(done, total int64) { bar.rendering(i, float64(done)/rate) }
	}
	o.res, err = bounce.RenderFile(ctx, s, o.output, opt)
	o.settle(ctx, err)
}

// summarize prints the batch's summary line on stdout (and, when a signal
// stopped the batch, one line on stderr) and returns the exit code.
func summarize(stdout, stderr io.Writer, cfg *config, results []outcome, wall time.Duration) int {
	count := map[string]int{}
	var silent, clippedFiles int
	var audio float64
	var clipped int64
	for i := range results {
		r := &results[i]
		count[r.status]++
		if r.silent() {
			silent++
		}
		if r.status == statusOK {
			audio += r.res.Seconds()
			if r.res.Clipped > 0 {
				clippedFiles++
				clipped += r.res.Clipped
			}
		}
	}
	if n := count[statusInterrupted]; n > 0 {
		fmt.Fprintf(stderr, "bounce: interrupted: %d files stopped or not started\n", n)
	}
	fmt.Fprintf(stdout, "bounce: shard %d/%d: %d files, %d failed, %d skipped, %d silent without notes, %d clipped (%d samples), %.1f s of audio in %.1f s wall, %.1fx real time\n",
		cfg.shard, cfg.of, len(results), count[statusFailed]+count[statusInterrupted], count[statusSkipped], silent,
		clippedFiles, clipped, audio, wall.Seconds(), audio/max(wall.Seconds(), 1e-9))
	if count[statusFailed]+count[statusInterrupted] > 0 {
		return exitFailed
	}
	return exitOK
}

// readManifest lists the batch: the lines of a manifest file (or of
// standard input for "-"), or the inputs of a directory in name order.
// Output names are the inputs' base names with .wav; entries whose output
// names collide are marked, so every shard refuses the same ones.
func readManifest(path string, stdin io.Reader) ([]entry, error) {
	var all []entry
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		names, err := os.ReadDir(path)
		if err != nil {
			return nil, fmt.Errorf("-manifest: %w", err)
		}
		for _, n := range names {
			switch strings.ToLower(filepath.Ext(n.Name())) {
			case ".json", ".mid", ".midi":
				if !n.IsDir() {
					p := filepath.Join(path, n.Name())
					all = append(all, entry{input: p, where: p})
				}
			}
		}
	} else {
		r, dir, err := openManifest(path, stdin)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		if all, err = manifestLines(path, dir, r); err != nil {
			return nil, err
		}
	}
	first := map[string]int{}
	for i := range all {
		e := &all[i]
		e.out = strings.TrimSuffix(filepath.Base(e.input), filepath.Ext(e.input)) + ".wav"
		key := strings.ToLower(e.out) // names differing only in case collide on macOS and Windows
		if j, ok := first[key]; ok {
			e.clash = all[j].input
			if all[j].clash == "" {
				all[j].clash = e.input
			}
			continue
		}
		first[key] = i
	}
	return slices.Clip(all), nil
}

// openManifest opens a manifest file, or standard input for "-", and
// returns it with the directory its relative paths start from. A named
// pipe is allowed (-manifest <(find ...)); it is opened without blocking,
// like every input, and a device is refused.
func openManifest(path string, stdin io.Reader) (io.ReadCloser, string, error) {
	if path == "-" {
		return io.NopCloser(stdin), ".", nil
	}
	f, _, err := inputfile.Open(path)
	if errors.Is(err, inputfile.ErrNotRegular) {
		f, err = os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			fi, serr := f.Stat()
			if serr != nil || fi.Mode()&fs.ModeNamedPipe == 0 {
				f.Close()
				why := "not a regular file"
				if serr == nil {
					why = inputfile.Kind(fi.Mode())
				}
				return nil, "", fmt.Errorf("-manifest %s: %s: want a text file of paths, a directory or a pipe", errtext.Name(path), why)
			}
		}
	}
	if err != nil {
		return nil, "", fmt.Errorf("-manifest %w", err)
	}
	if size := inputfile.Size(f); size > maxManifestBytes {
		f.Close()
		return nil, "", fmt.Errorf("-manifest %s: %d bytes, larger than the %d a manifest may hold", errtext.Name(path), size, maxManifestBytes)
	}
	return f, filepath.Dir(path), nil
}

// manifestLines reads the entries of a manifest: one path per line, blank
// lines and # comments skipped, relative paths relative to dir. A line
// with a NUL byte or invalid UTF-8 means this is no text file of paths,
// and stops the reading there; a byte-order mark before the first line is
// dropped.
func manifestLines(path, dir string, r io.Reader) ([]entry, error) {
	var all []entry
	name := errtext.Name(path)
	counted := &io.LimitedReader{R: r, N: maxManifestBytes + 1}
	sc := bufio.NewScanner(counted)
	line := 1
	for ; sc.Scan(); line++ {
		raw := sc.Bytes()
		if line == 1 {
			raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
		}
		switch {
		case bytes.IndexByte(raw, 0) >= 0:
			return nil, fmt.Errorf("%s: line %d: not a text file of paths: a NUL byte", name, line)
		case !utf8.Valid(raw):
			return nil, fmt.Errorf("%s: line %d: not a text file of paths: invalid UTF-8", name, line)
		}
		text := strings.TrimSpace(string(raw))
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if len(all) == maxManifest {
			return nil, fmt.Errorf("%s: line %d: more than %d entries", name, line, maxManifest)
		}
		if !filepath.IsAbs(text) {
			text = filepath.Join(dir, text)
		}
		all = append(all, entry{input: text, where: fmt.Sprintf("%s line %d", name, line)})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = fmt.Errorf("longer than %d bytes", bufio.MaxScanTokenSize)
		}
		return nil, fmt.Errorf("%s: line %d: %w", name, line, err)
	}
	if counted.N <= 0 {
		return nil, fmt.Errorf("%s: larger than the %d bytes a manifest may hold", name, maxManifestBytes)
	}
	return all, nil
}
