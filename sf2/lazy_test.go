package sf2

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// countingReader counts the bytes read through it and fails every read
// while broken is set.
type countingReader struct {
	r      *bytes.Reader
	n      atomic.Int64
	broken atomic.Bool
}

func (c *countingReader) ReadAt(b []byte, off int64) (int, error) {
	if c.broken.Load() {
		return 0, errors.New("device gone")
	}
	n, err := c.r.ReadAt(b, off)
	c.n.Add(int64(n))
	return n, err
}

// twoPresets is a font of three samples: preset 0:0 plays the first two,
// preset 0:1 the third, which is large, so that what a lazy read of
// preset 0:0 costs can be told from what the whole font costs.
func twoPresets(version Version, lsb bool) *tFont {
	tf := &tFont{
		version: version,
		samples: []tSample{
			{name: "sine", data: sine(64, 0.5), loopS: 8, loopE: 56},
			{name: "saw", data: saw(100)},
			{name: "big", data: sine(100_000, 0.9)},
		},
		insts: []tInst{
			{name: "pair", zones: []tZone{zoneOf(keys(0, 63), sampleGen(0)), zoneOf(keys(64, 127), sampleGen(1))}},
			{name: "big", zones: []tZone{zoneOf(sampleGen(2))}},
		},
		presets: []tPreset{
			{name: "Pair", zones: []tZone{zoneOf(instGen(0))}},
			{name: "Big", program: 1, zones: []tZone{zoneOf(instGen(1))}},
		},
	}
	if lsb {
		for i := range tf.samples {
			s := &tf.samples[i]
			s.lsb = make([]byte, len(s.data))
			for k := range s.lsb {
				s.lsb[k] = byte(k*7 + i)
			}
		}
	}
	return tf
}

// samplePool returns the pool frames of sample i, guards included.
func samplePool(f *Font, i int) []float32 {
	s := f.Samples[i]
	return f.Pool[s.Start-Guard : s.End+Guard]
}

// TestLazyPrepare: a lazy font's pool is untouched at load and its
// presets have no regions yet (NumRegions counts them all the same);
// Prepare makes exactly its preset's regions, those of an eager read, and
// converts exactly its samples, to the values an eager read gives (16-
// and 24-bit), reading a fraction of the file; Prepared follows it; an
// eager font is prepared throughout.
func TestLazyPrepare(t *testing.T) {
	for _, c := range []struct {
		name    string
		version Version
		lsb     bool
	}{{"16-bit", Version{2, 1}, false}, {"24-bit", Version{2, 4}, true}} {
		t.Run(c.name, func(t *testing.T) {
			b := twoPresets(c.version, c.lsb).bytes()
			eager := read(t, b)
			for i := range eager.Presets {
				if !eager.Prepared(&eager.Presets[i]) || eager.Prepare(&eager.Presets[i]) != nil {
					t.Fatalf("eager font: preset %d not prepared", i)
				}
			}
			src := &countingReader{r: bytes.NewReader(b)}
			lazy, err := Options{Lazy: true}.Read(src, int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(eager.Samples, lazy.Samples) || len(eager.Pool) != len(lazy.Pool) {
				t.Fatal("lazy and eager reads lay the samples out differently")
			}
			loaded := src.n.Load()
			if slices.ContainsFunc(lazy.Pool, func(x float32) bool { return x != 0 }) {
				t.Fatal("a lazy read converted samples at load")
			}
			pair, big := lazy.Preset(0, 0), lazy.Preset(0, 1)
			if lazy.Prepared(pair) || lazy.Prepared(big) {
				t.Fatal("a preset is prepared before Prepare")
			}
			if pair.AllRegions != nil || big.AllRegions != nil {
				t.Fatal("a lazy read made regions at load")
			}
			if n := lazy.NumRegions(); n != 3 || eager.NumRegions() != n {
				t.Fatalf("NumRegions: lazy %d, eager %d, want 3", n, eager.NumRegions())
			}
			if !lazy.Prepared(nil) || lazy.Prepare(nil) != nil {
				t.Fatal("a nil preset (a lookup that found none) is not prepared")
			}
			if err := lazy.Prepare(pair); err != nil {
				t.Fatal(err)
			}
			if !lazy.Prepared(pair) || lazy.Prepared(big) {
				t.Fatalf("after Prepare(Pair): prepared %v and %v, want true and false", lazy.Prepared(pair), lazy.Prepared(big))
			}
			if !reflect.DeepEqual(pair.AllRegions, eager.Preset(0, 0).AllRegions) || big.AllRegions != nil {
				t.Fatalf("after Prepare(Pair): regions %+v and %d of Big, want the eager read's and none", pair.AllRegions, len(big.AllRegions))
			}
			for i := range 2 {
				if !slices.Equal(samplePool(lazy, i), samplePool(eager, i)) {
					t.Fatalf("sample %d differs from the eager read", i)
				}
			}
			if slices.ContainsFunc(samplePool(lazy, 2), func(x float32) bool { return x != 0 }) {
				t.Fatal("Prepare(Pair) converted the sample only Big plays")
			}
			if read := src.n.Load() - loaded; read > 1000 {
				t.Fatalf("Prepare(Pair) read %d bytes for 164 frames", read)
			}
			if err := lazy.Prepare(big); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(lazy.Pool, eager.Pool) {
				t.Fatal("with every preset prepared, the pool differs from the eager read")
			}
			before := src.n.Load()
			if err := lazy.Prepare(big); err != nil || src.n.Load() != before {
				t.Fatalf("preparing again: error %v, %d bytes read", err, src.n.Load()-before)
			}
		})
	}
}

// TestLazyPrepareErrors: a file that cannot be read at Prepare gives a
// one-line ErrTruncated error and leaves the preset unprepared, and a
// later call succeeds; a preset of another font is refused.
func TestLazyPrepareErrors(t *testing.T) {
	b := twoPresets(Version{2, 1}, false).bytes()
	src := &countingReader{r: bytes.NewReader(b)}
	f, err := Options{Lazy: true}.Read(src, int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	p := f.Preset(0, 1)
	src.broken.Store(true)
	err = f.Prepare(p)
	if !errors.Is(err, ErrTruncated) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "sdta/smpl") {
		t.Fatalf("Prepare on a broken file: %v, want one ErrTruncated line naming sdta/smpl", err)
	}
	if f.Prepared(p) {
		t.Fatal("a failed Prepare left the preset prepared")
	}
	src.broken.Store(false)
	if err := f.Prepare(p); err != nil || !f.Prepared(p) {
		t.Fatalf("Prepare after the file came back: %v, prepared %v", err, f.Prepared(p))
	}
	other := read(t, b, Options{Lazy: true})
	if err := other.Prepare(p); err == nil || other.Prepared(p) {
		t.Fatalf("another font's preset: Prepare %v, Prepared %v; want an error and false", err, other.Prepared(p))
	}
	copied := *other.Preset(0, 1)
	if err := other.Prepare(&copied); err == nil {
		t.Fatal("Prepare of a copy of a preset succeeded")
	}
}

// TestLazyConcurrent: goroutines preparing the presets (many at once,
// the same ones) and reading the prepared ones end with the eager pool;
// run under -race it checks that Prepared orders the writes before the
// reads.
func TestLazyConcurrent(t *testing.T) {
	b := twoPresets(Version{2, 1}, false).bytes()
	eager := read(t, b)
	lazy := read(t, b, Options{Lazy: true})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range lazy.Presets {
				p := &lazy.Presets[(g+k)%len(lazy.Presets)]
				if err := lazy.Prepare(p); err != nil {
					t.Error(err)
					return
				}
				if !lazy.Prepared(p) {
					t.Error("not prepared after Prepare")
					return
				}
				r := &p.AllRegions[0]
				sum := float32(0)
				for _, x := range lazy.Pool[r.Start:r.End] {
					sum += x
				}
				_ = sum
			}
		}()
	}
	wg.Wait()
	if !slices.Equal(lazy.Pool, eager.Pool) {
		t.Fatal("the pool differs from the eager read")
	}
}

// TestLazyReadFile: ReadFile with Lazy keeps the file it opened for
// Prepare, whose errors name it.
func TestLazyReadFile(t *testing.T) {
	b := twoPresets(Version{2, 1}, false).bytes()
	path := filepath.Join(t.TempDir(), "two.sf2")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Options{Lazy: true}.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 1000); err != nil {
		t.Fatal(err)
	}
	err = f.Prepare(f.Preset(0, 1))
	if want := "sf2: " + path + ": sdta/smpl: "; err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, ErrTruncated) {
		t.Fatalf("Prepare after the file shrank: %v, want an ErrTruncated starting %q", err, want)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range f.Presets {
		if err := f.Prepare(&f.Presets[i]); err != nil {
			t.Fatal(err)
		}
	}
	if !slices.Equal(f.Pool, read(t, b).Pool) {
		t.Fatal("the pool differs from the eager read")
	}
}
