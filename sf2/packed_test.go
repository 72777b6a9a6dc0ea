package sf2

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"
)

// fakeDecoder stands in for an Ogg Vorbis decoder: a stream is "FAKE",
// a uint32 frame count it declares, then int16 frames.
type fakeDecoder struct{}

func fakeStream(declared int, frames []int16) []byte {
	b := le32([]byte("FAKE"), uint32(declared))
	for _, x := range frames {
		b = le16(b, uint16(x))
	}
	return b
}

func (fakeDecoder) Frames(s []byte) (int, error) {
	if len(s) < 8 || string(s[:4]) != "FAKE" {
		return 0, errors.New("not a fake stream")
	}
	return int(binary.LittleEndian.Uint32(s[4:])), nil
}

func (fakeDecoder) Decode(dst []float32, s []byte) error {
	data := s[8:]
	if len(data)/2 != len(dst) {
		return fmt.Errorf("decodes to %d frames, declares %d", len(data)/2, len(dst))
	}
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:]))) / 32768
	}
	return nil
}

// sf3Font is oneSine with its sample replaced by compressed streams,
// one sample per stream (loops relative to each sample), laid out in
// smpl one after the other as MuseScore writes them.
func sf3Font(streams [][]byte, loops [][2]int64) *tFont {
	tf := oneSine()
	tf.version = Version{3, 1}
	tf.samples = nil
	var smpl []byte
	for k, st := range streams {
		start, end := int64(len(smpl)), int64(len(smpl)+len(st))
		smpl = append(smpl, st...)
		lp := loops[k]
		tf.samples = append(tf.samples, tSample{name: fmt.Sprintf("ogg%d", k), data: []int16{0, 0}, fix: func(r *shdrRec) {
			r.start, r.end, r.loopStart, r.loopEnd = start, end, lp[0], lp[1]
			r.typ |= SampleVorbis
		}})
	}
	tf.tweak = func(c map[string][]byte) { c["smpl"] = smpl }
	return tf
}

func readSF3(b []byte) (*Font, error) {
	return Options{Decoder: fakeDecoder{}}.Read(bytes.NewReader(b), int64(len(b)))
}

func TestSF3WithoutDecoder(t *testing.T) {
	b := sf3Font([][]byte{fakeStream(4, []int16{1, 2, 3, 4})}, [][2]int64{{0, 0}}).bytes()
	err := readErr(t, b)
	if !errors.Is(err, ErrUnsupported) {
		t.Fatalf("err = %v, want ErrUnsupported", err)
	}
	for _, want := range []string{"pdta/shdr record 0", `"ogg0"`, "sf2.Options.Decoder", "sf2/sf3"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestSF3Decoded(t *testing.T) {
	a := sine(100, 0.5)
	b := saw(37)
	tf := sf3Font([][]byte{fakeStream(len(a), a), fakeStream(len(b), b)}, [][2]int64{{10, 90}, {40, 5}})
	tf.insts[0].zones = append(tf.insts[0].zones, zoneOf(keys(70, 127), gen(GenSampleModes, 1), sampleGen(1)))
	tf.insts[0].zones[0].gens = append([]genRec{keys(0, 69)}, tf.insts[0].zones[0].gens...)
	f, err := readSF3(tf.bytes())
	if err != nil {
		t.Fatal(err)
	}
	checkFont(t, f)
	if f.Info.Version != (Version{3, 1}) {
		t.Fatalf("version %v", f.Info.Version)
	}
	for k, want := range [][]int16{a, b} {
		s := f.Samples[k]
		if s.End-s.Start != len(want) {
			t.Fatalf("sample %d: %d frames, want %d", k, s.End-s.Start, len(want))
		}
		if uintptr(unsafe.Pointer(&f.Pool[s.Start]))%64 != 0 {
			t.Errorf("sample %d not 64-byte aligned", k)
		}
		for i, x := range want {
			if got := f.Pool[s.Start+i]; got != float32(x)/32768 {
				t.Fatalf("sample %d frame %d = %v, want %v", k, i, got, float32(x)/32768)
			}
		}
		for g := 1; g <= Guard; g++ {
			if f.Pool[s.Start-g] != 0 || f.Pool[s.End+g-1] != 0 {
				t.Fatalf("sample %d: guard frame %d not zero", k, g)
			}
		}
	}
	// Loops count frames from each sample's first frame; the second,
	// past its end, is sanitised as FluidSynth does (end moves to the
	// sample's end after the swap).
	s0, s1 := f.Samples[0], f.Samples[1]
	if s0.LoopStart != s0.Start+10 || s0.LoopEnd != s0.Start+90 {
		t.Errorf("sample 0 loop [%d,%d), want [%d,%d)", s0.LoopStart-s0.Start, s0.LoopEnd-s0.Start, 10, 90)
	}
	if s1.LoopStart != s1.Start+5 || s1.LoopEnd != s1.End {
		t.Errorf("sample 1 loop [%d,%d), want [5,%d)", s1.LoopStart-s1.Start, s1.LoopEnd-s1.Start, len(b))
	}
	r := f.Preset(0, 0).Regions(80, 100, nil)
	if len(r) != 1 || r[0].Sample != 1 || r[0].Start != s1.Start || r[0].End != s1.End || r[0].LoopMode != 1 {
		t.Fatalf("key 80 plays %+v", r)
	}
}

func TestSF3Bad(t *testing.T) {
	good := fakeStream(4, []int16{1, 2, 3, 4})
	many := make([][]byte, 200)
	loops := make([][2]int64, 200)
	for i := range many {
		many[i] = fakeStream(int(maxPackedFrames(8)), nil)
	}
	for _, c := range []struct {
		name    string
		font    *tFont
		kind    error
		message string
	}{
		{"not a stream", sf3Font([][]byte{good, []byte("garbage!")}, [][2]int64{{}, {}}), ErrCorrupt, `pdta/shdr record 1 ("ogg1"): Ogg Vorbis stream at smpl byte 16: not a fake stream`},
		{"short", sf3Font([][]byte{good, fakeStream(5, []int16{1, 2, 3, 4})}, [][2]int64{{}, {}}), ErrCorrupt, `pdta/shdr record 1 ("ogg1"): Ogg Vorbis stream at smpl byte 16: decodes to 4 frames, declares 5`},
		{"too long for its bytes", sf3Font([][]byte{fakeStream(int(maxPackedFrames(8))+1, nil)}, [][2]int64{{}}), ErrLimit, `pdta/shdr record 0 ("ogg0"): 8 bytes of Ogg Vorbis declare 6145 frames (at most 6144)`},
		{"too long for the font", sf3Font(many, loops), ErrLimit, `compressed samples declare more than`},
	} {
		_, err := readSF3(c.font.bytes())
		if !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.message) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err = %v, want %v containing %q", c.name, err, c.kind, c.message)
		}
	}
}

// TestSF3Unplayable: a stream outside smpl, an empty one, one of under 2
// frames and a sample of rate 0 make samples no region uses, as in
// FluidSynth, instead of rejecting the font.
func TestSF3Unplayable(t *testing.T) {
	good := fakeStream(4, []int16{1, 2, 3, 4})
	for _, c := range []struct {
		name string
		fix  func(r *shdrRec)
	}{
		{"past smpl", func(r *shdrRec) { r.end += 1000 }},
		{"empty", func(r *shdrRec) { r.end = r.start }},
		{"rate 0", func(r *shdrRec) { r.rate = 0 }},
		{"ROM", func(r *shdrRec) { r.typ |= SampleROM }},
	} {
		tf := sf3Font([][]byte{good}, [][2]int64{{}})
		fix := tf.samples[0].fix
		tf.samples[0].fix = func(r *shdrRec) { fix(r); c.fix(r) }
		f, err := readSF3(tf.bytes())
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if s := f.Samples[0]; s.End != s.Start || len(f.Presets[0].AllRegions) != 0 {
			t.Errorf("%s: sample [%d,%d) with %d regions, want unplayable", c.name, s.Start, s.End, len(f.Presets[0].AllRegions))
		}
	}
	f, err := readSF3(sf3Font([][]byte{fakeStream(1, []int16{7})}, [][2]int64{{}}).bytes())
	if err != nil || f.Samples[0].End != f.Samples[0].Start {
		t.Fatalf("one-frame sample: %v, %+v", err, f.Samples)
	}
}

// nanDecoder decodes like fakeDecoder, then spoils frame 2.
type nanDecoder struct{ fakeDecoder }

func (d nanDecoder) Decode(dst []float32, s []byte) error {
	err := d.fakeDecoder.Decode(dst, s)
	dst[2] = float32(math.NaN())
	return err
}

// A decoder breaking its contract (values in [-1, 1]) is caught at load:
// no NaN reaches the pool.
func TestSF3DecoderOutOfRange(t *testing.T) {
	b := sf3Font([][]byte{fakeStream(4, []int16{1, 2, 3, 4})}, [][2]int64{{}}).bytes()
	_, err := Options{Decoder: nanDecoder{}}.Read(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), `pdta/shdr record 0 ("ogg0"): decoded frame 2 is NaN`) {
		t.Fatalf("err = %v, want ErrCorrupt naming record 0 and frame 2", err)
	}
}
