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

// outcome is what became of one entry.
type outcome struct {
	res    bounce.Result
	err    error
	silent bool // silent render of an input without notes: not a failure
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
	var mine []entry
	for i, e := range all {
		if i%cfg.of == cfg.shard {
			mine = append(mine, e)
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
	results := make([]outcome, len(mine))
	var (
		errMu sync.Mutex // one line at a time on stderr
		done  sync.WaitGroup
		bar   = newProgressBar(stderr, fmt.Sprintf("shard %d/%d", cfg.shard, cfg.of))
		count int
	)
	render := func(i int) {
		defer done.Done()
		r := renderEntry(ctx, ld, cfg, workers, mine[i])
		results[i] = r
		errMu.Lock()
		defer errMu.Unlock()
		count++
		if r.err != nil {
			if bar != nil {
				fmt.Fprint(stderr, "\r")
			}
			fmt.Fprintf(stderr, "bounce: %s\n", errLine(r.err))
		}
		bar.update(int64(count), int64(len(mine)))
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
				results[j].err = ctx.Err()
			}
			fmt.Fprintf(stderr, "bounce: %v: %d files not started\n", ctx.Err(), len(mine)-i)
			break
		}
		done.Add(1)
		if err := pool.Invoke(i); err != nil {
			done.Done()
			results[i].err = fmt.Errorf("%s: %w", mine[i].where, err)
		}
	}
	done.Wait()
	bar.finish()
	return summarize(stdout, cfg, results, time.Since(start))
}

// renderEntry loads and bounces one entry into -outdir.
func renderEntry(ctx context.Context, ld *bounce.Loader, cfg *config, workers int, e entry) outcome {
	if e.clash != "" {
		return outcome{err: fmt.Errorf("%s (%s): output name %s is also the output of %s", e.input, e.where, e.out, e.clash)}
	}
	s, err := ld.Load(e.input)
	if err != nil {
		return outcome{err: err}
	}
	path := filepath.Join(cfg.outdir, e.out)
	opt := cfg.options(ld, workers)
	// -outdir may be shared: a link planted there must not aim an
	// output at another file.
	opt.ReplaceLinks = true
	opt.Accept = func(res bounce.Result) error { return checkAudible(s.Name, res) }
	res, err := bounce.RenderFile(ctx, s, path, opt)
	return outcome{res: res, err: err, silent: err == nil && res.Silent()}
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

// summarize prints the batch's summary line and returns the exit code.
func summarize(w io.Writer, cfg *config, results []outcome, wall time.Duration) int {
	var failed, silent int
	var audio float64
	for _, r := range results {
		switch {
		case r.err != nil:
			failed++
		case r.silent:
			silent++
		}
		if r.err == nil {
			audio += r.res.Seconds()
		}
	}
	fmt.Fprintf(w, "bounce: shard %d/%d: %d files, %d failed, %d silent without notes, %.1f s of audio in %.1f s wall, %.1fx real time\n",
		cfg.shard, cfg.of, len(results), failed, silent, audio, wall.Seconds(), audio/max(wall.Seconds(), 1e-9))
	if failed > 0 {
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
