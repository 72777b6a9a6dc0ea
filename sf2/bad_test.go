package sf2

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// richFont has a bit of everything: two presets with global zones,
// modulators, a stereo pair, 24-bit data.
func richFont() *tFont {
	return &tFont{
		version: Version{2, 4},
		samples: []tSample{
			{name: "sine", data: sine(48, 0.5), loopS: 4, loopE: 44, lsb: make([]byte, 48)},
			{name: "L", data: saw(24), typ: SampleLeft, link: 2, loopS: 2, loopE: 20},
			{name: "R", data: saw(24), typ: SampleRight, link: 1, loopS: 2, loopE: 20},
		},
		insts: []tInst{
			{name: "sine", zones: []tZone{
				{gens: []genRec{gen(GenReleaseVolEnv, -1200)}, mods: []Modulator{cc74ToFc}},
				{gens: []genRec{keys(0, 63), gen(GenSampleModes, 1), sampleGen(0)}},
				{gens: []genRec{keys(64, 127), vels(0, 100), gen(GenOverridingRootKey, 72), sampleGen(0)}, mods: []Modulator{vel2att}},
			}},
			{name: "stereo", zones: []tZone{
				zoneOf(gen(GenPan, -500), gen(GenSampleModes, 3), sampleGen(1)),
				zoneOf(gen(GenPan, 500), gen(GenSampleModes, 3), sampleGen(2)),
			}},
		},
		presets: []tPreset{
			{name: "Sine", zones: []tZone{
				{gens: []genRec{gen(GenCoarseTune, -12)}, mods: []Modulator{key2pan}},
				zoneOf(keys(20, 100), instGen(0)),
			}},
			{name: "Stereo", bank: 128, program: 1, zones: []tZone{zoneOf(instGen(1))}},
		},
	}
}

// checkErr asserts err is one line, starts "sf2: " and wraps kind.
func checkErr(t *testing.T, what string, err, kind error) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error", what)
	case strings.Contains(err.Error(), "\n"):
		t.Errorf("%s: multi-line error %q", what, err)
	case !strings.HasPrefix(err.Error(), "sf2: "):
		t.Errorf("%s: error %q does not start with \"sf2: \"", what, err)
	case kind != nil && !errors.Is(err, kind):
		t.Errorf("%s: error %q is not %v", what, err, kind)
	}
}

// TestTruncatedEverywhere: every proper prefix of a small font is an
// error, one line, with bounded memory.
func TestTruncatedEverywhere(t *testing.T) {
	b := richFont().bytes()
	read(t, b)
	var before, after runtime.MemStats
	for n := 0; n < len(b); n++ {
		runtime.ReadMemStats(&before)
		err := readErr(t, b[:n])
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Fatalf("prefix of %d bytes read without error", n)
		}
		checkErr(t, "prefix", err, nil)
		if !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrNotSoundFont) {
			t.Fatalf("prefix of %d bytes: %v, want truncated", n, err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Fatalf("prefix of %d bytes allocated %d bytes", n, grew)
		}
	}
}

// bent returns richFont's bytes after fn edits its chunks.
func bent(fn func(c map[string][]byte)) []byte {
	tf := richFont()
	tf.tweak = fn
	return tf.bytes()
}

func put16(b []byte, off int, v uint16) { binary.LittleEndian.PutUint16(b[off:], v) }

// TestBadFonts: each broken font fails with a one-line error naming the
// place, wrapping the right kind.
func TestBadFonts(t *testing.T) {
	riffWave := []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	cases := []struct {
		name string
		b    []byte
		kind error
		msg  string
	}{
		{"empty", nil, ErrNotSoundFont, "not a RIFF"},
		{"WAV renamed", riffWave, ErrNotSoundFont, `RIFF form "WAVE"`},
		{"text", []byte("this is not a soundfont at all, just text"), ErrNotSoundFont, "not a RIFF"},
		{"absurd RIFF size", func() []byte {
			b := richFont().bytes()
			binary.LittleEndian.PutUint32(b[4:], 0xffffffff)
			return b
		}(), ErrTruncated, "RIFF: declares"},
		{"version 1", func() []byte { tf := richFont(); tf.version = Version{1, 0}; return tf.bytes() }(), ErrUnsupported, "version 1.00"},
		{"SF3 sample", func() []byte {
			tf := richFont()
			tf.samples[1].typ = SampleVorbis | SampleLeft
			return tf.bytes()
		}(), ErrUnsupported, "an SF3 sample (Ogg Vorbis); reading SF3 fonts takes sf2.Options.Decoder"},
		{"no pdta", func() []byte { tf := richFont(); tf.listOrder = []string{"INFO", "sdta"}; return tf.bytes() }(), ErrCorrupt, "no LIST pdta"},
		{"no igen", bent(func(c map[string][]byte) { delete(c, "igen") }), ErrCorrupt, "pdta: no igen chunk"},
		{"bad ifil size", bent(func(c map[string][]byte) { c["INFO/ifil"] = []byte{2, 0} }), ErrCorrupt, "INFO/ifil: 2 bytes"},
		{"phdr record size", bent(func(c map[string][]byte) { c["phdr"] = c["phdr"][:len(c["phdr"])-1] }), ErrCorrupt, "pdta/phdr: 113 bytes, not a whole number of 38-byte records"},
		{"empty phdr", bent(func(c map[string][]byte) { c["phdr"] = nil }), ErrCorrupt, "pdta/phdr: empty (no terminal record)"},
		{"empty pbag", bent(func(c map[string][]byte) { c["pbag"] = nil }), ErrCorrupt, "pdta/pbag: empty"},
		{"empty inst", bent(func(c map[string][]byte) { c["inst"] = nil }), ErrCorrupt, "pdta/inst: empty"},
		{"empty ibag", bent(func(c map[string][]byte) { c["ibag"] = nil }), ErrCorrupt, "pdta/ibag: empty"},
		{"empty shdr", bent(func(c map[string][]byte) { c["shdr"] = nil }), ErrCorrupt, "pdta/shdr: empty"},
		{"empty igen in use", bent(func(c map[string][]byte) { c["igen"] = nil }), ErrCorrupt, "past the end of igen (0 records)"},
		{"phdr bag backwards", bent(func(c map[string][]byte) { put16(c["phdr"], 38+24, 0); put16(c["phdr"], 24, 1) }), ErrCorrupt, "pdta/phdr record 1: bag index 0 goes backwards (previous 1)"},
		{"terminal bag past pbag", bent(func(c map[string][]byte) { put16(c["phdr"], 2*38+24, 65535) }), ErrCorrupt, "pdta/phdr record 2 (terminal): bag index 65535 past the last pbag record (4 records)"},
		{"pbag gen backwards", bent(func(c map[string][]byte) { put16(c["pbag"], 4, 0); put16(c["pbag"], 0, 1) }), ErrCorrupt, "pdta/pbag record 1: generator index 0 goes backwards (previous 1)"},
		{"ibag mod backwards", bent(func(c map[string][]byte) { put16(c["ibag"], 4*3+2, 0) }), ErrCorrupt, "pdta/ibag record 3: modulator index 0 goes backwards (previous 1)"},
		{"pbag gen past pgen", bent(func(c map[string][]byte) { put16(c["pbag"], 3*4, 40000) }), ErrCorrupt, "pdta/pbag record 3: generator index 40000 past the end of pgen"},
		{"instrument out of range", bent(func(c map[string][]byte) { put16(c["pgen"], 2*4+2, 7) }), ErrCorrupt, "pdta/pgen record 2: instrument 7 out of range (2 instruments)"},
		{"sample out of range", bent(func(c map[string][]byte) { put16(c["igen"], 3*4+2, 9) }), ErrCorrupt, "pdta/igen record 3: sample 9 out of range (3 samples)"},
		{"odd INFO string (not an error)", bent(func(c map[string][]byte) { c["INFO/ICMT"] = []byte("x") }), nil, ""},
		{"duplicate chunk", func() []byte { tf := richFont(); tf.pdtaOrder = append(pdtaIDs[:], "shdr"); return tf.bytes() }(), ErrCorrupt, "pdta: a second shdr chunk"},
	}
	for _, c := range cases {
		err := readErr(t, c.b)
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		checkErr(t, c.name, err, c.kind)
		if err != nil && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error %q does not say %q", c.name, err, c.msg)
		}
	}
}

// TestChunkPastParent: a chunk whose size runs past its LIST is
// truncation, named.
func TestChunkPastParent(t *testing.T) {
	b := richFont().bytes()
	i := indexOf(b, "pbag")
	binary.LittleEndian.PutUint32(b[i+4:], 100000)
	err := readErr(t, b)
	checkErr(t, "pbag too long", err, ErrTruncated)
	if err != nil && !strings.Contains(err.Error(), "pdta/pbag at byte") {
		t.Errorf("error %q does not name pdta/pbag", err)
	}
}

// TestRegionLimit: preset zones x instrument zones beyond the limit is
// ErrLimit, not an allocation of the product.
func TestRegionLimit(t *testing.T) {
	tf := oneSine()
	var iz, pz []tZone
	for range 400 {
		iz = append(iz, zoneOf(sampleGen(0)))
		pz = append(pz, zoneOf(instGen(0)))
	}
	tf.insts[0].zones, tf.presets[0].zones = iz, pz
	err := readErr(t, tf.bytes())
	checkErr(t, "160000 regions", err, ErrLimit)
}

// TestRandomBytes: random input, and random bytes after a valid header,
// never panic and fail in one line.
func TestRandomBytes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := richFont().bytes()
	for i := range 2000 {
		var b []byte
		switch i % 3 {
		case 0:
			b = make([]byte, rng.IntN(300))
			for k := range b {
				b[k] = byte(rng.Uint32())
			}
		case 1:
			b = append([]byte("RIFF\xff\x00\x00\x00sfbkLIST"), make([]byte, rng.IntN(300))...)
			for k := 16; k < len(b); k++ {
				b[k] = byte(rng.Uint32())
			}
		default: // flip a few bytes of a valid font
			b = append([]byte(nil), base...)
			for range 1 + rng.IntN(4) {
				b[rng.IntN(len(b))] = byte(rng.Uint32())
			}
		}
		if err := readErr(t, b); err != nil {
			checkErr(t, "random", err, nil)
		}
	}
}
