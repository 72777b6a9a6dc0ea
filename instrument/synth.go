package instrument

import (
	"github.com/aether-audio/aether/pitch"
	"github.com/aether-audio/aether/voice"
)

// Synth is an instrument of one voice per note with the same recipe for
// every key: a source (oscillator, wavetable or sample), an envelope and an
// optional filter. Its voice's gain is the Synth's gain times the General
// MIDI velocity curve (velocity/127 squared) times the channel's volume and
// expression curves; its pan is the channel's; its pitch follows the
// channel's pitch wheel and tuning.
type Synth struct {
	// Voice is the recipe of every note. Its Freq is set from the note
	// (or from Freq below); its Gain is the instrument's gain, where 0
	// means 1; its Pan is added to the channel's.
	Voice voice.Params
	// Freq, when not 0, plays every key at this pitch in Hz (a drum).
	Freq float64
	// OneShot makes the instrument ignore note-off: each voice ends with
	// its envelope, which should then be percussive (Sustain 0).
	OneShot bool
	// Rate, when not 0, is the sample rate the voices render at: a note
	// whose pitch is not below half of it is not played (it could not
	// sound), instead of being refused by the voice bank.
	Rate int
}

// Start appends the note's one voice (or none, for a pitch at or above
// Nyquist).
func (s *Synth) Start(n *Note, ch *Channel, dst []Voice) []Voice {
	p := s.Voice
	switch {
	case s.Freq != 0:
		p.Freq = s.Freq
	case n.Freq != 0:
		p.Freq = n.Freq
	default:
		p.Freq = pitch.KeyFreq(float64(n.Key))
	}
	if s.Rate != 0 && p.Kind != voice.Noise && p.Freq >= float64(s.Rate)/2 {
		return dst
	}
	lv := s.Live(0, n, ch)
	p.Gain, p.Pan = lv.Gain, lv.Pan
	return append(dst, Voice{Params: p, Instrument: s, OneShot: s.OneShot})
}

// Live returns the gain, pan and pitch ratio of note n's voice on ch now.
func (s *Synth) Live(_ int32, n *Note, ch *Channel) Live {
	g := s.Voice.Gain
	if g == 0 {
		g = 1
	}
	// Velocity and channel curves together in float64, then the
	// instrument's gain in float32: a note at full velocity of a gain-1
	// instrument gets exactly the channel's gain.
	gain := g * float32(VelocityGain(n.Velocity)*ch.Gain())
	pan := max(-1, min(1, s.Voice.Pan+ch.Pan()))
	return Live{Gain: gain, Pan: pan, FreqRatio: float32(ch.PitchRatio())}
}

// Span bounds the voice's life: its release after note-off, or its
// attack and decay for a one-shot.
func (s *Synth) Span(*Note) Span {
	e := s.Voice.Env
	rel := float64(e.Release)
	if rel == 0 {
		rel = float64(voice.MinRelease) / 8000 // the minimum release at the lowest rate
	}
	if s.OneShot {
		return Span{OneShot: float64(e.Attack+e.Decay) + rel, Release: rel}
	}
	return Span{Release: rel}
}

// VelocityGain is the General MIDI velocity curve: (velocity/127)².
func VelocityGain(velocity uint8) float64 {
	v := float64(velocity) / 127
	return v * v
}
