package sf2

import (
	"encoding/binary"
	"io"
)

// Record sizes of the hydra chunks (spec section 7).
const (
	phdrSize = 38
	bagSize  = 4
	modSize  = 10
	genSize  = 4
	instSize = 22
	shdrSize = 46
)

// header is a phdr or inst record: a name and the index of its first bag.
type header struct {
	name          string
	program, bank uint16 // phdr only
	bag           int
}

// bag is a pbag or ibag record.
type bag struct{ gen, mod int }

// genRec is a generator record as the zone keeps it.
type genRec struct {
	oper   uint16
	amount int16
}

// zone is one preset or instrument zone after FluidSynth's loading rules.
type zone struct {
	keyLo, keyHi, velLo, velHi uint8
	// ref is the instrument (preset zone) or sample (instrument zone)
	// index; -1 in a global zone.
	ref int
	// refRecord is the pgen or igen record of ref, for errors.
	refRecord int
	gens      []genRec // the valid generators in file order
	mods      []Modulator
}

// zoneList is a preset's or instrument's zones: the optional global zone
// and the local ones in file order.
type zoneList struct {
	name   string
	global *zone
	local  []zone
}

// hydra is the pdta chunk, read and checked.
type hydra struct {
	phdr    []header // less the terminal record
	presets []zoneList
	insts   []zoneList
	shdr    []shdrRec // less the terminal record
}

// shdrRec is a sample header as the file gives it.
type shdrRec struct {
	name                           string
	start, end, loopStart, loopEnd int64
	rate                           int64
	pitch                          uint8
	correction                     int8
	link, typ                      uint16
}

// records reads a hydra chunk and checks its size is a whole number of
// records, at least min of them.
func records(r io.ReaderAt, lay *layout, id string, size, min int) ([]byte, int, error) {
	s := lay.pdtaChunks[id]
	if s.size%int64(size) != 0 {
		return nil, 0, errorf(ErrCorrupt, "pdta/%s: %d bytes, not a whole number of %d-byte records", id, s.size, size)
	}
	n := int(s.size / int64(size))
	if n < min {
		if n == 0 {
			return nil, 0, errorf(ErrCorrupt, "pdta/%s: empty (no terminal record)", id)
		}
		return nil, 0, errorf(ErrCorrupt, "pdta/%s: %d records, want at least %d", id, n, min)
	}
	b, err := readAt(r, s.off, s.size, "pdta/"+id)
	return b, n, err
}

// readHydra reads and checks the nine pdta chunks and applies
// FluidSynth's zone rules.
func readHydra(r io.ReaderAt, lay *layout, rules *ModulatorRules) (*hydra, error) {
	h := &hydra{}
	var err error
	if h.phdr, err = readHeaders(r, lay, "phdr", phdrSize); err != nil {
		return nil, err
	}
	ihdr, err := readHeaders(r, lay, "inst", instSize)
	if err != nil {
		return nil, err
	}
	if h.shdr, err = readSamples(r, lay); err != nil {
		return nil, err
	}
	h.presets, err = readZones(r, lay, "p", h.phdr, len(ihdr)-1, rules)
	if err != nil {
		return nil, err
	}
	h.insts, err = readZones(r, lay, "i", ihdr, len(h.shdr), rules)
	if err != nil {
		return nil, err
	}
	h.phdr = h.phdr[:len(h.phdr)-1]
	return h, nil
}

// readHeaders reads phdr or inst, terminal record included, and checks
// that bag indexes never go backwards.
func readHeaders(r io.ReaderAt, lay *layout, id string, size int) ([]header, error) {
	b, n, err := records(r, lay, id, size, 1)
	if err != nil {
		return nil, err
	}
	out := make([]header, n)
	for i := range out {
		rec := b[i*size : (i+1)*size]
		h := &out[i]
		h.name = cString(rec[:20])
		if id == "phdr" {
			h.program = binary.LittleEndian.Uint16(rec[20:])
			h.bank = binary.LittleEndian.Uint16(rec[22:])
			h.bag = int(binary.LittleEndian.Uint16(rec[24:]))
		} else {
			h.bag = int(binary.LittleEndian.Uint16(rec[20:]))
		}
		if i > 0 && h.bag < out[i-1].bag {
			return nil, errorf(ErrCorrupt, "pdta/%s record %d: bag index %d goes backwards (previous %d)", id, i, h.bag, out[i-1].bag)
		}
	}
	return out, nil
}

// readSamples reads shdr, less its terminal record.
func readSamples(r io.ReaderAt, lay *layout) ([]shdrRec, error) {
	b, n, err := records(r, lay, "shdr", shdrSize, 1)
	if err != nil {
		return nil, err
	}
	out := make([]shdrRec, n-1)
	for i := range out {
		rec := b[i*shdrSize : (i+1)*shdrSize]
		le32 := func(o int) int64 { return int64(binary.LittleEndian.Uint32(rec[o:])) }
		out[i] = shdrRec{
			name:       cString(rec[:20]),
			start:      le32(20),
			end:        le32(24),
			loopStart:  le32(28),
			loopEnd:    le32(32),
			rate:       le32(36),
			pitch:      rec[40],
			correction: int8(rec[41]),
			link:       binary.LittleEndian.Uint16(rec[42:]),
			typ:        binary.LittleEndian.Uint16(rec[44:]),
		}
	}
	return out, nil
}

// readZones reads the bags, generators and modulators of the presets
// (level "p") or instruments ("i") and builds their zones. nref is the
// number of instruments or samples a zone may refer to.
func readZones(r io.ReaderAt, lay *layout, level string, hdrs []header, nref int, rules *ModulatorRules) ([]zoneList, error) {
	bagID, modID, genID := level+"bag", level+"mod", level+"gen"
	if level == "p" {
		bagID, modID, genID = "pbag", "pmod", "pgen"
	}
	hdrID := "phdr"
	terminal := GenInstrument
	if level == "i" {
		hdrID, terminal = "inst", GenSampleID
	}
	bb, nbag, err := records(r, lay, bagID, bagSize, 1)
	if err != nil {
		return nil, err
	}
	gb, ngen, err := records(r, lay, genID, genSize, 0)
	if err != nil {
		return nil, err
	}
	mb, nmod, err := records(r, lay, modID, modSize, 0)
	if err != nil {
		return nil, err
	}
	last := len(hdrs) - 1
	if hdrs[last].bag >= nbag {
		return nil, errorf(ErrCorrupt, "pdta/%s record %d (terminal): bag index %d past the last %s record (%d records)", hdrID, last, hdrs[last].bag, bagID, nbag)
	}
	// The bags in use are hdrs[0].bag..hdrs[last].bag, the last one the
	// terminal bag that ends the last zone. A missing terminal generator
	// or modulator record is accepted, as FluidSynth does.
	first := hdrs[0].bag
	bags := make([]bag, hdrs[last].bag+1-first)
	for j := range bags {
		k := first + j
		rec := bb[k*bagSize:]
		bg := bag{int(binary.LittleEndian.Uint16(rec)), int(binary.LittleEndian.Uint16(rec[2:]))}
		if j > 0 {
			if bg.gen < bags[j-1].gen {
				return nil, errorf(ErrCorrupt, "pdta/%s record %d: generator index %d goes backwards (previous %d)", bagID, k, bg.gen, bags[j-1].gen)
			}
			if bg.mod < bags[j-1].mod {
				return nil, errorf(ErrCorrupt, "pdta/%s record %d: modulator index %d goes backwards (previous %d)", bagID, k, bg.mod, bags[j-1].mod)
			}
		}
		if bg.gen > ngen {
			return nil, errorf(ErrCorrupt, "pdta/%s record %d: generator index %d past the end of %s (%d records)", bagID, k, bg.gen, genID, ngen)
		}
		if bg.mod > nmod {
			return nil, errorf(ErrCorrupt, "pdta/%s record %d: modulator index %d past the end of %s (%d records)", bagID, k, bg.mod, modID, nmod)
		}
		bags[j] = bg
	}
	out := make([]zoneList, last)
	// Every zone's generators and every list's local zones are carved
	// from one array each (the bags do not overlap), not grown one
	// append at a time: FluidR3_GM has thousands of zones.
	allGens := make([]genRec, 0, bags[len(bags)-1].gen-bags[0].gen)
	allZones := make([]zone, 0, len(bags)-1)
	var rawMods []Modulator
	for i := range out {
		zl := &out[i]
		zl.name = hdrs[i].name
		zones := len(allZones)
		for k := hdrs[i].bag; k < hdrs[i+1].bag; k++ {
			b0, b1 := bags[k-first], bags[k+1-first]
			z := zone{keyHi: 127, velHi: 127, ref: -1}
			gens := len(allGens)
			level := 0 // FluidSynth's: 1 after keyRange, 2 after any other, 3 at the terminal
			for g := b0.gen; g < b1.gen && level < 3; g++ {
				rec := gb[g*genSize:]
				oper := binary.LittleEndian.Uint16(rec)
				amount := binary.LittleEndian.Uint16(rec[2:])
				switch {
				case oper == uint16(GenKeyRange):
					// Only as the first generator; a later one is dropped.
					if level == 0 {
						level = 1
						z.keyLo, z.keyHi = uint8(amount), uint8(amount>>8)
					}
				case oper == uint16(GenVelRange):
					// Only first or after keyRange.
					if level <= 1 {
						level = 2
						z.velLo, z.velHi = uint8(amount), uint8(amount>>8)
					}
				case oper == uint16(terminal):
					level = 3
					z.ref, z.refRecord = int(amount), g
					// Generators after it are dropped.
				default:
					level = 2
					valid := validInstrumentGen(oper)
					if terminal == GenInstrument {
						valid = validPresetGen(oper)
					}
					if valid {
						allGens = append(allGens, genRec{oper, int16(amount)})
					}
				}
			}
			z.gens = allGens[gens:len(allGens):len(allGens)]
			if z.ref < 0 && k != hdrs[i].bag {
				continue // a global zone that is not first: dropped
			}
			// An instrument out of range fails the font; a sample out of
			// range fails it when a preset uses the instrument (checked
			// in flatten), as in FluidSynth.
			if terminal == GenInstrument && z.ref >= nref {
				return nil, errorf(ErrCorrupt, "pdta/pgen record %d: instrument %d out of range (%d instruments)", z.refRecord, z.ref, nref)
			}
			rawMods = rawMods[:0]
			for m := b0.mod; m < b1.mod; m++ {
				rec := mb[m*modSize:]
				rawMods = append(rawMods, Modulator{
					Src:       Source(binary.LittleEndian.Uint16(rec)),
					Dest:      Generator(binary.LittleEndian.Uint16(rec[2:])),
					Amount:    int32(int16(binary.LittleEndian.Uint16(rec[4:]))),
					AmtSrc:    Source(binary.LittleEndian.Uint16(rec[6:])),
					Transform: binary.LittleEndian.Uint16(rec[8:]),
				})
			}
			z.mods = importModulators(rawMods, rules)
			if z.ref < 0 {
				zl.global = &z
			} else {
				allZones = append(allZones, z)
			}
		}
		zl.local = allZones[zones:len(allZones):len(allZones)]
	}
	return out, nil
}
