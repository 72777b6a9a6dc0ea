package instrument

import "github.com/aether-audio/aether/voice"

// gmSound is one built-in sound. Its numbers have the types of the score
// format's instrument fields (float64 times, float32 levels), converted
// as a JSON score's instruments are.
type gmSound struct {
	name          string
	kind          voice.Kind
	pulseWidth    float32
	attack, decay float64
	sustain       float32
	release       float64
	filter        gmFilter
}

// gmFilter is a sound's filter; its cutoff is lowered to 0.45 × the rate.
type gmFilter struct {
	typ       voice.FilterType
	cutoff    float64
	resonance float32
}

var noFilter gmFilter

func filt(typ voice.FilterType, cutoff float64, resonance float32) gmFilter {
	return gmFilter{typ, cutoff, resonance}
}

// The General MIDI sounds: one synth patch per General MIDI family
// (program/8), then the synthesized drums.
var gmSounds = []gmSound{
	// Piano: a bright, decaying triangle, softened by a lowpass.
	{"gm-piano", voice.Triangle, 0, 0.002, 1.2, 0.15, 0.3, filt(voice.Lowpass, 4000, 0.1)},
	// Chromatic percussion (celesta, vibraphone, bells): sine strikes.
	{"gm-chromatic-percussion", voice.Sine, 0, 0.001, 0.6, 0, 0.3, noFilter},
	// Organ: a sustained square, lowpassed to a round, steady tone.
	{"gm-organ", voice.Square, 0.5, 0.01, 0, 1, 0.05, filt(voice.Lowpass, 2500, 0)},
	// Guitar: a plucked saw that decays under a lowpass.
	{"gm-guitar", voice.Saw, 0, 0.002, 0.8, 0.2, 0.2, filt(voice.Lowpass, 2500, 0.1)},
	// Bass: a darker saw with a firm sustain.
	{"gm-bass", voice.Saw, 0, 0.005, 0.3, 0.6, 0.1, filt(voice.Lowpass, 800, 0.2)},
	// Strings: a slow-attack saw.
	{"gm-strings", voice.Saw, 0, 0.08, 0.2, 0.8, 0.3, filt(voice.Lowpass, 3000, 0)},
	// Ensemble (string sections, choirs): slower and softer still.
	{"gm-ensemble", voice.Saw, 0, 0.15, 0.3, 0.8, 0.4, filt(voice.Lowpass, 2500, 0)},
	// Brass: a saw with a resonant lowpass for the bite.
	{"gm-brass", voice.Saw, 0, 0.03, 0.2, 0.7, 0.15, filt(voice.Lowpass, 2000, 0.3)},
	// Reed: a narrow pulse, lowpassed.
	{"gm-reed", voice.Square, 0.3, 0.02, 0.1, 0.8, 0.1, filt(voice.Lowpass, 2500, 0.1)},
	// Pipe (flutes): a breathy sine.
	{"gm-pipe", voice.Sine, 0, 0.05, 0.1, 0.9, 0.15, noFilter},
	// Synth lead: a bright resonant saw.
	{"gm-synth-lead", voice.Saw, 0, 0.005, 0.1, 0.8, 0.1, filt(voice.Lowpass, 5000, 0.4)},
	// Synth pad: a slow triangle swell.
	{"gm-synth-pad", voice.Triangle, 0, 0.3, 0.5, 0.8, 0.8, noFilter},
	// Synth effects: a bandpassed square wash.
	{"gm-synth-effects", voice.Square, 0.5, 0.2, 0.5, 0.6, 1, filt(voice.Bandpass, 1500, 0.3)},
	// Ethnic (sitar, koto, banjo): a plucked triangle.
	{"gm-ethnic", voice.Triangle, 0, 0.002, 0.5, 0.1, 0.2, noFilter},
	// Percussive (steel drums, woodblock, taiko): short sine hits.
	{"gm-percussive", voice.Sine, 0, 0.001, 0.3, 0, 0.1, noFilter},
	// Sound effects: bandpassed noise.
	{"gm-sound-effects", voice.Noise, 0, 0.05, 0.3, 0.5, 0.3, filt(voice.Bandpass, 1000, 0.2)},

	// Drums (channel 10): one-shots that ignore note-off and ring their
	// attack and decay, as General MIDI kits do.
	{"drum-kick", voice.Sine, 0, 0.001, 0.25, 0, 0.05, noFilter},
	{"drum-snare", voice.Noise, 0, 0.001, 0.18, 0, 0.05, filt(voice.Bandpass, 1800, 0.3)},
	{"drum-closed-hat", voice.Noise, 0, 0.001, 0.05, 0, 0.02, filt(voice.Highpass, 7000, 0)},
	{"drum-cymbal", voice.Noise, 0, 0.001, 0.8, 0, 0.2, filt(voice.Highpass, 5000, 0)},
	{"drum-tom", voice.Sine, 0, 0.001, 0.35, 0, 0.05, noFilter},
	{"drum-clap", voice.Noise, 0, 0.001, 0.12, 0, 0.05, filt(voice.Bandpass, 1200, 0.2)},
	{"drum-bell", voice.Sine, 0, 0.001, 0.3, 0, 0.1, noFilter},
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
func GM(rate int) Bank {
	sounds := make([]*Synth, len(gmSounds))
	for i, g := range gmSounds {
		p := voice.Params{
			Kind:       g.kind,
			Gain:       1,
			PulseWidth: g.pulseWidth,
			Env:        voice.ADSR{Attack: float32(g.attack), Decay: float32(g.decay), Sustain: g.sustain, Release: float32(g.release)},
		}
		if g.filter.typ != voice.FilterNone {
			p.Filter = voice.Filter{Type: g.filter.typ, Cutoff: float32(min(g.filter.cutoff, 0.45*float64(rate))), Resonance: g.filter.resonance}
		}
		sounds[i] = &Synth{Voice: p, Rate: rate}
	}
	b := &gmBank{}
	copy(b.families[:], sounds[:16])
	for key := range 128 {
		d := drumFor(byte(key))
		s := *sounds[d.sound]
		s.Freq, s.OneShot = d.freq, true
		b.kit = append(b.kit, Zone{KeyLo: uint8(key), KeyHi: uint8(key), VelLo: 0, VelHi: 127, Instrument: &s})
	}
	return b
}

// Instrument returns the family patch of program, or the kit for drums.
func (b *gmBank) Instrument(_ uint16, program uint8, drums bool) Instrument {
	if drums {
		return b.kit
	}
	return b.families[(program&0x7F)/8]
}
