// Package score holds the resolved note model every offline render starts
// from, and reads it from the JSON score format (docs/score.md).
//
// A Score is sample-accurate and validated: times are frames, instruments
// are indexed, notes are sorted by start. Readers of other formats (package
// midi) produce the same model, and programs may build one in Go and check
// it with Validate.
package score

import (
	"errors"
	"fmt"

	"github.com/aether-audio/aether/wav"
)

// Errors returned by this package, wrapped with the input's name and the
// place in it; test them with errors.Is.
var (
	// ErrSyntax: the input is not well-formed JSON, or has trailing data.
	ErrSyntax = errors.New("syntax error")
	// ErrUnknownField: a JSON object has a field the format does not define.
	ErrUnknownField = errors.New("unknown field")
	// ErrUnknownInstrument: a note names an instrument that is not defined.
	ErrUnknownInstrument = errors.New("unknown instrument")
	// ErrInvalid: a value is missing, out of range, NaN or infinite.
	ErrInvalid = errors.New("invalid value")
	// ErrLimit: the input exceeds a limit of Limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrSample: a sample instrument's WAV file cannot be read.
	ErrSample = errors.New("unreadable sample")
)

// Score is a fully resolved, validated piece, ready to render
// sample-accurately.
type Score struct {
	// Name identifies the input in error messages (usually its file name).
	Name string
	// SampleRate is the render rate in Hz.
	SampleRate int
	// Frames is the total length in sample frames: the explicit duration,
	// or the end of the last note plus its instrument's release.
	Frames int64
	// Instruments are referenced by index from Notes.
	Instruments []Instrument
	// Notes are sorted by Start; notes with equal Start keep input order.
	Notes []Note
	// Controls are mid-note changes, sorted by Frame (stable).
	Controls []Control
}

// Osc is an instrument's sound source.
type Osc uint8

// The oscillators. Saw, Square and Triangle are band-limited by the
// renderer; Noise ignores the note's frequency.
const (
	Sine Osc = iota
	Saw
	Square
	Triangle
	Noise
	Wavetable
	Sample
)

var oscNames = [...]string{"sine", "saw", "square", "triangle", "noise", "wavetable", "sample"}

// String returns the name the JSON format uses for o.
func (o Osc) String() string {
	if int(o) < len(oscNames) {
		return oscNames[o]
	}
	return fmt.Sprintf("Osc(%d)", uint8(o))
}

// FilterType selects a filter's response.
type FilterType uint8

// The filter responses: 12 dB/octave state-variable outputs.
const (
	Lowpass FilterType = iota
	Highpass
	Bandpass
)

var filterNames = [...]string{"lowpass", "highpass", "bandpass"}

// String returns the name the JSON format uses for f.
func (f FilterType) String() string {
	if int(f) < len(filterNames) {
		return filterNames[f]
	}
	return fmt.Sprintf("FilterType(%d)", uint8(f))
}

// Filter is an instrument's optional filter.
type Filter struct {
	Type FilterType
	// Cutoff is the cutoff (or centre, for Bandpass) frequency in Hz,
	// above 0 and below Nyquist.
	Cutoff float64
	// Resonance is 0..1: 0 is a flat (Butterworth, Q = 0.707) response and
	// 1 the sharpest peak the renderer allows short of self-oscillation.
	Resonance float32
}

// Instrument is how a note sounds.
type Instrument struct {
	Name string
	Osc  Osc
	// PulseWidth is the duty cycle of Square, in (0, 1); 0.5 is square.
	PulseWidth float32
	// Attack, Decay and Release are envelope times in seconds.
	Attack, Decay, Release float64
	// Sustain is the envelope level held after Decay, 0..1.
	Sustain float32
	// Filter is nil for an unfiltered instrument.
	Filter *Filter
	// Gain scales every note of the instrument (linear, 0..MaxGain).
	Gain float32
	// Wavetable is the single-cycle table played by Osc == Wavetable.
	Wavetable []float32
	// Sample is the audio played by Osc == Sample, shared between scores
	// that load the same file.
	Sample *wav.Audio
	// RootFreq is the note frequency (Hz) at which Sample plays at its
	// recorded speed.
	RootFreq float64
	// Loop makes Sample repeat frames [LoopStart, LoopEnd) while the note
	// is held.
	Loop               bool
	LoopStart, LoopEnd int64
}

// ReleaseFrames returns the instrument's release time in frames at rate.
func (in *Instrument) ReleaseFrames(rate int) int64 {
	return int64(in.Release*float64(rate) + 0.5)
}

// Note is one note: it starts at frame Start and its note-off comes at
// Start+Length, after which the instrument's release plays.
type Note struct {
	Start, Length int64
	Instrument    int
	// Freq is the pitch in Hz (ignored by Noise).
	Freq float64
	// Gain is linear amplitude (0..MaxGain), Pan -1 (left) .. 1 (right).
	Gain, Pan float32
}

// ControlKind is what a Control changes.
type ControlKind uint8

const (
	// FreqRatio multiplies the note's Freq by Value (pitch bend).
	FreqRatio ControlKind = iota
	// Gain replaces the note's Gain by Value (volume, expression).
	Gain
	// Pan replaces the note's Pan by Value.
	Pan
)

// Control is a change to one sounding note at a frame inside it.
type Control struct {
	Frame int64
	// Note indexes Score.Notes.
	Note  int
	Kind  ControlKind
	Value float32
}
