package bounce

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/wav"
)

// writeSample writes a short stereo 16-bit WAV for sample instruments.
func writeSample(t *testing.T, path string) {
	t.Helper()
	var b bytes.Buffer
	n := 2000
	l, r := make([]float32, n), make([]float32, n)
	for i := range l {
		l[i] = float32(i%100)/100 - 0.5
		r[i] = -l[i]
	}
	w, err := wav.NewWriter(&b, wav.PCM16, 44100, int64(n), 1)
	if err == nil {
		err = w.Write(l, r)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// minimalMIDI is a format-0 file with one note.
func minimalMIDI() []byte {
	track := []byte{0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00}
	var b bytes.Buffer
	b.WriteString("MThd")
	binary.Write(&b, binary.BigEndian, []uint32{6})
	binary.Write(&b, binary.BigEndian, []uint16{0, 1, 96})
	b.WriteString("MTrk")
	binary.Write(&b, binary.BigEndian, uint32(len(track)))
	b.Write(track)
	return b.Bytes()
}

const okJSON = `{"sample_rate": 8000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "a", "key": 60}]}`

// The loader tells inputs apart by extension on disk and by content on
// standard input, and refuses other extensions; a rate set renders every
// input at it, none leaves MIDI at 48 kHz and JSON at its own.
func TestLoaderFormats(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{"a.json": []byte(okJSON), "b.MID": minimalMIDI(), "c.midi": minimalMIDI(), "d.mp3": []byte("ID3")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for set, rates := range map[int]map[string]int{
		16000: {"a.json": 16000, "b.MID": 16000, "c.midi": 16000},
		0:     {"a.json": 8000, "b.MID": 48000, "c.midi": 48000},
	} {
		ld := NewLoader(LoaderOptions{SampleRate: set})
		for name, rate := range rates {
			s, err := ld.Load(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("rate %d, %s: %v", set, name, err)
			} else if s.SampleRate != rate || len(s.Notes) != 1 {
				t.Errorf("rate %d, %s: rate %d, %d notes", set, name, s.SampleRate, len(s.Notes))
			}
		}
	}
	ld := NewLoader(LoaderOptions{SampleRate: 16000})
	if _, err := ld.Load(filepath.Join(dir, "d.mp3")); err == nil || !strings.Contains(err.Error(), `unknown input type ".mp3"`) {
		t.Errorf("d.mp3: %v", err)
	}
	if _, err := ld.Load(Stdin); err == nil {
		t.Error("standard input without a reader: no error")
	}
	// A MIDI file on standard input has the MIDI size limit, not the JSON one.
	big := append(minimalMIDI(), make([]byte, midi.DefaultMaxBytes)...)
	if _, err := NewLoader(LoaderOptions{Stdin: bytes.NewReader(big)}).Load(Stdin); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("9 MiB of MIDI on standard input: %v", err)
	}
	for _, in := range [][]byte{[]byte(okJSON), minimalMIDI()} {
		ld := NewLoader(LoaderOptions{SampleRate: 16000, Stdin: bytes.NewReader(in)})
		s, err := ld.Load(Stdin)
		if err != nil || len(s.Notes) != 1 || s.Name != "standard input" {
			t.Errorf("standard input %q: %v", in[:4], err)
		}
	}
}

// sampleJSON is a score playing the sample at path.
func sampleJSON(path string) string {
	return `{"sample_rate": 8000, "instruments": {"s": {"osc": "sample", "sample": "` + path + `"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "s", "key": 60}]}`
}

// A sample used by many scores is decoded once, however its path is
// spelled (a hard link too); a failure is not remembered, and the cache
// keeps no more than its budget, least recently used out first.
func TestSampleCache(t *testing.T) {
	dir := t.TempDir()
	writeSample(t, filepath.Join(dir, "s", "pluck.wav"))
	writeSample(t, filepath.Join(dir, "s", "other.wav"))
	if err := os.Link(filepath.Join(dir, "s", "pluck.wav"), filepath.Join(dir, "hard.wav")); err != nil {
		t.Skip("no hard links here:", err)
	}
	fi, err := os.Stat(filepath.Join(dir, "hard.wav"))
	if err != nil {
		t.Fatal(err)
	}
	for name, sample := range map[string]string{"a": "s/pluck.wav", "b": "s/../s/pluck.wav", "c": "hard.wav", "d": "./s/pluck.wav",
		"o": "s/other.wav", "late": "s/late.wav"} {
		if err := os.WriteFile(filepath.Join(dir, name+".json"), []byte(sampleJSON(sample)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Room for one file and a half.
	ld := NewLoader(LoaderOptions{SampleCacheBytes: fi.Size() * 3 / 2})
	load := func(name string) *wav.Audio {
		t.Helper()
		s, err := ld.Load(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		return s.Instruments[0].Sample
	}
	a := load("a")
	for _, name := range []string{"b", "c", "d"} {
		if got := load(name); got != a {
			t.Errorf("%s: decoded again (%p, want %p)", name, got, a)
		}
	}
	if _, err := ld.Load(filepath.Join(dir, "late.json")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("missing sample: %v", err)
	}
	writeSample(t, filepath.Join(dir, "s", "late.wav"))
	if _, err := ld.Load(filepath.Join(dir, "late.json")); err != nil {
		t.Errorf("a sample that appeared after a failure: %v", err)
	}
	// late.wav pushed pluck.wav out; other.wav pushes late.wav out.
	load("o")
	if ld.samples.used > ld.samples.budget || len(ld.samples.m) != 1 {
		t.Errorf("cache holds %d bytes in %d entries, budget %d", ld.samples.used, len(ld.samples.m), ld.samples.budget)
	}
	if load("a") == a {
		t.Error("an evicted sample came back without a decode")
	}
	none := NewLoader(LoaderOptions{SampleCacheBytes: -1})
	s1, err1 := none.Load(filepath.Join(dir, "a.json"))
	s2, err2 := none.Load(filepath.Join(dir, "a.json"))
	if err1 != nil || err2 != nil || s1.Instruments[0].Sample == s2.Instruments[0].Sample || len(none.samples.m) != 0 {
		t.Errorf("a loader without a cache kept a sample (%v, %v)", err1, err2)
	}
}

// Scores loaded at once that share a sample wait for one decode.
func TestSampleCacheConcurrent(t *testing.T) {
	dir := t.TempDir()
	writeSample(t, filepath.Join(dir, "pluck.wav"))
	if err := os.WriteFile(filepath.Join(dir, "a.json"), []byte(sampleJSON("pluck.wav")), 0o644); err != nil {
		t.Fatal(err)
	}
	ld := NewLoader(LoaderOptions{})
	got := make([]*wav.Audio, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			if s, err := ld.Load(filepath.Join(dir, "a.json")); err == nil {
				got[i] = s.Instruments[0].Sample
			}
		})
	}
	wg.Wait()
	for i, a := range got {
		if a == nil || a != got[0] {
			t.Fatalf("load %d: %p, load 0: %p", i, a, got[0])
		}
	}
}

// An entry that costs more than the whole budget reaches the loads that
// asked for it and is not kept: the others stay.
func TestFileCacheOversizedEntry(t *testing.T) {
	dir := t.TempDir()
	open := func(name string, size int) *os.File {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	reads := 0
	// What a read costs: 10 times the file's size, as a font's samples
	// may decode to more than its file; the file's size is all that is
	// known before.
	c := newFileCache(100, func(f *os.File, size int64) (string, int64, error) {
		reads++
		return f.Name(), 10 * size, nil
	})
	a, b, big, huge := open("a", 3), open("b", 4), open("big", 20), open("huge", 200)
	for _, f := range []*os.File{a, b, big, huge} {
		if v, err := c.load(f, mustSize(t, f)); err != nil || v != f.Name() {
			t.Fatalf("%s: %q, %v", f.Name(), v, err)
		}
	}
	if reads != 4 || len(c.m) != 2 || c.used != 70 {
		t.Errorf("%d reads; cache holds %d entries, %d bytes; want 4 reads, a and b, 70 bytes", reads, len(c.m), c.used)
	}
	c.load(a, 3)
	c.load(b, 4)
	if reads != 4 {
		t.Errorf("a and b read again: %d reads", reads)
	}
}

func mustSize(t *testing.T, f *os.File) int64 {
	t.Helper()
	fi, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
