package bounce

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
// standard input, and refuses other extensions.
func TestLoaderFormats(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string][]byte{"a.json": []byte(okJSON), "b.MID": minimalMIDI(), "c.midi": minimalMIDI(), "d.mp3": []byte("ID3")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ld := NewLoader(LoaderOptions{SampleRate: 16000})
	for name, rate := range map[string]int{"a.json": 8000, "b.MID": 16000, "c.midi": 16000} {
		s, err := ld.Load(filepath.Join(dir, name))
		if err != nil || s.SampleRate != rate || len(s.Notes) != 1 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := ld.Load(filepath.Join(dir, "d.mp3")); err == nil || !strings.Contains(err.Error(), `unknown input type ".mp3"`) {
		t.Errorf("d.mp3: %v", err)
	}
	if _, err := ld.Load(Stdin); err == nil {
		t.Error("standard input without a reader: no error")
	}
	for _, in := range [][]byte{[]byte(okJSON), minimalMIDI()} {
		ld := NewLoader(LoaderOptions{SampleRate: 16000, Stdin: bytes.NewReader(in)})
		s, err := ld.Load(Stdin)
		if err != nil || len(s.Notes) != 1 || s.Name != "standard input" {
			t.Errorf("standard input %q: %v", in[:4], err)
		}
	}
}

// A sample used by many scores is decoded once, however its path is
// spelled; a bad one fails every score that uses it.
func TestSampleCache(t *testing.T) {
	dir := t.TempDir()
	writeSample(t, filepath.Join(dir, "s", "pluck.wav"))
	if err := os.WriteFile(filepath.Join(dir, "s", "bad.wav"), []byte("RIFF"), 0o644); err != nil {
		t.Fatal(err)
	}
	c := sampleCache{m: map[string]*sampleEntry{}}
	a, err := c.load(filepath.Join(dir, "s", "pluck.wav"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.load(filepath.Join(dir, "s", "..", "s", "pluck.wav"))
	if err != nil || a != b {
		t.Errorf("second load: %p, %v; want the first decode %p", b, err, a)
	}
	if _, err := c.load(filepath.Join(dir, "s", "bad.wav")); err == nil {
		t.Error("bad sample: no error")
	}
	if len(c.m) != 2 {
		t.Errorf("%d cache entries, want 2", len(c.m))
	}
}
