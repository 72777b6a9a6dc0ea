package instrument

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/sf2"
	"github.com/aether-audio/aether/voice"
)

// The expected modulator outputs are computed here from FluidSynth
// 2.3.1's fluid_mod.c, written out case by case as it is (its 16
// curve/polarity/direction cases over val/128 and its 128-point tables),
// and from the spec's definitions (section 8.2) over val/127: not through
// package sf2's curve code, which Start uses.

// fluidTab is FluidSynth's concave (or convex) table entry i (gen_conv.c).
func fluidTab(convex bool, i int) float64 {
	if i <= 0 {
		return 0
	}
	if i >= 127 {
		return 1
	}
	if convex {
		return 1 + (400.0/960)*math.Log10(float64(i)/127)
	}
	return -(400.0 / 960) * math.Log10(float64(127-i)/127)
}

// fluidInterp is fluid_concave / fluid_convex.
func fluidInterp(convex bool, v float64) float64 {
	if v < 0 {
		return 0
	}
	i := int(v)
	if i >= 127 {
		return fluidTab(convex, 127)
	}
	return fluidTab(convex, i) + (fluidTab(convex, i+1)-fluidTab(convex, i))*(v-float64(i))
}

// fluidTransform is fluid_mod_transform_source_value for a normalised x.
func fluidTransform(s sf2.Source, x float64) float64 {
	neg, bip := s.Negative(), s.Bipolar()
	switch c := s.Curve(); c {
	case sf2.CurveLinear:
		switch {
		case !bip && !neg:
			return x
		case !bip && neg:
			return 1 - x
		case bip && !neg:
			return -1 + 2*x
		default:
			return 1 - 2*x
		}
	case sf2.CurveConcave, sf2.CurveConvex:
		cv := c == sf2.CurveConvex
		switch {
		case !bip && !neg:
			return fluidInterp(cv, 127*x)
		case !bip && neg:
			return fluidInterp(cv, 127*(1-x))
		case bip && !neg:
			if x > 0.5 {
				return fluidInterp(cv, 127*2*(x-0.5))
			}
			return -fluidInterp(cv, 127*2*(0.5-x))
		default:
			if x > 0.5 {
				return -fluidInterp(cv, 127*2*(x-0.5))
			}
			return fluidInterp(cv, 127*2*(0.5-x))
		}
	case sf2.CurveSwitch:
		on := x >= 0.5
		switch {
		case !bip && !neg:
			return b2f(on)
		case !bip && neg:
			return b2f(!on)
		case bip && !neg:
			return 2*b2f(on) - 1
		default:
			return 1 - 2*b2f(on)
		}
	}
	return 0
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// specConcave is the spec's concave curve: -(20/96) log10((1-x)^2), held
// at 1 once it gets there.
func specConcave(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	return math.Min(1, -(20.0/96)*math.Log10((1-x)*(1-x)))
}

// specTransform is the spec's mapping (sections 8.2.2 to 8.2.4) of a
// position x: direction first, then the curve, on each half if bipolar.
func specTransform(s sf2.Source, x float64) float64 {
	if s.Negative() {
		x = 1 - x
	}
	curve := func(x float64) float64 {
		switch s.Curve() {
		case sf2.CurveLinear:
			return x
		case sf2.CurveConcave:
			return specConcave(x)
		case sf2.CurveConvex:
			if x <= 0 {
				return 0
			}
			return 1 - specConcave(1-x)
		case sf2.CurveSwitch:
			return b2f(x >= 0.5)
		}
		return 0
	}
	if !s.Bipolar() {
		return curve(x)
	}
	if s.Curve() == sf2.CurveSwitch {
		return 2*b2f(x >= 0.5) - 1
	}
	if x >= 0.5 {
		return curve(2*x - 1)
	}
	return -curve(1 - 2*x)
}

// fineTuneProbe returns the fine tune a region with only modulator m
// (destination fineTune, which nothing clamps) gets for note (key, vel)
// on channel ch: the voice's pitch less the note's own.
func fineTuneProbe(t *testing.T, p Profile, m sf2.Modulator, key, vel uint8, ch *Channel) float64 {
	t.Helper()
	m.Dest = sf2.GenFineTune
	r := testRegion(&sf2.ModulatorRules{}, []sf2.Modulator{m}, gen{sf2.GenOverridingRootKey, int16(key)})
	b := mustBank(t, onePreset(r), p)
	v := startOne(t, b, key, vel, ch)
	return v.SoundFont.Live.Pitch - float64(key)*100
}

// TestModulatorCurves: every curve, polarity and direction of a CC source,
// at controller values across the range, in both profiles.
func TestModulatorCurves(t *testing.T) {
	const amount = 1000
	for _, p := range []Profile{FluidSynthProfile, SpecProfile} {
		for curve := range 4 {
			for flags := range 4 { // bit 0: negative, bit 1: bipolar
				src := sf2.Source(curve<<10 | flags<<8 | 0x80 | 16) // CC16, a general-purpose controller
				for _, v := range []uint8{0, 1, 32, 63, 64, 65, 100, 126, 127} {
					ch := NewChannel(0)
					ch.CC[16] = v
					var want float64
					if p.Sources128 {
						want = amount * fluidTransform(src, float64(v)/128)
					} else {
						want = amount * specTransform(src, float64(v)/127)
					}
					got := fineTuneProbe(t, p, sf2.Modulator{Src: src, Amount: amount}, 60, 100, &ch)
					if !near(got, want, 0.01) {
						t.Errorf("%s: source %#04x (curve %d, negative %v, bipolar %v) at CC %d: %.4f cents, want %.4f",
							p.Name, uint16(src), curve, flags&1 != 0, flags&2 != 0, v, got, want)
					}
				}
			}
		}
	}
}

// TestModulatorSources: each source reads its own part of the note and
// channel, normalised by the profile's range; a secondary source scales
// the primary; an absolute-value transform applies under the spec's rules.
func TestModulatorSources(t *testing.T) {
	const lin = 0 // linear, unipolar, positive
	ch := NewChannel(0)
	ch.CC[20] = 90
	ch.Pressure = 70
	ch.Bend = 12000
	ch.BendRange = 7.5
	for _, tc := range []struct {
		name     string
		src, amt sf2.Source
		tr       uint16
		fluid    float64 // FluidSynth: value/128 (pitch wheel /16384)
		spec     float64 // the spec: value/127 (/16383)
	}{
		{"velocity", lin | sf2.SrcVelocity, 0, 0, 1000 * 100.0 / 128, 1000 * 100.0 / 127},
		{"key", lin | sf2.SrcKey, 0, 0, 1000 * 62.0 / 128, 1000 * 62.0 / 127},
		{"CC20", lin | 0x80 | 20, 0, 0, 1000 * 90.0 / 128, 1000 * 90.0 / 127},
		{"channel pressure", lin | sf2.SrcChannelPressure, 0, 0, 1000 * 70.0 / 128, 1000 * 70.0 / 127},
		{"polyphonic pressure (none)", lin | sf2.SrcPolyPressure, 0, 0, 0, 0},
		{"pitch wheel", lin | sf2.SrcPitchWheel, 0, 0, 1000 * 12000.0 / 16384, 1000 * 12000.0 / 16383},
		{"pitch wheel sensitivity (whole semitones in FluidSynth)", lin | sf2.SrcPitchSensitivity, 0, 0, 1000 * 7.0 / 128, 1000 * 7.5 / 127},
		{"velocity x CC20", lin | sf2.SrcVelocity, lin | 0x80 | 20, 0, 1000 * 100.0 / 128 * 90 / 128, 1000 * 100.0 / 127 * 90 / 127},
		{"negative bipolar CC20, absolute value", 0x0300 | 0x80 | 20, 0, sf2.TransformAbsolute,
			// FluidSynth's rules disable such a modulator at load
			// (sf2.FluidSynthRules.LinearOnly); one given anyway is
			// applied as its transform says.
			1000 * math.Abs(1-2*90.0/128),
			1000 * math.Abs(1-2*90.0/127)},
	} {
		m := sf2.Modulator{Src: tc.src, AmtSrc: tc.amt, Amount: 1000, Transform: tc.tr}
		if got := fineTuneProbe(t, FluidSynthProfile, m, 62, 100, &ch); !near(got, tc.fluid, 0.01) {
			t.Errorf("FluidSynth profile, %s: %.4f, want %.4f", tc.name, got, tc.fluid)
		}
		if got := fineTuneProbe(t, SpecProfile, m, 62, 100, &ch); !near(got, tc.spec, 0.01) {
			t.Errorf("spec profile, %s: %.4f, want %.4f", tc.name, got, tc.spec)
		}
	}
}

// TestKeynumAndVelocityGenerators: a region's keynum and velocity
// generators replace the note's key and velocity for its modulators
// (velocity 0 does not), and keynum its pitch.
func TestKeynumAndVelocityGenerators(t *testing.T) {
	ch := NewChannel(0)
	m := sf2.Modulator{Src: sf2.SrcVelocity, Amount: 1280, Dest: sf2.GenInitialFilterQ} // vel × 10 cB
	for _, tc := range []struct {
		set      []gen
		wantQ    float32
		wantKeyC float64
	}{
		{nil, 1000, 6400},
		{[]gen{{sf2.GenVelocity, 20}}, 200, 6400},
		{[]gen{{sf2.GenVelocity, 0}}, 1000, 6400},
		{[]gen{{sf2.GenKeynum, 70}}, 1000, 7000},
	} {
		r := testRegion(&sf2.ModulatorRules{}, []sf2.Modulator{m}, tc.set...)
		b := mustBank(t, onePreset(r), FluidSynthProfile)
		v := startOne(t, b, 64, 100, &ch)
		lv := v.SoundFont.Live
		if min(tc.wantQ, 960) != lv.FilterQ {
			t.Errorf("%v: Q %v, want %v", tc.set, lv.FilterQ, min(tc.wantQ, 960))
		}
		if !near(lv.Pitch, tc.wantKeyC, 1e-3) {
			t.Errorf("%v: pitch %v, want %v", tc.set, lv.Pitch, tc.wantKeyC)
		}
	}
}

// TestDefaultModulators: the default modulators' effect on attenuation,
// pan, pitch and vibrato depth at the values the General MIDI files use,
// with figures worked out from each profile's formulas.
func TestDefaultModulators(t *testing.T) {
	type probe struct {
		name  string
		set   func(ch *Channel) // channel state before the note
		vel   uint8
		get   func(lv *voice.SoundFontLive) float64
		fluid float64
		spec  float64
	}
	att := func(l *voice.SoundFontLive) float64 { return float64(l.Attenuation) }
	pan := func(l *voice.SoundFontLive) float64 { return float64(l.Pan) }
	bend := func(l *voice.SoundFontLive) float64 { return l.Pitch - 6000 }
	vib := func(l *voice.SoundFontLive) float64 { return float64(l.VibLFOToPitch) }
	full := func(ch *Channel) { ch.CC[CCVolume] = 127 } // volume and expression at full
	// Velocity, CC7 and CC11 each attenuate by 960 cB × concave(1 − v/range):
	// FluidSynth's table at 127 × (1 − v/128), the spec's curve at 1 − v/127.
	// At 127 FluidSynth's is 1.3625 cB, not 0.
	const (
		fl127, fl100, fl64, fl1 = 1.3625, 42.8855, 120.4174, 842.4471
		sp127, sp100, sp64, sp1 = 0, 41.5215, 119.0495, 841.5215
	)
	for _, tc := range []probe{
		{name: "velocity 127", set: full, vel: 127, get: att, fluid: 3 * fl127, spec: 3 * sp127},
		{name: "velocity 64", set: full, vel: 64, get: att, fluid: fl64 + 2*fl127, spec: sp64},
		{name: "velocity 1", set: full, vel: 1, get: att, fluid: fl1 + 2*fl127, spec: sp1},
		{name: "CC7 = 100 (the reset value)", set: func(ch *Channel) {}, vel: 127, get: att, fluid: fl100 + 2*fl127, spec: sp100},
		{name: "CC7 = 64", set: func(ch *Channel) { ch.CC[CCVolume] = 64 }, vel: 127, get: att, fluid: fl64 + 2*fl127, spec: sp64},
		{name: "CC11 = 64", set: func(ch *Channel) { full(ch); ch.CC[CCExpression] = 64 }, vel: 127, get: att, fluid: fl64 + 2*fl127, spec: sp64},
		{name: "CC7 = 0", set: func(ch *Channel) { ch.CC[CCVolume] = 0 }, vel: 127, get: att, fluid: 960 + 2*fl127, spec: 960},
		{name: "CC7 = 0, velocity 1: clipped at 1440", set: func(ch *Channel) { ch.CC[CCVolume], ch.CC[CCExpression] = 0, 0 }, vel: 1, get: att, fluid: 1440, spec: 1440},
		// CC10: 500 × (2x − 1).
		{name: "CC10 = 0", set: func(ch *Channel) { ch.CC[CCPan] = 0 }, vel: 100, get: pan, fluid: -500, spec: -500},
		{name: "CC10 = 64", set: func(ch *Channel) {}, vel: 100, get: pan, fluid: 0, spec: 500 * (128.0/127 - 1)},
		{name: "CC10 = 127", set: func(ch *Channel) { ch.CC[CCPan] = 127 }, vel: 100, get: pan, fluid: 500 * (254.0/128 - 1), spec: 500},
		// Pitch wheel × sensitivity: 12700 × (2x − 1) × s/range.
		{name: "bend up, range 2", set: func(ch *Channel) { ch.Bend = 16383 }, vel: 100, get: bend, fluid: 12700 * (32766.0/16384 - 1) * 2 / 128, spec: 200},
		{name: "bend down, range 2", set: func(ch *Channel) { ch.Bend = 0 }, vel: 100, get: bend, fluid: -12700 * 2.0 / 128, spec: -200},
		{name: "bend up, range 12", set: func(ch *Channel) { ch.Bend, ch.BendRange = 16383, 12 }, vel: 100, get: bend, fluid: 12700 * (32766.0/16384 - 1) * 12 / 128, spec: 1200},
		{name: "bend down, range 12", set: func(ch *Channel) { ch.Bend, ch.BendRange = 0, 12 }, vel: 100, get: bend, fluid: -12700 * 12.0 / 128, spec: -1200},
		{name: "bend at rest", set: func(ch *Channel) {}, vel: 100, get: bend, fluid: 0, spec: 12700 * (16384.0/16383 - 1) * 2 / 127},
		// CC1 and channel pressure: 50 cents of vibrato each, linearly.
		{name: "CC1 = 127", set: func(ch *Channel) { ch.CC[CCModulation] = 127 }, vel: 100, get: vib, fluid: 50 * 127.0 / 128, spec: 50},
		{name: "CC1 = 64", set: func(ch *Channel) { ch.CC[CCModulation] = 64 }, vel: 100, get: vib, fluid: 25, spec: 50 * 64.0 / 127},
		{name: "channel pressure 127", set: func(ch *Channel) { ch.Pressure = 127 }, vel: 100, get: vib, fluid: 50 * 127.0 / 128, spec: 50},
		{name: "CC1 and pressure at 127", set: func(ch *Channel) { ch.Pressure, ch.CC[CCModulation] = 127, 127 }, vel: 100, get: vib, fluid: 100 * 127.0 / 128, spec: 100},
	} {
		for _, p := range []Profile{FluidSynthProfile, SpecProfile} {
			ch := NewChannel(0)
			tc.set(&ch)
			r := testRegion(p.Modulators, nil)
			v := startOne(t, mustBank(t, onePreset(r), p), 60, tc.vel, &ch)
			got := tc.get(&v.SoundFont.Live)
			want := tc.spec
			if p.Sources128 {
				want = tc.fluid
			}
			if !near(got, want, 0.01) {
				t.Errorf("%s, %s: %.4f, want %.4f", p.Name, tc.name, got, want)
			}
		}
	}
}

// TestVelocityToFilter: the spec's default velocity-to-cutoff modulator
// lowers the cutoff by 2400 × (1 − v/127) cents; FluidSynth's contributes
// nothing.
func TestVelocityToFilter(t *testing.T) {
	ch := NewChannel(0)
	for _, vel := range []uint8{127, 64, 1} {
		for _, p := range []Profile{FluidSynthProfile, SpecProfile} {
			v := startOne(t, mustBank(t, onePreset(testRegion(p.Modulators, nil)), p), 60, vel, &ch)
			want := 13500.0
			if p.Name == SpecProfile.Name {
				want -= 2400 * (1 - float64(vel)/127)
			}
			if got := float64(v.SoundFont.Live.FilterFc); !near(got, want, 0.01) {
				t.Errorf("%s, velocity %d: cutoff %v cents, want %v", p.Name, vel, got, want)
			}
		}
	}
}
