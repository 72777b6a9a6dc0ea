package voice

import (
	"errors"
	"fmt"
	"math"
)

// ADSR is a linear attack-decay-sustain-release envelope. Times are in
// seconds and are rounded to whole samples; Sustain is a level in 0..1.
//
// The zero ADSR is the plain organ envelope: instant on, sustain 1, and
// the minimum release. Generally, Sustain 0 with Attack and Decay 0 (an
// envelope that would be silent) means Sustain 1, and a Release of 0 means
// the minimum release, MinRelease samples, because a release of 0 would
// click. Otherwise a Sustain of 0 makes a percussive envelope: the voice
// finishes when its decay ends.
type ADSR struct {
	Attack, Decay, Sustain, Release float32
}

// MinRelease is the shortest release, in samples, and the length of the fade
// used by Steal: 64 samples is 1.3 ms at 48 kHz, short enough to free a slot
// within one block and long enough not to click.
const MinRelease = 64

// FilterType selects the response of the per-voice state-variable filter.
type FilterType uint8

// The filter responses. FilterNone skips the filter entirely.
const (
	FilterNone FilterType = iota
	Lowpass
	Highpass
	Bandpass
)

// Filter configures a voice's state-variable filter (a trapezoidal SVF after
// Andrew Simper, Cytomic, stable for any cutoff, resonance or modulation).
//
// Cutoff is in Hz and is clamped to [MinCutoff, 0.49 × sample rate].
// Resonance 0..1 maps exponentially to the filter's Q: 0 gives Q = 1/√2 (a
// Butterworth response, -3 dB at Cutoff for low- and highpass) and 1 gives
// Q = MaxQ. The bandpass output is normalised to a peak gain of 1 at Cutoff.
type Filter struct {
	Type      FilterType
	Cutoff    float32
	Resonance float32
}

// MinCutoff is the lowest filter cutoff in Hz (below the audible range).
const MinCutoff = 10

// MaxQ is the filter Q at Resonance 1: a narrow, ringing peak (+34 dB) that
// still decays, since the SVF is unstable only at infinite Q.
const MaxQ = 50

// Params describes a note. A Params is read only during NoteOn; Table and
// Sample are shared read-only by every voice that plays them.
type Params struct {
	Kind Kind
	// Freq is the pitch in Hz, above 0 and below half the sample rate. For
	// Sampler voices the playback ratio is Freq / Sample.RootFreq, at most
	// 16. Noise ignores it.
	Freq float64
	// Gain is a linear gain from 0 to MaxLevel.
	Gain float32
	// Pan is the stereo position, -1 (left) to 1 (right), equal-power.
	Pan float32
	// PulseWidth is the high fraction of a Square's cycle, in (0, 1);
	// 0 means 0.5.
	PulseWidth float32
	// Env shapes the voice's level over the note.
	Env ADSR
	// Filter is the optional state-variable filter.
	Filter Filter
	// Table is the single-cycle waveform of a Wavetable voice.
	Table *Table
	// Sample is the recording played by a Sampler voice.
	Sample *Sample
	// SoundFont is the recipe of a SoundFontSampler voice, read only
	// during NoteOn (its Data is shared: the voice keeps the slice).
	SoundFont *SoundFont
	// Seed starts a Noise voice's generator: equal seeds, equal noise.
	Seed uint64
}

// Errors returned by NoteOn and the constructors, wrapped with the detail.
var (
	ErrSlot     = errors.New("voice: slot out of range")
	ErrOffset   = errors.New("voice: block offset out of range 0..63")
	ErrParams   = errors.New("voice: invalid parameter")
	ErrCapacity = errors.New("voice: invalid bank capacity or sample rate")
)

func finite32(x float32) bool { return !math.IsNaN(float64(x)) && !math.IsInf(float64(x), 0) }

func finite64(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// bad returns the error for an invalid field of Params.
func bad(field string, v any) error {
	return fmt.Errorf("%w: %s = %v", ErrParams, field, v)
}

// validate checks p for the bank; the error names the field.
func (b *Bank) validate(p *Params) error {
	if p.Kind >= numKinds {
		return bad("Kind", p.Kind)
	}
	if b.src[p.Kind] == nil {
		return fmt.Errorf("%w: Kind %v: not among the kinds this bank was made for", ErrParams, p.Kind)
	}
	if err := b.src[p.Kind].check(noEscape(p), b.rate); err != nil {
		return err
	}
	return p.validateLevels()
}

// validateLevels checks the fields every kind uses.
func (p *Params) validateLevels() error {
	if !(p.Gain >= 0 && p.Gain <= MaxLevel) {
		return bad("Gain", p.Gain)
	}
	if !(p.Pan >= -1 && p.Pan <= 1) {
		return bad("Pan", p.Pan)
	}
	if !(p.PulseWidth >= 0 && p.PulseWidth < 1) {
		return bad("PulseWidth", p.PulseWidth)
	}
	e := p.Env
	for _, t := range [...]struct {
		name string
		v    float32
	}{{"Env.Attack", e.Attack}, {"Env.Decay", e.Decay}, {"Env.Release", e.Release}} {
		if !finite32(t.v) || t.v < 0 || t.v > maxEnvSeconds {
			return bad(t.name, t.v)
		}
	}
	if !(e.Sustain >= 0 && e.Sustain <= 1) {
		return bad("Env.Sustain", e.Sustain)
	}
	f := p.Filter
	if f.Type > Bandpass {
		return bad("Filter.Type", f.Type)
	}
	if f.Type != FilterNone {
		if !finite32(f.Cutoff) || f.Cutoff <= 0 {
			return bad("Filter.Cutoff", f.Cutoff)
		}
		if !(f.Resonance >= 0 && f.Resonance <= 1) {
			return bad("Filter.Resonance", f.Resonance)
		}
	}
	return nil
}

// MaxLevel bounds gains and the values of samples and wavetables: +120 dB
// is certainly a mistake, and with these bounds no voice can overflow
// float32 (even through the filter's resonant gain), so Inf never reaches a
// bus from finite parameters.
const MaxLevel = 1e6

// MinLevel is the smallest non-zero magnitude a gain, a sustain level or a
// sample or wavetable value keeps when it enters a bank: smaller ones
// become 0 (see FlushTiny). 2^-100 is 600 dB below full scale, far under
// the last bit of 24-bit audio (2^-23), so nothing audible is lost, while
// products of such values with ordinary signals stay clear of the float32
// subnormal range (below 2^-126), whose arithmetic costs some CPUs over a
// hundred cycles an operation.
const MinLevel = 0x1p-100

// FlushTiny returns 0 for an x whose magnitude is below MinLevel, and x
// otherwise (NaN included, so that validation still sees it).
func FlushTiny(x float32) float32 {
	if x > -MinLevel && x < MinLevel {
		return 0
	}
	return x
}

// maxEnvSeconds bounds each envelope segment so its length in samples fits
// an int32 at any sample rate up to 768 kHz.
const maxEnvSeconds = 2000
