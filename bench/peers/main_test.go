package main

import (
	"testing"

	"github.com/aether-audio/aether/midi"
)

// load.mid is one note of an eighth of a second on channel 1, as the
// timing script assumes.
func TestLoadMIDI(t *testing.T) {
	s, err := midi.Decode("load.mid", loadMIDI(), midi.Options{SampleRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 1 {
		t.Fatalf("%d notes, want 1", len(s.Notes))
	}
	n := s.Notes[0]
	if n.Key != 60 || n.Channel != 0 || n.Start != 0 || n.Length != 6000 {
		t.Errorf("note %+v: want key 60 on channel 1 from 0 for 6000 frames (0.125 s)", n)
	}
}
