package bounce_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
)

// A score built in Go and bounced to a WAV file: an arpeggio of saw notes
// through a lowpass, the last note swept across the stereo field, written
// as 24-bit PCM. RenderFile writes a temporary file and renames it, so the
// output is either whole or absent.
func Example_scoreBuiltInGo() {
	const rate = 48000
	b := score.NewBuilder("arpeggio", rate)
	lead := b.Instrument(score.Instrument{
		Name: "lead", Osc: score.Saw,
		Attack: 0.01, Decay: 0.2, Sustain: 0.6, Release: 0.3,
		Filter: &score.Filter{Type: score.Lowpass, Cutoff: 2500, Resonance: 0.2},
	})
	var last int
	for i, key := range []uint8{60, 64, 67, 72} {
		last = b.Note(score.Note{Start: int64(i) * rate / 4, Length: rate / 4, Instrument: lead, Key: key, Velocity: 96})
	}
	b.Control(score.Control{Frame: rate, Kind: score.Pan, Note: last, Value: -1})
	s, err := b.Score(score.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}

	dir, err := os.MkdirTemp("", "bounce-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	res, err := bounce.RenderFile(context.Background(), s, filepath.Join(dir, "arpeggio.wav"), bounce.Options{Format: wav.PCM24})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.2f s, %d notes, clipped %d, silent %v\n", res.Seconds(), res.Notes, res.Clipped, res.Silent())
	// Output: 1.30 s, 4 notes, clipped 0, silent false
}
