package midi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/aether-audio/aether/score"
)

// smf assembles a MIDI file from raw track bodies (events without the
// MTrk header); division is ticks per quarter note or an SMPTE code.
func smf(format int, division uint16, tracks ...[]byte) []byte {
	b := []byte("MThd\x00\x00\x00\x06")
	b = binary.BigEndian.AppendUint16(b, uint16(format))
	b = binary.BigEndian.AppendUint16(b, uint16(len(tracks)))
	b = binary.BigEndian.AppendUint16(b, division)
	for _, t := range tracks {
		b = append(b, "MTrk"...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(t)))
		b = append(b, t...)
	}
	return b
}

// ev concatenates byte pieces into a track body.
func ev(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func on(delta byte, ch, key, vel byte) []byte { return []byte{delta, 0x90 | ch, key, vel} }
func off(delta byte, ch, key byte) []byte     { return []byte{delta, 0x80 | ch, key, 64} }
func cc(delta byte, ch, num, val byte) []byte { return []byte{delta, 0xB0 | ch, num, val} }
func eot(delta byte) []byte                   { return []byte{delta, 0xFF, 0x2F, 0} }
func tempo(delta byte, us uint32) []byte {
	return []byte{delta, 0xFF, 0x51, 3, byte(us >> 16), byte(us >> 8), byte(us)}
}
func bend(delta byte, ch byte, v int) []byte {
	return []byte{delta, 0xE0 | ch, byte(v & 0x7f), byte(v >> 7)}
}
func program(delta byte, ch, p byte) []byte { return []byte{delta, 0xC0 | ch, p} }
func text(delta byte, s string) []byte      { return append([]byte{delta, 0xFF, 0x01, byte(len(s))}, s...) }
func sysex(delta byte, body ...byte) []byte {
	return append([]byte{delta, 0xF0, byte(len(body))}, body...)
}

// 96 ticks per quarter at the default 120 BPM: one tick is 1/192 s, and at
// 48 kHz exactly 250 frames.
const tpq = 96

func decode(t *testing.T, data []byte) *score.Score {
	t.Helper()
	s, err := Decode("song.mid", data, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRunningStatusAcrossMetaAndSysex(t *testing.T) {
	// Note-on status once, then notes in running status with a text meta
	// event and a sysex between them, and illegal system bytes skipped.
	tr := ev(on(0, 0, 60, 100), []byte{96, 60, 0}, // running: note-on vel 0
		text(0, "break"), []byte{0, 62, 100}, sysex(96, 0x7E, 0x7F, 0xF7), []byte{0, 62, 0},
		[]byte{0, 0xF1, 0x10}, []byte{0, 0xF2, 1, 2}, []byte{0, 0xF4}, []byte{0, 0xFE},
		[]byte{0, 64, 100}, []byte{96, 64, 0}, eot(0))
	s := decode(t, smf(0, tpq, tr))
	if len(s.Notes) != 3 {
		t.Fatalf("%d notes, want 3", len(s.Notes))
	}
	for i, k := range []uint8{60, 62, 64} {
		n := s.Notes[i]
		if n.Key != k || n.Velocity != 100 || n.Length != 96*250 {
			t.Errorf("note %d = %+v, want key %v at velocity 100 lasting 96 ticks", i, n, k)
		}
	}
}

// A key struck again on a channel releases the note it was playing, as
// FluidSynth does, and a note-off then ends the newest note of the key.
func TestRestrikeReleasesTheKey(t *testing.T) {
	// Two note-ons of one key, then two offs: the second strike ends the
	// first note, the first off the second, and the second off nothing.
	tr := ev(on(0, 0, 60, 100), on(10, 0, 60, 50), off(10, 0, 60), off(10, 0, 60), eot(0))
	s := decode(t, smf(0, tpq, tr))
	if len(s.Notes) != 2 || s.Notes[0].Length != 10*250 || s.Notes[1].Length != 10*250 || s.Notes[1].Start != 10*250 {
		t.Fatalf("notes %+v", s.Notes)
	}
	// Under the sustain pedal, a re-struck key ends its held note; the
	// last one is held until the pedal rises. Another channel's key and
	// another key are untouched.
	tr = ev(cc(0, 0, 64, 127), on(0, 0, 60, 100), on(0, 1, 60, 100), on(0, 0, 64, 100),
		off(5, 0, 60), on(5, 0, 60, 90), off(5, 0, 60), on(5, 0, 60, 80), off(5, 0, 60),
		cc(5, 0, 64, 0), off(0, 1, 60), off(0, 0, 64), eot(0))
	s = decode(t, smf(0, tpq, tr))
	want := []struct{ start, length int64 }{{0, 10}, {0, 30}, {0, 30}, {10, 10}, {20, 10}}
	if len(s.Notes) != len(want) {
		t.Fatalf("%d notes, want %d: %+v", len(s.Notes), len(want), s.Notes)
	}
	for i, w := range want {
		if n := s.Notes[i]; n.Start != w.start*250 || n.Length != w.length*250 {
			t.Errorf("note %d: start %d, length %d ticks; want %d, %d", i, n.Start/250, n.Length/250, w.start, w.length)
		}
	}
	// A drum struck again cuts its previous strike short too; the bank
	// decides whether a drum heeds note-off at all.
	tr = ev(on(0, 9, 36, 100), on(4, 9, 36, 100), on(0, 9, 42, 100), eot(96))
	s = decode(t, smf(0, tpq, tr))
	if s.Notes[0].Length != 4*250 || s.Notes[1].Length != 96*250 {
		t.Errorf("drums %+v", s.Notes)
	}
}

// A key struck 20,000 times under the sustain pedal sounds one note at a
// time, not 20,000 held ones.
func TestRestrikesDoNotPileUp(t *testing.T) {
	tr := ev(cc(0, 0, 64, 127))
	for range 20000 {
		tr = append(tr, on(1, 0, 60, 100)...)
		tr = append(tr, off(0, 0, 60)...)
	}
	s := decode(t, smf(0, tpq, append(tr, eot(0)...)))
	if len(s.Notes) != 20000 {
		t.Fatalf("%d notes", len(s.Notes))
	}
	for i, n := range s.Notes[:len(s.Notes)-1] {
		if n.Start+n.Length != s.Notes[i+1].Start {
			t.Fatalf("note %d ends at %d, the next strike is at %d", i, n.Start+n.Length, s.Notes[i+1].Start)
		}
	}
}

func TestSustainPedal(t *testing.T) {
	tr := ev(cc(0, 0, 64, 127), on(0, 0, 60, 100), off(10, 0, 60), on(0, 0, 62, 100), cc(30, 0, 64, 0), off(10, 0, 62), eot(0))
	s := decode(t, smf(0, tpq, tr))
	// Key 60 is held by the pedal until tick 40; key 62 ends at 50 even
	// though it was pressed under the pedal, because its off comes after.
	if s.Notes[0].Length != 40*250 || s.Notes[1].Length != 40*250 {
		t.Fatalf("notes %+v", s.Notes)
	}
}

func TestAllNotesOff(t *testing.T) {
	tr := ev(cc(0, 0, 64, 127), on(0, 0, 60, 100), on(0, 1, 62, 100), cc(20, 0, 123, 0), cc(10, 1, 120, 0), eot(50))
	s := decode(t, smf(0, tpq, tr))
	if s.Notes[0].Length != 20*250 || s.Notes[1].Length != 30*250 {
		t.Fatalf("notes %+v", s.Notes)
	}
	// The score lasts until the track's end (tick 80), and its renderer
	// adds the releases of the bank that plays it.
	if s.Frames != 80*250 || !s.Tail {
		t.Fatalf("Frames %d, Tail %v", s.Frames, s.Tail)
	}
	// All sound off also stays a control, for the renderer to cut the
	// sound at once; all notes off only ends the notes.
	var offs []score.Control
	for _, c := range s.Controls {
		if c.Kind == score.CC && (c.Controller == 120 || c.Controller == 123) {
			offs = append(offs, c)
		}
	}
	checkControls(t, offs, []score.Control{channelCC(30*250, 1, 120, 0)})
}

// channelCC is a CC channel control for the expected lists below.
func channelCC(frame int64, ch, num uint8, v float32) score.Control {
	return score.Control{Frame: frame, Kind: score.CC, Channel: ch, Controller: num, Value: v}
}

// gmDefaults are the controls a channel gets when first used: General
// MIDI's power-on volume and pan after a reset of the other controllers.
func gmDefaults(frame int64, ch uint8) []score.Control {
	return []score.Control{channelCC(frame, ch, 121, 0), channelCC(frame, ch, 7, 100), channelCC(frame, ch, 10, 64)}
}

func checkControls(t *testing.T, got, want []score.Control) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("controls %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("control %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// Volume, expression and pan become channel controls at their frames,
// after the channel's General MIDI defaults; one at the end of the music
// reaches no note and is dropped.
func TestVolumeExpressionPan(t *testing.T) {
	tr := ev(cc(0, 0, 7, 127), cc(0, 0, 10, 127), on(0, 0, 60, 127), cc(10, 0, 11, 0), cc(10, 0, 10, 1), off(10, 0, 60), cc(0, 0, 7, 0), eot(0))
	s := decode(t, smf(0, tpq, tr))
	if n := s.Notes[0]; n.Gain != 1 || n.Pan != 0 || n.Velocity != 127 || n.Channel != 0 {
		t.Fatalf("note %+v", n)
	}
	want := append(gmDefaults(0, 0), channelCC(0, 0, 7, 127), channelCC(0, 0, 10, 127),
		channelCC(2500, 0, 11, 0), channelCC(5000, 0, 10, 1))
	checkControls(t, s.Controls, want)
}

// Pitch bend becomes a channel control; the registered parameters that set
// its range are passed on as controllers, for the renderer's channel to
// apply.
func TestPitchBendAndRange(t *testing.T) {
	rpn := ev(cc(0, 0, 101, 0), cc(0, 0, 100, 0), cc(0, 0, 6, 12), cc(0, 0, 38, 0), cc(0, 0, 101, 127), cc(0, 0, 100, 127))
	s := decode(t, smf(0, tpq, ev(rpn, bend(0, 0, 0), on(0, 0, 69, 100), bend(10, 0, 8192), off(10, 0, 69), eot(0))))
	want := append(gmDefaults(0, 0), channelCC(0, 0, 101, 0), channelCC(0, 0, 100, 0), channelCC(0, 0, 6, 12),
		channelCC(0, 0, 38, 0), channelCC(0, 0, 101, 127), channelCC(0, 0, 100, 127),
		score.Control{Frame: 0, Kind: score.PitchBend, Value: 0}, score.Control{Frame: 2500, Kind: score.PitchBend, Value: 8192})
	checkControls(t, s.Controls, want)
	if n := s.Notes[0]; n.Key != 69 || n.Freq != 0 {
		t.Fatalf("note %+v: the bend belongs to the channel, not the note", n)
	}
}

// Channel pressure is a channel control; polyphonic pressure is dropped.
func TestChannelPressure(t *testing.T) {
	s := decode(t, smf(0, tpq, ev(on(0, 3, 60, 100), []byte{5, 0xD3, 77}, []byte{5, 0xA3, 60, 50}, off(5, 3, 60), eot(0))))
	want := append(gmDefaults(0, 3), score.Control{Frame: 1250, Kind: score.ChannelPressure, Channel: 3, Value: 77})
	checkControls(t, s.Controls, want)
}

// Decode keeps no shared mutable state: run it concurrently under -race.
func TestConcurrentDecode(t *testing.T) {
	data := smf(1, tpq, ev(tempo(0, 400000), eot(0)), ev(cc(0, 0, 64, 127), on(0, 0, 60, 100), bend(5, 0, 0), off(10, 0, 60), cc(1, 0, 64, 0), on(0, 9, 36, 90), eot(10)))
	want := decode(t, data)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				s, err := Decode("song.mid", data, Options{})
				if err == nil && (len(s.Notes) != len(want.Notes) || s.Notes[0] != want.Notes[0] || s.Frames != want.Frames) {
					err = errors.New("concurrent decode differs")
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func TestTempoMapFromAnyTrack(t *testing.T) {
	// Track 1 halves the tempo at tick 96; track 2's note at tick 192 then
	// starts at 0.5 s + 96 ticks at 1 s per quarter = 1.5 s.
	t1 := ev(tempo(96, 1000000), eot(0))
	t2 := ev(on(0, 0, 60, 100), off(0, 0, 60), text(96, "x"), on(96, 1, 62, 100), off(96, 1, 62), eot(0))
	s := decode(t, smf(1, tpq, t1, t2))
	if s.Notes[1].Start != 72000 || s.Notes[1].Length != 48000 {
		t.Fatalf("note %+v, want start 1.5 s lasting 1 s", s.Notes[1])
	}
}

func TestSMPTEDivision(t *testing.T) {
	// 25 fps x 40 ticks per frame = 1000 ticks per second; tempo ignored.
	div := uint16(0xE7<<8 | 40)
	s := decode(t, smf(0, div, ev(tempo(0, 1000000), on(100, 0, 60, 100), off(100, 0, 60), eot(0))))
	if s.Notes[0].Start != 4800 || s.Notes[0].Length != 4800 {
		t.Fatalf("note %+v, want start 0.1 s lasting 0.1 s", s.Notes[0])
	}
}

func TestFormat2Sequential(t *testing.T) {
	tr := ev(on(0, 0, 60, 100), off(96, 0, 60), eot(0))
	s := decode(t, smf(2, tpq, tr, tr))
	if len(s.Notes) != 2 || s.Notes[1].Start != 24000 {
		t.Fatalf("notes %+v, want the second track after the first", s.Notes)
	}
}

// Notes play presets of the renderer's bank: the program (and bank) of
// their channel at note-on, and on channel 10 the drum kit.
func TestProgramsAndDrums(t *testing.T) {
	tr := ev(program(0, 0, 19), on(0, 0, 60, 100), program(0, 1, 33), cc(0, 1, 0, 8), on(0, 1, 40, 100),
		program(0, 1, 34), on(0, 1, 41, 100), on(0, 9, 36, 100), program(0, 9, 16), on(0, 9, 42, 100), eot(96))
	s := decode(t, smf(0, tpq, tr))
	want := []score.Preset{{Program: 19}, {Program: 33}, {Bank: 8, Program: 34}, {Drums: true}, {Drums: true, Program: 16}}
	for i, n := range s.Notes {
		in := s.Instruments[n.Instrument]
		if in.Preset == nil || *in.Preset != want[i] {
			t.Errorf("note %d plays %+v (%s), want %+v", i, in.Preset, in.Name, want[i])
		}
	}
	if len(s.Instruments) != 5 || s.Notes[3].Channel != 9 || s.Notes[3].Key != 36 {
		t.Errorf("%d instruments; drum note %+v", len(s.Instruments), s.Notes[3])
	}
}

func TestBadInput(t *testing.T) {
	good := smf(0, tpq, ev(on(0, 0, 60, 100), off(10, 0, 60), eot(0)))
	twoTracks := smf(1, tpq, ev(on(0, 0, 60, 100), off(10, 0, 60), eot(0)), eot(0))
	lastTrackGone := twoTracks[:len(twoTracks)-8-len(eot(0))]
	longTrack := append([]byte(nil), good...)
	binary.BigEndian.PutUint32(longTrack[18:], 1<<30)
	cases := []struct {
		name  string
		data  []byte
		err   error
		place string
	}{
		{"empty", nil, ErrNotMIDI, "byte 0x0: not a Standard MIDI File: empty file"},
		{"not-midi", []byte("RIFF....WAVEfmt "), ErrNotMIDI, "byte 0x0"},
		{"short-header", []byte("MThd\x00\x00\x00\x06\x00\x00"), ErrNotMIDI, "byte 0x0"},
		{"header-length", append([]byte("MThd\x00\x00\x10\x00"), make([]byte, 10)...), ErrCorrupt, "header length"},
		{"format-3", smf(3, tpq, eot(0)), ErrUnsupported, "format 3"},
		{"division-0", smf(0, 0, eot(0)), ErrCorrupt, "division of 0"},
		{"smpte-fps", smf(0, 0xE0<<8|4, eot(0)), ErrCorrupt, "32 frames per second"},
		{"no-tracks", smf(0, tpq), ErrCorrupt, "no MTrk"},
		{"track-length", longTrack, ErrTruncated, "track 1, byte 0xe: truncated: chunk \"MTrk\" length 1073741824 runs past the end of the file"},
		{"truncated-file", good[:len(good)-3], ErrTruncated, "track 1, byte 0xe"},
		{"track-missing", lastTrackGone, ErrTruncated, "truncated: the header declares 2 tracks, the file holds 1"},
		{"vlq-5", smf(0, tpq, ev([]byte{0x81, 0x81, 0x81, 0x81, 0x01, 0x90, 60, 1}, eot(0))), ErrCorrupt, "track 1, byte 0x16: corrupt: variable-length quantity longer than 4 bytes"},
		{"delta-cut", smf(0, tpq, []byte{0x81}), ErrTruncated, "track 1, byte 0x16"},
		{"event-missing", smf(0, tpq, []byte{0x00}), ErrTruncated, "track 1, byte 0x16"},
		{"message-cut", smf(0, tpq, []byte{0x00, 0x90, 60}), ErrTruncated, "channel message 0x90 cut off"},
		{"meta-cut", smf(0, tpq, []byte{0x00, 0xFF, 0x01, 0x10, 'a'}), ErrTruncated, "meta event 0x01"},
		{"sysex-cut", smf(0, tpq, []byte{0x00, 0xF0, 0x10, 1}), ErrTruncated, "sysex"},
		{"no-running-status", smf(0, tpq, ev([]byte{0, 60, 100}, eot(0))), ErrCorrupt, "data byte 0x3c with no running status"},
		{"status-in-data", smf(0, tpq, ev([]byte{0, 0x90, 60, 0x90}, eot(0))), ErrCorrupt, "track 1, byte 0x17"},
		{"tempo-0", smf(0, tpq, ev(tempo(0, 0), eot(0))), ErrCorrupt, "tempo of 0"},
		{"second-track", smf(1, tpq, eot(0), ev([]byte{0, 60}, eot(0))), ErrCorrupt, "track 2, byte 0x23"},
		// 0x0FFFFFFF ticks at 16.7 s per quarter and 1 tick per quarter: far past 1 hour.
		{"ten-hours", smf(0, 1, ev(tempo(0, 0xFFFFFF), []byte{0xFF, 0xFF, 0xFF, 0x7F, 0x90, 60, 100}, eot(0))), ErrLimit, "track 1, byte 0x21"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("song.mid", c.data, Options{})
			checkErr(t, err, c.err, c.place)
		})
	}
}

// TestMoreTracksThanDeclared checks that tracks beyond the header's count,
// a common writer bug, are played.
func TestMoreTracksThanDeclared(t *testing.T) {
	b := smf(1, tpq, ev(on(0, 0, 60, 100), off(10, 0, 60), eot(0)), ev(on(0, 1, 64, 100), off(10, 1, 64), eot(0)))
	binary.BigEndian.PutUint16(b[10:], 1)
	s, err := Decode("song.mid", b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 2 {
		t.Errorf("%d notes, want 2 (one from each track)", len(s.Notes))
	}
}

func TestLimits(t *testing.T) {
	var tr []byte
	for i := 0; i < 5; i++ {
		tr = append(tr, on(0, 0, 60, 100)...)
	}
	_, err := Decode("song.mid", smf(0, tpq, ev(tr, eot(0))), Options{Limits: score.Limits{MaxNotes: 4}})
	checkErr(t, err, ErrLimit, "more than 4 notes")
	_, err = Read("song.mid", bytes.NewReader(make([]byte, 100)), Options{MaxBytes: 50})
	checkErr(t, err, ErrLimit, "larger than 50 bytes")
	_, err = Decode("song.mid", smf(0, tpq, ev(on(0, 0, 60, 100), bend(1, 0, 0), bend(1, 0, 1), eot(0))), Options{Limits: score.Limits{MaxControls: 1}})
	checkErr(t, err, ErrLimit, "more than 1 controls")
	_, err = Decode("song.mid", smf(0, tpq, eot(0)), Options{SampleRate: 5})
	checkErr(t, err, score.ErrInvalid, "sample_rate")
	// A 2-hour file passes once the limit allows it.
	long := smf(0, 1, ev(tempo(0, 0xFFFFFF), []byte{0x83, 0x2D, 0xFF, 0x01, 0x00}, on(0, 0, 60, 100), eot(0)))
	if _, err := Decode("song.mid", long, Options{Limits: score.Limits{MaxSeconds: 3 * 3600}}); err != nil {
		t.Fatal(err)
	}
	_, err = Decode("song.mid", long, Options{})
	checkErr(t, err, ErrLimit, "song.mid")
}

func checkErr(t *testing.T, err, want error, place string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	msg := err.Error()
	if !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %v", msg, want)
	}
	if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "song.mid: ") {
		t.Errorf("error %q is not one line starting with the input name", msg)
	}
	if !strings.Contains(msg, place) {
		t.Errorf("error %q does not contain %q", msg, place)
	}
}
