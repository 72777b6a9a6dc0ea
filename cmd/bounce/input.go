package main

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

// loader reads inputs with the command's options. One loader serves a
// whole batch, so samples shared by many scores are decoded once.
type loader struct {
	rate    int
	rateSet bool
	limits  score.Limits
	samples sampleCache
	stdin   io.Reader
}

func newLoader(cfg *config, stdin io.Reader) *loader {
	lim := score.DefaultLimits()
	lim.MaxSeconds = cfg.maxDuration.Seconds()
	return &loader{rate: cfg.rate, rateSet: cfg.rateSet, limits: lim, stdin: stdin,
		samples: sampleCache{m: map[string]*sampleEntry{}}}
}

// load reads the score or MIDI file at path ("-": standard input, MIDI if
// it starts with "MThd", a JSON score otherwise).
func (l *loader) load(path string) (*score.Score, error) {
	if path == "-" {
		data, err := io.ReadAll(io.LimitReader(l.stdin, l.limits.MaxInputBytes+1))
		if err != nil {
			return nil, fmt.Errorf("standard input: %w", err)
		}
		if bytes.HasPrefix(data, []byte("MThd")) {
			return midi.Decode("standard input", data, l.midiOptions())
		}
		return l.checkRate(score.Read("standard input", bytes.NewReader(data), l.scoreOptions()))
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

func (l *loader) scoreOptions() score.Options {
	return score.Options{Limits: l.limits, LoadSample: l.samples.load}
}

func (l *loader) midiOptions() midi.Options {
	return midi.Options{SampleRate: l.rate, Limits: l.limits}
}

// checkRate refuses a -rate that contradicts a JSON score's own rate:
// its times are already frames at that rate.
func (l *loader) checkRate(s *score.Score, err error) (*score.Score, error) {
	if err == nil && l.rateSet && s.SampleRate != l.rate {
		return nil, fmt.Errorf("%s: sample_rate: the score is %d Hz but -rate asks for %d Hz (JSON scores render at their own rate)", s.Name, s.SampleRate, l.rate)
	}
	return s, err
}

// sampleCache decodes each WAV sample once per run, keyed by absolute
// path, however many scores of a batch use it; concurrent loads of the
// same file wait for the first.
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
