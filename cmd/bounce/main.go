// Command bounce renders JSON scores and Standard MIDI Files to WAV, one
// file or whole datasets, as fast as the machine allows.
//
//	bounce [flags] INPUT -o OUT.wav
//	bounce [flags] -manifest FILE|DIR -outdir DIR [-shard i/n] [-report FILE] [-skip-existing]
//
// INPUT is a .json score (docs/score.md) or a .mid/.midi file (docs/midi.md);
// "-" reads either from standard input, and "-o -" writes the WAV to
// standard output. A manifest lists one input per line (blank lines and
// lines starting with # are skipped, relative paths are relative to the
// manifest); a directory stands for its .json, .mid and .midi files in
// name order. -shard i/n renders only the entries whose index modulo n is
// i, so n machines given the same manifest split it with no coordinator.
// -soundfont FILE.sf2 plays MIDI files with a SoundFont's General MIDI
// presets instead of the built-in synths; the font is read once per
// process, before any output is written, and shared by every file. A JSON
// score's preset may name a SoundFont of its own, read once per batch.
// See docs/bounce.md and docs/getting-started-datasets.md.
//
// Exit status: 0 when every file bounced, 1 when any failed (including a
// silent render of an input that has notes), 2 for a usage error, 130 when
// interrupted by SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130 // 128 + SIGINT, as shells report it; SIGTERM too
)

// exitGrace bounds how long an interrupted bounce takes to stop: renders
// stop within a few hundred blocks and remove their temporary files in
// milliseconds, but a write stuck on a standard output nobody reads cannot
// be cancelled, and a signal must still end the process.
const exitGrace = 3 * time.Second

const usage = `usage: bounce [flags] INPUT -o OUT.wav
       bounce [flags] -manifest FILE|DIR -outdir DIR [-shard i/n]
output:
  -o PATH            output WAV file ("-" for standard output)
  -format F          f32, pcm16 or pcm24 (default f32)
  -channels N        2 (stereo, default) or 1 (mono: the average of the two)
  -rate HZ           render rate (default 48000 for MIDI; a JSON score renders
                     at its own sample_rate unless -rate is given)
  -gain DB           master gain in dB (default 0; MIDI files already play with
                     FluidSynth's headroom of -14 dB)
  -normalize DBFS    scale each file so its peak lies at DBFS, e.g. -1 (renders twice)
  -seed N            dither seed of the PCM formats (default 0): same seed, same bytes
instruments:
  -soundfont FILE    play MIDI files (and presets of JSON scores) with this SoundFont
                     (.sf2), read once for all inputs; default: the built-in GM synths
                     (a JSON preset naming a "soundfont" of its own plays from that one)
  -soundfont-profile P  how SoundFonts play: fluidsynth (default: as FluidSynth 2.3.1
                     does) or spec (as the SoundFont 2.04 specification says)
batch:
  -manifest FILE|DIR inputs of a batch, one per line, or a directory of inputs
  -outdir DIR        where a batch writes NAME.wav for each input NAME.json/.mid
  -shard i/n         render only manifest entries whose index modulo n is i
  -report FILE       one line per input: FILE.jsonl (JSON lines) or FILE.csv
  -skip-existing     leave inputs whose output exists (a finished one) alone
  -jobs N            files rendered at once (default: cores / workers)
  -quiet             no line per file rendered (errors and warnings stay)
performance:
  -workers N         render workers per file (default: from the file's polyphony
                     for one file, 1 per file in a batch)
limits (for inputs from untrusted sources, see docs/bounce.md):
  -max-duration D    longest input accepted, e.g. 10h (default 1h)
  -max-voice-seconds N  most work accepted: seconds of sounding voices summed over
                     the notes, release tails included (default 1e6)
  -sample-root DIR   directory the samples and SoundFonts of JSON scores must lie in
                     (default: each score's own directory; for "-", the working directory)
  -max-sample-bytes N  total size of the sample and SoundFont files one score names
                     (default 256M)
  -sample-cache-bytes N  sample files a batch keeps decoded (default 1G; 0 keeps none)
  -soundfont-cache-bytes N  decoded samples of the SoundFonts JSON scores name that a
                     batch keeps (default 1G; 0 keeps none)
  -version           print the version and exit
`

// config is the parsed command line.
type config struct {
	inputs       []string
	out          string
	format       wav.Format
	channels     int
	rate         int // 0: MIDI at midi.DefaultSampleRate, JSON at its own
	gainDB       float64
	normalize    float64 // dBFS; 0: off
	workers      int
	jobs         int
	seed         uint64
	maxDuration  time.Duration
	maxWork      float64 // voice-seconds
	manifest     string
	outdir       string
	shard, of    int
	report       string
	skipExisting bool
	quiet        bool
	sampleRoot   string
	sampleBytes  int64 // per score
	cacheBytes   int64 // per process; 0 keeps none
	fontCache    int64 // -soundfont-cache-bytes: per process; 0 keeps none
	version      bool
	soundfont    string             // -soundfont: the font's path
	profile      instrument.Profile // -soundfont-profile
	font         *bounce.SoundFont  // read by run from soundfont
	heap         fontHeap           // the memory limit while fonts are held
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := interruptContext(stderr)
	defer stop()
	cfg, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, usage)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "bounce: %s (bounce -h for usage)\n", errLine(err))
		return exitUsage
	}
	if cfg.version {
		fmt.Fprintln(stdout, version())
		return exitOK
	}
	if cfg.soundfont != "" {
		// Read once for every input, before any output exists: a bad font
		// fails the run, not each file.
		start := time.Now()
		if cfg.font, err = openSoundFont(cfg.soundfont, cfg.profile); err != nil {
			fmt.Fprintf(stderr, "bounce: -soundfont %s\n", errLine(err))
			return exitFailed
		}
		if !cfg.quiet {
			writeLine(stderr, fontLine(cfg.font, time.Since(start)))
		}
		cfg.heap.flag = int64(len(cfg.font.Font().Pool)) * 4
		cfg.heap.cover(0)
	}
	defer cfg.heap.restore()
	var code int
	if cfg.manifest != "" {
		code = runBatch(ctx, cfg, stdin, stdout, stderr)
	} else {
		code = runOne(ctx, cfg, stdin, stdout, stderr)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return code
}

// interruptContext returns a context that the first SIGINT or SIGTERM (a
// Kubernetes eviction) cancels, so renders stop and remove their temporary
// files. The signal handlers are then removed, so a second signal kills at
// once; and should the process still be running exitGrace later (stuck in
// a write), it exits. stop releases the handlers.
func interruptContext(stderr io.Writer) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Reset(os.Interrupt, syscall.SIGTERM)
			cancel()
			time.AfterFunc(exitGrace, func() {
				fmt.Fprintf(stderr, "\nbounce: %v: still busy after %v, exiting\n", sig, exitGrace)
				os.Exit(exitInterrupted)
			})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}

func parseArgs(args []string) (*config, error) {
	cfg := &config{}
	fs := flag.NewFlagSet("bounce", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in one line by run
	fs.Usage = func() {}
	format := fs.String("format", "f32", "")
	shard := fs.String("shard", "0/1", "")
	fs.StringVar(&cfg.out, "o", "", "")
	fs.IntVar(&cfg.channels, "channels", 2, "")
	fs.IntVar(&cfg.rate, "rate", midi.DefaultSampleRate, "")
	fs.Float64Var(&cfg.gainDB, "gain", 0, "")
	fs.Float64Var(&cfg.normalize, "normalize", 0, "")
	fs.IntVar(&cfg.workers, "workers", 0, "")
	fs.IntVar(&cfg.jobs, "jobs", 0, "")
	fs.Uint64Var(&cfg.seed, "seed", 0, "")
	fs.DurationVar(&cfg.maxDuration, "max-duration", time.Hour, "")
	fs.Float64Var(&cfg.maxWork, "max-voice-seconds", bounce.DefaultMaxVoiceSeconds, "")
	fs.StringVar(&cfg.manifest, "manifest", "", "")
	fs.StringVar(&cfg.outdir, "outdir", "", "")
	fs.StringVar(&cfg.report, "report", "", "")
	fs.BoolVar(&cfg.skipExisting, "skip-existing", false, "")
	fs.BoolVar(&cfg.quiet, "quiet", false, "")
	fs.StringVar(&cfg.sampleRoot, "sample-root", "", "")
	sampleBytes := fs.String("max-sample-bytes", "256M", "")
	cacheBytes := fs.String("sample-cache-bytes", "1G", "")
	fontCache := fs.String("soundfont-cache-bytes", "1G", "")
	fs.BoolVar(&cfg.version, "version", false, "")
	fs.StringVar(&cfg.soundfont, "soundfont", "", "")
	profile := fs.String("soundfont-profile", "fluidsynth", "")
	// Flags may come after the input (bounce song.mid -o song.wav), so
	// parse again after each positional argument.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		cfg.inputs = append(cfg.inputs, fs.Arg(0))
		args = fs.Args()[1:]
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if cfg.version {
		return cfg, nil
	}
	lim := score.DefaultLimits()
	if set["rate"] && (cfg.rate < lim.MinRate || cfg.rate > lim.MaxRate) {
		return nil, fmt.Errorf("-rate %d: want %d..%d Hz", cfg.rate, lim.MinRate, lim.MaxRate)
	}
	if !set["rate"] {
		cfg.rate = 0 // each input's own: 48 kHz for MIDI, sample_rate for JSON
	}
	var ok bool
	if cfg.profile, ok = soundFontProfiles[*profile]; !ok {
		return nil, fmt.Errorf("-soundfont-profile %q: want fluidsynth or spec", *profile)
	}
	if set["soundfont"] && cfg.soundfont == "" {
		return nil, fmt.Errorf("-soundfont: want a SoundFont file (.sf2)")
	}
	if cfg.format, ok = parseFormat(*format); !ok {
		return nil, fmt.Errorf("-format %q: want f32, pcm16 or pcm24", *format)
	}
	var err error
	if cfg.shard, cfg.of, err = parseShard(*shard); err != nil {
		return nil, err
	}
	if cfg.sampleBytes, err = parseBytes("max-sample-bytes", *sampleBytes); err != nil {
		return nil, err
	}
	if cfg.fontCache, err = parseBytes("soundfont-cache-bytes", *fontCache); err != nil {
		return nil, err
	}
	if cfg.cacheBytes, err = parseBytes("sample-cache-bytes", *cacheBytes); err != nil {
		return nil, err
	}
	switch {
	case cfg.sampleBytes == 0:
		return nil, fmt.Errorf("-max-sample-bytes 0: want a positive size such as 64M")
	case cfg.channels != 1 && cfg.channels != 2:
		return nil, fmt.Errorf("-channels %d: want 1 (mono) or 2 (stereo)", cfg.channels)
	case !(math.Abs(cfg.gainDB) <= 120):
		return nil, fmt.Errorf("-gain %v: want dB in -120..120", cfg.gainDB)
	case !(cfg.normalize < 0 && cfg.normalize >= -120) && set["normalize"]:
		return nil, fmt.Errorf("-normalize %v: want a peak level below 0 dBFS, such as -1", cfg.normalize)
	case set["normalize"] && set["gain"]:
		return nil, fmt.Errorf("-gain and -normalize both set the level: give one")
	case cfg.workers < 0 || cfg.workers > 1024:
		return nil, fmt.Errorf("-workers %d: want 0 (automatic) to 1024", cfg.workers)
	case cfg.jobs < 0 || cfg.jobs > 4096:
		return nil, fmt.Errorf("-jobs %d: want 0 (automatic) to 4096", cfg.jobs)
	case cfg.maxDuration <= 0:
		return nil, fmt.Errorf("-max-duration %v: want a positive duration such as 2h", cfg.maxDuration)
	case !(cfg.maxWork > 0) || math.IsInf(cfg.maxWork, 0):
		return nil, fmt.Errorf("-max-voice-seconds %v: want a positive number such as 5e6", cfg.maxWork)
	case cfg.report != "" && reportFormat(cfg.report) == "":
		return nil, fmt.Errorf("-report %s: want a name ending in .jsonl or .csv", cfg.report)
	case cfg.manifest != "" && len(cfg.inputs) > 0:
		return nil, fmt.Errorf("give either INPUT or -manifest, not both")
	case cfg.manifest != "" && cfg.outdir == "":
		return nil, fmt.Errorf("-manifest needs -outdir")
	case cfg.manifest != "" && cfg.out != "":
		return nil, fmt.Errorf("-o is for one input; a batch writes into -outdir")
	case cfg.manifest == "" && (set["outdir"] || set["shard"] || set["jobs"]):
		return nil, fmt.Errorf("-outdir, -shard and -jobs are for a batch (-manifest)")
	case cfg.manifest == "" && len(cfg.inputs) != 1:
		return nil, fmt.Errorf("want one INPUT (or -manifest), got %d", len(cfg.inputs))
	case cfg.manifest == "" && cfg.out == "":
		return nil, fmt.Errorf("missing -o OUT.wav (or -o - for standard output)")
	case cfg.manifest == "" && sameFile(cfg.inputs[0], cfg.out):
		return nil, fmt.Errorf("-o %s is the input itself: it would be overwritten", cfg.out)
	case cfg.manifest == "" && !wavName(cfg.out):
		return nil, fmt.Errorf("-o %s: bounce writes WAV files: give a name ending in .wav (or - for standard output)", cfg.out)
	case cfg.manifest == "" && cfg.out == "-" && cfg.skipExisting:
		return nil, fmt.Errorf("-skip-existing needs an output file, not standard output")
	}
	return cfg, nil
}

// soundFontProfiles are the values of -soundfont-profile.
var soundFontProfiles = map[string]instrument.Profile{
	"fluidsynth": instrument.FluidSynthProfile,
	"spec":       instrument.SpecProfile,
}

// fontHeadroom is the memory a run may use beside its font's samples
// before the garbage collector works harder (see limitHeap).
const fontHeadroom = 64 << 20

// fontHeap keeps a soft memory limit of the SoundFonts' samples plus
// fontHeadroom while a run holds fonts (the -soundfont one, and those JSON
// presets name as the loader reads them), unless GOMEMLIMIT or a lower
// limit is in force. A font's samples are one long-lived allocation the
// collector counts as live heap, so by default (GOGC=100) the heap would
// grow to twice their size before a collection, and a long batch's
// resident memory with it; the limit makes the collector run before that
// instead. The samples hold no pointers, so a collection costs the same
// either way. Any goroutine may call its methods.
type fontHeap struct {
	mu   sync.Mutex
	flag int64 // the -soundfont font's samples, in bytes
	want int64 // the limit set; 0: none yet
	old  int64 // the limit before the first one set
}

// cover raises the limit, if it set one or may set one, to the -soundfont
// font's samples plus loaded bytes (the loader's fonts) plus fontHeadroom.
func (h *fontHeap) cover(loaded int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	want := h.flag + loaded + fontHeadroom
	if h.flag+loaded == 0 || want <= h.want || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if h.want == 0 {
		h.old = debug.SetMemoryLimit(-1)
	}
	if h.old <= want {
		return // a lower limit is in force: it wins
	}
	debug.SetMemoryLimit(want)
	h.want = want
}

// restore puts the limit in force before the first cover back.
func (h *fontHeap) restore() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.want != 0 {
		debug.SetMemoryLimit(h.old)
		h.want = 0
	}
}

// openSoundFont reads the font of -soundfont; tests count its calls.
var openSoundFont = bounce.OpenSoundFont

// fontLine is the line that says which SoundFont was read, its size and
// how long reading it took.
func fontLine(f *bounce.SoundFont, took time.Duration) string {
	font := f.Font()
	return fmt.Sprintf("bounce: SoundFont %s: %d presets, %d regions, %.0f MiB of samples (converted as presets are played), read in %.2f s (profile %s)",
		f.Name(), len(font.Presets), font.NumRegions(), float64(len(font.Pool))*4/(1<<20), took.Seconds(), f.Profile().Name)
}

// wavName reports whether path may receive a WAV file: "-", a name ending
// in .wav (or .wave), or an existing device or pipe (/dev/null), which has
// no name to check.
func wavName(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".wav", ".wave":
		return true
	}
	if path == "-" {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && !fi.Mode().IsRegular() && !fi.IsDir()
}

// sameFile reports whether the paths name one existing file (through
// links too); "-" names no file.
func sameFile(a, b string) bool {
	if a == "-" || b == "-" {
		return false
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

func parseFormat(s string) (wav.Format, bool) {
	for _, f := range []wav.Format{wav.Float32, wav.PCM16, wav.PCM24} {
		if s == f.String() {
			return f, true
		}
	}
	return 0, false
}

// parseShard reads "i/n" with 0 <= i < n, both plain decimal numbers.
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || !digits(a) || !digits(b) || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, fmt.Errorf("-shard %q: want i/n with 0 <= i < n, e.g. 0/4", s)
	}
	return i, n, nil
}

// parseBytes reads a size in bytes with an optional K, M or G suffix
// (powers of 1024).
func parseBytes(flag, s string) (int64, error) {
	num, shift := s, 0
	if n := len(s); n > 0 {
		switch s[n-1] {
		case 'K', 'k':
			num, shift = s[:n-1], 10
		case 'M', 'm':
			num, shift = s[:n-1], 20
		case 'G', 'g':
			num, shift = s[:n-1], 30
		}
	}
	v, err := strconv.ParseUint(num, 10, 63)
	if err != nil || !digits(num) || v > math.MaxInt64>>shift {
		return 0, fmt.Errorf("-%s %q: want a size in bytes, with K, M or G for powers of 1024, e.g. 512M", flag, s)
	}
	return int64(v) << shift, nil
}

// digits reports whether s is one or more ASCII digits (no sign).
func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// newLoader returns the loader of the command's inputs.
func newLoader(cfg *config, stdin io.Reader) *bounce.Loader {
	lim := score.DefaultLimits()
	lim.MaxSeconds = cfg.maxDuration.Seconds()
	lim.MaxSampleBytes = cfg.sampleBytes
	root := cfg.sampleRoot
	if root == "" && len(cfg.inputs) == 1 && cfg.inputs[0] == bounce.Stdin {
		root = "." // a score on standard input finds its samples here
	}
	cache := cfg.cacheBytes
	if cache == 0 {
		cache = -1 // none
	}
	fonts := cfg.fontCache
	if fonts == 0 {
		fonts = -1 // none
	}
	return bounce.NewLoader(bounce.LoaderOptions{SampleRate: cfg.rate, Limits: lim, Stdin: stdin,
		SampleRoot: root, SampleCacheBytes: cache, SoundFontProfile: cfg.profile, SoundFontCacheBytes: fonts})
}

// options returns the render options of one input, for workers render
// workers and the limits ld reads under.
func (c *config) options(ld *bounce.Loader, workers int) bounce.Options {
	return bounce.Options{Format: c.format, Channels: c.channels, Seed: c.seed, GainDB: c.gainDB, NormalizeDBFS: c.normalize,
		Workers: workers, Limits: ld.Limits(), MaxVoiceSeconds: c.maxWork, SoundFont: c.font}
}

// version describes the build: the module version (or the VCS revision of
// a development build), the toolchain, and "pgo" when the compiler used a
// profile (docs/bounce.md, "Profile-guided build"), which speed depends on.
func version() string {
	v, rev, modified, pgo := "(devel)", "", false, ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			case "-pgo":
				pgo = " pgo"
			}
		}
	}
	if rev != "" {
		v += " " + rev[:min(len(rev), 12)]
		if modified {
			v += "+dirty"
		}
	}
	return fmt.Sprintf("bounce %s %s %s/%s%s", v, runtime.Version(), runtime.GOOS, runtime.GOARCH, pgo)
}
