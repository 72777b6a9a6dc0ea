package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aether-audio/aether/bounce"
)

// minimalMIDI is a format-0 file with one note, used to build broken ones.
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

const okNote = `"instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "a", "key": 60}]`

// Each bad input or flag gives one line on stderr naming the input and
// the place, a non-zero exit code (2 for usage, 1 for a failed render)
// and no output file.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	mid := minimalMIDI()
	huge := append([]byte(nil), mid...)
	binary.BigEndian.PutUint32(huge[18:], 0xFFFFFFF0) // a track "holding" billions of events
	writeFiles(t, dir, map[string]string{
		"malformed.json":  `{"sample_rate": 48000, "notes": [`,
		"unknown.json":    `{"sample_rate": 48000, "tempo": 120, ` + okNote + `}`,
		"instr.json":      `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 1, "instrument": "piano", "key": 60}]}`,
		"negative.json":   `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": -1, "duration": 1, "instrument": "a", "key": 60}]}`,
		"nan.json":        `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": NaN, "duration": 1, "instrument": "a", "key": 60}]}`,
		"nanstr.json":     `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": "NaN", "duration": 1, "instrument": "a", "key": 60}]}`,
		"negfreq.json":    `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 1, "instrument": "a", "freq": -440}]}`,
		"tenhours.json":   `{"sample_rate": 48000, "duration": 36000, ` + okNote + `}`,
		"badsample.json":  `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "garbage.wav"}}, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60}]}`,
		"nosample.json":   `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "missing.wav"}}, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60}]}`,
		"silent.json":     `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "a", "key": 60, "gain": 1e-9}]}`,
		"ok.json":         `{"sample_rate": 48000, ` + okNote + `}`,
		"high.json":       `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "a", "freq": 5000}]}`,
		"garbage.wav":     "RIFF\x10\x00\x00\x00WAVEfmt \xff\xff\xff\xff",
		"truncated.mid":   string(mid[:len(mid)-5]),
		"corrupt.mid":     string(mid[:22]) + "\x00\x60\x90" + string(mid[25:]),
		"notmidi.mid":     "RIFF this is not MIDI",
		"billion.mid":     string(huge),
		"song.mp3":        "ID3",
		"file-not-a-dir":  "x",
		"manifest.txt":    "ok.json\n",
		"longline.txt":    "ok.json\n# a comment\n" + strings.Repeat("x", 100_000) + ".json\n",
		"outdir-is-file":  "x",
		"empty-manifest":  "",
		"unreadable.json": `{}`,
	})
	in := func(name string) string { return filepath.Join(dir, name) }
	out := filepath.Join(dir, "out", "x.wav")
	os.Mkdir(filepath.Join(dir, "out"), 0o755)
	os.Mkdir(filepath.Join(dir, "dir.wav"), 0o755)
	cases := []struct {
		name string
		args []string
		code int
		want string // in the one line of stderr
	}{
		{"malformed JSON", []string{in("malformed.json"), "-o", out}, 1, "malformed.json"},
		{"unknown field", []string{in("unknown.json"), "-o", out}, 1, `unknown field "tempo"`},
		{"unknown instrument", []string{in("instr.json"), "-o", out}, 1, `notes[0].instrument: unknown instrument "piano"`},
		{"negative time", []string{in("negative.json"), "-o", out}, 1, "notes[0].time"},
		{"NaN literal", []string{in("nan.json"), "-o", out}, 1, "nan.json"},
		{"NaN string", []string{in("nanstr.json"), "-o", out}, 1, "notes[0].time"},
		{"negative freq", []string{in("negfreq.json"), "-o", out}, 1, "notes[0].freq"},
		{"10 hours", []string{in("tenhours.json"), "-o", out}, 1, "duration: limit exceeded"},
		// Allowed by the flag, 10 hours of float stereo then cannot fit
		// a WAV file: refused before any sample is rendered.
		{"10 hours allowed", []string{in("tenhours.json"), "-max-duration", "11h", "-o", out}, 1, "4 GiB"},
		{"unreadable sample", []string{in("badsample.json"), "-o", out}, 1, "instruments.s.sample: unreadable sample"},
		{"missing sample", []string{in("nosample.json"), "-o", out}, 1, "missing.wav"},
		{"silent render", []string{in("silent.json"), "-o", out}, 1, "silent render"},
		{"truncated MIDI", []string{in("truncated.mid"), "-o", out}, 1, "truncated.mid: track 1"},
		{"corrupt MIDI", []string{in("corrupt.mid"), "-o", out}, 1, "corrupt.mid: track 1"},
		{"not MIDI", []string{in("notmidi.mid"), "-o", out}, 1, "not a Standard MIDI File"},
		{"track longer than file", []string{in("billion.mid"), "-o", out}, 1, "runs past the end of the file"},
		{"unknown input type", []string{in("song.mp3"), "-o", out}, 1, `unknown input type ".mp3"`},
		{"missing input", []string{in("nope.json"), "-o", out}, 1, "nope.json"},
		{"output dir missing", []string{in("ok.json"), "-o", filepath.Join(dir, "nodir", "x.wav")}, 1, "nodir"},
		{"output under a file", []string{in("ok.json"), "-o", filepath.Join(in("file-not-a-dir"), "x.wav")}, 1, "file-not-a-dir"},
		{"output is a dir", []string{in("ok.json"), "-o", in("dir.wav")}, 1, "dir.wav: cannot write output: is a directory"},
		{"output not .wav", []string{in("ok.json"), "-o", in("x.mp3")}, 2, "give a name ending in .wav"},
		{"output is a dir without .wav", []string{in("ok.json"), "-o", filepath.Join(dir, "out")}, 2, "give a name ending in .wav"},
		{"output is the input", []string{in("ok.json"), "-o", in("ok.json")}, 2, "is the input itself"},
		{"outdir is a file", []string{"-manifest", in("manifest.txt"), "-outdir", in("outdir-is-file")}, 1, "outdir"},
		{"missing manifest", []string{"-manifest", in("nope.txt"), "-outdir", filepath.Join(dir, "out")}, 1, "nope.txt"},
		{"manifest line too long", []string{"-manifest", in("longline.txt"), "-outdir", filepath.Join(dir, "out")}, 1, "longline.txt: line 3: longer than"},
		{"shard 3/2", []string{"-manifest", in("manifest.txt"), "-outdir", filepath.Join(dir, "out"), "-shard", "3/2"}, 2, `-shard "3/2"`},
		{"shard junk", []string{"-manifest", in("manifest.txt"), "-outdir", filepath.Join(dir, "out"), "-shard", "1"}, 2, "-shard"},
		{"shard with signs", []string{"-manifest", in("manifest.txt"), "-outdir", filepath.Join(dir, "out"), "-shard", "+0/+2"}, 2, `-shard "+0/+2"`},
		{"shard with spaces", []string{"-manifest", in("manifest.txt"), "-outdir", filepath.Join(dir, "out"), "-shard", " 0/2"}, 2, `-shard " 0/2"`},
		{"format mp3", []string{in("ok.json"), "-format", "mp3", "-o", out}, 2, `-format "mp3"`},
		{"unknown flag", []string{in("ok.json"), "-loud", "-o", out}, 2, "-loud"},
		{"bad rate", []string{in("ok.json"), "-rate", "100", "-o", out}, 2, "-rate 100"},
		{"rate too low for JSON", []string{in("high.json"), "-rate", "8000", "-o", out}, 1, "notes[0].freq: invalid value: must be a positive finite number below Nyquist (4000 Hz), got 5000 (rendering at 8000 Hz instead of the score's sample_rate of 48000 Hz)"},
		{"bad channels", []string{in("ok.json"), "-channels", "3", "-o", out}, 2, "-channels 3"},
		{"bad gain", []string{in("ok.json"), "-gain", "NaN", "-o", out}, 2, "-gain NaN"},
		{"positive normalize", []string{in("ok.json"), "-normalize", "1", "-o", out}, 2, "-normalize 1"},
		{"gain and normalize", []string{in("ok.json"), "-normalize", "-1", "-gain", "3", "-o", out}, 2, "give one"},
		{"bad report", []string{in("ok.json"), "-report", in("r.txt"), "-o", out}, 2, ".jsonl or .csv"},
		{"skip-existing to stdout", []string{in("ok.json"), "-skip-existing", "-o", "-"}, 2, "-skip-existing"},
		{"no output", []string{in("ok.json")}, 2, "-o"},
		{"two inputs", []string{in("ok.json"), in("ok.json"), "-o", out}, 2, "one INPUT"},
		{"no input", []string{"-o", out}, 2, "INPUT"},
		{"manifest without outdir", []string{"-manifest", in("manifest.txt")}, 2, "-outdir"},
		{"shard without manifest", []string{in("ok.json"), "-o", out, "-shard", "0/2"}, 2, "-shard"},
		{"negative workers", []string{in("ok.json"), "-o", out, "-workers", "-1"}, 2, "-workers"},
		{"bad duration", []string{in("ok.json"), "-o", out, "-max-duration", "forever"}, 2, "max-duration"},
		{"work limit", []string{in("ok.json"), "-o", out, "-max-voice-seconds", "0.1"}, 1, "0.15 voice-seconds, release tails included, limit 0.1"},
		{"bad work limit", []string{in("ok.json"), "-o", out, "-max-voice-seconds", "-1"}, 2, "-max-voice-seconds"},
		{"bad sample budget", []string{in("ok.json"), "-o", out, "-max-sample-bytes", "+5M"}, 2, "-max-sample-bytes"},
	}
	for _, c := range cases {
		code, stdout, stderr := runBounce(t, "", c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (%s)", c.name, code, c.code, stderr)
		}
		oneLine(t, stderr)
		if !strings.Contains(stderr, c.want) {
			t.Errorf("%s: stderr %q does not contain %q", c.name, stderr, c.want)
		}
		if len(stdout) != 0 {
			t.Errorf("%s: wrote %d bytes to stdout", c.name, len(stdout))
		}
		if left := dirFiles(t, filepath.Join(dir, "out")); len(left) != 0 {
			t.Fatalf("%s: left %v in the output directory", c.name, left)
		}
	}
	for _, name := range dirFiles(t, dir) {
		if strings.HasSuffix(name, bounce.TempSuffix) || strings.HasSuffix(name, ".wav") && name != "garbage.wav" && name != "dir.wav" {
			t.Errorf("left behind: %s", name)
		}
	}
}

// A score claiming more notes than the limit (a million) fails at the
// first note too many, without holding them all.
func TestTooManyNotes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 50 MB score")
	}
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString(`{"sample_rate": 8000, "instruments": {"a": {"osc": "sine"}}, "notes": [`)
	for i := range 1_000_001 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"time":0,"duration":1,"instrument":"a","key":60}`)
	}
	b.WriteString("]}")
	writeFiles(t, dir, map[string]string{"many.json": b.String()})
	code, _, stderr := runBounce(t, "", filepath.Join(dir, "many.json"), "-o", filepath.Join(dir, "x.wav"))
	if code != 1 || !strings.Contains(stderr, "limit exceeded") {
		t.Errorf("exit %d: %s", code, stderr)
	}
	oneLine(t, stderr)
	if _, err := os.Stat(filepath.Join(dir, "x.wav")); err == nil {
		t.Error("output left behind")
	}
}

// TestOutputThroughLinksAndDevices checks that -o follows a symbolic link
// (the file it names is replaced, the link kept), writes into a device
// rather than replacing it, and leaves a link's target alone when the
// render fails.
func TestOutputThroughLinksAndDevices(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"ok.json":     `{"sample_rate": 48000, ` + okNote + `}`,
		"silent.json": `{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "a", "key": 60, "gain": 1e-9}]}`,
		"target.wav":  "old",
	})
	link := filepath.Join(dir, "link.wav")
	if err := os.Symlink("target.wav", link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if code, _, stderr := runBounce(t, "", filepath.Join(dir, "silent.json"), "-o", link); code != 1 {
		t.Fatalf("silent render: exit %d (%s)", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "target.wav")); string(b) != "old" {
		t.Fatalf("a failed render changed the link's target: %q", b)
	}
	if code, _, stderr := runBounce(t, "", filepath.Join(dir, "ok.json"), "-o", link); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", fi.Mode(), err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "target.wav")); !strings.HasPrefix(string(b), "RIFF") {
		t.Fatalf("the link's target was not written: %q", b[:min(len(b), 8)])
	}
	if code, _, stderr := runBounce(t, "", filepath.Join(dir, "ok.json"), "-o", os.DevNull); code != 0 {
		t.Fatalf("-o %s: exit %d: %s", os.DevNull, code, stderr)
	}
	if fi, err := os.Stat(os.DevNull); err != nil || fi.Mode().IsRegular() {
		t.Fatalf("%s is now a regular file (%v, %v)", os.DevNull, fi.Mode(), err)
	}
	for _, name := range dirFiles(t, dir) {
		if strings.HasSuffix(name, bounce.TempSuffix) {
			t.Errorf("left behind: %s", name)
		}
	}
}
