package sf2

import "testing"

// loopFont is oneSine (64 frames, then 46 zeros) with the sample's loop
// set in file frames relative to the sample start, and the instrument
// zone's generators.
func loopFont(ls, le int64, gens ...genRec) *tFont {
	tf := oneSine()
	tf.samples[0].loopS, tf.samples[0].loopE = ls, le
	tf.insts[0].zones = []tZone{zoneOf(append(gens, sampleGen(0))...)}
	return tf
}

// afterFiller puts another sample before tf's, so that loop points
// before the sample are still valid file positions.
func afterFiller(tf *tFont) *tFont {
	tf.samples = append([]tSample{{name: "filler", data: saw(40)}}, tf.samples...)
	tf.insts[0].zones[0].gens[len(tf.insts[0].zones[0].gens)-1] = sampleGen(1)
	return tf
}

// relWindow returns the region's window relative to its sample's start.
func relWindow(t *testing.T, tf *tFont) (start, end, ls, le int, mode uint8) {
	t.Helper()
	f := read(t, tf.bytes())
	r := only(t, f.Preset(0, 0))
	s := f.Samples[r.Sample].Start
	return r.Start - s, r.End - s, r.LoopStart - s, r.LoopEnd - s, r.LoopMode
}

// TestLoopSanitising: each of FluidSynth's fluid_sample_sanitize_loop
// rules and the voice's loop clamping, one crafted font each.
func TestLoopSanitising(t *testing.T) {
	loop1 := gen(GenSampleModes, 1)
	cases := []struct {
		name     string
		tf       *tFont
		ls, le   int
		mode     uint8
		sls, sle int // Sample.LoopStart/End relative to Sample.Start
	}{
		{"valid loop", loopFont(8, 56, loop1), 8, 56, 1, 8, 56},
		{"reversed loop swapped", loopFont(56, 8, loop1), 8, 56, 1, 8, 56},
		{"start before the sample: sample start", afterFiller(loopFont(-5, 40, loop1)), 0, 40, 1, 0, 40},
		{"end before the sample: swapped first, then start to the sample start", afterFiller(loopFont(8, -5, loop1)), 0, 8, 1, 0, 8},
		{"end past the data: sample end", loopFont(8, 1000, loop1), 8, 64, 1, 8, 64},
		{"end past the sample, inside the data: clamped to the sample", loopFont(8, 80, loop1), 8, 64, 1, 8, 64},
		{"zero-length loop kept, plays unlooped", loopFont(20, 20, loop1), 20, 20, 0, 20, 20},
		{"one-frame loop plays unlooped", loopFont(20, 21, loop1), 20, 21, 0, 20, 21},
		{"two-frame loop loops", loopFont(20, 22, loop1), 20, 22, 1, 20, 22},
		{"loop offsets", loopFont(8, 56, loop1, gen(GenStartLoopAddrsOffset, 4), gen(GenEndLoopAddrsOffset, -6)), 12, 50, 1, 8, 56},
		{"loop offsets past the sample: clamped", loopFont(8, 56, loop1, gen(GenStartLoopAddrsOffset, -100), gen(GenEndLoopAddrsOffset, 100)), 0, 64, 1, 8, 56},
		{"loop offsets crossing: swapped", loopFont(8, 56, loop1, gen(GenStartLoopAddrsOffset, 50), gen(GenEndLoopAddrsOffset, -50)), 6, 58, 1, 8, 56},
		{"coarse loop offset: 32768 frames, clamped", loopFont(8, 56, loop1, gen(GenEndLoopAddrsCoarseOffset, -1)), 0, 8, 1, 8, 56},
		{"sampleModes 3", loopFont(8, 56, gen(GenSampleModes, 3)), 8, 56, 3, 8, 56},
		{"sampleModes 2 plays unlooped", loopFont(8, 56, gen(GenSampleModes, 2)), 8, 56, 0, 8, 56},
		{"sampleModes 0", loopFont(8, 56), 8, 56, 0, 8, 56},
	}
	for _, c := range cases {
		_, _, ls, le, mode := relWindow(t, c.tf)
		if ls != c.ls || le != c.le || mode != c.mode {
			t.Errorf("%s: region loop %d-%d mode %d, want %d-%d mode %d", c.name, ls, le, mode, c.ls, c.le, c.mode)
		}
		f := read(t, c.tf.bytes())
		s := f.Samples[only(t, f.Preset(0, 0)).Sample]
		if s.LoopStart-s.Start != c.sls || s.LoopEnd-s.Start != c.sle {
			t.Errorf("%s: sample loop %d-%d, want %d-%d", c.name, s.LoopStart-s.Start, s.LoopEnd-s.Start, c.sls, c.sle)
		}
	}
}

// TestSampleWindow: the sample offset generators move start and end,
// clamped into the sample, swapped when crossed; a window of one frame
// plays nothing.
func TestSampleWindow(t *testing.T) {
	cases := []struct {
		name       string
		gens       []genRec
		start, end int
	}{
		{"whole sample", nil, 0, 64},
		{"offsets", []genRec{gen(GenStartAddrsOffset, 10), gen(GenEndAddrsOffset, -4)}, 10, 60},
		{"start past the end: last frame, nothing to play", []genRec{gen(GenStartAddrsOffset, 200)}, 63, 63},
		{"end before the start: clamped", []genRec{gen(GenEndAddrsOffset, -200)}, 0, 0},
		{"end past the sample: clamped", []genRec{gen(GenEndAddrsOffset, 300)}, 0, 64},
		{"crossed: swapped", []genRec{gen(GenStartAddrsOffset, 50), gen(GenEndAddrsOffset, -40)}, 23, 51},
		{"coarse start: 32768 frames", []genRec{gen(GenStartAddrsCoarseOffset, 1)}, 63, 63},
		{"coarse end", []genRec{gen(GenEndAddrsCoarseOffset, -1), gen(GenEndAddrsOffset, 32767)}, 0, 63},
	}
	for _, c := range cases {
		start, end, _, _, _ := relWindow(t, loopFont(8, 56, c.gens...))
		if start != c.start || end != c.end {
			t.Errorf("%s: window [%d,%d), want [%d,%d)", c.name, start, end, c.start, c.end)
		}
	}
}

// TestUnplayableSamples: samples FluidSynth ignores make no regions and
// keep an empty window; the font still loads and other zones play.
func TestUnplayableSamples(t *testing.T) {
	cases := map[string]func(*shdrRec){
		"ROM sample":            func(r *shdrRec) { r.typ = SampleROM | SampleMono },
		"unknown type bits":     func(r *shdrRec) { r.typ = SampleMono | 0x40 },
		"end past the data":     func(r *shdrRec) { r.end = 100000 },
		"start after end":       func(r *shdrRec) { r.start, r.end = 50, 10 },
		"one frame":             func(r *shdrRec) { r.end = r.start + 1 },
		"rate 0":                func(r *shdrRec) { r.rate = 0 },
		"loop and start absurd": func(r *shdrRec) { r.start = 1 << 31 },
	}
	for name, fix := range cases {
		tf := oneSine()
		tf.samples = append(tf.samples, tSample{name: "bad", data: sine(32, 1), fix: fix})
		tf.insts[0].zones = []tZone{zoneOf(keys(0, 60), sampleGen(1)), zoneOf(keys(61, 127), sampleGen(0))}
		f := read(t, tf.bytes())
		r := only(t, f.Preset(0, 0))
		if r.Sample != 0 || r.KeyLo != 61 {
			t.Errorf("%s: the zone of the bad sample made a region", name)
		}
		if s := f.Samples[1]; s.Start != s.End {
			t.Errorf("%s: bad sample has window [%d,%d)", name, s.Start, s.End)
		}
	}
}

// TestRegionsStayInPool: whatever the offsets, every region's window and
// loop lie inside its sample, in the pool.
func TestRegionsStayInPool(t *testing.T) {
	for _, v := range []int{-32768, -1000, -64, -1, 0, 1, 63, 64, 1000, 32767} {
		var gens []genRec
		for _, g := range []Generator{GenStartAddrsOffset, GenEndAddrsOffset, GenStartLoopAddrsOffset, GenEndLoopAddrsOffset,
			GenStartAddrsCoarseOffset, GenEndAddrsCoarseOffset, GenStartLoopAddrsCoarseOffset, GenEndLoopAddrsCoarseOffset} {
			gens = append(gens, gen(g, v))
		}
		f := read(t, loopFont(8, 56, append(gens, gen(GenSampleModes, 1))...).bytes())
		r := only(t, f.Preset(0, 0))
		s := f.Samples[0]
		for _, x := range []int{r.Start, r.End, r.LoopStart, r.LoopEnd} {
			if x < s.Start || x > s.End {
				t.Fatalf("offsets %d: region [%d,%d) loop [%d,%d) outside sample [%d,%d)", v, r.Start, r.End, r.LoopStart, r.LoopEnd, s.Start, s.End)
			}
		}
		if r.Start > r.End || r.LoopStart > r.LoopEnd {
			t.Fatalf("offsets %d: reversed window or loop", v)
		}
	}
}
