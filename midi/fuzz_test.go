package midi

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/testfiles"
)

// FuzzReadMIDI asserts Decode never panics, that errors are one line of
// printable text even under a hostile file name, and
// that an accepted file yields a score whose notes lie inside Frames with
// finite values. Seeds: testdata/fuzz/FuzzReadMIDI, a few built here, and
// the jazz-soft corpus when the shared test data is present.
func FuzzReadMIDI(f *testing.F) {
	f.Add(smf(0, tpq, ev(on(0, 0, 60, 100), off(10, 0, 60), eot(0))))
	f.Add(smf(1, tpq, ev(tempo(0, 400000), eot(0)), ev(program(0, 0, 40), cc(0, 0, 64, 127), on(0, 0, 60, 100), bend(5, 0, 0), off(10, 0, 60), cc(1, 0, 64, 0), eot(0))))
	f.Add(smf(2, 0xE7<<8|40, ev(on(0, 9, 36, 100), []byte{0, 0xF1, 1}, []byte{5, 38, 90}, eot(0))))
	if dir := testfiles.Find("midi-jazz-soft"); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "*.mid"))
		for _, p := range files {
			if data, err := os.ReadFile(p); err == nil && len(data) < 4096 {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Decode(hostileName, data, Options{})
		if err != nil {
			if !errtext.Plain(err.Error()) {
				t.Fatalf("error %q is not one line of printable text", err)
			}
			return
		}
		for i, n := range s.Notes {
			if n.Start < 0 || n.Start+n.Length > s.Frames || n.Key > 127 || n.Velocity > 127 || n.Channel > 15 {
				t.Fatalf("notes[%d] = %+v outside %d frames", i, n, s.Frames)
			}
		}
		for i, c := range s.Controls {
			if c.Frame >= s.Frames || math.IsNaN(float64(c.Value)) {
				t.Fatalf("controls[%d] = %+v outside %d frames", i, c, s.Frames)
			}
		}
	})
}
