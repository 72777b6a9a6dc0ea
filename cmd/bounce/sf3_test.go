package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// fluidR3Mono is the SF3 font (Ogg Vorbis samples) Debian's
// fluidr3mono-gm-soundfont installs.
const fluidR3Mono = "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3"

// An SF3 font plays: each note of a batch sounds at the pitch of its key,
// at a sane level, unclipped; the drum channel sounds.
func TestSF3PlaysTheKey(t *testing.T) {
	if _, err := os.Stat(fluidR3Mono); err != nil {
		t.Skipf("%s not found (apt-get install fluidr3mono-gm-soundfont): skipping", fluidR3Mono)
	}
	if testing.Short() {
		t.Skip("decodes FluidR3Mono's 62 M frames: skipped with -short")
	}
	notes := []struct{ program, key byte }{{0, 48}, {0, 60}, {0, 72}, {19, 57}, {73, 76}}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	files := map[string]string{"drum.mid": string(noteMIDI(9, 0, 38, 110))}
	for _, c := range notes {
		files[fmt.Sprintf("p%d-k%d.mid", c.program, c.key)] = string(noteMIDI(0, c.program, c.key, 100))
	}
	writeFiles(t, in, files)
	if code, stdout, stderr := runBounce(t, "", "-manifest", in, "-outdir", out, "-soundfont", fluidR3Mono); code != exitOK {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	for _, c := range notes {
		checkKeyNote(t, filepath.Join(out, fmt.Sprintf("p%d-k%d.wav", c.program, c.key)), c.program, c.key)
	}
	if db, _, _ := peakOf(t, filepath.Join(out, "drum.wav")); db < -40 {
		t.Errorf("drum channel key 38: peak %.1f dBFS", db)
	}
}
