package bounce

import (
	"strings"
	"testing"

	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/voice"
	"github.com/aether-audio/aether/wav"
)

// TestCompileEveryOscillator compiles an instrument of every score
// oscillator and filter by name: the mapping must not depend on the order
// of the two packages' constants.
func TestCompileEveryOscillator(t *testing.T) {
	want := map[string]voice.Kind{"sine": voice.Sine, "saw": voice.Saw, "square": voice.Square,
		"triangle": voice.Triangle, "noise": voice.Noise, "wavetable": voice.Wavetable, "sample": voice.Sampler}
	for o := score.Osc(0); o < 16; o++ {
		name := o.String()
		if strings.HasPrefix(name, "Osc(") {
			continue
		}
		in := score.Instrument{Name: name, Osc: o, Gain: 1, Wavetable: []float32{0, 1, 0, -1},
			Sample: &wav.Audio{Rate: 48000, Channels: [][]float32{{0, 0.5, 0}}}, RootFreq: 440,
			Filter: &score.Filter{Type: score.Highpass, Cutoff: 100}}
		s, err := compile(&in, 48000)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Voice.Kind != want[name] {
			t.Errorf("%s compiles to %v", name, s.Voice.Kind)
		}
		if s.Voice.Filter.Type != voice.Highpass {
			t.Errorf("%s: filter %v", name, s.Voice.Filter.Type)
		}
		delete(want, name)
	}
	if len(want) != 0 {
		t.Errorf("oscillators the score package no longer names: %v", want)
	}
}
