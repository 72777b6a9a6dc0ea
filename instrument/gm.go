package instrument

import (
	"fmt"

	"github.com/aether-audio/aether/score"
)

// The General MIDI sounds: one synth patch per General MIDI family
// (program/8), then the synthesized drums. Each is a score instrument
// description, so the built-in sounds and a JSON score's instruments are
// one model.
var gmSounds = []score.Instrument{
	// Piano: a bright, decaying triangle, softened by a lowpass.
	{Name: "gm-piano", Osc: score.Triangle, Attack: 0.002, Decay: 1.2, Sustain: 0.15, Release: 0.3, Filter: lp(4000, 0.1)},
	// Chromatic percussion (celesta, vibraphone, bells): sine strikes.
	{Name: "gm-chromatic-percussion", Osc: score.Sine, Attack: 0.001, Decay: 0.6, Sustain: 0, Release: 0.3},
	// Organ: a sustained square, lowpassed to a round, steady tone.
	{Name: "gm-organ", Osc: score.Square, PulseWidth: 0.5, Attack: 0.01, Sustain: 1, Release: 0.05, Filter: lp(2500, 0)},
	// Guitar: a plucked saw that decays under a lowpass.
	{Name: "gm-guitar", Osc: score.Saw, Attack: 0.002, Decay: 0.8, Sustain: 0.2, Release: 0.2, Filter: lp(2500, 0.1)},
	// Bass: a darker saw with a firm sustain.
	{Name: "gm-bass", Osc: score.Saw, Attack: 0.005, Decay: 0.3, Sustain: 0.6, Release: 0.1, Filter: lp(800, 0.2)},
	// Strings: a slow-attack saw.
	{Name: "gm-strings", Osc: score.Saw, Attack: 0.08, Decay: 0.2, Sustain: 0.8, Release: 0.3, Filter: lp(3000, 0)},
	// Ensemble (string sections, choirs): slower and softer still.
	{Name: "gm-ensemble", Osc: score.Saw, Attack: 0.15, Decay: 0.3, Sustain: 0.8, Release: 0.4, Filter: lp(2500, 0)},
	// Brass: a saw with a resonant lowpass for the bite.
	{Name: "gm-brass", Osc: score.Saw, Attack: 0.03, Decay: 0.2, Sustain: 0.7, Release: 0.15, Filter: lp(2000, 0.3)},
	// Reed: a narrow pulse, lowpassed.
	{Name: "gm-reed", Osc: score.Square, PulseWidth: 0.3, Attack: 0.02, Decay: 0.1, Sustain: 0.8, Release: 0.1, Filter: lp(2500, 0.1)},
	// Pipe (flutes): a breathy sine.
	{Name: "gm-pipe", Osc: score.Sine, Attack: 0.05, Decay: 0.1, Sustain: 0.9, Release: 0.15},
	// Synth lead: a bright resonant saw.
	{Name: "gm-synth-lead", Osc: score.Saw, Attack: 0.005, Decay: 0.1, Sustain: 0.8, Release: 0.1, Filter: lp(5000, 0.4)},
	// Synth pad: a slow triangle swell.
	{Name: "gm-synth-pad", Osc: score.Triangle, Attack: 0.3, Decay: 0.5, Sustain: 0.8, Release: 0.8},
	// Synth effects: a bandpassed square wash.
	{Name: "gm-synth-effects", Osc: score.Square, PulseWidth: 0.5, Attack: 0.2, Decay: 0.5, Sustain: 0.6, Release: 1, Filter: &score.Filter{Type: score.Bandpass, Cutoff: 1500, Resonance: 0.3}},
	// Ethnic (sitar, koto, banjo): a plucked triangle.
	{Name: "gm-ethnic", Osc: score.Triangle, Attack: 0.002, Decay: 0.5, Sustain: 0.1, Release: 0.2},
	// Percussive (steel drums, woodblock, taiko): short sine hits.
	{Name: "gm-percussive", Osc: score.Sine, Attack: 0.001, Decay: 0.3, Sustain: 0, Release: 0.1},
	// Sound effects: bandpassed noise.
	{Name: "gm-sound-effects", Osc: score.Noise, Attack: 0.05, Decay: 0.3, Sustain: 0.5, Release: 0.3, Filter: &score.Filter{Type: score.Bandpass, Cutoff: 1000, Resonance: 0.2}},

	// Drums (channel 10). Their notes last drumLength, the envelope's
	// decay, whatever the note-off says, as on GM drum kits.
	{Name: "drum-kick", Osc: score.Sine, Attack: 0.001, Decay: 0.25, Sustain: 0, Release: 0.05},
	{Name: "drum-snare", Osc: score.Noise, Attack: 0.001, Decay: 0.18, Sustain: 0, Release: 0.05, Filter: &score.Filter{Type: score.Bandpass, Cutoff: 1800, Resonance: 0.3}},
	{Name: "drum-closed-hat", Osc: score.Noise, Attack: 0.001, Decay: 0.05, Sustain: 0, Release: 0.02, Filter: hp(7000)},
	{Name: "drum-cymbal", Osc: score.Noise, Attack: 0.001, Decay: 0.8, Sustain: 0, Release: 0.2, Filter: hp(5000)},
	{Name: "drum-tom", Osc: score.Sine, Attack: 0.001, Decay: 0.35, Sustain: 0, Release: 0.05},
	{Name: "drum-clap", Osc: score.Noise, Attack: 0.001, Decay: 0.12, Sustain: 0, Release: 0.05, Filter: &score.Filter{Type: score.Bandpass, Cutoff: 1200, Resonance: 0.2}},
	{Name: "drum-bell", Osc: score.Sine, Attack: 0.001, Decay: 0.3, Sustain: 0, Release: 0.1},
}

// The drum sounds, as indexes into gmSounds after the 16 families.
const (
	drumKick = 16 + iota
	drumSnare
	drumClosedHat
	drumCymbal
	drumTom
	drumClap
	drumBell
)

// drum is how one percussion key is played: which drum, at what pitch.
type drum struct {
	sound int
	freq  float64 // Hz; 0 means the key's own pitch
}

// drumFor maps a General MIDI percussion key to a built-in drum. Keys 35..81
// follow the GM 1 map; keys outside it (GM2 adds 27..34 and 82..87) play
// the clap, so that every drum note of a file is heard.
func drumFor(key byte) drum {
	switch key {
	case 35, 36: // bass drums
		return drum{drumKick, 55}
	case 38, 40: // snares
		return drum{drumSnare, 1000}
	case 42, 44, 54, 69, 70: // closed and pedal hi-hat, tambourine, cabasa, maracas
		return drum{drumClosedHat, 1000}
	case 46, 49, 51, 52, 53, 55, 57, 59: // open hi-hat, crashes, rides, china, splash
		return drum{drumCymbal, 1000}
	case 41, 43, 45, 47, 48, 50, 60, 61, 62, 63, 64, 65, 66, 78, 79: // toms, bongos, congas, timbales, cuica
		return drum{drumTom, 0}
	case 56, 67, 68, 71, 72, 75, 76, 77, 80, 81: // cowbell, agogo, whistles, claves, wood blocks, triangles
		return drum{drumBell, 0}
	}
	return drum{drumClap, 1000} // side stick, clap, vibraslap, guiro and GM2 extras
}

// gmBank is the built-in General MIDI bank: a patch per family and one
// drum kit, whatever the bank number.
type gmBank struct {
	families [16]*Synth
	kit      Zones
}

// GM returns the built-in General MIDI bank for voices rendering at rate
// Hz: each of the 16 program families (program/8) is one synth patch, and
// the drum channel plays a synthesized kit in which every percussion key
// 35..81 (and the General MIDI 2 extras around it) has a sound. Drum notes
// ignore note-off and ring their decay. Cutoffs above 0.45 × rate are
// lowered to it, so every patch is valid at any rate.
func GM(rate int) (Bank, error) {
	sounds := make([]*Synth, len(gmSounds))
	for i := range gmSounds {
		in := gmSounds[i]
		in.Gain = 1
		if f := in.Filter; f != nil {
			c := *f
			c.Cutoff = min(c.Cutoff, 0.45*float64(rate))
			in.Filter = &c
		}
		s, err := FromScore(&in, rate)
		if err != nil {
			return nil, fmt.Errorf("built-in General MIDI sound: %w", err)
		}
		sounds[i] = s
	}
	b := &gmBank{}
	copy(b.families[:], sounds[:16])
	for key := range 128 {
		d := drumFor(byte(key))
		s := *sounds[d.sound]
		s.Freq, s.OneShot = d.freq, true
		b.kit = append(b.kit, Zone{KeyLo: uint8(key), KeyHi: uint8(key), VelLo: 0, VelHi: 127, Instrument: &s})
	}
	return b, nil
}

// Instrument returns the family patch of program, or the kit for drums.
func (b *gmBank) Instrument(_ uint16, program uint8, drums bool) Instrument {
	if drums {
		return b.kit
	}
	return b.families[(program&0x7F)/8]
}

func lp(cutoff float64, res float32) *score.Filter {
	return &score.Filter{Type: score.Lowpass, Cutoff: cutoff, Resonance: res}
}

func hp(cutoff float64) *score.Filter {
	return &score.Filter{Type: score.Highpass, Cutoff: cutoff}
}
