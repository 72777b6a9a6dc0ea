package sf2

import (
	"math"
	"testing"
)

// TestGeneratorResolution: instrument global zone defaults overridden by
// the local zone; preset values (global, overridden by local) added;
// spec defaults where nothing sets a generator.
func TestGeneratorResolution(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{
		zoneOf(gen(GenPan, -100), gen(GenAttackVolEnv, -2000), gen(GenCoarseTune, 3)), // global
		zoneOf(gen(GenAttackVolEnv, 1200), gen(GenReverbEffectsSend, 300), sampleGen(0)),
	}
	tf.presets[0].zones = []tZone{
		zoneOf(gen(GenPan, 50), gen(GenCoarseTune, 2), gen(GenInitialFilterFc, -1000)), // global
		zoneOf(gen(GenCoarseTune, 10), instGen(0)),
	}
	r := only(t, read(t, tf.bytes()).Preset(0, 0))
	want := map[Generator]int16{
		GenPan:                -100 + 50,    // instrument global + preset global
		GenAttackVolEnv:       1200,         // local overrides global
		GenCoarseTune:         3 + 10,       // preset local overrides preset global, added
		GenReverbEffectsSend:  300,          // local only
		GenInitialFilterFc:    13500 - 1000, // default + preset
		GenDelayVolEnv:        -12000,       // default
		GenScaleTuning:        100,          // default
		GenOverridingRootKey:  -1,           // default "not set"
		GenInitialAttenuation: 0,
	}
	for g, v := range want {
		if r.Gen[g] != v {
			t.Errorf("%v = %d, want %d", g, r.Gen[g], v)
		}
	}
}

// TestInstrumentOnlyIgnoredInPreset: the sample offsets, sampleModes,
// exclusiveClass, overridingRootKey, keynum and velocity are ignored at
// preset level; scaleTuning is not.
func TestInstrumentOnlyIgnoredInPreset(t *testing.T) {
	tf := oneSine()
	tf.presets[0].zones = []tZone{zoneOf(
		gen(GenStartAddrsOffset, 5), gen(GenEndAddrsOffset, -5), gen(GenStartLoopAddrsOffset, 2),
		gen(GenSampleModes, 0), gen(GenExclusiveClass, 9), gen(GenOverridingRootKey, 70),
		gen(GenKeynum, 10), gen(GenVelocity, 10), gen(GenScaleTuning, 50), gen(GenSampleID, 0),
		instGen(0))}
	f := read(t, tf.bytes())
	r := only(t, f.Preset(0, 0))
	for _, g := range []Generator{GenStartAddrsOffset, GenEndAddrsOffset, GenStartLoopAddrsOffset, GenExclusiveClass} {
		if r.Gen[g] != 0 {
			t.Errorf("%v = %d, want 0 (ignored at preset level)", g, r.Gen[g])
		}
	}
	if r.Gen[GenSampleModes] != 1 || r.LoopMode != 1 {
		t.Errorf("sampleModes %d loop mode %d, want the instrument's 1", r.Gen[GenSampleModes], r.LoopMode)
	}
	if r.Gen[GenOverridingRootKey] != -1 || r.Gen[GenKeynum] != -1 || r.Gen[GenVelocity] != -1 || r.RootKey != 60 {
		t.Errorf("root key gens %d %d %d root %d, want defaults and the sample's 60", r.Gen[GenOverridingRootKey], r.Gen[GenKeynum], r.Gen[GenVelocity], r.RootKey)
	}
	if r.Gen[GenScaleTuning] != 150 {
		t.Errorf("scaleTuning %d, want 100 + 50", r.Gen[GenScaleTuning])
	}
	s := f.Samples[0]
	if r.Start != s.Start || r.End != s.End {
		t.Errorf("preset offsets moved the window to [%d,%d), want [%d,%d)", r.Start, r.End, s.Start, s.End)
	}
}

// TestRangeIntersection: a region's ranges are the intersection of the
// preset and instrument zones'; a pair that does not intersect makes no
// region.
func TestRangeIntersection(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{
		zoneOf(keys(0, 59), vels(0, 100), sampleGen(0)),
		zoneOf(keys(60, 127), sampleGen(0)),
		zoneOf(keys(80, 90), sampleGen(0)), // outside the preset's keys
	}
	tf.presets[0].zones = []tZone{zoneOf(keys(40, 70), vels(20, 127), instGen(0))}
	p := read(t, tf.bytes()).Preset(0, 0)
	if len(p.AllRegions) != 2 {
		t.Fatalf("%d regions, want 2", len(p.AllRegions))
	}
	a, b := p.AllRegions[0], p.AllRegions[1]
	if a.KeyLo != 40 || a.KeyHi != 59 || a.VelLo != 20 || a.VelHi != 100 {
		t.Errorf("first region %d-%d/%d-%d, want 40-59/20-100", a.KeyLo, a.KeyHi, a.VelLo, a.VelHi)
	}
	if b.KeyLo != 60 || b.KeyHi != 70 || b.VelLo != 20 || b.VelHi != 127 {
		t.Errorf("second region %d-%d/%d-%d, want 60-70/20-127", b.KeyLo, b.KeyHi, b.VelLo, b.VelHi)
	}
}

// TestGeneratorOrderRules: FluidSynth's load_pgen/load_igen rules. A
// keyRange that is not first, or a velRange after anything but keyRange,
// is dropped (the font still loads); generators after sampleID or
// instrument are dropped; a generator given twice keeps the later value;
// unused and reserved generators are dropped.
func TestGeneratorOrderRules(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{zoneOf(
		gen(GenPan, 10), keys(10, 20), vels(5, 6), gen(GenPan, 30),
		gen(GenUnused1, 7), gen(GenReserved2, 7), gen(GenInstrument, 0),
		gen(GenSampleModes, 1), sampleGen(0), gen(GenCoarseTune, 12))}
	tf.presets[0].zones = []tZone{zoneOf(vels(1, 2), keys(3, 4), gen(GenFineTune, 5), instGen(0), gen(GenFineTune, 9))}
	r := only(t, read(t, tf.bytes()).Preset(0, 0))
	if r.KeyLo != 0 || r.KeyHi != 127 || r.VelLo != 1 || r.VelHi != 2 {
		t.Errorf("ranges %d-%d/%d-%d: want keys 0-127 (out-of-order keyRanges dropped), vels 1-2", r.KeyLo, r.KeyHi, r.VelLo, r.VelHi)
	}
	if r.Gen[GenPan] != 30 || r.Gen[GenCoarseTune] != 0 || r.Gen[GenFineTune] != 5 {
		t.Errorf("pan %d coarse %d fine %d, want 30 (later wins), 0 and 5 (after the terminal: dropped)", r.Gen[GenPan], r.Gen[GenCoarseTune], r.Gen[GenFineTune])
	}
	if r.Gen[GenUnused1] != 0 || r.Gen[GenReserved2] != 0 || r.Gen[GenInstrument] != 0 {
		t.Error("unused, reserved or instrument generators kept in an instrument zone")
	}
}

// TestGlobalZoneNotFirst: a zone without sampleID or instrument that is
// not first is dropped, not used as the global zone.
func TestGlobalZoneNotFirst(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{zoneOf(gen(GenPan, 100), sampleGen(0)), zoneOf(gen(GenPan, -300))}
	tf.presets[0].zones = []tZone{zoneOf(instGen(0)), zoneOf(gen(GenCoarseTune, 7))}
	r := only(t, read(t, tf.bytes()).Preset(0, 0))
	if r.Gen[GenPan] != 100 || r.Gen[GenCoarseTune] != 0 {
		t.Fatalf("pan %d coarse %d: a late global zone was used", r.Gen[GenPan], r.Gen[GenCoarseTune])
	}
}

// TestGeneratorSumsSaturate: preset + instrument sums beyond int16 stop at
// its limits instead of wrapping.
func TestGeneratorSumsSaturate(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{zoneOf(gen(GenModLfoToPitch, 30000), gen(GenVibLfoToPitch, -30000), sampleGen(0))}
	tf.presets[0].zones = []tZone{zoneOf(gen(GenModLfoToPitch, 30000), gen(GenVibLfoToPitch, -30000), instGen(0))}
	r := only(t, read(t, tf.bytes()).Preset(0, 0))
	if r.Gen[GenModLfoToPitch] != 32767 || r.Gen[GenVibLfoToPitch] != -32768 {
		t.Fatalf("sums %d %d, want 32767 and -32768", r.Gen[GenModLfoToPitch], r.Gen[GenVibLfoToPitch])
	}
}

// TestRootKeyAndClass: overridingRootKey replaces the sample's pitch
// (clamped to 127); the region carries correction, rate and exclusive
// class.
func TestRootKeyAndClass(t *testing.T) {
	tf := oneSine()
	tf.samples[0].pitch, tf.samples[0].correction, tf.samples[0].rate = 69, -12, 22050
	tf.insts[0].zones = []tZone{
		zoneOf(keys(0, 10), gen(GenExclusiveClass, 3), sampleGen(0)),
		zoneOf(keys(11, 20), gen(GenOverridingRootKey, 48), sampleGen(0)),
		zoneOf(keys(21, 30), gen(GenOverridingRootKey, 300), sampleGen(0)),
	}
	p := read(t, tf.bytes()).Preset(0, 0)
	for i, want := range []uint8{69, 48, 127} {
		r := p.AllRegions[i]
		if r.RootKey != want || r.Correction != -12 || r.Rate != 22050 {
			t.Errorf("region %d: root %d correction %d rate %d, want %d -12 22050", i, r.RootKey, r.Correction, r.Rate, want)
		}
	}
	if p.AllRegions[0].ExclusiveClass != 3 || p.AllRegions[1].ExclusiveClass != 0 {
		t.Errorf("exclusive classes %d %d, want 3 0", p.AllRegions[0].ExclusiveClass, p.AllRegions[1].ExclusiveClass)
	}
}

// TestClamp: generator values clamp to the spec's ranges; offsets have
// none; String names generators.
func TestClamp(t *testing.T) {
	cases := []struct {
		g       Generator
		in, out float64
	}{
		{GenInitialFilterFc, 20000, 13500},
		{GenInitialFilterFc, 1000, 1500},
		{GenInitialAttenuation, -50, 0},
		{GenInitialAttenuation, 2000, 1440},
		{GenPan, 600.5, 500},
		{GenAttackVolEnv, 9000, 8000},
		{GenDelayVolEnv, 9000, 5000},
		{GenFreqVibLFO, -20000, -16000},
		{GenSustainVolEnv, 1500, 1440},
		{GenSustainModEnv, 1500, 1000},
		{GenScaleTuning, 1300, 1200},
		{GenFineTune, 100, 99},
		{GenCoarseTune, -121, -120},
		{GenStartAddrsOffset, 1e9, 1e9},
		{GenEndAddrsOffset, 5, 0},
		{GenStartLoopAddrsOffset, -1e9, -1e9},
		{GenModLfoToVolume, 12.5, 12.5},
	}
	for _, c := range cases {
		if got := Clamp(c.g, c.in); got != c.out {
			t.Errorf("Clamp(%v, %v) = %v, want %v", c.g, c.in, got, c.out)
		}
	}
	if !math.IsNaN(Clamp(GenPan, math.NaN())) {
		t.Error("Clamp changed a NaN")
	}
	if GenOverridingRootKey.String() != "overridingRootKey" || GenInitialFilterFc.String() != "initialFilterFc" || Generator(99).String() != "Generator(99)" {
		t.Error("Generator.String")
	}
	if int(GenOverridingRootKey) != 58 || NumGenerators != 59 || GenKeyRange != 43 || GenSampleModes != 54 {
		t.Error("generator numbers differ from the spec")
	}
	if GenInitialFilterFc.Default() != 13500 || GenKeynum.Default() != -1 || GenScaleTuning.Default() != 100 || GenPan.Default() != 0 {
		t.Error("Generator.Default")
	}
}
