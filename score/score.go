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

	"github.com/aether-audio/aether/pitch"
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
	// ErrSoundFont: the SoundFont file a preset names cannot be read.
	ErrSoundFont = errors.New("unreadable SoundFont")
)

// Score is a fully resolved, validated piece, ready to render
// sample-accurately.
type Score struct {
	// Name identifies the input in error messages (usually its file name).
	Name string
	// SampleRate is the render rate in Hz.
	SampleRate int
	// Frames is the length of the render in sample frames: the explicit
	// duration, or the end of the last note plus its release where the
	// reader knows it (see Tail).
	Frames int64
	// Tail extends the render past Frames until every note's release has
	// ended, however long the instrument that plays it says that is. The
	// MIDI reader sets it: a release's length depends on the bank that
	// plays the file (the built-in sounds, or a SoundFont).
	Tail bool
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

// Instrument is how a note sounds: a synth described by the fields below,
// or, when Preset is set, a program of the bank the renderer plays from
// (the built-in General MIDI sounds, or a SoundFont), the other fields then
// unused.
type Instrument struct {
	Name string
	// Preset, when not nil, names a program of the renderer's bank.
	Preset *Preset
	Osc    Osc
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

// Preset names a program of an instrument bank, as MIDI selects it.
type Preset struct {
	// Bank is the bank select value (controller 0), Program the program
	// change, 0..127.
	Bank    uint16
	Program uint8
	// Drums selects the percussion kits (the MIDI drum channel).
	Drums bool
	// SoundFont, when not nil, is the SoundFont the preset is taken from
	// (the JSON field "soundfont"), instead of the renderer's bank.
	SoundFont SoundFont
}

// SoundFont is a SoundFont file that a score's presets name, as the
// loader that read the score made it (Options.LoadSoundFont; package
// bounce makes its *SoundFont, and plays only those).
type SoundFont interface {
	// Name is what messages call the font: its path.
	Name() string
}

// ReleaseFrames returns a synth instrument's release time in frames at
// rate (0 for a preset: the bank knows its releases).
func (in *Instrument) ReleaseFrames(rate int) int64 {
	if in.Preset != nil {
		return 0
	}
	return int64(in.Release*float64(rate) + 0.5)
}

// Channels is the number of MIDI channels a score's notes play on.
const Channels = 16

// Note is one note: it starts at frame Start and its note-off comes at
// Start+Length, after which the instrument's release plays.
type Note struct {
	Start, Length int64
	Instrument    int
	// Channel (0..15) is the MIDI channel: channel controls reach the
	// notes of their channel.
	Channel uint8
	// Key (0..127) is the MIDI key: it chooses the zones of sample-based
	// instruments, and is the pitch when Freq is 0.
	Key uint8
	// Velocity (1..127) is the MIDI velocity: instruments scale the
	// note's level by it (General MIDI: velocity/127 squared) and may
	// choose zones by it.
	Velocity uint8
	// Freq, when not 0, is the pitch in Hz, overriding the key's.
	Freq float64
	// Gain is linear amplitude (0..MaxGain) on top of what the
	// instrument and channel make of the note, Pan -1 (left) .. 1
	// (right), added to the channel's pan.
	Gain, Pan float32
}

// Pitch returns the note's frequency in Hz: Freq, or the key's.
func (n *Note) Pitch() float64 {
	if n.Freq != 0 {
		return n.Freq
	}
	return pitch.KeyFreq(float64(n.Key))
}

// ControlKind is what a Control changes.
type ControlKind uint8

const (
	// FreqRatio multiplies the note's pitch by Value.
	FreqRatio ControlKind = iota
	// Gain replaces the note's Gain by Value.
	Gain
	// Pan replaces the note's Pan by Value.
	Pan
	// CC sets controller Controller (0..127) of Channel to Value
	// (0..127): volume 7, pan 10, expression 11, modulation 1, reverb
	// and chorus sends 91 and 93, registered parameters 101/100 with data
	// entry 6/38 (bend range, tuning), reset all controllers 121.
	CC
	// PitchBend sets Channel's pitch wheel to Value (0..16383, 8192 at
	// rest).
	PitchBend
	// ChannelPressure sets Channel's aftertouch to Value (0..127).
	ChannelPressure
)

// OnChannel reports whether controls of kind k address a channel rather
// than one note.
func (k ControlKind) OnChannel() bool { return k >= CC }

// Control is a change, at a frame, to one sounding note (FreqRatio, Gain,
// Pan) or to a channel (CC, PitchBend, ChannelPressure), whose change
// reaches the notes the channel sounds then and those it starts later.
type Control struct {
	Frame int64
	Kind  ControlKind
	// Note indexes Score.Notes, for note controls.
	Note int
	// Channel (0..15), for channel controls.
	Channel uint8
	// Controller is the controller number, for CC.
	Controller uint8
	Value      float32
}
