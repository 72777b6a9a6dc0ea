package sfcompare

import "math"

// A profile is the reading of the SoundFont spec a renderer promises: the
// spec's letter, or FluidSynth 2.3.1's, which departs from it on purpose
// in a few places (fluid_conv.c, fluid_mod.c, fluid_voice.c,
// fluid_iir_filter.c, fluid_rvoice.c). The spec test's expectations are
// computed from the renderer's profile; the docs record how FluidSynth
// fares against the spec's letter.
type profile struct {
	name  string
	fluid bool
}

var (
	specProfile  = profile{name: "spec"}
	fluidProfile = profile{name: "FluidSynth 2.3.1", fluid: true}
)

// envRangeDB is the span of a volume envelope in dB: its decay and release
// times are for this fall, and a sustain of 1000 cB reaches its bottom.
// The spec's 100 % is 100 dB; FluidSynth's (and EMU's) is 96 dB.
func (p profile) envRangeDB() float64 {
	if p.fluid {
		return 96
	}
	return 100
}

// sustainDB is the level in dB of a volume-envelope sustain of cb
// centibels: FluidSynth maps 1000 cB to its 96 dB range.
func (p profile) sustainDB(cb float64) float64 { return -cb / 1000 * p.envRangeDB() }

// norm7 normalises a 7-bit controller value: FluidSynth divides by 128,
// the spec's full scale is 127.
func (p profile) norm7(v int) float64 {
	if p.fluid {
		return float64(v) / 128
	}
	return float64(v) / 127
}

// concave is the spec's concave curve of x in 0..1: -(40/96) log10(1-x)
// (1 at x = 1), or FluidSynth's 128-point table of it read with linear
// interpolation at 127x.
func (p profile) concave(x float64) float64 {
	curve := func(x float64) float64 {
		if x >= 1 {
			return 1
		}
		return math.Min(1, -40.0/96*math.Log10(1-x))
	}
	if !p.fluid {
		return curve(x)
	}
	tab := func(i int) float64 {
		switch {
		case i <= 0:
			return 0
		case i >= 127:
			return 1
		}
		return -40.0 / 96 * math.Log10(float64(127-i)/127)
	}
	v := 127 * x
	i := int(v)
	if i >= 127 {
		return 1
	}
	return tab(i) + (tab(i+1)-tab(i))*(v-float64(i))
}

// velocityCB is the attenuation in centibels of a velocity through a
// modulator of amount cb: concave (the default modulator's curve) or
// linear, negative, unipolar.
func (p profile) velocityCB(vel int, cb float64, linear bool) float64 {
	x := 1 - p.norm7(vel)
	if linear {
		return cb * x
	}
	return cb * p.concave(x)
}

// bendCents is the default pitch-wheel modulator's bend at wheel value v
// (0..16383) with a sensitivity of sens semitones: 12700 cents x the
// bipolar wheel x the sensitivity, which FluidSynth divides by 128 (it
// bends 198.4 cents at 2 semitones), the spec by 127 (200 cents).
func (p profile) bendCents(v, sens int) float64 {
	wheel := 2*float64(v)/16384 - 1
	if p.fluid {
		return 12700 * wheel * float64(sens) / 128
	}
	return 12700 * wheel * float64(sens) / 127
}

// cutoffGainDB is the gain of the lowpass at its cutoff, relative to its
// gain at 0 Hz, for a resonance of cb centibels: the spec's "height above
// DC gain"; FluidSynth takes 3.01 dB off so that 0 cB is a Butterworth
// response without a peak (fluid_iir_filter_q_from_dB).
func (p profile) cutoffGainDB(cb float64) float64 {
	db := math.Min(math.Max(cb/10, 0), 96)
	if p.fluid {
		return db - 3.01
	}
	return db
}

// velToFilterCents is the default velocity-to-cutoff modulator's shift at
// a velocity: the spec's 2.04 modulator, -2400 cents x (1 - v/127);
// FluidSynth's evaluates to 0 (fluid_mod_get_value).
func (p profile) velToFilterCents(vel int) float64 {
	if p.fluid {
		return 0
	}
	return -2400 * (1 - p.norm7(vel))
}

// maxCutoffHz is where a modulated cutoff stops: FluidSynth clamps it to
// 0.45 times the sample rate, the spec at 13500 absolute cents.
func (p profile) maxCutoffHz() float64 {
	if p.fluid {
		return 0.45 * rate
	}
	return absCentsHz(13500)
}

// lfoBoosts reports whether the modulation LFO can raise the level above
// the envelope's: FluidSynth 2.3.1 clamps a negative attenuation to 0 dB
// (fluid_cb2amp), so its tremolo only ever cuts, as Sound Blaster
// hardware does at full velocity.
func (p profile) lfoBoosts() bool { return !p.fluid }

// panCC is the default CC10 modulator's pan (-500..500) at controller
// value v, for a modulator amount of amount.
func (p profile) panCC(v int, amount float64) float64 {
	return amount * (2*p.norm7(v) - 1)
}

// absCentsHz is the spec's absolute-cents frequency, 8.176 x 2^(c/1200).
func absCentsHz(c float64) float64 { return 8.176 * math.Pow(2, c/1200) }

// timecents is the spec's time in seconds of tc timecents.
func timecents(tc float64) float64 { return math.Pow(2, tc/1200) }

// correctionCents is how much of a sample's pitch correction (cents) a
// voice plays at a scale tuning of scaleTuning cents a key: all of it
// (the spec), or scaleTuning/100 of it (FluidSynth folds the correction
// into the root pitch, which the scale tuning scales: at scale tuning 0
// the correction is lost).
func (p profile) correctionCents(corr, scaleTuning float64) float64 {
	if p.fluid {
		return corr * scaleTuning / 100
	}
	return corr
}

// convex is the curve of the modulation envelope's attack: the spec's
// convex curve 1 + (40/96) log10(x), or FluidSynth's table of it.
func (p profile) convex(x float64) float64 { return 1 - p.concave(1-x) }

// panGains returns the left and right gains of a voice panned to c
// (-500..500, clamped): the constant-power law, which FluidSynth reads
// from a 1002-point table at c truncated toward 0 (fluid_pan).
func (p profile) panGains(c float64) (l, r float64) {
	if !p.fluid {
		x := (math.Min(math.Max(c, -500), 500) + 500) / 1000 * math.Pi / 2
		return math.Cos(x), math.Sin(x)
	}
	pan := func(c float64) float64 {
		switch {
		case c <= -500:
			return 0
		case c >= 500:
			return 1
		}
		return math.Sin(float64(int(c)+500) * math.Pi / 2 / 1001)
	}
	return pan(-c), pan(c)
}

// chokeRelease is the time in which a voice cut by another of its
// exclusive class falls through the envelope's range: at once (the
// spec), or FluidSynth's release of -200 timecents, 0.89 s
// (fluid_voice_kill_excl).
func (p profile) chokeRelease() float64 {
	if p.fluid {
		return timecents(-200)
	}
	return 0
}

// fullScaleCB is the attenuation in centibels the default modulators give
// at velocity 127 with CC7 and CC11 at 127: none in the spec, 0.137 dB
// each in FluidSynth (127/128 is not full scale).
func (p profile) fullScaleCB() float64 { return 3 * p.velocityCB(127, 960, false) }
