package sf2

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"
)

// seedFonts are the fuzz seeds: small fonts from the writer.
func seedFonts() map[string][]byte {
	seeds := map[string][]byte{
		"one-sine": oneSine().bytes(),
		"rich":     richFont().bytes(),
	}
	tf := oneSine()
	tf.version = Version{2, 4}
	tf.samples[0].lsb = make([]byte, 64)
	tf.samples = append(tf.samples, tSample{name: "overlap", data: saw(16), fix: func(r *shdrRec) { r.start, r.end = 10, 40 }})
	tf.extra = [][2]string{{"junk", "odd"}}
	tf.pdtaOrder = []string{"shdr", "phdr", "pbag", "pmod", "pgen", "inst", "ibag", "imod", "igen"}
	seeds["sm24-overlap-junk"] = tf.bytes()
	tf = modFont([]Modulator{cc74ToFc, key2pan}, []Modulator{vel2att, {Src: 0x81, Dest: linkFlag | 1, Amount: 3}}, []Modulator{cc1ToVib}, []Modulator{vel2fc})
	seeds["modulators"] = tf.bytes()
	seeds["wav"] = []byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x44\xac\x00\x00\x88\x58\x01\x00\x02\x00\x10\x00data\x00\x00\x00\x00")
	return seeds
}

// TestWriteFuzzCorpus writes the seeds into testdata/fuzz/FuzzRead when
// AETHER_WRITE_FUZZ_CORPUS=1 (the files are committed).
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("AETHER_WRITE_FUZZ_CORPUS") != "1" {
		t.Skip("set AETHER_WRITE_FUZZ_CORPUS=1 to rewrite testdata/fuzz/FuzzRead")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range seedFonts() {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzRead asserts Read never panics, that its errors are one line and
// wrap a package error, and that a font it accepts keeps every promise:
// aligned pool, samples and regions inside it with zero guards around
// each sample, presets sorted, lookups within range. Its seeds are
// testdata/fuzz/FuzzRead (see TestWriteFuzzCorpus).
func FuzzRead(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "sf2: ") {
				t.Fatalf("bad error text %q", msg)
			}
			kinds := []error{ErrNotSoundFont, ErrTruncated, ErrCorrupt, ErrUnsupported, ErrLimit}
			found := false
			for _, k := range kinds {
				found = found || errors.Is(err, k)
			}
			if !found {
				t.Fatalf("error %q wraps no package error", msg)
			}
			return
		}
		if len(font.Pool) > 0 && uintptr(unsafe.Pointer(&font.Pool[0]))%64 != 0 {
			t.Fatal("pool not aligned")
		}
		if len(font.Pool) > len(data)+64*(len(font.Samples)+1) {
			t.Fatalf("pool of %d floats from %d bytes", len(font.Pool), len(data))
		}
		checkFont(t, font)
		for i, s := range font.Samples {
			if s.End == s.Start {
				continue
			}
			for k := 1; k <= Guard; k++ {
				if s.Start-k < 0 || s.End+k-1 >= len(font.Pool) {
					t.Fatalf("sample %d has no guard", i)
				}
			}
		}
		var dst []*Region
		for i := range font.Presets {
			p := &font.Presets[i]
			if i > 0 {
				q := &font.Presets[i-1]
				if q.Bank > p.Bank || q.Bank == p.Bank && q.Program > p.Program {
					t.Fatal("presets not sorted")
				}
			}
			if font.Preset(p.Bank, p.Program) == nil {
				t.Fatal("Preset cannot find a preset of the font")
			}
			dst = p.Regions(60, 100, dst[:0])
			for _, r := range dst {
				if r.KeyLo > 60 || r.KeyHi < 60 || r.VelLo > 100 || r.VelHi < 100 {
					t.Fatal("Regions returned a region out of range")
				}
			}
		}
		checkLazy(t, data, font)
	})
}

// checkLazy reads data again lazily and prepares every preset: its
// regions must then be the eager read's, and each region's sample, guards
// included, must hold what the eager read holds.
func checkLazy(t *testing.T, data []byte, eager *Font) {
	lazy, err := Options{Lazy: true}.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("a font read whole fails lazily: %v", err)
	}
	for i := range lazy.Presets {
		p := &lazy.Presets[i]
		if err := lazy.Prepare(p); err != nil || !lazy.Prepared(p) {
			t.Fatalf("Prepare of an in-memory font: %v", err)
		}
		// (A preset without regions has nil ones lazily, an empty slice
		// eagerly.)
		if e := eager.Presets[i].AllRegions; len(p.AllRegions) != len(e) || len(e) > 0 && !reflect.DeepEqual(p.AllRegions, e) {
			t.Fatalf("preset %d: the regions Prepare made differ from the eager read's", i)
		}
		for _, r := range p.AllRegions {
			s := &lazy.Samples[r.Sample]
			a, b := lazy.Pool[s.Start-Guard:s.End+Guard], eager.Pool[s.Start-Guard:s.End+Guard]
			if !slices.Equal(a, b) {
				t.Fatalf("preset %d: sample %d differs from the eager read once prepared", i, r.Sample)
			}
		}
	}
}
