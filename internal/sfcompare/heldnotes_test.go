package sfcompare

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/instrument"
)

var heldNotesDir = flag.String("sfcompare.heldnotes", "", "write held-0.mid and held-240.mid, FluidSynth's per-voice cost files, to this directory")

// TestWriteHeldNotes writes the MIDI files docs/voice.md times FluidSynth
// with: 240 notes of the church organ (15 melodic channels, 16 keys each,
// one FluidR3_GM voice a note, looped) held for 10 s and cut by all
// sound off, and the same file with no note. It runs only when -sfcompare.heldnotes names a directory.
func TestWriteHeldNotes(t *testing.T) {
	if *heldNotesDir == "" {
		t.Skip("no -sfcompare.heldnotes directory")
	}
	const program = 19
	bank, err := aetherBank(fluidR3)
	if err != nil {
		t.Fatal(err)
	}
	inst := bank.Instrument(0, program, false)
	for _, notes := range []int{0, 240} {
		tr := &smfTrack{}
		voices := 0
		for i := range notes {
			ch := byte(i / 16)
			if ch >= drumChannel {
				ch++
			}
			key := byte(36 + i%16*3)
			tr.program(0, ch, program)
			tr.noteOn(0.01, ch, key, 100)
			c := instrument.NewChannel(ch)
			n := instrument.Note{Channel: ch, Key: key, Velocity: 100}
			voices += len(inst.Start(&n, &c, nil))
		}
		if voices != notes {
			t.Fatalf("%d notes start %d voices, want one each", notes, voices)
		}
		for ch := byte(0); ch < 16; ch++ {
			tr.cc(10, ch, 120, 0) // all sound off: FluidSynth renders until its voices end
		}
		name := filepath.Join(*heldNotesDir, "held-"+map[int]string{0: "0", 240: "240"}[notes]+".mid")
		if err := os.WriteFile(name, smf(tr), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
