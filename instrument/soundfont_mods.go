package instrument

import (
	"math"

	"github.com/aether-audio/aether/sf2"
)

// gens are a voice's generator values with its modulators' outputs added
// (FluidSynth's fluid_voice_gen_value: val + mod), before any clamping.
type gens [sf2.NumGenerators]float32

// noteKeys are the key and velocity a voice's modulators read: the note's,
// unless the region's keynum or velocity generator overrides them
// (FluidSynth's fluid_voice_get_actual_key and _velocity).
type noteKeys struct {
	key, vel uint8
}

// actualKeys returns what region r's modulators read of note n.
func actualKeys(r *sf2.Region, n *Note) noteKeys {
	k := noteKeys{key: n.Key, vel: n.Velocity}
	if v := r.Gen[sf2.GenKeynum]; v >= 0 {
		k.key = uint8(min(v, 127))
	}
	if v := r.Gen[sf2.GenVelocity]; v > 0 { // FluidSynth: a velocity of 0 does not override
		k.vel = uint8(min(v, 127))
	}
	return k
}

// resolve fills g with region r's generators for a note with keys k on
// channel ch: the region's summed values (initialAttenuation scaled by the
// profile's factor), plus the output of every modulator (SoundFont 2.04
// section 9.5: a modulator's output is added to its destination). Linked
// modulators (whose destination is another modulator) are skipped.
func (c *sfConfig) resolve(g *gens, r *sf2.Region, k noteKeys, ch *Channel) {
	var mod [sf2.NumGenerators]float64
	for i := range r.Mods {
		m := &r.Mods[i]
		if m.Linked() || int(m.Dest) >= sf2.NumGenerators {
			continue
		}
		// FluidSynth returns each output as a float and sums in double.
		mod[m.Dest] += float64(float32(c.modValue(m, k, ch)))
	}
	for i, v := range r.Gen {
		base := float64(v)
		if sf2.Generator(i) == sf2.GenInitialAttenuation {
			base = float64(float32(v) * c.attFactor)
		}
		g[i] = float32(base + mod[i])
	}
}

// modValue is modulator m's output: Amount × map(Src) × map(AmtSrc), the
// secondary source 1 when it is "no controller" (fluid_mod_get_value).
// Under the spec's rules an absolute-value transform applies; FluidSynth's
// rules have already disabled such modulators (sf2.ModulatorRules).
func (c *sfConfig) modValue(m *sf2.Modulator, k noteKeys, ch *Channel) float64 {
	v1 := c.source(m.Src, k, ch)
	if v1 == 0 {
		return 0
	}
	v2 := 1.0
	if !m.AmtSrc.None() {
		v2 = c.source(m.AmtSrc, k, ch)
	}
	out := float64(m.Amount) * v1 * v2
	if m.Transform == sf2.TransformAbsolute {
		out = math.Abs(out)
	}
	return out
}

// source maps modulator source s, as note keys k and channel ch set it,
// through its curve, direction and polarity: 0..1, or -1..1 when bipolar.
// A primary source of "no controller" maps to 0 (its modulator outputs
// nothing; sf2 drops such modulators). Polyphonic pressure is always 0:
// channels carry none.
func (c *sfConfig) source(s sf2.Source, k noteKeys, ch *Channel) float64 {
	var v uint8
	if s.CC() {
		v = ch.CC[s.Index()]
	} else {
		switch s.Index() {
		case sf2.SrcVelocity:
			v = k.vel
		case sf2.SrcKey:
			v = k.key
		case sf2.SrcPolyPressure:
			v = 0
		case sf2.SrcChannelPressure:
			v = ch.Pressure
		case sf2.SrcPitchWheel:
			if c.profile.Sources128 {
				return s.MapFluidSynth(float64(ch.Bend) / 16384)
			}
			return s.Map(float64(ch.Bend) / 16383)
		case sf2.SrcPitchSensitivity:
			r := ch.BendRange
			if c.profile.WholeBendRange {
				r = math.Floor(r)
			}
			if r != math.Floor(r) || r < 0 || r > 127 {
				return c.mapValue(s, r)
			}
			v = uint8(r)
		default:
			return 0
		}
	}
	if s.Curve() > sf2.CurveSwitch {
		return 0
	}
	return sourceTable[b2i(c.profile.Sources128)][s>>8&15][v&127]
}

// mapValue maps a 7-bit source value v (which may have a fraction)
// through s as the profile normalises it: v/128 and FluidSynth's curves,
// or v/127 and the spec's.
func (c *sfConfig) mapValue(s sf2.Source, v float64) float64 {
	if c.profile.Sources128 {
		return s.MapFluidSynth(v / 128)
	}
	return s.Map(v / 127)
}

// sourceTable holds, for the spec's normalisation (0) and FluidSynth's
// (1), each of the 16 kinds of source (curve, polarity, direction: bits 8
// to 11 of a Source) mapped at each 7-bit value, as sf2's Source.Map and
// Source.MapFluidSynth map it: a note-on reads it instead of taking
// logarithms.
var sourceTable = func() (t [2][16][128]float64) {
	for kind := range 16 {
		s := sf2.Source(kind << 8)
		for v := range 128 {
			t[0][kind][v] = s.Map(float64(v) / 127)
			t[1][kind][v] = s.MapFluidSynth(float64(v) / 128)
		}
	}
	return t
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// minAttenuation is FluidSynth's lower bound of a voice's attenuation
// while it sounds (fluid_voice_get_lower_boundary_for_attenuation): att,
// the attenuation now, less what each modulator of attenuation with a
// source that can change after the start (a controller, pressure, the
// pitch wheel) could still take off: its output now less its least (0,
// or -|Amount| for a bipolar source or a negative Amount). At least 0.
func (c *sfConfig) minAttenuation(r *sf2.Region, k noteKeys, ch *Channel, att float32) float32 {
	var cut float32
	for i := range r.Mods {
		m := &r.Mods[i]
		if m.Dest != sf2.GenInitialAttenuation || !(changes(m.Src) || changes(m.AmtSrc)) {
			continue
		}
		now := float32(c.modValue(m, k, ch))
		least := float32(0)
		if m.Src.Bipolar() || m.AmtSrc.Bipolar() || m.Amount < 0 {
			least = -float32(math.Abs(float64(m.Amount)))
		}
		if now > least {
			cut += now - least
		}
	}
	return max(0, att-cut)
}

// changes reports whether source s can change while a voice sounds (as
// FluidSynth's bound counts them: a MIDI controller, key or channel
// pressure, the pitch wheel).
func changes(s sf2.Source) bool {
	if s.CC() {
		return true
	}
	switch s.Index() {
	case sf2.SrcChannelPressure, sf2.SrcPolyPressure, sf2.SrcPitchWheel:
		return true
	}
	return false
}
