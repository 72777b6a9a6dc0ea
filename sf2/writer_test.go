package sf2

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// A small SoundFont writer for tests: fonts built from Go values, so most
// tests need no file. Each part can be bent afterwards (tweak) to make a
// broken font.

type tSample struct {
	name           string
	data           []int16
	lsb            []byte // sm24 bytes, one per frame (optional)
	loopS, loopE   int64  // loop, relative to the sample's first frame
	rate           uint32 // 0 means 44100; use fix to write a 0
	pitch          uint8
	correction     int8
	typ, link      uint16
	fix            func(r *shdrRec) // edits the record after positions are set
	noGuardPadding bool             // omit the 46 zero frames after the data
}

type tZone struct {
	gens []genRec
	mods []Modulator
}

type tInst struct {
	name  string
	zones []tZone
}

type tPreset struct {
	name          string
	bank, program uint16
	zones         []tZone
}

type tFont struct {
	version Version
	name    string
	samples []tSample
	insts   []tInst
	presets []tPreset
	// pdtaOrder, listOrder: chunk order (default: the spec's).
	pdtaOrder []string
	listOrder []string
	// extra chunks: inserted first in every LIST and at the top level.
	extra [][2]string
	// tweak edits the chunk bodies before assembly (keys: "INFO/ifil",
	// "smpl", "sm24", "phdr", ...).
	tweak func(c map[string][]byte)
	// trailing bytes after the RIFF chunk.
	trailing []byte
}

func gen(g Generator, v int) genRec  { return genRec{uint16(g), int16(v)} }
func keys(lo, hi int) genRec         { return genRec{uint16(GenKeyRange), int16(lo | hi<<8)} }
func vels(lo, hi int) genRec         { return genRec{uint16(GenVelRange), int16(lo | hi<<8)} }
func instGen(i int) genRec           { return genRec{uint16(GenInstrument), int16(i)} }
func sampleGen(i int) genRec         { return genRec{uint16(GenSampleID), int16(i)} }
func zoneOf(gens ...genRec) tZone    { return tZone{gens: gens} }
func le16(b []byte, v uint16) []byte { return binary.LittleEndian.AppendUint16(b, v) }
func le32(b []byte, v uint32) []byte { return binary.LittleEndian.AppendUint32(b, v) }

// sine returns one cycle of n frames at amplitude amp (of 32767).
func sine(n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*float64(i)/float64(n))))
	}
	return out
}

// saw returns one rising cycle of n frames.
func saw(n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(-32768 + 65535*i/(n-1))
	}
	return out
}

func name20(s string) []byte {
	b := make([]byte, 20)
	copy(b, s)
	return b
}

func chunk(id string, body []byte) []byte {
	b := append([]byte(id), le32(nil, uint32(len(body)))...)
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func list(typ string, parts ...[]byte) []byte {
	body := []byte(typ)
	for _, p := range parts {
		body = append(body, p...)
	}
	return chunk("LIST", body)
}

// zones writes bag, gen and mod records for a list of zone lists,
// terminal records included, and returns each list's first bag index.
func writeZones(lists [][]tZone) (bags, gens, mods []byte, first []int) {
	ng, nm, nb := 0, 0, 0
	for _, zl := range lists {
		first = append(first, nb)
		for _, z := range zl {
			bags = le16(le16(bags, uint16(ng)), uint16(nm))
			nb++
			for _, g := range z.gens {
				gens = le16(le16(gens, g.oper), uint16(g.amount))
				ng++
			}
			for _, m := range z.mods {
				mods = le16(le16(le16(le16(le16(mods, uint16(m.Src)), uint16(m.Dest)), uint16(int16(m.Amount))), uint16(m.AmtSrc)), m.Transform)
				nm++
			}
		}
	}
	first = append(first, nb)
	bags = le16(le16(bags, uint16(ng)), uint16(nm))
	gens = append(gens, make([]byte, genSize)...)
	mods = append(mods, make([]byte, modSize)...)
	return
}

// bytes assembles the font.
func (f *tFont) bytes() []byte {
	c := map[string][]byte{}
	v := f.version
	if v == (Version{}) {
		v = Version{2, 1}
	}
	c["INFO/ifil"] = le16(le16(nil, v.Major), v.Minor)
	c["INFO/isng"] = []byte("EMU8000\x00")
	n := f.name
	if n == "" {
		n = "test font"
	}
	c["INFO/INAM"] = append([]byte(n), 0)

	var smpl, sm24 []byte
	var shdr []byte
	has24 := false
	for _, s := range f.samples {
		if s.lsb != nil {
			has24 = true
		}
	}
	pos := 0
	for _, s := range f.samples {
		start := pos
		for _, x := range s.data {
			smpl = le16(smpl, uint16(x))
		}
		lsb := s.lsb
		if lsb == nil {
			lsb = make([]byte, len(s.data))
		}
		sm24 = append(sm24, lsb...)
		pos += len(s.data)
		if !s.noGuardPadding {
			smpl = append(smpl, make([]byte, 2*46)...)
			sm24 = append(sm24, make([]byte, 46)...)
			pos += 46
		}
		rate := s.rate
		if rate == 0 {
			rate = 44100
		}
		pitch := s.pitch
		if pitch == 0 {
			pitch = 60
		}
		typ := s.typ
		if typ == 0 {
			typ = SampleMono
		}
		r := shdrRec{name: s.name, start: int64(start), end: int64(start + len(s.data)),
			loopStart: int64(start) + s.loopS, loopEnd: int64(start) + s.loopE,
			rate: int64(rate), pitch: pitch, correction: s.correction, link: s.link, typ: typ}
		if s.fix != nil {
			s.fix(&r)
		}
		shdr = append(shdr, name20(r.name)...)
		for _, x := range []int64{r.start, r.end, r.loopStart, r.loopEnd, r.rate} {
			shdr = le32(shdr, uint32(x))
		}
		shdr = append(shdr, r.pitch, byte(r.correction))
		shdr = le16(le16(shdr, r.link), r.typ)
	}
	shdr = append(shdr, name20("EOS")...)
	shdr = append(shdr, make([]byte, shdrSize-20)...)
	c["smpl"] = smpl
	if has24 {
		if len(sm24)%2 == 1 {
			sm24 = append(sm24, 0)
		}
		c["sm24"] = sm24
	}

	var ilists [][]tZone
	for _, in := range f.insts {
		ilists = append(ilists, in.zones)
	}
	ibag, igen, imod, ifirst := writeZones(ilists)
	var inst []byte
	for i, in := range f.insts {
		inst = le16(append(inst, name20(in.name)...), uint16(ifirst[i]))
	}
	inst = le16(append(inst, name20("EOI")...), uint16(ifirst[len(f.insts)]))

	var plists [][]tZone
	for _, p := range f.presets {
		plists = append(plists, p.zones)
	}
	pbag, pgen, pmod, pfirst := writeZones(plists)
	var phdr []byte
	for i, p := range f.presets {
		phdr = le16(le16(le16(append(phdr, name20(p.name)...), p.program), p.bank), uint16(pfirst[i]))
		phdr = append(phdr, make([]byte, 12)...)
	}
	phdr = le16(le16(le16(append(phdr, name20("EOP")...), 0), 0), uint16(pfirst[len(f.presets)]))
	phdr = append(phdr, make([]byte, 12)...)

	for k, v := range map[string][]byte{"phdr": phdr, "pbag": pbag, "pmod": pmod, "pgen": pgen,
		"inst": inst, "ibag": ibag, "imod": imod, "igen": igen, "shdr": shdr} {
		c[k] = v
	}
	if f.tweak != nil {
		f.tweak(c)
	}

	var extra []byte
	for _, e := range f.extra {
		extra = append(extra, chunk(e[0], []byte(e[1]))...)
	}
	var infoParts [][]byte
	infoParts = append(infoParts, extra)
	for _, id := range []string{"ifil", "isng", "INAM", "irom", "iver", "ICRD", "IENG", "IPRD", "ICOP", "ICMT", "ISFT"} {
		if b, ok := c["INFO/"+id]; ok {
			infoParts = append(infoParts, chunk(id, b))
		}
	}
	sdtaParts := [][]byte{extra}
	if b, ok := c["smpl"]; ok {
		sdtaParts = append(sdtaParts, chunk("smpl", b))
	}
	if b, ok := c["sm24"]; ok {
		sdtaParts = append(sdtaParts, chunk("sm24", b))
	}
	order := f.pdtaOrder
	if order == nil {
		order = pdtaIDs[:]
	}
	pdtaParts := [][]byte{extra}
	for _, id := range order {
		if b, ok := c[id]; ok {
			pdtaParts = append(pdtaParts, chunk(id, b))
		}
	}
	lists := map[string][]byte{
		"INFO": list("INFO", infoParts...),
		"sdta": list("sdta", sdtaParts...),
		"pdta": list("pdta", pdtaParts...),
	}
	lo := f.listOrder
	if lo == nil {
		lo = []string{"INFO", "sdta", "pdta"}
	}
	body := []byte("sfbk")
	body = append(body, extra...)
	for _, l := range lo {
		body = append(body, lists[l]...)
	}
	out := append(chunk("RIFF", body), f.trailing...)
	return out
}

// read parses b, failing the test on error.
func read(t testing.TB, b []byte, opt ...Options) *Font {
	t.Helper()
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	f, err := o.Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return f
}

// readErr parses b and returns its error, checking it is one line.
func readErr(t testing.TB, b []byte) error {
	t.Helper()
	_, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil && bytes.ContainsRune([]byte(err.Error()), '\n') {
		t.Fatalf("multi-line error %q", err)
	}
	return err
}

// oneSine is a font with one preset (0:0) of one instrument of one
// looped sine sample, the base most tests bend.
func oneSine() *tFont {
	return &tFont{
		samples: []tSample{{name: "sine", data: sine(64, 0.5), loopS: 8, loopE: 56}},
		insts:   []tInst{{name: "inst", zones: []tZone{zoneOf(gen(GenSampleModes, 1), sampleGen(0))}}},
		presets: []tPreset{{name: "Sine", zones: []tZone{zoneOf(instGen(0))}}},
	}
}

// only returns the preset's single region, failing otherwise.
func only(t testing.TB, p *Preset) *Region {
	t.Helper()
	if p == nil || len(p.AllRegions) != 1 {
		t.Fatalf("want exactly one region, got preset %+v", p)
	}
	return &p.AllRegions[0]
}

func TestWriterRoundTrip(t *testing.T) {
	f := read(t, oneSine().bytes())
	if f.Info.Name != "test font" || f.Info.Engine != "EMU8000" || f.Info.Version != (Version{2, 1}) {
		t.Fatalf("info %+v", f.Info)
	}
	if len(f.Presets) != 1 || f.Presets[0].Name != "Sine" || len(f.Samples) != 1 {
		t.Fatalf("presets %+v samples %+v", f.Presets, f.Samples)
	}
	s := f.Samples[0]
	want := sine(64, 0.5)
	if s.End-s.Start != len(want) {
		t.Fatalf("sample spans %d frames, want %d", s.End-s.Start, len(want))
	}
	for i, x := range want {
		if got := f.Pool[s.Start+i]; got != float32(x)/32768 {
			t.Fatalf("frame %d = %v, want %v", i, got, float32(x)/32768)
		}
	}
}
