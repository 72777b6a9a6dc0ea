package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aether-audio/aether/wav"
)

// runBounce runs the command with args and returns its exit code, standard
// output and standard error.
func runBounce(t *testing.T, stdin string, args ...string) (int, []byte, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.Bytes(), errOut.String()
}

// writeFiles creates files (name -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeSample writes a short stereo WAV for sample instruments.
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
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// songJSON is a score with every oscillator, filters, a sample and a
// wavetable; transpose shifts its keys so that scores differ.
func songJSON(transpose int) string {
	return fmt.Sprintf(`{
  "sample_rate": 48000,
  "instruments": {
    "lead": {"osc": "saw", "attack": 0.01, "decay": 0.1, "sustain": 0.7, "release": 0.2,
             "filter": {"type": "lowpass", "cutoff": 2000, "resonance": 0.3}},
    "pad":  {"osc": "wavetable", "table": [0, 1, 0, -1], "attack": 0.05, "release": 0.1},
    "hat":  {"osc": "noise", "decay": 0.05, "sustain": 0, "filter": {"type": "highpass", "cutoff": 7000}},
    "bell": {"osc": "sine", "decay": 0.3, "sustain": 0.2, "filter": {"type": "bandpass", "cutoff": 900}},
    "tri":  {"osc": "triangle", "gain": 0.5},
    "pluck": {"osc": "sample", "sample": "pluck.wav", "root_freq": 440, "loop": true, "loop_start": 10, "loop_end": 1900},
    "reed": {"osc": "square", "pulse_width": 0.3, "gain": 0.5}
  },
  "notes": [
    {"time": 0,     "duration": 0.3,  "instrument": "lead", "key": %[1]d},
    {"time": 0.1,   "duration": 0.3,  "instrument": "lead", "freq": 293.66, "gain": 0.8, "pan": -0.5},
    {"time": 0,     "duration": 0.6,  "instrument": "pad",  "key": %[2]d, "gain": 0.3},
    {"time": 0.25,  "duration": 0.01, "instrument": "hat",  "freq": 1000, "pan": 0.7},
    {"time": 0.2,   "duration": 0.2,  "instrument": "bell", "key": 81},
    {"time": 0.3,   "duration": 0.2,  "instrument": "tri",  "key": 64},
    {"time": 0.4,   "duration": 0.25, "instrument": "pluck", "key": 69},
    {"time": 0.5,   "duration": 0.25, "instrument": "reed", "key": 62.5}
  ]
}`, 60+transpose, 48+transpose)
}

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func oneLine(t *testing.T, stderr string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr is not one line:\n%s", stderr)
	}
}

// One input to a file and to standard output: the same bytes, for any
// number of workers, with the flags before or after the input.
func TestOneFile(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"song.json": songJSON(0)})
	writeSample(t, filepath.Join(dir, "pluck.wav"))
	in, out := filepath.Join(dir, "song.json"), filepath.Join(dir, "song.wav")
	code, _, stderr := runBounce(t, "", in, "-o", out, "-format", "pcm16", "-seed", "3", "-workers", "1")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode("song.wav", want)
	// The reed note ends last: 0.5 + 0.25 s and its 0.05 s release.
	if err != nil || a.Rate != 48000 || a.Frames() != 38400 {
		t.Fatalf("output: %v, rate %d, %d frames", err, a.Rate, a.Frames())
	}
	for _, w := range []string{"2", "4"} {
		code, got, stderr := runBounce(t, "", "-format", "pcm16", "-workers", w, "-seed", "3", "-o", "-", in)
		if code != 0 || !bytes.Equal(got, want) {
			t.Errorf("-o - with %s workers: exit %d, %d bytes (want %d equal bytes): %s", w, code, len(got), len(want), stderr)
		}
	}
	// JSON on standard input; sample paths are then relative to the
	// working directory, so use a score without one.
	code, got, stderr := runBounce(t, `{"sample_rate": 8000, "instruments": {"a": {"osc": "sine"}},
		"notes": [{"time": 0, "duration": 0.1, "instrument": "a", "key": 60}]}`, "-", "-o", "-")
	if code != 0 || len(got) != 58+1200*8 { // float header, 0.1 s + 0.05 s release at 8 kHz
		t.Errorf("stdin: exit %d, %d bytes: %s", code, len(got), stderr)
	}
}
