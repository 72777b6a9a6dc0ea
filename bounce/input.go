package bounce

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
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
}

// Loader opens inputs by content and extension: JSON scores (.json) and
// Standard MIDI Files (.mid, .midi), or either from standard input. One
// Loader may serve a whole batch from many goroutines: the WAV samples of
// sample instruments are decoded once, however many scores use them.
type Loader struct {
	opt     LoaderOptions
	samples sampleCache
}

// NewLoader returns a Loader with the options opt.
func NewLoader(opt LoaderOptions) *Loader {
	return &Loader{opt: opt, samples: sampleCache{m: map[string]*sampleEntry{}}}
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
		return nil, fmt.Errorf("%s: unknown input type %q: want .json, .mid or .midi", path, ext)
	}
}

// Read reads a score or MIDI file from r, telling them apart by content:
// MIDI if it starts with "MThd", a JSON score otherwise. name is used in
// every error message; sample paths of a JSON score are relative to the
// working directory.
func (l *Loader) Read(name string, r io.Reader) (*score.Score, error) {
	lim := l.Limits()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if bytes.HasPrefix(data, []byte("MThd")) {
		return midi.Decode(name, data, l.midiOptions())
	}
	return l.checkRate(score.Read(name, bytes.NewReader(data), l.scoreOptions()))
}

func (l *Loader) scoreOptions() score.Options {
	return score.Options{Limits: l.opt.Limits, LoadSample: l.samples.load}
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
		return nil, fmt.Errorf("%s: sample_rate: the score is %d Hz but -rate asks for %d Hz (JSON scores render at their own rate)", s.Name, s.SampleRate, rate)
	}
	return s, err
}

// sampleCache decodes each WAV sample once per Loader, keyed by absolute
// path, however many scores use it; concurrent loads of the same file wait
// for the first.
type sampleCache struct {
	mu sync.Mutex
	m  map[string]*sampleEntry
}

type sampleEntry struct {
	once  sync.Once
	audio *wav.Audio
	err   error
}

func (c *sampleCache) load(path string) (*wav.Audio, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	e := c.m[abs]
	if e == nil {
		e = &sampleEntry{}
		c.m[abs] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.audio, e.err = wav.ReadFile(path) })
	return e.audio, e.err
}
