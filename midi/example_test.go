package midi_test

import (
	"fmt"

	"github.com/aether-audio/aether/midi"
)

// Decode a tiny format 0 file: one middle C, a quarter note at the default
// 120 BPM, on program 0 of the renderer's bank; then the same file cut
// short.
func ExampleDecode() {
	file := []byte("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60" +
		"MTrk\x00\x00\x00\x0b" +
		"\x00\x90\x3c\x7f" + // note-on C4, velocity 127
		"\x60\x3c\x00" + // 96 ticks later, running status: velocity 0 = note-off
		"\x00\xff\x2f\x00") // end of track
	s, err := midi.Decode("tiny.mid", file, midi.Options{SampleRate: 48000})
	if err != nil {
		fmt.Println(err)
		return
	}
	n := s.Notes[0]
	fmt.Printf("%d note: start %d, length %d frames, key %d, velocity %d, %s\n", len(s.Notes), n.Start, n.Length, n.Key, n.Velocity, s.Instruments[n.Instrument].Name)
	_, err = midi.Decode("tiny.mid", file[:30], midi.Options{})
	fmt.Println(err)
	// Output:
	// 1 note: start 0, length 24000 frames, key 60, velocity 127, bank 0 program 0
	// tiny.mid: track 1, byte 0xe: truncated: chunk "MTrk" length 11 runs past the end of the file (8 bytes left)
}
