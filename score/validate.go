package score

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/internal/errtext"
)

// MaxGain bounds note and instrument gains: +24 dB is far louder than any
// sane mix needs, and a bound keeps a typo (gain 1000) from clipping a
// whole render.
const MaxGain = 16

// Limits bounds what a reader accepts, so that hostile or mistaken inputs
// fail fast instead of exhausting memory or time. The zero value of a field
// means its default.
type Limits struct {
	// MaxNotes is the most notes a score may hold (default 1,000,000).
	MaxNotes int
	// MaxControls is the most mid-note controls (default 4,000,000).
	MaxControls int
	// MaxSeconds is the longest score in seconds (default 3600: a 10-hour
	// score fails unless the caller raises it).
	MaxSeconds float64
	// MinRate and MaxRate bound the sample rate (default 8000..384000 Hz).
	MinRate, MaxRate int
	// MaxInstruments is the most instruments (default 4096).
	MaxInstruments int
	// MaxTable is the longest wavetable in samples (default 65536, at
	// most MaxTableCap).
	MaxTable int
	// MaxInputBytes is the largest input a reader loads (default 256 MiB,
	// which holds well over a million JSON notes).
	MaxInputBytes int64
	// MaxSampleBytes bounds the total size of the files one score names,
	// the WAV files of its sample instruments and the SoundFonts of its
	// presets, a file used by several counted once
	// (default 256 MiB). It is checked against each file's size before
	// the file is read; decoded, a sample takes up to twice its file size
	// in memory (16-bit PCM becomes float32).
	MaxSampleBytes int64
}

// DefaultLimits returns the defaults documented on each field.
func DefaultLimits() Limits {
	return Limits{
		MaxNotes:       1_000_000,
		MaxControls:    4_000_000,
		MaxSeconds:     3600,
		MinRate:        8000,
		MaxRate:        384000,
		MaxInstruments: 4096,
		MaxTable:       65536,
		MaxInputBytes:  256 << 20,
		MaxSampleBytes: 256 << 20,
	}
}

// WithDefaults returns l with every zero field set to its default.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxNotes == 0 {
		l.MaxNotes = d.MaxNotes
	}
	if l.MaxControls == 0 {
		l.MaxControls = d.MaxControls
	}
	if l.MaxSeconds == 0 {
		l.MaxSeconds = d.MaxSeconds
	}
	if l.MinRate == 0 {
		l.MinRate = d.MinRate
	}
	if l.MaxRate == 0 {
		l.MaxRate = d.MaxRate
	}
	if l.MaxInstruments == 0 {
		l.MaxInstruments = d.MaxInstruments
	}
	if l.MaxTable == 0 {
		l.MaxTable = d.MaxTable
	}
	l.MaxTable = min(l.MaxTable, MaxTableCap)
	if l.MaxInputBytes == 0 {
		l.MaxInputBytes = d.MaxInputBytes
	}
	if l.MaxSampleBytes == 0 {
		l.MaxSampleBytes = d.MaxSampleBytes
	}
	return l
}

// CheckRate reports whether rate lies within the limits.
func (l Limits) CheckRate(name string, rate int) error {
	l = l.WithDefaults()
	if rate < l.MinRate || rate > l.MaxRate {
		return fmt.Errorf("%s: sample_rate: %w: must be %d..%d Hz, got %d", errtext.Name(name), ErrInvalid, l.MinRate, l.MaxRate, rate)
	}
	return nil
}

// Validate checks every field of s against lim and the model's rules:
// ranges, finiteness, indexes, sort order, notes starting inside Frames.
// Errors name the place with the JSON format's paths (notes[3].freq,
// instruments.bass.attack).
func (s *Score) Validate(lim Limits) error {
	if err := s.validateContent(lim); err != nil {
		return err
	}
	name := errtext.Name(s.Name)
	for i := 1; i < len(s.Notes); i++ {
		if s.Notes[i].Start < s.Notes[i-1].Start {
			return fmt.Errorf("%s: notes[%d]: %w: notes are not sorted by start", name, i, ErrInvalid)
		}
	}
	for i := 1; i < len(s.Controls); i++ {
		if s.Controls[i].Frame < s.Controls[i-1].Frame {
			return fmt.Errorf("%s: controls[%d]: %w: controls are not sorted by frame", name, i, ErrInvalid)
		}
	}
	return nil
}

// validateContent is Validate without the sort-order checks, so the JSON
// reader can report notes by their input index before sorting.
func (s *Score) validateContent(lim Limits) error {
	lim = lim.WithDefaults()
	name := errtext.Name(s.Name)
	if err := lim.CheckRate(name, s.SampleRate); err != nil {
		return err
	}
	rate := float64(s.SampleRate)
	nyquist := rate / 2
	if s.Frames < 0 || float64(s.Frames) > lim.MaxSeconds*rate {
		return fmt.Errorf("%s: duration: %w: %.1f s is longer than the limit of %g s", name, ErrLimit, float64(s.Frames)/rate, lim.MaxSeconds)
	}
	if len(s.Instruments) > lim.MaxInstruments {
		return fmt.Errorf("%s: instruments: %w: %d instruments, limit %d", name, ErrLimit, len(s.Instruments), lim.MaxInstruments)
	}
	if len(s.Notes) > lim.MaxNotes {
		return fmt.Errorf("%s: notes: %w: %d notes, limit %d", name, ErrLimit, len(s.Notes), lim.MaxNotes)
	}
	if len(s.Controls) > lim.MaxControls {
		return fmt.Errorf("%s: controls: %w: %d controls, limit %d", name, ErrLimit, len(s.Controls), lim.MaxControls)
	}
	for i := range s.Instruments {
		if err := s.Instruments[i].validate(lim, nyquist); err != nil {
			return fmt.Errorf("%s: instruments.%s.%w", name, errtext.Name(s.Instruments[i].Name), err)
		}
	}
	for i, n := range s.Notes {
		if err := n.validate(s, nyquist); err != nil {
			return fmt.Errorf("%s: notes[%d].%w", name, i, err)
		}
	}
	for i, c := range s.Controls {
		if err := c.validate(s); err != nil {
			return fmt.Errorf("%s: controls[%d].%w", name, i, err)
		}
	}
	return nil
}

// bad formats a field error; callers prefix the path.
func bad(field, rule string, got any) error {
	return fmt.Errorf("%s: %w: must be %s, got %v", field, ErrInvalid, rule, got)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func inRange(x float64, lo, hi float64) bool { return finite(x) && x >= lo && x <= hi }

func (in *Instrument) validate(lim Limits, nyquist float64) error {
	if p := in.Preset; p != nil {
		if p.Program > 127 || p.Bank > 16383 {
			return bad("preset", "a bank in 0..16383 and a program in 0..127", fmt.Sprintf("%d:%d", p.Bank, p.Program))
		}
		return nil
	}
	switch {
	case in.Gain == 0:
		return bad("gain", "above 0 (0 would make every note silent; 1 is full level)", in.Gain)
	case in.Osc > Sample:
		return bad("osc", "a known oscillator", in.Osc)
	case !inRange(in.Attack, 0, lim.MaxSeconds):
		return bad("attack", "seconds in 0..max duration", in.Attack)
	case !inRange(in.Decay, 0, lim.MaxSeconds):
		return bad("decay", "seconds in 0..max duration", in.Decay)
	case !inRange(in.Release, 0, lim.MaxSeconds):
		return bad("release", "seconds in 0..max duration", in.Release)
	case !inRange(float64(in.Sustain), 0, 1):
		return bad("sustain", "a level in 0..1", in.Sustain)
	case !inRange(float64(in.Gain), 0, MaxGain):
		return bad("gain", fmt.Sprintf("in 0..%d", MaxGain), in.Gain)
	case in.Osc == Square && !(in.PulseWidth > 0 && in.PulseWidth < 1):
		return bad("pulse_width", "in (0, 1)", in.PulseWidth)
	}
	if f := in.Filter; f != nil {
		switch {
		case f.Type > Bandpass:
			return bad("filter.type", "lowpass, highpass or bandpass", f.Type)
		case !(finite(f.Cutoff) && f.Cutoff > 0 && f.Cutoff < nyquist):
			return bad("filter.cutoff", fmt.Sprintf("Hz in (0, %g)", nyquist), f.Cutoff)
		case !inRange(float64(f.Resonance), 0, 1):
			return bad("filter.resonance", "in 0..1", f.Resonance)
		}
	}
	switch in.Osc {
	case Wavetable:
		if len(in.Wavetable) < 2 || len(in.Wavetable) > lim.MaxTable {
			return bad("table", fmt.Sprintf("2..%d samples", lim.MaxTable), len(in.Wavetable))
		}
		for i, v := range in.Wavetable {
			if !inRange(float64(v), -MaxGain, MaxGain) {
				return bad(fmt.Sprintf("table[%d]", i), "finite", v)
			}
		}
	case Sample:
		if in.Sample == nil || in.Sample.Frames() == 0 {
			return bad("sample", "audio with at least one frame", "none")
		}
		if !(finite(in.RootFreq) && in.RootFreq > 0) {
			return bad("root_freq", "a positive finite frequency in Hz", in.RootFreq)
		}
		if in.Loop && !(in.LoopStart >= 0 && in.LoopStart < in.LoopEnd && in.LoopEnd <= int64(in.Sample.Frames())) {
			return bad("loop_end", fmt.Sprintf("loop_start < loop_end <= %d frames", in.Sample.Frames()),
				fmt.Sprintf("%d..%d", in.LoopStart, in.LoopEnd))
		}
	}
	return nil
}

func (n *Note) validate(s *Score, nyquist float64) error {
	switch {
	case n.Start < 0 || n.Start >= s.Frames:
		return bad("time", fmt.Sprintf("a frame in [0, %d), inside the score", s.Frames), n.Start)
	case n.Length < 1:
		return bad("duration", "at least one frame", n.Length)
	case n.Instrument < 0 || n.Instrument >= len(s.Instruments):
		return fmt.Errorf("instrument: %w: index %d of %d", ErrUnknownInstrument, n.Instrument, len(s.Instruments))
	case n.Channel >= Channels:
		return bad("channel", fmt.Sprintf("in 0..%d", Channels-1), n.Channel)
	case n.Key > 127:
		return bad("key", "a MIDI key in 0..127", n.Key)
	case n.Velocity > 127:
		return bad("velocity", "in 1..127 (0 means 127)", n.Velocity)
	case n.Freq != 0 && !(finite(n.Freq) && n.Freq > 0):
		return bad("freq", fmt.Sprintf("a positive finite number below Nyquist (%g Hz)", nyquist), n.Freq)
	case n.Gain == 0:
		return bad("gain", "above 0 (0 would make the note silent; 1 is full level)", n.Gain)
	case !inRange(float64(n.Gain), 0, MaxGain):
		return bad("gain", fmt.Sprintf("in 0..%d", MaxGain), n.Gain)
	case !inRange(float64(n.Pan), -1, 1):
		return bad("pan", "in -1..1", n.Pan)
	}
	// A synth plays the pitch itself; a bank's preset leaves out the keys
	// it cannot sound.
	if s.Instruments[n.Instrument].Preset == nil && n.Pitch() >= nyquist {
		return bad("freq", fmt.Sprintf("a positive finite number below Nyquist (%g Hz)", nyquist), n.Pitch())
	}
	return nil
}

func (c *Control) validate(s *Score) error {
	if c.Kind.OnChannel() {
		return c.validateChannel(s)
	}
	if c.Note < 0 || c.Note >= len(s.Notes) {
		return bad("note", fmt.Sprintf("an index below %d", len(s.Notes)), c.Note)
	}
	n := &s.Notes[c.Note]
	if c.Frame < n.Start || c.Frame >= s.Frames {
		return bad("frame", fmt.Sprintf("in %d..%d (the note's start to the score's end)", n.Start, s.Frames), c.Frame)
	}
	v := float64(c.Value)
	switch c.Kind {
	case FreqRatio:
		if !(finite(v) && v > 0 && (s.Instruments[n.Instrument].Preset != nil || v*n.Pitch() < s.nyquist())) {
			return bad("value", "a positive ratio keeping the note below Nyquist", c.Value)
		}
	case Gain:
		if !inRange(v, 0, MaxGain) {
			return bad("value", fmt.Sprintf("a gain in 0..%d", MaxGain), c.Value)
		}
	case Pan:
		if !inRange(v, -1, 1) {
			return bad("value", "a pan in -1..1", c.Value)
		}
	default:
		return bad("kind", "a known control kind", c.Kind)
	}
	return nil
}

// validateChannel checks a channel control.
func (c *Control) validateChannel(s *Score) error {
	if c.Frame < 0 || c.Frame >= s.Frames {
		return bad("frame", fmt.Sprintf("in 0..%d", s.Frames-1), c.Frame)
	}
	if c.Channel >= Channels {
		return bad("channel", fmt.Sprintf("in 0..%d", Channels-1), c.Channel)
	}
	top := 127.0
	switch c.Kind {
	case CC:
		if c.Controller > 127 {
			return bad("controller", "in 0..127", c.Controller)
		}
	case PitchBend:
		top = 16383
	case ChannelPressure:
	default:
		return bad("kind", "a known control kind", c.Kind)
	}
	if v := float64(c.Value); !inRange(v, 0, top) || v != math.Trunc(v) {
		return bad("value", fmt.Sprintf("a whole number in 0..%g", top), c.Value)
	}
	return nil
}

func (s *Score) nyquist() float64 { return float64(s.SampleRate) / 2 }
