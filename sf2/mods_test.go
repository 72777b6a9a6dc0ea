package sf2

import (
	"reflect"
	"testing"
)

// modFont is oneSine with modulators on the instrument's global and local
// zones and the preset's global and local zones.
func modFont(iglobal, ilocal, pglobal, plocal []Modulator) *tFont {
	tf := oneSine()
	tf.insts[0].zones = []tZone{{mods: iglobal}, {gens: []genRec{sampleGen(0)}, mods: ilocal}}
	tf.presets[0].zones = []tZone{{mods: pglobal}, {gens: []genRec{instGen(0)}, mods: plocal}}
	return tf
}

func mods(t *testing.T, tf *tFont, rules *ModulatorRules) []Modulator {
	t.Helper()
	return only(t, read(t, tf.bytes(), Options{Rules: rules}).Preset(0, 0)).Mods
}

// withAmount returns the default list with entry i's amount changed.
func withAmount(defs []Modulator, i int, a int32) []Modulator {
	out := append([]Modulator(nil), defs...)
	out[i].Amount = a
	return out
}

var (
	vel2att   = SpecDefaultModulators[0]
	vel2fc    = SpecDefaultModulators[1]
	cc1ToVib  = SpecDefaultModulators[3]
	cc74ToFc  = Modulator{Src: 0x80 | 74, Dest: GenInitialFilterFc, Amount: 2000}
	key2pan   = Modulator{Src: SrcKey | srcBipolar, Dest: GenPan, Amount: 100}
	specDefs  = SpecDefaultModulators[:]
	fluidDefs = FluidSynthDefaultModulators[:]
)

func TestDefaultModulators(t *testing.T) {
	if got := mods(t, oneSine(), nil); !reflect.DeepEqual(got, specDefs) {
		t.Fatalf("no font modulators: %+v, want the spec defaults", got)
	}
	// FluidSynth: velocity to filter cutoff is muted, so dropped.
	want := append(append([]Modulator(nil), fluidDefs[:1]...), fluidDefs[2:]...)
	if got := mods(t, oneSine(), &FluidSynthRules); !reflect.DeepEqual(got, want) {
		t.Fatalf("FluidSynth rules: %+v, want its defaults less velocity to filter", got)
	}
	if len(SpecDefaultModulators) != 10 {
		t.Fatal("not ten defaults")
	}
}

// TestInstrumentModulatorsOverride: an identical instrument modulator
// replaces the default's amount (0 removes it); a new one is appended; a
// local one supersedes an identical global one.
func TestInstrumentModulatorsOverride(t *testing.T) {
	m := vel2att
	m.Amount = 480
	got := mods(t, modFont(nil, []Modulator{m, cc74ToFc}, nil, nil), nil)
	want := append(withAmount(specDefs, 0, 480), cc74ToFc)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("override: %+v\nwant %+v", got, want)
	}
	off := vel2fc
	off.Amount = 0
	got = mods(t, modFont(nil, []Modulator{off}, nil, nil), nil)
	if findIdentical(got, vel2fc) >= 0 || len(got) != 9 {
		t.Fatalf("amount 0 did not cancel the default: %+v", got)
	}
	g := cc74ToFc
	g.Amount = 500
	got = mods(t, modFont([]Modulator{g, key2pan}, []Modulator{cc74ToFc}, nil, nil), nil)
	if want := append(append([]Modulator(nil), specDefs...), cc74ToFc, key2pan); !reflect.DeepEqual(got, want) {
		t.Fatalf("global vs local: %+v\nwant %+v", got, want)
	}
}

// TestPresetModulatorsAdd: an identical preset modulator adds its amount
// to the instrument's (or default's) one; a new one is appended.
func TestPresetModulatorsAdd(t *testing.T) {
	im := cc74ToFc
	pm := cc74ToFc
	pm.Amount = -500
	pd := cc1ToVib
	pd.Amount = 25
	got := mods(t, modFont(nil, []Modulator{im}, []Modulator{key2pan}, []Modulator{pm, pd}), nil)
	want := withAmount(specDefs, 3, 75)
	want = append(want, Modulator{Src: cc74ToFc.Src, Dest: GenInitialFilterFc, Amount: 1500}, key2pan)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v\nwant %+v", got, want)
	}
	// Preset sums may pass 16 bits.
	big := vel2att
	big.Amount = 32767
	got = mods(t, modFont(nil, []Modulator{big}, nil, []Modulator{big}), nil)
	if got[0].Amount != 65534 {
		t.Fatalf("sum %d, want 65534", got[0].Amount)
	}
}

// TestModulatorImportRules: FluidSynth's per-zone checks.
func TestModulatorImportRules(t *testing.T) {
	// Later identical modulator in a zone wins.
	a, b := cc74ToFc, cc74ToFc
	b.Amount = 100
	if got := mods(t, modFont(nil, []Modulator{a, b}, nil, nil), nil); got[len(got)-1] != b || len(got) != 11 {
		t.Fatalf("duplicate: %+v, want the later one only", got[10:])
	}
	// Invalid sources, src none, non-generator destinations: dropped.
	drop := []Modulator{
		{Src: 0x80 | 0, Dest: GenPan, Amount: 1},  // CC0 bank select
		{Src: 0x80 | 6, Dest: GenPan, Amount: 1},  // data entry
		{Src: 0x80 | 99, Dest: GenPan, Amount: 1}, // NRPN
		{Src: 0x80 | 121, Dest: GenPan, Amount: 1},
		{Src: 5, Dest: GenPan, Amount: 1},                       // no such general controller
		{Src: SrcNone, AmtSrc: 0x81, Dest: GenPan, Amount: 1},   // primary none
		{Src: 0x81, AmtSrc: 0x80 | 32, Dest: GenPan, Amount: 1}, // bank select LSB as amount source
		{Src: 0x81, Dest: Generator(NumGenerators), Amount: 1},  // not a generator
	}
	if got := mods(t, modFont(nil, drop, nil, nil), nil); !reflect.DeepEqual(got, specDefs) {
		t.Fatalf("invalid modulators kept: %+v", got[10:])
	}
	// Undefined curve: disabled (amount 0, so dropped); a none secondary
	// source is unipolar: identical to the default when only P differs.
	curve := Modulator{Src: 0x81 | 4<<10, Dest: GenPan, Amount: 5}
	p := vel2att
	p.AmtSrc = srcBipolar
	p.Amount = 100
	got := mods(t, modFont(nil, []Modulator{curve, p}, nil, nil), nil)
	if want := withAmount(specDefs, 0, 100); !reflect.DeepEqual(got, want) {
		t.Fatalf("curve/polarity rules: %+v\nwant %+v", got, want)
	}
	// A link is kept, and says so.
	link := Modulator{Src: 0x81, Dest: linkFlag | 1, Amount: 5}
	got = mods(t, modFont(nil, []Modulator{link}, nil, nil), nil)
	if len(got) != 11 || !got[10].Linked() || got[0].Linked() {
		t.Fatalf("link: %+v", got[10:])
	}
	// At most MaxModulators per zone and per region.
	var many []Modulator
	for cc := 1; cc <= 90; cc++ {
		if validSource(Source(0x80 | cc)) {
			many = append(many, Modulator{Src: Source(0x80 | cc), Dest: GenPan, Amount: 1})
		}
	}
	if got := mods(t, modFont(nil, many, nil, nil), nil); len(got) != MaxModulators {
		t.Fatalf("%d modulators, want %d", len(got), MaxModulators)
	}
}

// TestTransforms: the absolute-value transform is kept under the spec's
// rules and disabled under FluidSynth's, which then compares it as
// linear; an undefined transform is disabled under both.
func TestTransforms(t *testing.T) {
	abs := cc74ToFc
	abs.Transform = TransformAbsolute
	bad := key2pan
	bad.Transform = 7
	got := mods(t, modFont(nil, []Modulator{abs, bad}, nil, nil), nil)
	if want := append(append([]Modulator(nil), specDefs...), abs); !reflect.DeepEqual(got, want) {
		t.Fatalf("spec: %+v\nwant %+v", got[10:], want[10:])
	}
	absVel := vel2att
	absVel.Transform = TransformAbsolute
	absVel.Amount = 300
	got = mods(t, modFont(nil, []Modulator{absVel}, nil, nil), &FluidSynthRules)
	if findIdentical(got, vel2att) >= 0 {
		t.Fatalf("FluidSynth: an abs-transform twin of velocity-to-attenuation should cancel it: %+v", got)
	}
}

// TestFluidSynthVelToFilter: under FluidSynth's rules a font modulator
// identical to its velocity-to-filter default is muted too; the 2.04 and
// 2.01 forms are not identical to it, so they stay.
func TestFluidSynthVelToFilter(t *testing.T) {
	fs := FluidSynthDefaultModulators[1]
	fs.Amount = -7200
	f201 := Modulator{Src: 0x0102, AmtSrc: 0x0D02, Dest: GenInitialFilterFc, Amount: -2400}
	f204 := vel2fc
	f204.Amount = -7200
	got := mods(t, modFont(nil, []Modulator{fs, f201, f204}, nil, nil), &FluidSynthRules)
	want := append(append(append([]Modulator(nil), fluidDefs[:1]...), fluidDefs[2:]...), f201, f204)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%+v\nwant %+v", got[9:], want[9:])
	}
	// The spec's rules: the 2.04 form overrides the default's amount.
	got = mods(t, modFont(nil, []Modulator{f204}, nil, nil), nil)
	if got[1].Amount != -7200 || len(got) != 10 {
		t.Fatalf("spec override: %+v", got)
	}
}

// TestModulatorsShared: regions with only the defaults share one list.
func TestModulatorsShared(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{zoneOf(keys(0, 60), sampleGen(0)), zoneOf(keys(61, 127), sampleGen(0))}
	p := read(t, tf.bytes()).Preset(0, 0)
	if &p.AllRegions[0].Mods[0] != &p.AllRegions[1].Mods[0] {
		t.Fatal("default modulator lists not shared")
	}
}

func TestSource(t *testing.T) {
	s := Source(0x0587) // CC7, concave, negative, unipolar
	if !s.CC() || s.Index() != 7 || !s.Negative() || s.Bipolar() || s.Curve() != CurveConcave || s.None() {
		t.Fatalf("decoding %#x", uint16(s))
	}
	s = Source(0x0E0E) // pitch wheel, switch, bipolar
	if s.CC() || s.Index() != SrcPitchWheel || s.Negative() || !s.Bipolar() || s.Curve() != CurveSwitch {
		t.Fatalf("decoding %#x", uint16(s))
	}
	if !Source(0x0100).None() || Source(0x80).None() {
		t.Fatal("None")
	}
}
