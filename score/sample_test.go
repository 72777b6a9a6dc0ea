package score

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/aether-audio/aether/wav"
)

// sampleScore is a score whose one instrument plays the sample at path.
func sampleScore(path string) string {
	q, _ := jsonString(path)
	return `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": ` + q + `}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "s", "key": 60}]}`
}

func jsonString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String(), nil
}

// writeWAV writes a short stereo 16-bit WAV file (44 + 4 bytes a frame).
func writeWAV(t *testing.T, path string, frames int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	x := make([]float32, frames)
	for i := range x {
		x[i] = float32(i%50) / 100
	}
	w, err := wav.NewWriter(f, wav.PCM16, 8000, int64(frames), 1)
	if err == nil {
		err = w.Write(x, x)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Samples resolve inside the sample directory (the score's directory by
// default): "..", absolute paths and symbolic links that lead out are
// refused, and so is anything that is not a regular file, with one line
// that is the same whether or not the place outside exists.
func TestSamplesStayInTheirDirectory(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "scores")
	writeWAV(t, filepath.Join(top, "secret.wav"), 100)
	writeWAV(t, filepath.Join(dir, "in.wav"), 100)
	writeWAV(t, filepath.Join(dir, "sub", "deep.wav"), 100)
	links := map[string]string{
		"out-rel.wav":     "../secret.wav",
		"out-missing.wav": "../nothing.wav",
		"out-abs.wav":     filepath.Join(top, "secret.wav"),
		"inside.wav":      "sub/deep.wav",
		"sub/up.wav":      "../in.wav",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.wav"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	read := func(sample string, opt Options) error {
		if opt.Dir == "" {
			opt.Dir = dir
		}
		_, err := Read("song.json", strings.NewReader(sampleScore(sample)), opt)
		return err
	}
	for _, ok := range []string{"in.wav", "sub/deep.wav", "inside.wav", "sub/up.wav", "./in.wav", "sub/../in.wav"} {
		if err := read(ok, Options{}); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	// The outside answers must not differ between an existing and a
	// missing place: compare the messages with the names taken out.
	escape := map[string]string{}
	for _, bad := range []string{"../secret.wav", "../nothing.wav", "out-rel.wav", "out-missing.wav", "out-abs.wav",
		filepath.Join(top, "secret.wav"), filepath.Join(top, "nothing.wav"), "/etc/passwd", "sub/../../secret.wav"} {
		err := read(bad, Options{})
		if !errors.Is(err, ErrSample) {
			t.Errorf("%s: err = %v, want ErrSample", bad, err)
			continue
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "song.json: instruments.s.sample: ") {
			t.Errorf("%s: %q", bad, msg)
		}
		for _, leak := range []string{"no such file", "permission", "RIFF", "directory:", "secret.wav\": byte"} {
			if strings.Contains(msg, leak) && !strings.Contains(bad, "secret") {
				t.Errorf("%s: %q tells %q", bad, msg, leak)
			}
		}
		escape[bad] = strings.ReplaceAll(msg, `"`+bad+`"`, "NAME")
	}
	for _, pair := range [][2]string{{"../secret.wav", "../nothing.wav"}, {"out-rel.wav", "out-missing.wav"},
		{filepath.Join(top, "secret.wav"), filepath.Join(top, "nothing.wav")}} {
		if escape[pair[0]] != escape[pair[1]] {
			t.Errorf("an existing and a missing file outside answer differently:\n%s\n%s", escape[pair[0]], escape[pair[1]])
		}
	}
	for name, want := range map[string]string{"pipe.wav": "is a named pipe", "sub": "is a directory", "none.wav": "no such file"} {
		if err := read(name, Options{}); !errors.Is(err, ErrSample) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", name, err, want)
		}
	}
	// A sample root above the score's directory lets scores share
	// samples beside it, and still confines them.
	if err := read("../secret.wav", Options{SampleRoot: top}); err != nil {
		t.Errorf("root above the score: %v", err)
	}
	if err := read("../../x.wav", Options{SampleRoot: top}); !errors.Is(err, ErrSample) {
		t.Errorf("root above the score, ../../x.wav: %v", err)
	}
	if err := read("in.wav", Options{SampleRoot: filepath.Join(dir, "sub")}); !errors.Is(err, ErrSample) || !strings.Contains(err.Error(), "outside the sample directory") {
		t.Errorf("score outside its root: %v", err)
	}
	// A score read from a stream has no directory: samples need a root.
	_, err := Read("song.json", strings.NewReader(sampleScore("in.wav")), Options{})
	if !errors.Is(err, ErrSample) || !strings.Contains(err.Error(), "SampleRoot") {
		t.Errorf("stream without a root: %v", err)
	}
	if _, err := Read("song.json", strings.NewReader(sampleScore("in.wav")), Options{SampleRoot: dir}); err != nil {
		t.Errorf("stream with a root: %v", err)
	}
}

// LoadSample receives the opened file and its size, once per file
// however many instruments play it.
func TestLoadSampleHook(t *testing.T) {
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "x.wav"), 10)
	if err := os.Link(filepath.Join(dir, "x.wav"), filepath.Join(dir, "hard.wav")); err != nil {
		t.Skip("no hard links here:", err)
	}
	calls := 0
	js := `{"sample_rate": 48000, "instruments": {"a": {"osc": "sample", "sample": "x.wav"}, "b": {"osc": "sample", "sample": "./x.wav"}, "c": {"osc": "sample", "sample": "hard.wav"}}, "notes": []}`
	s, err := Read("song.json", strings.NewReader(js), Options{Dir: dir, LoadSample: func(f *os.File, size int64) (*wav.Audio, error) {
		calls++
		if fi, err := f.Stat(); err != nil || fi.Size() != size || size != 44+40 {
			t.Errorf("size %d, file %v", size, err)
		}
		return &wav.Audio{Rate: 8000, Channels: [][]float32{{0, 1}}}, nil
	}})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, %d calls, want 1", err, calls)
	}
	if a := s.Instruments; a[0].Sample != a[1].Sample || a[1].Sample != a[2].Sample {
		t.Error("one file, three decodes")
	}
}

// The sample files of one score may total Limits.MaxSampleBytes, checked
// before reading them; a file counts once however many instruments use it.
func TestSampleBytesLimit(t *testing.T) {
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "a.wav"), 1000) // 4044 bytes
	writeWAV(t, filepath.Join(dir, "b.wav"), 1000)
	js := `{"sample_rate": 48000, "instruments": {"a": {"osc": "sample", "sample": "a.wav"}, "a2": {"osc": "sample", "sample": "a.wav"}, "b": {"osc": "sample", "sample": "b.wav"}}, "notes": []}`
	if _, err := Read("song.json", strings.NewReader(js), Options{Dir: dir, Limits: Limits{MaxSampleBytes: 2 * 4044}}); err != nil {
		t.Errorf("two files at the limit: %v", err)
	}
	_, err := Read("song.json", strings.NewReader(js), Options{Dir: dir, Limits: Limits{MaxSampleBytes: 2*4044 - 1}})
	checkErr(t, err, ErrLimit, `instruments.b.sample: limit exceeded: "b.wav" is 4044 bytes`)
}

// testFont is what a test's LoadSoundFont makes of a file.
type testFont struct{ name string }

func (f *testFont) Name() string { return f.name }

// fontScore is a score whose instruments a and b play program 0 of the
// SoundFonts at paths pa and pb.
func fontScore(pa, pb string) string {
	qa, _ := jsonString(pa)
	qb, _ := jsonString(pb)
	return `{"sample_rate": 48000, "instruments": {"a": {"preset": {"program": 0, "soundfont": ` + qa + `}}, "b": {"preset": {"program": 3, "soundfont": ` + qb + `}}, "c": {"preset": {"program": 0}}}, "notes": []}`
}

// A preset's "soundfont" is opened inside the sample directory, like a
// sample, read by LoadSoundFont once per file however many presets name
// it, and counted against MaxSampleBytes; a preset without one keeps the
// renderer's bank.
func TestPresetSoundFont(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gm.sf2"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	calls := 0
	load := func(name string, f *os.File, size int64) (SoundFont, error) {
		calls++
		if fi, err := f.Stat(); err != nil || fi.Size() != size || size != 1000 {
			t.Errorf("size %d, file %v", size, err)
		}
		return &testFont{name}, nil
	}
	s, err := Read("song.json", strings.NewReader(fontScore("gm.sf2", "./gm.sf2")), Options{Dir: dir, LoadSoundFont: load})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, %d calls, want 1", err, calls)
	}
	a, b, c := s.Instruments[0].Preset, s.Instruments[1].Preset, s.Instruments[2].Preset
	if a.SoundFont == nil || a.SoundFont != b.SoundFont || a.SoundFont.Name() != "gm.sf2" || b.Program != 3 {
		t.Errorf("presets a %+v, b %+v: want one font, gm.sf2", a, b)
	}
	if c.SoundFont != nil {
		t.Errorf("a preset naming no SoundFont has %v", c.SoundFont)
	}

	_, err = Read("song.json", strings.NewReader(fontScore("gm.sf2", "gm.sf2")), Options{Dir: dir, LoadSoundFont: load, Limits: Limits{MaxSampleBytes: 999}})
	checkErr(t, err, ErrLimit, `instruments.a.preset.soundfont: limit exceeded: "gm.sf2" is 1000 bytes`)
}

// Every way a preset's SoundFont can fail is one line naming the field.
func TestPresetSoundFontErrors(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gm.sf2"), make([]byte, 10), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := func(name string, _ *os.File, _ int64) (SoundFont, error) { return &testFont{name}, nil }
	for _, c := range []struct {
		pa   string
		load func(string, *os.File, int64) (SoundFont, error)
		opt  Options
		want string
	}{
		{"gm.sf2", nil, Options{Dir: dir}, `instruments.a.preset.soundfont: unreadable SoundFont: "gm.sf2": this reader loads no SoundFonts`},
		{"", ok, Options{Dir: dir}, `instruments.a.preset.soundfont: unreadable SoundFont: an empty path`},
		{"../gm.sf2", ok, Options{Dir: dir}, `instruments.a.preset.soundfont: unreadable SoundFont: "../gm.sf2" leaves the sample directory`},
		{filepath.Join(dir, "gm.sf2"), ok, Options{Dir: dir}, `is an absolute path`},
		{"none.sf2", ok, Options{Dir: dir}, `instruments.a.preset.soundfont: unreadable SoundFont: "none.sf2": no such file in the sample directory`},
		{"gm.sf2", ok, Options{}, `needs Options.SampleRoot to name files`},
		{"gm.sf2", func(string, *os.File, int64) (SoundFont, error) { return nil, errors.New("sf2: truncated") }, Options{Dir: dir},
			`instruments.a.preset.soundfont: unreadable SoundFont: sf2: truncated`},
	} {
		c.opt.LoadSoundFont = c.load
		_, err := Read("song.json", strings.NewReader(fontScore(c.pa, "gm.sf2")), c.opt)
		checkErr(t, err, ErrSoundFont, c.want)
	}
	_, err := Read("song.json", strings.NewReader(`{"sample_rate": 48000, "instruments": {"a": {"preset": {"program": 0, "soundfont": 7}}}, "notes": []}`), Options{Dir: dir, LoadSoundFont: ok})
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("a number as the soundfont: %v", err)
	}
}
