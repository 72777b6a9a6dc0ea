package sf2

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestPoolLayout: every sample is converted (value / 32768), starts on a
// 64-byte boundary and has at least Guard zeros on both sides.
func TestPoolLayout(t *testing.T) {
	tf := oneSine()
	tf.samples = append(tf.samples,
		tSample{name: "saw", data: saw(33)},
		tSample{name: "tight", data: sine(20, 1), noGuardPadding: true},
		tSample{name: "next", data: saw(17)})
	f := read(t, tf.bytes())
	if addr := uintptr(unsafe.Pointer(&f.Pool[0])); addr%64 != 0 {
		t.Fatalf("pool starts at %#x, not 64-byte aligned", addr)
	}
	for i, s := range f.Samples {
		want := tf.samples[i].data
		if s.End-s.Start != len(want) {
			t.Fatalf("sample %d: %d frames, want %d", i, s.End-s.Start, len(want))
		}
		if s.Start%16 != 0 {
			t.Errorf("sample %d starts at %d, not on a 64-byte boundary", i, s.Start)
		}
		for k, x := range want {
			if f.Pool[s.Start+k] != float32(x)/32768 {
				t.Fatalf("sample %d frame %d = %v, want %v", i, k, f.Pool[s.Start+k], float32(x)/32768)
			}
		}
		if s.Start < Guard || s.End+Guard > len(f.Pool) {
			t.Fatalf("sample %d [%d,%d) leaves no guard in a pool of %d", i, s.Start, s.End, len(f.Pool))
		}
		for k := 1; k <= Guard; k++ {
			if f.Pool[s.Start-k] != 0 || f.Pool[s.End+k-1] != 0 {
				t.Fatalf("sample %d: guard frame %d not zero", i, k)
			}
		}
	}
}

// TestOverlappingSamplesShareData: samples whose frames overlap are copied
// once, so the pool never outgrows the sample data.
func TestOverlappingSamplesShareData(t *testing.T) {
	tf := oneSine()
	tf.samples = append(tf.samples, tSample{name: "part", data: sine(64, 0.5), fix: func(r *shdrRec) {
		r.start, r.end = 16, 60 // inside the first sample
		r.loopStart, r.loopEnd = 20, 40
	}})
	f := read(t, tf.bytes())
	a, b := f.Samples[0], f.Samples[1]
	if b.Start != a.Start+16 || b.End != a.Start+60 {
		t.Fatalf("overlapping sample at [%d,%d), want [%d,%d)", b.Start, b.End, a.Start+16, a.Start+60)
	}
	if len(f.Pool) > 64+46+2*Guard+16 {
		t.Fatalf("pool of %d floats for 110 frames of data", len(f.Pool))
	}
}

// Test24Bit: sm24 adds the low byte (value / 8388608) in a 2.04 font, is
// ignored in a 2.01 one and when its size is not half of smpl's.
func Test24Bit(t *testing.T) {
	mk := func(v Version) *tFont {
		tf := oneSine()
		tf.version = v
		tf.samples[0].data = []int16{0, 1, -1, 32767, -32768, 100, 0, 0}
		tf.samples[0].lsb = []byte{0x80, 0x01, 0xff, 0xff, 0x00, 0x7f, 0, 0}
		tf.samples[0].loopS, tf.samples[0].loopE = 1, 6
		return tf
	}
	f := read(t, mk(Version{2, 4}).bytes())
	s := f.Samples[0]
	want := []float32{128.0 / 8388608, (256 + 1) / 8388608.0, (-256 + 255) / 8388608.0, (32767*256 + 255) / 8388608.0, -1, (100*256 + 127) / 8388608.0}
	for i, w := range want {
		if got := f.Pool[s.Start+i]; got != w {
			t.Errorf("24-bit frame %d = %v, want %v", i, got, w)
		}
	}
	f = read(t, mk(Version{2, 1}).bytes())
	if got := f.Pool[f.Samples[0].Start+1]; got != 1.0/32768 {
		t.Errorf("2.01 font: frame 1 = %v, want the 16-bit %v", got, 1.0/32768)
	}
	bad := mk(Version{2, 4})
	bad.tweak = func(c map[string][]byte) { c["sm24"] = c["sm24"][:len(c["sm24"])-2] }
	f = read(t, bad.bytes())
	if got := f.Pool[f.Samples[0].Start+1]; got != 1.0/32768 {
		t.Errorf("short sm24: frame 1 = %v, want the 16-bit %v", got, 1.0/32768)
	}
}

// TestChunkOrderAndJunk: LISTs and hydra chunks in any order, unknown
// chunks (odd-sized, with and without their pad byte) and trailing bytes
// read as the plain font does.
func TestChunkOrderAndJunk(t *testing.T) {
	want := read(t, oneSine().bytes())
	cases := map[string]func(*tFont){
		"reversed pdta": func(f *tFont) {
			f.pdtaOrder = []string{"shdr", "igen", "imod", "ibag", "inst", "pgen", "pmod", "pbag", "phdr"}
		},
		"lists reordered": func(f *tFont) { f.listOrder = []string{"pdta", "INFO", "sdta"} },
		"unknown chunks":  func(f *tFont) { f.extra = [][2]string{{"junk", "odd"}, {"zzzz", "even"}} },
		"trailing bytes":  func(f *tFont) { f.trailing = []byte("trailing junk after the RIFF") },
	}
	for name, bend := range cases {
		tf := oneSine()
		bend(tf)
		got := read(t, tf.bytes())
		if !reflect.DeepEqual(got.Presets, want.Presets) || !reflect.DeepEqual(got.Samples, want.Samples) {
			t.Errorf("%s: font differs from the plain one", name)
		}
	}
	// An odd chunk without its pad byte (MuseScore's SF3 files): remove
	// the pad of the odd unknown chunk in INFO.
	tf := oneSine()
	tf.extra = [][2]string{{"junk", "odd"}}
	b := tf.bytes()
	i := indexOf(b, "junk")
	nopad := append(append([]byte{}, b[:i+8+3]...), b[i+8+4:]...)
	fixSizes(nopad, -1, i)
	got := read(t, nopad)
	if !reflect.DeepEqual(got.Presets, want.Presets) || got.Info.Name != want.Info.Name {
		t.Errorf("missing pad byte: font differs from the plain one")
	}
}

func indexOf(b []byte, s string) int {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

// fixSizes adds d to the size of every LIST or RIFF chunk that encloses
// byte pos of b.
func fixSizes(b []byte, d, pos int) {
	var walk func(start, end int)
	walk = func(start, end int) {
		for p := start; p+8 <= end; {
			id := string(b[p : p+4])
			size := int(uint32(b[p+4]) | uint32(b[p+5])<<8 | uint32(b[p+6])<<16 | uint32(b[p+7])<<24)
			if (id == "RIFF" || id == "LIST") && p < pos && pos < p+8+size {
				size += d
				b[p+4], b[p+5], b[p+6], b[p+7] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
				walk(p+12, p+8+size)
				return
			}
			p += 8 + size + size%2
		}
	}
	walk(0, len(b))
}

// TestStereoLink: a left/right pair keeps its link; a link out of range
// or on a mono sample is -1.
func TestStereoLink(t *testing.T) {
	tf := oneSine()
	tf.samples = []tSample{
		{name: "L", data: sine(32, 0.5), typ: SampleLeft, link: 1},
		{name: "R", data: sine(32, 0.5), typ: SampleRight, link: 0},
		{name: "mono", data: sine(32, 0.5), typ: SampleMono, link: 0},
		{name: "bad", data: sine(32, 0.5), typ: SampleLeft, link: 99},
	}
	f := read(t, tf.bytes())
	for i, want := range []int{1, 0, -1, -1} {
		if f.Samples[i].Link != want {
			t.Errorf("sample %d link %d, want %d", i, f.Samples[i].Link, want)
		}
	}
}

// TestPresetLookup: presets sorted by bank and program; Preset finds them;
// PresetWithFallback follows FluidSynth's GS-mode fallbacks.
func TestPresetLookup(t *testing.T) {
	tf := oneSine()
	tf.presets = nil
	for _, bp := range [][2]uint16{{128, 0}, {0, 5}, {8, 5}, {0, 0}, {128, 25}, {0, 5}} {
		tf.presets = append(tf.presets, tPreset{name: "p", bank: bp[0], program: bp[1], zones: []tZone{zoneOf(instGen(0))}})
	}
	tf.presets[1].name, tf.presets[5].name = "first 0:5", "second 0:5"
	f := read(t, tf.bytes())
	var got [][2]uint16
	for _, p := range f.Presets {
		got = append(got, [2]uint16{p.Bank, p.Program})
	}
	if want := [][2]uint16{{0, 0}, {0, 5}, {0, 5}, {8, 5}, {128, 0}, {128, 25}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if p := f.Preset(0, 5); p == nil || p.Name != "first 0:5" {
		t.Fatalf("Preset(0,5) = %+v, want the first in file order", p)
	}
	if f.Preset(1, 0) != nil || f.Preset(0, 1) != nil {
		t.Fatal("Preset found one that is not there")
	}
	check := func(bank, prog uint16, drum bool, wb, wp uint16) {
		t.Helper()
		p := f.PresetWithFallback(bank, prog, drum)
		if p == nil || p.Bank != wb || p.Program != wp {
			t.Errorf("PresetWithFallback(%d, %d, drum %v) = %+v, want %d:%d", bank, prog, drum, p, wb, wp)
		}
	}
	check(8, 5, false, 8, 5)
	check(9, 5, false, 0, 5) // missing bank: bank 0
	check(9, 7, false, 0, 0) // missing program too: 0:0
	check(0, 25, true, 128, 25)
	check(3, 25, true, 128, 25) // bank select is ignored on drums
	check(0, 30, true, 128, 0)  // missing kit: kit 0
	empty := &Font{}
	if empty.PresetWithFallback(0, 0, true) != nil || empty.PresetWithFallback(0, 0, false) != nil {
		t.Error("fallback found a preset in an empty font")
	}
}

// TestRegionsLookup: Regions returns the matching regions and allocates
// nothing when dst has room.
func TestRegionsLookup(t *testing.T) {
	tf := oneSine()
	tf.insts[0].zones = []tZone{
		zoneOf(keys(0, 59), sampleGen(0)),
		zoneOf(keys(60, 127), vels(0, 63), sampleGen(0)),
		zoneOf(keys(60, 127), vels(64, 127), sampleGen(0)),
		zoneOf(keys(40, 70), sampleGen(0)),
	}
	f := read(t, tf.bytes())
	p := f.Preset(0, 0)
	dst := make([]*Region, 0, 8)
	for _, c := range []struct {
		key, vel uint8
		want     []int
	}{{10, 100, []int{0}}, {50, 10, []int{0, 3}}, {65, 10, []int{1, 3}}, {65, 64, []int{2, 3}}, {100, 127, []int{2}}} {
		got := p.Regions(c.key, c.vel, dst[:0])
		var idx []int
		for _, r := range got {
			idx = append(idx, int((uintptr(unsafe.Pointer(r))-uintptr(unsafe.Pointer(&p.AllRegions[0])))/unsafe.Sizeof(Region{})))
		}
		if !reflect.DeepEqual(idx, c.want) {
			t.Errorf("key %d vel %d: regions %v, want %v", c.key, c.vel, idx, c.want)
		}
	}
	if got := (*Preset)(nil).Regions(60, 60, dst[:0]); len(got) != 0 {
		t.Error("a nil preset has regions")
	}
	allocs := testing.AllocsPerRun(100, func() { dst = p.Regions(65, 64, dst[:0]) })
	if allocs != 0 {
		t.Fatalf("Regions allocated %v times", allocs)
	}
}

// TestConcurrentLookups: one Font serves many goroutines at once (run
// with -race).
func TestConcurrentLookups(t *testing.T) {
	f := read(t, richFont().bytes())
	done := make(chan int)
	for g := range 4 {
		go func() {
			n := 0
			dst := make([]*Region, 0, 8)
			for i := range 2000 {
				p := f.PresetWithFallback(uint16(i%3), uint16(g%2), g%2 == 1)
				dst = p.Regions(uint8(i%128), uint8(1+i%127), dst[:0])
				for _, r := range dst {
					n += len(r.Mods) + int(f.Pool[r.Start]*0)
				}
			}
			done <- n
		}()
	}
	for range 4 {
		if <-done == 0 {
			t.Error("a goroutine found no regions")
		}
	}
}
