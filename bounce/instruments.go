package bounce

import (
	"fmt"

	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/voice"
)

// oscKinds maps each score oscillator to its voice kind, by name, so that
// neither list's order matters.
var oscKinds = map[score.Osc]voice.Kind{
	score.Sine:      voice.Sine,
	score.Saw:       voice.Saw,
	score.Square:    voice.Square,
	score.Triangle:  voice.Triangle,
	score.Noise:     voice.Noise,
	score.Wavetable: voice.Wavetable,
	score.Sample:    voice.Sampler,
}

// filterTypes maps each score filter response to the voice's.
var filterTypes = map[score.FilterType]voice.FilterType{
	score.Lowpass:  voice.Lowpass,
	score.Highpass: voice.Highpass,
	score.Bandpass: voice.Bandpass,
}

// compile compiles a score's instrument description into a Synth that
// renders at rate Hz: its wavetable or sample is prepared once here
// (band-limited mip-maps, a sample with guard points), so notes start
// without work.
func compile(in *score.Instrument, rate int) (*instrument.Synth, error) {
	kind, ok := oscKinds[in.Osc]
	if !ok {
		return nil, fmt.Errorf("instrument %q: unknown oscillator %v", in.Name, in.Osc)
	}
	p := voice.Params{
		Kind:       kind,
		Gain:       in.Gain,
		PulseWidth: in.PulseWidth,
		Env: voice.ADSR{
			Attack:  float32(in.Attack),
			Decay:   float32(in.Decay),
			Sustain: in.Sustain,
			Release: float32(in.Release),
		},
	}
	if f := in.Filter; f != nil {
		typ, ok := filterTypes[f.Type]
		if !ok {
			return nil, fmt.Errorf("instrument %q: unknown filter type %v", in.Name, f.Type)
		}
		p.Filter = voice.Filter{Type: typ, Cutoff: float32(f.Cutoff), Resonance: f.Resonance}
	}
	var err error
	switch in.Osc {
	case score.Wavetable:
		p.Table, err = voice.NewTable(in.Wavetable)
	case score.Sample:
		a := in.Sample
		if a == nil {
			return nil, fmt.Errorf("instrument %q: sample oscillator without a sample", in.Name)
		}
		p.Sample, err = voice.NewSample(a.Rate, a.Channels, in.RootFreq, in.Loop, int(in.LoopStart), int(in.LoopEnd), voice.Cubic)
	}
	if err != nil {
		return nil, fmt.Errorf("instrument %q: %w", in.Name, err)
	}
	return &instrument.Synth{Voice: p, Rate: rate}, nil
}
