package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// sparseWAV writes a 16-bit stereo WAV file of dataBytes of samples, all
// but the first few thousand left as a hole, so a huge sample costs no
// disk.
func sparseWAV(t *testing.T, path string, dataBytes int64) {
	t.Helper()
	var h bytes.Buffer
	h.WriteString("RIFF")
	binary.Write(&h, binary.LittleEndian, uint32(36+dataBytes))
	h.WriteString("WAVEfmt ")
	binary.Write(&h, binary.LittleEndian, []uint32{16})
	binary.Write(&h, binary.LittleEndian, []uint16{1, 2})
	binary.Write(&h, binary.LittleEndian, []uint32{44100, 44100 * 4})
	binary.Write(&h, binary.LittleEndian, []uint16{4, 16})
	h.WriteString("data")
	binary.Write(&h, binary.LittleEndian, uint32(dataBytes))
	for i := range 4096 {
		binary.Write(&h, binary.LittleEndian, int16((i%100)*300-15000))
	}
	if err := os.WriteFile(path, h.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 44+dataBytes); err != nil {
		t.Fatal(err)
	}
}

// peakRSS runs the command in a child process and returns its exit code,
// standard error and peak resident memory in MiB. The child reads its
// own VmHWM: getrusage's maxrss of a child would include the RSS of this
// test process, whose memory the child shared until its exec.
func peakRSS(t *testing.T, args ...string) (int, string, float64) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "rss")
	cmd := command(t, args...)
	cmd.Env = append(cmd.Env, "BOUNCE_TEST_PEAK_RSS="+report)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	b, err := os.ReadFile(report)
	kib, err2 := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil || err2 != nil {
		t.Fatalf("no peak RSS from the child (%v, %v): %s", err, err2, stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String(), kib / 1024
}

// A sample over the budget, and a device standing in for one, are refused
// before they are read: the process stays small. A large sample within
// the budget costs its decoded size and its file, not a multiple.
func TestSampleMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a 64 MiB sample")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory: peak RSS means nothing under it")
	}
	dir := t.TempDir()
	sparseWAV(t, filepath.Join(dir, "huge.wav"), 300<<20)
	sparseWAV(t, filepath.Join(dir, "big.wav"), 64<<20)
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.wav")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	score := func(sample string) string {
		return `{"sample_rate": 8000, "instruments": {"s": {"osc": "sample", "sample": "` + sample + `"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "s", "key": 60}]}`
	}
	devZero, err := filepath.Rel(dir, "/dev/zero") // ../../dev/zero
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, dir, map[string]string{
		"huge.json": score("huge.wav"), "big.json": score("big.wav"),
		"zero.json": score("zero.wav"), "dev.json": score(devZero),
	})
	out := filepath.Join(dir, "out.wav")
	const small = 100 // MiB: the runtime, the engine and a short render
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{filepath.Join(dir, "huge.json"), "-o", out}, "limit exceeded"},
		{[]string{filepath.Join(dir, "zero.json"), "-o", out}, "leaves the sample directory"},
		{[]string{filepath.Join(dir, "dev.json"), "-sample-root", "/", "-o", out}, "is a device"},
	} {
		code, stderr, rss := peakRSS(t, c.args...)
		t.Logf("%s: %.0f MiB peak: %s", filepath.Base(c.args[0]), rss, strings.TrimSpace(stderr))
		if code != exitFailed || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
		if rss > small {
			t.Errorf("%v: peak RSS %.0f MiB, want under %d", c.args, rss, small)
		}
	}
	code, stderr, rss := peakRSS(t, filepath.Join(dir, "big.json"), "-o", out)
	t.Logf("64 MiB sample: %.0f MiB peak", rss)
	if code != exitOK {
		t.Errorf("64 MiB sample: exit %d: %s", code, stderr)
	}
	// The file (64 MiB, read once) and its float32 decode (128 MiB).
	if want := 64 + 128 + small; rss > float64(want) {
		t.Errorf("64 MiB sample: peak RSS %.0f MiB, want under %d", rss, want)
	}
}

// fluidR3 is the path of FluidR3_GM as Debian's fluid-soundfont-gm
// installs it.
const fluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

// A batch holds its SoundFont once, whatever the jobs, and only the
// samples its files play: FluidR3_GM's (283 MiB of float32) are read
// lazily, each preset's once, into the one pool the jobs share, so six
// files of five programs and a drum kit stay far below the whole pool.
func TestSoundFontMemoryIsShared(t *testing.T) {
	if testing.Short() {
		t.Skip("reads FluidR3_GM (148 MB)")
	}
	if raceEnabled {
		t.Skip("the race detector multiplies memory: peak RSS means nothing under it")
	}
	if _, err := os.Stat(fluidR3); err != nil {
		t.Skipf("%s not found (Debian package fluid-soundfont-gm): skipping", fluidR3)
	}
	dir := t.TempDir()
	in := soundFontBatch(t, dir)
	code, stderr, rss := peakRSS(t, "-manifest", in, "-outdir", filepath.Join(dir, "out"), "-jobs", "2", "-soundfont", fluidR3)
	t.Logf("6 files, -jobs 2, FluidR3_GM: %.0f MiB peak", rss)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	const pool = 283 // MiB: all the samples
	if rss > pool {
		t.Errorf("peak RSS %.0f MiB, want under the whole pool's %d: the font was not read lazily", rss, pool)
	}
}
