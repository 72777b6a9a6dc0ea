package bounce

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
)

// Stdin is the path that stands for standard input in Loader.Load.
const Stdin = "-"

// LoaderOptions configures a Loader. The zero value reads MIDI files at
// midi.DefaultSampleRate and JSON scores at their own rate, under the
// default limits.
type LoaderOptions struct {
	// SampleRate is the render rate of MIDI files; 0 means
	// midi.DefaultSampleRate.
	SampleRate int
	// StrictRate makes a JSON score whose own sample_rate differs from
	// SampleRate an error, since its times are frames at its own rate.
	StrictRate bool
	// Limits bound every input; zero fields take the defaults of
	// score.DefaultLimits.
	Limits score.Limits
	// Stdin is what Load reads for the path "-"; nil means no standard
	// input (an error).
	Stdin io.Reader
	// SampleRoot is the directory the samples of JSON scores must lie in
	// (see score.Options.SampleRoot): empty means each score file's own
	// directory, and no samples for a score read from a reader. Sample
	// paths stay relative to the score's directory.
	SampleRoot string
	// SampleCacheBytes bounds the WAV files the Loader keeps decoded for
	// the scores that follow, counted by file size (decoded, a sample
	// takes up to twice its size in memory); the least recently used go
	// first. 0 means DefaultSampleCacheBytes; a negative value keeps none.
	SampleCacheBytes int64
}

// DefaultSampleCacheBytes is the sample cache of a Loader when
// LoaderOptions.SampleCacheBytes is 0: 1 GiB of WAV files holds any
// realistic set of sample instruments many times over, and bounds what a
// long batch keeps (at most twice this in memory).
const DefaultSampleCacheBytes = 1 << 30

// Loader opens inputs by content and extension: JSON scores (.json) and
// Standard MIDI Files (.mid, .midi), or either from standard input. One
// Loader may serve a whole batch from many goroutines: the WAV samples of
// sample instruments are decoded once, however many scores use them and
// however their paths are spelled, as long as they stay in its cache.
type Loader struct {
	opt     LoaderOptions
	samples *sampleCache
}

// NewLoader returns a Loader with the options opt.
func NewLoader(opt LoaderOptions) *Loader {
	budget := opt.SampleCacheBytes
	if budget == 0 {
		budget = DefaultSampleCacheBytes
	}
	return &Loader{opt: opt, samples: newSampleCache(budget)}
}

// Limits returns the limits the Loader reads inputs under, defaults
// filled in: pass them to Options.Limits so the render checks the same.
func (l *Loader) Limits() score.Limits { return l.opt.Limits.WithDefaults() }

// Load reads the score or MIDI file at path ("-": standard input, MIDI if
// it starts with "MThd", a JSON score otherwise). Errors are one line and
// name path.
func (l *Loader) Load(path string) (*score.Score, error) {
	if path == Stdin {
		if l.opt.Stdin == nil {
			return nil, fmt.Errorf("standard input: none given to the loader")
		}
		return l.Read("standard input", l.opt.Stdin)
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".json":
		return l.checkRate(score.ReadFile(path, l.scoreOptions()))
	case ".mid", ".midi":
		return midi.ReadFile(path, l.midiOptions())
	default:
		return nil, fmt.Errorf("%s: unknown input type %q: want .json, .mid or .midi", errtext.Name(path), ext)
	}
}

// Read reads a score or MIDI file from r, telling them apart by content:
// MIDI if it starts with "MThd", a JSON score otherwise. name is used in
// every error message; the samples of a JSON score are found in
// SampleRoot, and without one it cannot use samples.
func (l *Loader) Read(name string, r io.Reader) (*score.Score, error) {
	lim := l.Limits()
	data, tooLarge, err := inputfile.ReadAll(r, inputfile.Size(r), lim.MaxInputBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", errtext.Name(name), err)
	}
	if tooLarge {
		return nil, fmt.Errorf("%s: %w: input is larger than %d bytes", errtext.Name(name), score.ErrLimit, lim.MaxInputBytes)
	}
	if bytes.HasPrefix(data, []byte("MThd")) {
		return midi.Decode(name, data, l.midiOptions())
	}
	return l.checkRate(score.Read(name, bytes.NewReader(data), l.scoreOptions()))
}

func (l *Loader) scoreOptions() score.Options {
	return score.Options{Limits: l.opt.Limits, SampleRoot: l.opt.SampleRoot, LoadSample: l.samples.load}
}

func (l *Loader) midiOptions() midi.Options {
	return midi.Options{SampleRate: l.opt.SampleRate, Limits: l.opt.Limits}
}

// checkRate refuses, under StrictRate, a rate that contradicts a JSON
// score's own rate: its times are already frames at that rate.
func (l *Loader) checkRate(s *score.Score, err error) (*score.Score, error) {
	rate := l.opt.SampleRate
	if rate == 0 {
		rate = midi.DefaultSampleRate
	}
	if err == nil && l.opt.StrictRate && s.SampleRate != rate {
		return nil, fmt.Errorf("%s: sample_rate: the score is %d Hz but -rate asks for %d Hz (JSON scores render at their own rate)", errtext.Name(s.Name), s.SampleRate, rate)
	}
	return s, err
}
