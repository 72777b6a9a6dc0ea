package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/pitch"
)

// gmBank returns the small General MIDI SoundFont of the shared test data,
// skipping the test when it is absent.
func gmBank(t *testing.T) string {
	t.Helper()
	p := filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found: skipping", p)
	}
	return p
}

// noteMIDI is a format-0 MIDI file of one note: program on channel ch
// (0-based; 9 is General MIDI's drum channel), then key at velocity vel
// for one second (96 ticks a quarter at 120 BPM).
func noteMIDI(ch, program, key, vel byte) []byte {
	track := []byte{
		0x00, 0xC0 | ch, program,
		0x00, 0x90 | ch, key, vel,
		0x81, 0x40, 0x80 | ch, key, 0, // 192 ticks later
		0x00, 0xFF, 0x2F, 0x00,
	}
	return smfOf(track)
}

// smfOf is a format 0 Standard MIDI File of one track, 96 ticks a quarter.
func smfOf(track []byte) []byte {
	var b bytes.Buffer
	b.WriteString("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk")
	binary.Write(&b, binary.BigEndian, uint32(len(track)))
	b.Write(track)
	return b.Bytes()
}

// countFontReads makes openSoundFont count its calls until the test ends.
func countFontReads(t *testing.T) *atomic.Int32 {
	var n atomic.Int32
	orig := openSoundFont
	openSoundFont = func(path string, p instrument.Profile) (*bounce.SoundFont, error) {
		n.Add(1)
		return orig(path, p)
	}
	t.Cleanup(func() { openSoundFont = orig })
	return &n
}

// soundFontBatch writes a batch of MIDI files (piano keys and a drum) into
// dir/in and returns the folder.
func soundFontBatch(t *testing.T, dir string) string {
	t.Helper()
	in := filepath.Join(dir, "in")
	files := map[string]string{"drum.mid": string(noteMIDI(9, 0, 38, 110))}
	for i, key := range []byte{48, 60, 67, 72, 79} {
		files[fmt.Sprintf("n%d.mid", i)] = string(noteMIDI(0, byte(i*8), key, 100))
	}
	writeFiles(t, in, files)
	return in
}

// A batch reads its SoundFont once, whatever the number of files and
// jobs; each file's line and report line name it.
func TestSoundFontReadOncePerBatch(t *testing.T) {
	font := gmBank(t)
	reads := countFontReads(t)
	dir := t.TempDir()
	in := soundFontBatch(t, dir)
	out, rep := filepath.Join(dir, "out"), filepath.Join(dir, "r.jsonl")
	code, stdout, stderr := runBounce(t, "", "-manifest", in, "-outdir", out, "-jobs", "2", "-soundfont", font, "-report", rep)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if n := reads.Load(); n != 1 {
		t.Errorf("the SoundFont was read %d times for a batch of 6 files, want once", n)
	}
	if got := dirFiles(t, out); len(got) != 6 {
		t.Errorf("outputs %v, want 6", got)
	}
	if n := strings.Count(stderr, ", SoundFont "+font+"\n"); n != 6 {
		t.Errorf("%d file lines name the SoundFont, want 6:\n%s", n, stderr)
	}
	if !strings.Contains(stderr, "bounce: SoundFont "+font+": ") {
		t.Errorf("no line saying which SoundFont was read:\n%s", stderr)
	}
	for _, r := range readJSONL(t, rep) {
		if r["soundfont"] != font || r["status"] != statusOK {
			t.Errorf("report line %v: want status ok and soundfont %q", r, font)
		}
	}

	// Without -soundfont the built-in synths play, and nothing names a font.
	out2 := filepath.Join(dir, "out2")
	code, _, stderr = runBounce(t, "", "-manifest", in, "-outdir", out2, "-report", rep)
	if code != exitOK || strings.Contains(stderr, "SoundFont ") {
		t.Fatalf("without -soundfont: exit %d: %s", code, stderr)
	}
	for _, r := range readJSONL(t, rep) {
		if r["soundfont"] != "" {
			t.Errorf("without -soundfont, report line %v names a SoundFont", r)
		}
	}
	a, b := readAll(t, out), readAll(t, out2)
	for name := range a {
		if bytes.Equal(a[name], b[name]) {
			t.Errorf("%s: the same bytes with and without the SoundFont", name)
		}
	}
}

// A batch played by a SoundFont writes the same bytes whatever the
// number of jobs and workers.
func TestSoundFontJobsSameBytes(t *testing.T) {
	font := gmBank(t)
	dir := t.TempDir()
	in := soundFontBatch(t, dir)
	var outs []map[string][]byte
	for i, args := range [][]string{{"-jobs", "1"}, {"-jobs", "2"}, {"-jobs", "2", "-workers", "2"}} {
		out := filepath.Join(dir, fmt.Sprint("out", i))
		args = append(args, "-manifest", in, "-outdir", out, "-soundfont", font, "-format", "pcm16", "-quiet")
		if code, _, stderr := runBounce(t, "", args...); code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		outs = append(outs, readAll(t, out))
	}
	for i := 1; i < len(outs); i++ {
		if len(outs[i]) != 6 {
			t.Fatalf("run %d wrote %d files", i, len(outs[i]))
		}
		for name, data := range outs[0] {
			if !bytes.Equal(data, outs[i][name]) {
				t.Errorf("%s: run %d differs from -jobs 1", name, i)
			}
		}
	}
}

// checkKeyNote checks the render at out of one noteMIDI note of program
// and key: a sane level, unclipped, and in its steady part (0.2 s to
// 0.7 s, the note ending at 1 s) the pitch of its key within 10 cents.
func checkKeyNote(t *testing.T, out string, program, key byte) {
	t.Helper()
	db, over, a := peakOf(t, out)
	if over > 0 || db > -1 || db < -40 {
		t.Errorf("program %d key %d: peak %.1f dBFS, %d samples over full scale; want -40..-1 dBFS, none over", program, key, db, over)
	}
	x := a.Channels[0][a.Rate/5 : a.Rate*7/10]
	want := pitch.KeyFreq(float64(key))
	hz, clarity := audiotest.Pitch(x, a.Rate, want/1.5, want*1.5)
	t.Logf("program %d key %d: peak %.1f dBFS, pitch %.2f Hz (%.2f wanted), clarity %.2f", program, key, db, hz, want, clarity)
	if cents := audiotest.Cents(want, hz); !(clarity > 0.8 && cents < 10 && cents > -10) {
		t.Errorf("program %d key %d: pitch %.2f Hz (%+.1f cents from %.2f Hz), clarity %.2f", program, key, hz, cents, want, clarity)
	}
}

// A note played by the SoundFont sounds at the pitch of its key, at a
// sane level, unclipped; the drum channel plays the drum kit (bank 128).
func TestSoundFontPlaysTheKey(t *testing.T) {
	font := gmBank(t)
	dir := t.TempDir()
	for _, c := range []struct{ program, key byte }{{0, 48}, {0, 60}, {0, 72}, {19, 57}, {73, 76}} {
		mid := filepath.Join(dir, fmt.Sprintf("p%d-k%d.mid", c.program, c.key))
		writeFiles(t, dir, map[string]string{filepath.Base(mid): string(noteMIDI(0, c.program, c.key, 100))})
		out := strings.TrimSuffix(mid, ".mid") + ".wav"
		if code, _, stderr := runBounce(t, "", mid, "-o", out, "-soundfont", font); code != exitOK {
			t.Fatalf("%s: exit %d: %s", mid, code, stderr)
		}
		checkKeyNote(t, out, c.program, c.key)
	}

	// Key 38 on the drum channel is the kit's snare, not key 38 of a
	// melodic program.
	var renders [][]byte
	for _, ch := range []byte{9, 0} {
		mid := filepath.Join(dir, fmt.Sprintf("ch%d.mid", ch))
		writeFiles(t, dir, map[string]string{filepath.Base(mid): string(noteMIDI(ch, 0, 38, 110))})
		out := strings.TrimSuffix(mid, ".mid") + ".wav"
		if code, _, stderr := runBounce(t, "", mid, "-o", out, "-soundfont", font); code != exitOK {
			t.Fatalf("%s: exit %d: %s", mid, code, stderr)
		}
		if db, _, _ := peakOf(t, out); db < -40 {
			t.Errorf("channel %d key 38: peak %.1f dBFS", ch+1, db)
		}
		b, _ := os.ReadFile(out)
		renders = append(renders, b)
	}
	if bytes.Equal(renders[0], renders[1]) {
		t.Error("key 38 sounds the same on the drum channel as on channel 1")
	}
}

// The profile flag takes fluidsynth or spec.
func TestSoundFontFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-soundfont-profile", "timidity", "-soundfont", "x.sf2", "a.mid", "-o", "a.wav"},
		{"-soundfont", "", "a.mid", "-o", "a.wav"},
	} {
		code, _, stderr := runBounce(t, "", args...)
		if code != exitUsage || !strings.Contains(stderr, "-soundfont") {
			t.Errorf("%v: exit %d: %s", args, code, stderr)
		}
		oneLine(t, stderr)
	}
	font := gmBank(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.mid": string(noteMIDI(0, 0, 60, 100))})
	var renders [][]byte
	for _, p := range []string{"fluidsynth", "spec"} {
		out := filepath.Join(dir, p+".wav")
		code, _, stderr := runBounce(t, "", "-soundfont-profile", p, "-soundfont", font, filepath.Join(dir, "a.mid"), "-o", out)
		if code != exitOK || !strings.Contains(stderr, "(profile ") {
			t.Fatalf("-soundfont-profile %s: exit %d: %s", p, code, stderr)
		}
		b, _ := os.ReadFile(out)
		renders = append(renders, b)
	}
	if bytes.Equal(renders[0], renders[1]) {
		t.Error("the two profiles render the same bytes")
	}
}

// fontHeap keeps a soft memory limit of the fonts' samples plus
// fontHeadroom, raised as the loader reads more fonts and never lowered,
// and puts the old one back; it leaves a lower limit, and GOMEMLIMIT,
// alone.
func TestFontHeap(t *testing.T) {
	const pool = 300 << 20
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	debug.SetMemoryLimit(math.MaxInt64)

	var none fontHeap
	none.cover(0)
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("limit %d with no font, want none", got)
	}
	h := fontHeap{flag: pool}
	h.cover(0)
	if got := limit(); got != pool+fontHeadroom {
		t.Errorf("limit %d with a font, want %d", got, pool+fontHeadroom)
	}
	h.cover(100 << 20) // a score's font read
	if got := limit(); got != pool+100<<20+fontHeadroom {
		t.Errorf("limit %d with two fonts, want %d", got, pool+100<<20+fontHeadroom)
	}
	h.cover(0) // the score's font evicted: the limit stays
	if got := limit(); got != pool+100<<20+fontHeadroom {
		t.Errorf("limit %d lowered", got)
	}
	h.restore()
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("limit %d after the run, want the old one back", got)
	}

	debug.SetMemoryLimit(pool)
	h = fontHeap{}
	h.cover(pool)
	h.restore()
	if got := limit(); got != pool {
		t.Errorf("a lower limit became %d", got)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	t.Setenv("GOMEMLIMIT", "1GiB")
	h = fontHeap{flag: pool}
	h.cover(0)
	if got := limit(); got != math.MaxInt64 {
		t.Errorf("limit %d under GOMEMLIMIT, want it left alone", got)
	}
}

// With a font that has no drum kit, a file's channel 10 is silent, as in
// FluidSynth: a file with other notes renders, with a warning and the
// report's missing_presets; a file of drums alone fails as silent, saying
// why.
func TestSoundFontWithoutDrumKits(t *testing.T) {
	font := filepath.Join(testfiles.Dir(t, "soundfont-spec-test"), "sf_spec_test.sf2") // bank 0 only
	if _, err := os.Stat(font); err != nil {
		t.Skipf("%s: %v", font, err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	writeFiles(t, in, map[string]string{"drums.mid": string(noteMIDI(9, 0, 38, 110)), "piano.mid": string(noteMIDI(0, 0, 60, 100))})
	out, rep := filepath.Join(dir, "out"), filepath.Join(dir, "r.jsonl")
	code, _, stderr := runBounce(t, "", "-manifest", in, "-outdir", out, "-jobs", "1", "-soundfont", font, "-report", rep)
	if code != exitFailed {
		t.Errorf("exit %d, want %d (the drums-only file fails)", code, exitFailed)
	}
	if !strings.Contains(stderr, "drums.mid: silent render") || !strings.Contains(stderr, "(the SoundFont has no drum kit 0)") {
		t.Errorf("the drums-only file's error does not say why:\n%s", stderr)
	}
	if got := dirFiles(t, out); len(got) != 1 || got[0] != "piano.wav" {
		t.Errorf("outputs %v, want piano.wav only", got)
	}
	b, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	// The piano file lacks nothing; the failed drums file has no figures.
	if n := strings.Count(string(b), `"missing_presets":[]`); n != 2 {
		t.Errorf("report %s: want 2 lines with no missing presets", b)
	}

	// Drums beside other notes: the file renders, with a warning.
	writeFiles(t, filepath.Join(dir, "mixed"), map[string]string{"song.mid": string(twoChannelMIDI())})
	code, _, stderr = runBounce(t, "", filepath.Join(dir, "mixed", "song.mid"), "-o", filepath.Join(dir, "song.wav"),
		"-soundfont", font, "-report", rep)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "warning: "+filepath.Join(dir, "mixed", "song.mid")+": "+font+" has no drum kit 0: those notes are silent") {
		t.Errorf("no warning naming the missing kit:\n%s", stderr)
	}
	if b, _ := os.ReadFile(rep); !strings.Contains(string(b), `"missing_presets":["drum kit 0"]`) {
		t.Errorf("report %s: want missing_presets [drum kit 0]", b)
	}
}

// twoChannelMIDI is a piano note on channel 1 and a snare on channel 10.
func twoChannelMIDI() []byte {
	track := []byte{
		0x00, 0xC0, 0,
		0x00, 0x90, 60, 100,
		0x00, 0x99, 38, 110,
		0x81, 0x40, 0x80, 60, 0,
		0x00, 0x89, 38, 0,
		0x00, 0xFF, 0x2F, 0x00,
	}
	return smfOf(track)
}

// A JSON score's preset can name its SoundFont, found beside the score;
// -soundfont-profile applies to it. A bad one fails that file in one line
// and leaves no output.
func TestScoreNamesSoundFont(t *testing.T) {
	data, err := os.ReadFile(gmBank(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	song := func(font string) string {
		return `{"sample_rate": 48000, "instruments": {"p": {"preset": {"program": 0, "soundfont": "` + font + `"}}}, "notes": [{"time": 0, "duration": 1, "instrument": "p", "key": 69}]}`
	}
	writeFiles(t, dir, map[string]string{"gm.sf2": string(data), "cut.sf2": string(data[:len(data)/3]),
		"a.json": song("gm.sf2"), "bad.json": song("cut.sf2")})
	var renders [][]byte
	for _, p := range []string{"fluidsynth", "spec"} {
		out := filepath.Join(dir, p+".wav")
		code, _, stderr := runBounce(t, "", "-soundfont-profile", p, filepath.Join(dir, "a.json"), "-o", out)
		if code != exitOK {
			t.Fatalf("-soundfont-profile %s: exit %d: %s", p, code, stderr)
		}
		checkKeyNote(t, out, 0, 69)
		b, _ := os.ReadFile(out)
		renders = append(renders, b)
	}
	if bytes.Equal(renders[0], renders[1]) {
		t.Error("-soundfont-profile does not reach the score's font")
	}
	out := filepath.Join(dir, "bad.wav")
	code, _, stderr := runBounce(t, "", filepath.Join(dir, "bad.json"), "-o", out)
	if code == exitOK || !strings.Contains(stderr, "preset.soundfont") || !strings.Contains(stderr, "cut.sf2") {
		t.Errorf("a truncated font: exit %d: %s", code, stderr)
	}
	oneLine(t, stderr)
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed render left its output")
	}
}
