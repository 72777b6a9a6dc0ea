package sf2

import "slices"

// maxRegions bounds the regions a font of size bytes may flatten into:
// preset zones x instrument zones could otherwise grow with the square of
// the file. Real fonts stay far below (FluidR3_GM: see docs/sf2.md).
func maxRegions(size int64) int64 { return 1<<16 + size/64 }

// flatten sets up the presets and, unless the font is lazy, turns each
// into its regions, in one array for all of them; a lazy font's Prepare
// does it preset by preset. The counting pass checks the whole font
// either way, so that a lazy read refuses what an eager one does.
func (f *Font) flatten(h *hydra, rules *ModulatorRules, size int64) error {
	counts, total, err := f.countRegions(h, maxRegions(size), size)
	if err != nil {
		return err
	}
	f.Presets = make([]Preset, len(h.presets))
	for pi := range f.Presets {
		f.Presets[pi] = Preset{Name: h.presets[pi].name, Bank: h.phdr[pi].bank, Program: h.phdr[pi].program, rec: pi, nregions: counts[pi]}
	}
	fl := &flattener{h: h, rules: rules, defaults: resolveMods(nil, rules, nil, nil)}
	if f.lazy != nil {
		f.lazy.flat = fl
		return nil
	}
	all := make([]Region, total)
	for pi := range f.Presets {
		p := &f.Presets[pi]
		p.AllRegions, all = all[:p.nregions:p.nregions], all[p.nregions:]
		fl.preset(f, p)
	}
	return nil
}

// flattener turns presets into regions: it keeps the hydra they come
// from, the modulator rules, and the resolved default list that every
// region without modulators of its own shares.
type flattener struct {
	h                 *hydra
	rules             *ModulatorRules
	defaults, scratch []Modulator
}

// preset fills p.AllRegions, which has the length countRegions found.
func (fl *flattener) preset(f *Font, p *Preset) {
	pl := &fl.h.presets[p.rec]
	n := 0
	for zi := range pl.local {
		pz := &pl.local[zi]
		il := &fl.h.insts[pz.ref]
		presetMods := mergeZoneMods(pz.mods, zoneMods(pl.global))
		var pgen [NumGenerators]int32
		var pset [NumGenerators]bool
		applyGens(&pgen, &pset, pl.global)
		applyGens(&pgen, &pset, pz)
		for ii := range il.local {
			iz := &il.local[ii]
			kLo, kHi, vLo, vHi, ok := f.overlap(pz, iz)
			if !ok {
				continue
			}
			s := &f.Samples[iz.ref]
			r := &p.AllRegions[n]
			n++
			r.KeyLo, r.KeyHi, r.VelLo, r.VelHi, r.Sample = kLo, kHi, vLo, vHi, iz.ref
			var igen [NumGenerators]int32
			var iset [NumGenerators]bool
			applyGens(&igen, &iset, il.global)
			applyGens(&igen, &iset, iz)
			for g := range r.Gen {
				v := int32(defaultGens[g])
				if iset[g] {
					v = igen[g]
				}
				if pset[g] {
					v += pgen[g]
				}
				r.Gen[g] = int16(max(-32768, min(v, 32767)))
			}
			r.Start, r.End, r.LoopStart, r.LoopEnd, r.LoopMode = s.window(&r.Gen)
			r.RootKey = s.RootKey
			if k := r.Gen[GenOverridingRootKey]; k >= 0 {
				r.RootKey = uint8(min(k, 127))
			}
			r.Correction, r.Rate = s.Correction, s.Rate
			r.ExclusiveClass = r.Gen[GenExclusiveClass]
			fl.scratch = resolveMods(fl.scratch, fl.rules, mergeZoneMods(iz.mods, zoneMods(il.global)), presetMods)
			if slices.Equal(fl.scratch, fl.defaults) {
				r.Mods = fl.defaults
			} else {
				r.Mods = slices.Clip(slices.Clone(fl.scratch))
			}
		}
	}
}

// countRegions returns how many regions each preset flattens into, and
// their sum, or the error flatten meets first: a sample out of range, or
// more than limit regions in all.
func (f *Font) countRegions(h *hydra, limit, size int64) (counts []int, total int64, err error) {
	counts = make([]int, len(h.presets))
	for pi := range h.presets {
		pl := &h.presets[pi]
		for zi := range pl.local {
			pz := &pl.local[zi]
			il := &h.insts[pz.ref]
			for ii := range il.local {
				iz := &il.local[ii]
				if iz.ref >= len(f.Samples) {
					return nil, 0, errorf(ErrCorrupt, "pdta/igen record %d: sample %d out of range (%d samples)", iz.refRecord, iz.ref, len(f.Samples))
				}
				if _, _, _, _, ok := f.overlap(pz, iz); !ok {
					continue
				}
				if total++; total > limit {
					return nil, 0, errorf(ErrLimit, "pdta: more than %d regions (preset zones x instrument zones) for a %d-byte font", limit, size)
				}
				counts[pi]++
			}
		}
	}
	return counts, total, nil
}

// overlap returns the key and velocity ranges that preset zone pz and
// instrument zone iz share, and whether they make a region: iz's sample
// (in range) is playable and the ranges meet.
func (f *Font) overlap(pz, iz *zone) (kLo, kHi, vLo, vHi uint8, ok bool) {
	if !f.Samples[iz.ref].playable() {
		return 0, 0, 0, 0, false
	}
	kLo, kHi = max(pz.keyLo, iz.keyLo), min(pz.keyHi, iz.keyHi)
	vLo, vHi = max(pz.velLo, iz.velLo), min(pz.velHi, iz.velHi)
	return kLo, kHi, vLo, vHi, kLo <= kHi && vLo <= vHi
}

func zoneMods(z *zone) []Modulator {
	if z == nil {
		return nil
	}
	return z.mods
}

// applyGens writes a zone's generators over vals, marking them set; a
// generator given twice keeps its last value (FluidSynth replaces the
// earlier one).
func applyGens(vals *[NumGenerators]int32, set *[NumGenerators]bool, z *zone) {
	if z == nil {
		return
	}
	for _, g := range z.gens {
		vals[g.oper] = int32(g.amount)
		set[g.oper] = true
	}
}
