package sf2

// Source is a modulator source operand, an SFModulator word (spec 2.04
// section 8.2): bits 0-6 the controller index, bit 7 the CC flag (a MIDI
// controller rather than a general controller), bit 8 the direction
// (1: negative, max to min), bit 9 the polarity (1: bipolar, -1..1) and
// bits 10-15 the curve.
type Source uint16

// General controllers, the source indexes when the CC flag is clear
// (spec section 8.2.1). Other indexes are invalid.
const (
	SrcNone             = 0  // no controller: a primary source of none outputs 0, a secondary one 1
	SrcVelocity         = 2  // note-on velocity
	SrcKey              = 3  // note-on key number
	SrcPolyPressure     = 10 // polyphonic (key) pressure
	SrcChannelPressure  = 13 // channel pressure
	SrcPitchWheel       = 14 // pitch wheel, a 14-bit value
	SrcPitchSensitivity = 16 // pitch wheel sensitivity (RPN 0), in semitones
)

// Curve is a source's mapping shape (spec section 8.2.4).
type Curve uint8

// The curves the spec defines; a modulator with any other is disabled.
const (
	CurveLinear Curve = iota
	CurveConcave
	CurveConvex
	CurveSwitch
)

// The flag bits of a Source.
const (
	srcCC       = 1 << 7
	srcNegative = 1 << 8
	srcBipolar  = 1 << 9
)

// Index returns the controller index: a MIDI CC number when CC is true, a
// general controller (SrcVelocity, ...) otherwise.
func (s Source) Index() uint8 { return uint8(s & 0x7f) }

// CC reports whether the source is a MIDI continuous controller.
func (s Source) CC() bool { return s&srcCC != 0 }

// Negative reports whether the source runs from its maximum to its
// minimum as the controller rises.
func (s Source) Negative() bool { return s&srcNegative != 0 }

// Bipolar reports whether the source maps to -1..1 rather than 0..1.
func (s Source) Bipolar() bool { return s&srcBipolar != 0 }

// Curve returns the source's curve (6 bits; only 0 to 3 are defined).
func (s Source) Curve() Curve { return Curve(s >> 10) }

// None reports whether the source is the general controller "no
// controller".
func (s Source) None() bool { return s&(srcCC|0x7f) == SrcNone }

// Transforms a modulator may apply to its output (spec section 8.3).
const (
	TransformLinear   = 0 // output unchanged
	TransformAbsolute = 2 // absolute value (spec 2.04)
)

// Modulator is one modulator of a region (spec section 8.2): its output
// Amount x map(Src) x map(AmtSrc), passed through Transform, is added to
// the generator Dest at note-on and whenever a source changes.
type Modulator struct {
	Src    Source    // primary source
	AmtSrc Source    // secondary source, scaling Amount; SrcNone means 1
	Dest   Generator // destination generator; see Linked
	// Amount is the modulator's depth in the destination's unit. Preset
	// modulators add to identical instrument ones, so it can exceed 16 bits.
	Amount    int32
	Transform uint16 // TransformLinear or TransformAbsolute
}

// linkFlag marks a destination that is another modulator's input (spec
// 2.04 section 8.1.1), not a generator.
const linkFlag = 0x8000

// Linked reports whether the destination is another modulator (a linked
// modulator, spec 2.04 section 9.5.4). This package keeps such modulators
// in Region.Mods but nothing here evaluates them: a synthesizer should
// skip them, as FluidSynth 2.3.1 does in effect.
func (m Modulator) Linked() bool { return m.Dest&linkFlag != 0 }

// Identical reports whether m and o are "identical" in the spec's sense
// (2.04 section 9.5.1): same sources, destination and transform; the
// amount may differ. Identical modulators override (instrument level) or
// add to (preset level) each other.
func (m Modulator) Identical(o Modulator) bool {
	return m.Src == o.Src && m.AmtSrc == o.AmtSrc && m.Dest == o.Dest && m.Transform == o.Transform
}

// SpecDefaultModulators are the ten default modulators of SoundFont 2.04
// (section 8.4), which every region starts from. Two entries depart from
// the letter of the text, as every synthesizer does:
//   - CC10 to pan has Amount 500, not the "1000 tenths of a percent" the
//     text gives: the pan generator spans -500..500, and with 1000 half the
//     controller's travel would already be fully left or right. 500 maps
//     CC10 0..127 onto the full pan range, which is what the SoundFont
//     spec test expects (its panning test 22 B) and what FluidSynth does.
//   - Pitch wheel to pitch targets fineTune: the text names an "initial
//     pitch" that is not a generator. The amount, 12700 cents, times the
//     sensitivity source (semitones, normalised) gives the bend in cents.
var SpecDefaultModulators = [10]Modulator{
	{Src: 0x0502, Dest: GenInitialAttenuation, Amount: 960},         // velocity, concave, negative
	{Src: 0x0102, Dest: GenInitialFilterFc, Amount: -2400},          // velocity, linear, negative (2.04: no secondary source)
	{Src: 0x000D, Dest: GenVibLfoToPitch, Amount: 50},               // channel pressure
	{Src: 0x0081, Dest: GenVibLfoToPitch, Amount: 50},               // CC1 modulation wheel
	{Src: 0x0587, Dest: GenInitialAttenuation, Amount: 960},         // CC7 volume, concave, negative
	{Src: 0x028A, Dest: GenPan, Amount: 500},                        // CC10 pan, bipolar
	{Src: 0x058B, Dest: GenInitialAttenuation, Amount: 960},         // CC11 expression, concave, negative
	{Src: 0x00DB, Dest: GenReverbEffectsSend, Amount: 200},          // CC91 reverb send
	{Src: 0x00DD, Dest: GenChorusEffectsSend, Amount: 200},          // CC93 chorus send
	{Src: 0x020E, AmtSrc: 0x0010, Dest: GenFineTune, Amount: 12700}, // pitch wheel x sensitivity
}

// FluidSynthDefaultModulators are FluidSynth 2.3.1's default modulators
// (fluid_synth.c), the same as SpecDefaultModulators but for velocity to
// filter cutoff: FluidSynth declares it with a secondary source
// (velocity, switch, unipolar, positive: 0x0C02) and Amount -2400, and
// then evaluates every modulator identical to it as 0 (fluid_mod.c,
// fluid_mod_get_value), so it never filters. The table holds Amount 0;
// FluidSynthRules.Muted also zeroes a font's own modulator identical to
// it. A font's 2.01 or 2.04 form of the modulator is not identical to
// this one, so FluidSynth adds it as a new modulator and it filters.
// FluidSynth's eleventh default (CC8 to its own stereo-balance
// generator) has no SoundFont destination and is not listed.
var FluidSynthDefaultModulators = [10]Modulator{
	{Src: 0x0502, Dest: GenInitialAttenuation, Amount: 960},
	{Src: 0x0102, AmtSrc: 0x0C02, Dest: GenInitialFilterFc, Amount: 0},
	{Src: 0x000D, Dest: GenVibLfoToPitch, Amount: 50},
	{Src: 0x0081, Dest: GenVibLfoToPitch, Amount: 50},
	{Src: 0x0587, Dest: GenInitialAttenuation, Amount: 960},
	{Src: 0x028A, Dest: GenPan, Amount: 500},
	{Src: 0x058B, Dest: GenInitialAttenuation, Amount: 960},
	{Src: 0x00DB, Dest: GenReverbEffectsSend, Amount: 200},
	{Src: 0x00DD, Dest: GenChorusEffectsSend, Amount: 200},
	{Src: 0x020E, AmtSrc: 0x0010, Dest: GenFineTune, Amount: 12700},
}

// ModulatorRules say which default modulators every region starts from,
// and how a synthesizer treats some modulators. Read resolves each
// region's modulator list with them.
type ModulatorRules struct {
	// Defaults are the default modulators, in order.
	Defaults []Modulator
	// Muted lists modulators that contribute nothing wherever they come
	// from (the defaults, an instrument or a preset): a resolved modulator
	// identical to one of them is dropped.
	Muted []Modulator
	// LinearOnly disables (amount 0) every modulator whose transform is
	// not linear, and treats its transform as linear when comparing, as
	// FluidSynth 2.3.1 does; otherwise the absolute-value transform of
	// SoundFont 2.04 is kept and only undefined transforms are disabled.
	LinearOnly bool
}

// SpecRules resolve modulators as SoundFont 2.04 says: its ten default
// modulators, both transforms.
var SpecRules = ModulatorRules{Defaults: SpecDefaultModulators[:]}

// FluidSynthRules resolve modulators as FluidSynth 2.3.1 does: its
// default modulators, velocity to filter cutoff muted, linear transform
// only.
var FluidSynthRules = ModulatorRules{
	Defaults:   FluidSynthDefaultModulators[:],
	Muted:      FluidSynthDefaultModulators[1:2],
	LinearOnly: true,
}

// MaxModulators bounds a region's modulator list and each zone's, as
// FluidSynth's FLUID_NUM_MOD (64) does; later ones are dropped.
const MaxModulators = 64

// validSource reports whether s may be a modulator source (spec 2.01
// sections 7.4, 8.2.1, as FluidSynth's fluid_mod_check_sources reads
// them): a general controller from the spec's list, or a MIDI CC other
// than bank select (0, 32), data entry (6, 38), the (N)RPN selectors
// (98-101) and the channel mode messages (120-127).
func validSource(s Source) bool {
	i := s.Index()
	if !s.CC() {
		switch i {
		case SrcNone, SrcVelocity, SrcKey, SrcPolyPressure, SrcChannelPressure, SrcPitchWheel, SrcPitchSensitivity:
			return true
		}
		return false
	}
	switch {
	case i == 0, i == 6, i == 32, i == 38, i >= 98 && i <= 101, i >= 120:
		return false
	}
	return true
}

// importModulators turns a zone's raw modulator records into its
// modulator list, following FluidSynth 2.3.1 (fluid_defsfont.c,
// fluid_zone_mod_import_sfont and fluid_zone_check_mod):
//   - a source with an undefined curve (4-63), or an undefined transform,
//     disables the modulator (amount 0);
//   - a secondary source of "no controller" is unipolar whatever its
//     polarity bit says (it outputs 1);
//   - a modulator with an invalid source, or whose primary source is "no
//     controller" (it always outputs 0), is dropped;
//   - a modulator whose destination is neither a generator nor a link is
//     dropped (it could change nothing);
//   - of identical modulators in one zone, the last one is kept;
//   - at most MaxModulators are kept.
func importModulators(raw []Modulator, rules *ModulatorRules) []Modulator {
	var out []Modulator
	for i, m := range raw {
		if m.Src.Curve() > CurveSwitch || m.AmtSrc.Curve() > CurveSwitch {
			m.Amount = 0
		}
		if m.AmtSrc.None() {
			m.AmtSrc &^= srcBipolar
		}
		switch {
		case rules.LinearOnly && m.Transform != TransformLinear:
			m.Amount, m.Transform = 0, TransformLinear
		case m.Transform != TransformLinear && m.Transform != TransformAbsolute:
			m.Amount = 0
		}
		if !validSource(m.Src) || !validSource(m.AmtSrc) || m.Src.None() {
			continue
		}
		if !m.Linked() && int(m.Dest) >= NumGenerators {
			continue
		}
		if identicalLater(m, raw[i+1:], rules) {
			continue
		}
		if len(out) == MaxModulators {
			break
		}
		out = append(out, m)
	}
	return out
}

// identicalLater reports whether a modulator later in the zone's list is
// identical to m (after the same normalisation), so that it supersedes m.
func identicalLater(m Modulator, later []Modulator, rules *ModulatorRules) bool {
	for _, o := range later {
		if o.AmtSrc.None() {
			o.AmtSrc &^= srcBipolar
		}
		if rules.LinearOnly {
			o.Transform = TransformLinear
		}
		if m.Identical(o) {
			return true
		}
	}
	return false
}

// mergeZoneMods returns the modulators a local zone contributes with its
// global zone: the local ones, then each global one that no local one is
// identical to (spec 2.04 section 9.5.1: a local modulator supersedes an
// identical global one).
func mergeZoneMods(local, global []Modulator) []Modulator {
	if len(global) == 0 {
		return local
	}
	out := make([]Modulator, 0, len(local)+len(global))
	out = append(out, local...)
next:
	for _, g := range global {
		for _, l := range local {
			if l.Identical(g) {
				continue next
			}
		}
		out = append(out, g)
	}
	return out
}

// resolveMods builds a region's modulator list into dst (reset first):
// the defaults; each instrument modulator replaces the amount of an
// identical one or is appended; each preset modulator adds its amount to
// an identical one or is appended (a preset modulator of amount 0 is
// skipped, as it changes nothing). Muted modulators and those left with
// amount 0 are then dropped: they contribute nothing. At most
// MaxModulators are kept, the later ones dropped, as in FluidSynth.
func resolveMods(dst []Modulator, rules *ModulatorRules, inst, preset []Modulator) []Modulator {
	dst = append(dst[:0], rules.Defaults...)
	if len(dst) > MaxModulators {
		dst = dst[:MaxModulators]
	}
	for _, m := range inst {
		if i := findIdentical(dst, m); i >= 0 {
			dst[i].Amount = m.Amount
		} else if len(dst) < MaxModulators {
			dst = append(dst, m)
		}
	}
	for _, m := range preset {
		if m.Amount == 0 {
			continue
		}
		if i := findIdentical(dst, m); i >= 0 {
			dst[i].Amount += m.Amount
		} else if len(dst) < MaxModulators {
			dst = append(dst, m)
		}
	}
	out := dst[:0]
	for _, m := range dst {
		if m.Amount == 0 || findIdentical(rules.Muted, m) >= 0 {
			continue
		}
		out = append(out, m)
	}
	return out
}

func findIdentical(list []Modulator, m Modulator) int {
	for i := range list {
		if list[i].Identical(m) {
			return i
		}
	}
	return -1
}
