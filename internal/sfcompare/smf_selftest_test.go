package sfcompare

import (
	"bytes"
	"math"
	"testing"

	"github.com/aether-audio/aether/midi"
)

// The writer's files read back through the project's MIDI reader with the
// notes, times and controls written.
func TestSMFWriterReadsBack(t *testing.T) {
	var tr smfTrack
	tr.program(0, 0, 19)
	tr.cc(0, 0, 7, 100)
	tr.noteOn(0.5, 0, 60, 100)
	tr.noteOff(2.25, 0, 60)
	tr.noteOn(200, 9, 36, 127) // a delta over 3 VLQ bytes
	tr.noteOff(201, 9, 36)
	tr.bend(1, 0, 0)
	file := smf(&tr)
	// The tempo track: 500,000 µs a quarter note, as FluidSynth reads it.
	if !bytes.Contains(file, []byte("MTrk\x00\x00\x00\x0b\x00\xff\x51\x03\x07\xa1\x20\x00\xff\x2f\x00")) {
		t.Errorf("no tempo track of 500000 µs a quarter note in % x", file[:40])
	}
	s, err := midi.Decode("probe.mid", file, midi.Options{SampleRate: 48000})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 2 {
		t.Fatalf("%d notes, want 2", len(s.Notes))
	}
	n := s.Notes[0]
	if n.Key != 60 || n.Velocity != 100 || n.Start != 24000 || n.Length != 84000 {
		t.Errorf("first note %+v: want key 60 velocity 100 from frame 24000 for 84000 frames", n)
	}
	d := s.Notes[1]
	if d.Channel != 9 || d.Start != 200*48000 || math.Abs(float64(d.Length-48000)) > 0 {
		t.Errorf("drum note %+v: want channel 9 from frame 9600000 for 48000 frames", d)
	}
	if got := appendVLQ(nil, 0x0FFFFFFF); string(got) != "\xff\xff\xff\x7f" {
		t.Errorf("VLQ of 0x0FFFFFFF = % x", got)
	}
}

// The tests' event reader reads the writer's files back, times and all.
func TestReadEvents(t *testing.T) {
	var tr smfTrack
	tr.noteOn(0.5, 3, 60, 100)
	tr.cc(0.75, 3, 1, 64)
	tr.noteOff(2.25, 3, 60)
	tr.add(3, 0x93, 61, 90)
	tr.add(3.5, 0x93, 61, 0) // a note-on of velocity 0 ends a note
	evs, err := readEvents(smf(&tr))
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 5 || evs[1].kind() != 0xB0 || evs[1].sec != 0.75 || evs[1].data2 != 64 {
		t.Fatalf("events %+v", evs)
	}
	ns := notes(evs)
	want := []noteSpan{{ch: 3, key: 60, vel: 100, on: 0.5, off: 2.25}, {ch: 3, key: 61, vel: 90, on: 3, off: 3.5}}
	if len(ns) != 2 || ns[0] != want[0] || ns[1] != want[1] {
		t.Errorf("notes %+v, want %+v", ns, want)
	}
}
