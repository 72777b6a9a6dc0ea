//go:build unix

package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/internal/testfiles"
)

// A bad SoundFont fails the run before anything is written, with one line
// naming it and exit status 1: no output file, no -outdir, no report. A
// named pipe is refused without waiting for a writer.
func TestBadSoundFonts(t *testing.T) {
	dir := t.TempDir()
	riff := func(size uint32, form string, rest string) string {
		b := binary.LittleEndian.AppendUint32([]byte("RIFF"), size)
		return string(b) + form + rest
	}
	truncated := riff(1000, "sfbk", "LIST\x40\x00\x00\x00INFOifil\x04\x00\x00\x00\x02\x00")
	if p := testfiles.Find("soundfonts"); p != "" {
		if b, err := os.ReadFile(filepath.Join(p, "sf_GMbank.sf2")); err == nil {
			truncated = string(b[:len(b)/2])
		}
	}
	writeFiles(t, dir, map[string]string{
		"song.mid":      string(noteMIDI(0, 0, 60, 100)),
		"list":          "song.mid\n",
		"truncated.sf2": truncated,
		"text.sf2":      "this is not a SoundFont\n",
		"wave.sf2":      riff(36, "WAVE", "fmt \x10\x00\x00\x00\x01\x00\x02\x00\x80\xbb\x00\x00\x00\xee\x02\x00\x04\x00\x10\x00"),
		"absurd.sf2":    riff(0xFFFFFFF0, "sfbk", "LIST\xF0\xFF\xFF\xFFsdta"),
		"empty.sf2":     "",
		"dir.sf2/x":     "",
	})
	mkfifo(t, filepath.Join(dir, "pipe.sf2"))
	song := filepath.Join(dir, "song.mid")
	for _, c := range []struct{ font, want string }{
		{"missing.sf2", "no such file"},
		{"dir.sf2", "is a directory"},
		{"pipe.sf2", "is a named pipe"},
		{"text.sf2", "not a"},
		{"wave.sf2", "not sfbk"},
		{"empty.sf2", "sf2: "},
		{"truncated.sf2", "sf2: "},
		{"absurd.sf2", "sf2: "},
	} {
		font := filepath.Join(dir, c.font)
		out := filepath.Join(dir, "out.wav")
		outdir, rep := filepath.Join(dir, "outdir"), filepath.Join(dir, "r.jsonl")
		for _, args := range [][]string{
			{song, "-o", out, "-soundfont", font},
			{"-manifest", filepath.Join(dir, "list"), "-outdir", outdir, "-report", rep, "-soundfont", font},
			{"-manifest", dir, "-outdir", outdir, "-report", rep, "-soundfont", font, "-jobs", "2"},
		} {
			code, stderr := runWithin(t, 10*time.Second, "", args...)
			if code != exitFailed || !strings.HasPrefix(stderr, "bounce: -soundfont "+font+": ") || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, stderr %q; want 1 and a line naming the font with %q", args, code, stderr, c.want)
			}
			oneLine(t, stderr)
			for _, p := range []string{out, outdir, rep} {
				if _, err := os.Lstat(p); err == nil {
					t.Errorf("%v: %s exists", args, p)
					os.RemoveAll(p)
				}
			}
		}
	}
}
