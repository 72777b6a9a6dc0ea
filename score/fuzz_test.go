package score

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
)

// FuzzReadScore asserts Read never panics, that every error is one line of
// printable text even under a hostile input name, and that every score it
// accepts passes Validate, starts all notes inside Frames and holds finite
// values.
func FuzzReadScore(f *testing.F) {
	for _, name := range []string{"example.json", "minimal.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add(`{"sample_rate": 8000, "duration": 0, "instruments": {}, "notes": []}`)
	f.Add(`{"sample_rate": 48000, "instruments": {"s": {"osc": "square", "pulse_width": 0.1}}, "notes": [{"time": 1e300, "duration": 1, "instrument": "s", "key": 1}]}`)
	f.Add(`{"sample_rate": 48000, "notes": [{"time": 0,`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := Read(hostileName, strings.NewReader(in), Options{Dir: "testdata", Limits: Limits{MaxSeconds: 60}})
		if err != nil {
			if !errtext.Plain(err.Error()) {
				t.Fatalf("error %q is not one line of printable text", err)
			}
			return
		}
		if err := s.Validate(Limits{MaxSeconds: 60}); err != nil {
			t.Fatalf("accepted score fails Validate: %v", err)
		}
		for i, n := range s.Notes {
			if n.Start < 0 || n.Start >= s.Frames || math.IsNaN(n.Freq) {
				t.Fatalf("notes[%d] = %+v outside %d frames", i, n, s.Frames)
			}
		}
	})
}
