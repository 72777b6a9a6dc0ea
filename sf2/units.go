package sf2

import "math"

// The SoundFont units (spec 2.04 section 8.1.2) and the modulator source
// curves (section 8.2), as the voice kind evaluates them. Where FluidSynth
// 2.3.1 computes something differently, the doc comment says how; the
// functions here are the spec's, exact, in float64.

// InstantTimecents is the most negative timecent value; as a delay,
// attack or release time it means 0 seconds (FluidSynth's
// fluid_tc2sec_delay, _attack and _release treat it so).
const InstantTimecents = -32768

// TimecentsToSeconds returns 2^(tc/1200) seconds, or 0 for tc <=
// InstantTimecents. FluidSynth first clamps tc to the generator's range
// (Clamp does that here), so -32768 is the only way to 0.
func TimecentsToSeconds(tc float64) float64 {
	if tc <= InstantTimecents {
		return 0
	}
	return math.Exp2(tc / 1200)
}

// AbsCentsToHz returns 8.176 x 2^(c/1200) Hz, the spec's absolute cents
// (6900 is 440 Hz within 0.05 cents, 0 is MIDI key 0). FluidSynth uses
// 440 x 2^((c-6900)/1200), whose 0 is 8.1758 Hz: 0.043 cents lower for
// every c, far under the 0.1 cent anything is measured to.
func AbsCentsToHz(c float64) float64 {
	return 8.176 * math.Exp2(c/1200)
}

// CentsToRatio returns 2^(c/1200), the frequency ratio of an interval of
// c cents.
func CentsToRatio(c float64) float64 {
	return math.Exp2(c / 1200)
}

// CentibelsToGain returns 10^(-cb/200), the amplitude gain of an
// attenuation of cb centibels (tenths of a decibel): 0 gives 1, 60 gives
// about 0.5. Negative cb amplifies. FluidSynth (fluid_cb2amp) truncates
// cb to a whole centibel, returns 1 for any cb < 0 (it never amplifies)
// and 0 from 1441 on.
func CentibelsToGain(cb float64) float64 {
	return math.Pow(10, -cb/200)
}

// Normalize7 returns v/127, the position in 0..1 of a 7-bit controller
// value (velocity, key, CC, pressure) as the spec's curves take it: 127
// is 1. FluidSynth divides by 128 instead, so its 127 is 127/128 (see
// NormalizeFluidSynth).
func Normalize7(v int) float64 { return float64(v) / 127 }

// Normalize14 returns v/16383, the position in 0..1 of a 14-bit value
// (the pitch wheel). FluidSynth divides by 16384.
func Normalize14(v int) float64 { return float64(v) / 16383 }

// NormalizeFluidSynth returns FluidSynth 2.3.1's position of a controller
// value (fluid_mod_get_value): v/16384 for the pitch wheel, v/128 for
// every other source, pitch wheel sensitivity included. So its full-scale
// 7-bit value maps to 127/128, CC 64 to exactly 0.5 (the bipolar centre),
// and the default pitch-bend modulator bends 12700 x s/128 cents for a
// sensitivity of s semitones (198.4 cents for 2).
func NormalizeFluidSynth(v int, pitchWheel bool) float64 {
	if pitchWheel {
		return float64(v) / 16384
	}
	return float64(v) / 128
}

// concave is the spec's concave curve on 0..1: -(20/96) log10((1-x)^2),
// the shape of an attenuation of 96 dB x (1-x)^2 in amplitude, 0 at 0,
// reaching 1 at x = 1 - 10^-2.4 (0.996) and held there. FluidSynth's
// table (gen_conv.c) has the same formula at the 128 points 127x.
func concave(x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	return math.Min(1, -(40.0/96)*math.Log10(1-x))
}

// convex is the spec's convex curve: 1 - concave(1-x).
func convex(x float64) float64 {
	if x <= 0 {
		return 0
	}
	return 1 - concave(1-x)
}

// curve01 is a unipolar positive curve on 0..1.
func curve01(c Curve, x float64) float64 {
	switch c {
	case CurveLinear:
		return x
	case CurveConcave:
		return concave(x)
	case CurveConvex:
		return convex(x)
	case CurveSwitch:
		if x >= 0.5 {
			return 1
		}
		return 0
	}
	return 0
}

// Map maps x, a controller position in 0..1 (Normalize7, Normalize14),
// through the source's curve, direction and polarity (spec sections
// 8.2.2 to 8.2.4): 0..1 for a unipolar source, -1..1 for a bipolar one.
//   - Direction: a negative source maps x to 1-x first.
//   - Unipolar: curve(x). Linear is x; concave and convex as defined on
//     concave and convex above; switch is 0 below 0.5, 1 from 0.5 on.
//   - Bipolar: the curve applied to each half, mirrored about the centre:
//     curve(2x-1) above 0.5, -curve(1-2x) below (linear: 2x-1; switch: -1
//     or 1).
//
// An undefined curve maps to 0, as a disabled modulator. Map of a source
// that is "no controller" is the caller's business: a primary source of
// none outputs 0, a secondary one 1.
func (s Source) Map(x float64) float64 {
	x = math.Max(0, math.Min(1, x))
	if s.Negative() {
		x = 1 - x
	}
	c := s.Curve()
	if !s.Bipolar() {
		return curve01(c, x)
	}
	switch c {
	case CurveLinear:
		return 2*x - 1
	case CurveSwitch:
		if x >= 0.5 {
			return 1
		}
		return -1
	}
	if x > 0.5 {
		return curve01(c, 2*x-1)
	}
	return -curve01(c, 1-2*x)
}

// fluidTable returns FluidSynth's concave (or convex) table entry i of
// 128: the spec curve at i/127, with the ends pinned to 0 and 1.
func fluidTable(c Curve, i int) float64 {
	switch {
	case i <= 0:
		return 0
	case i >= 127:
		return 1
	case c == CurveConcave:
		return -(40.0 / 96) * math.Log10(float64(127-i)/127)
	}
	return 1 + (40.0/96)*math.Log10(float64(i)/127)
}

// fluidCurve is FluidSynth's fluid_concave / fluid_convex: the table
// interpolated linearly at v in 0..127.
func fluidCurve(c Curve, v float64) float64 {
	if v < 0 {
		return 0
	}
	i := int(v)
	if i >= 127 {
		return 1
	}
	a, b := fluidTable(c, i), fluidTable(c, i+1)
	return a + (b-a)*(v-float64(i))
}

// MapFluidSynth is Map as FluidSynth 2.3.1 computes it
// (fluid_mod_transform_source_value), for x from NormalizeFluidSynth:
// the same definitions, but concave and convex come from its 128-point
// tables, interpolated linearly at 127x (so between the points the curve
// is a chord, and x = 127/128, a 7-bit controller at 127, gives the table
// at 126.01: 0.877 for concave, not 1), and the bipolar halves split at
// x > 0.5 for concave and convex, x >= 0.5 for switch, a negative switch
// being the positive one flipped (off at exactly 1/2).
func (s Source) MapFluidSynth(x float64) float64 {
	c := s.Curve()
	if c == CurveSwitch {
		// FluidSynth tests the switch on the controller's own position
		// and then flips it for a negative source: at exactly 1/2 (CC 64)
		// a negative switch is off.
		on := x >= 0.5
		if s.Negative() {
			on = !on
		}
		switch {
		case on:
			return 1
		case s.Bipolar():
			return -1
		}
		return 0
	}
	if s.Negative() {
		x = 1 - x
	}
	switch c {
	case CurveLinear:
		if s.Bipolar() {
			return 2*x - 1
		}
		return x
	case CurveConcave, CurveConvex:
		if !s.Bipolar() {
			return fluidCurve(c, 127*x)
		}
		if x > 0.5 {
			return fluidCurve(c, 127*2*(x-0.5))
		}
		return -fluidCurve(c, 127*2*(0.5-x))
	}
	return 0
}
