package midi

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
)

// corpus lists every file of midi-jazz-soft with what its own text asks
// for (quote must appear in the file) and what we do: notes > 0 means it
// plays that many notes, notes == 0 with err == nil means the file has
// nothing to play and says so, err != nil means it is rejected.
var corpus = []struct {
	file  string
	quote string
	notes int
	err   error
}{
	{"test-2-tracks-type-0.mid", "two tracks instead of one", 16, nil},
	{"test-2-tracks-type-1.mid", "must play simultaneously", 16, nil},
	{"test-2-tracks-type-2.mid", "must play sequentially", 16, nil},
	{"test-all-gm-percussion.mid", "Playing all General MIDI percussion", 183, nil},
	{"test-all-gm-sounds.mid", "Playing all General MIDI 1 sounds", 512, nil},
	{"test-all-gm2-sounds.mid", "requires a GM2-compatible synth", 1060, nil},
	{"test-all-gs-sounds.mid", "may support only a subset", 5044, nil},
	{"test-all-microsoft-gs-wavetable-synth-sounds.mid", "226 programs", 904, nil},
	{"test-all-xg-sounds.mid", "requires an XG-compatible synth", 4560, nil},
	{"test-c-major-scale.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-control-00-20-bank-select.mid", "You must hear Percussion sound", 8, nil},
	{"test-control-40-damper.mid", "Two sequences must sound different.", 8, nil},
	{"test-control-41-portamento.mid", "Two sequences must sound different.", 8, nil},
	{"test-control-54-portamento-control.mid", "You must hear a cool portamento effect.", 1, nil},
	{"test-control-7c-omni-mode-off.mid", "will ignore this message", 0, nil},
	{"test-control-7d-omni-mode-on.mid", "will ignore this message", 0, nil},
	{"test-control-7e-mono-mode-on.mid", "will ignore this message", 0, nil},
	{"test-control-7f-poly-mode-on.mid", "will ignore this message", 0, nil},
	{"test-corrupt-file-extra-byte.mid", "Most players have no problem with that.", 8, nil},
	{"test-corrupt-file-missing-byte.mid", "Some players may refuse to open it.", 0, ErrTruncated},
	{"test-empty-file.mid", "", 0, ErrNotMIDI},
	{"test-empty.mid", "MTrk", 0, nil},
	{"test-gm2-doggy-78-00-38-4c.mid", "you must hear a dog", 3, nil},
	{"test-gm2-doggy-79-01-7b.mid", "you must hear a dog", 3, nil},
	{"test-gs-doggy-01-00-7b.mid", "you must hear a dog", 3, nil},
	{"test-illegal-message-all.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f1-xx.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f2-xx-xx.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f3-xx.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f4.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f5.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f6.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f8.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-f9.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-fa.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-fb.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-fc.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-fd.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-illegal-message-fe.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-karaoke-kar.mid", "Mary Was A Little Lame", 29, nil},
	{"test-multichannel-chords-0.mid", "Now you must hear a chord at C5!", 24, nil},
	{"test-multichannel-chords-1.mid", "Now you must hear a chord at C5!", 24, nil},
	{"test-multichannel-chords-2.mid", "Now you must hear a chord at C5!", 24, nil},
	{"test-multichannel-chords-3.mid", "Now you must hear a chord at C5!", 24, nil},
	{"test-non-midi-track.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-not-a-midi-file.mid", "not a midi file", 0, ErrNotMIDI},
	{"test-note-on-velocity.mid", "You must hear a C-Major scale.", 9, nil},
	{"test-rpn-00-00-pitch-bend-range.mid", "Pitch Bend range is set to", 5, nil},
	{"test-rpn-00-01-fine-tuning.mid", "You must hear a quarter-tone scale.", 25, nil},
	{"test-rpn-00-02-coarse-tuning.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-rpn-00-05-modulation-depth-range.mid", "Modulation Depth range is set to", 5, nil},
	{"test-running-status-metaevent.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-running-status-sysex.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-silence-all-notes-off.mid", "should play nothing for 5 seconds", 0, nil},
	{"test-silence-end-of-track.mid", "End-of-Track metaevent after 5 seconds", 0, nil},
	{"test-silence-text-metaevent.mid", "metaevent after 5 seconds", 0, nil},
	{"test-smpte-offset.mid", "Most players will ignore it.", 8, nil},
	{"test-sysex-7e-06-01-id-request.mid", "Identity Request", 0, nil},
	{"test-sysex-7e-09-01-gm1-enable.mid", "enables the GM1 System", 0, nil},
	{"test-sysex-7e-09-02-gm-disable.mid", "turns off the GM System", 0, nil},
	{"test-sysex-7e-09-03-gm2-enable.mid", "enables the GM2 System", 0, nil},
	{"test-sysex-7f-04-03-master-fine-tuning.mid", "You must hear a quarter-tone sequence.", 5, nil},
	{"test-sysex-7f-04-04-master-coarse-tuning.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-sysex-7x-08-0x-scale-tuning.mid", "must hear a regular chromatic scale", 65, nil},
	{"test-sysex-gs-40-1x-15-drum-part-change.mid", "you must hear drum playing", 8, nil},
	{"test-sysex-gs-40-1x-4x-scale-tuning.mid", "the pitch of the note should change", 3, nil},
	{"test-track-length.mid", "You must hear C5 and then the track ends", 1, nil},
	{"test-vlq-2-byte.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-vlq-3-byte.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-vlq-4-byte.mid", "You must hear a C-Major scale.", 8, nil},
	{"test-xg-doggy-40-00-30.mid", "you must hear a dog", 3, nil},
	{"test-xg-doggy-7e-00-00-54.mid", "you must hear a dog", 3, nil},
}

func TestCorpus(t *testing.T) {
	dir := testfiles.Dir(t, "midi-jazz-soft")
	files, _ := filepath.Glob(filepath.Join(dir, "*.mid"))
	if len(files) != len(corpus) {
		t.Errorf("corpus has %d files, the table %d: update the table and docs/midi.md", len(files), len(corpus))
	}
	for _, c := range corpus {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(c.quote)) {
				t.Fatalf("file does not say %q", c.quote)
			}
			s, err := ReadFile(path, Options{})
			if c.err != nil {
				if err == nil || !errors.Is(err, c.err) {
					t.Fatalf("got %v, want an error wrapping %v", err, c.err)
				}
				if msg := err.Error(); strings.Contains(msg, "\n") || !strings.HasPrefix(msg, path+": ") {
					t.Fatalf("error %q is not one line starting with the path", msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Notes) != c.notes {
				t.Fatalf("%d notes, want %d", len(s.Notes), c.notes)
			}
			loudest := uint8(0)
			for _, n := range s.Notes {
				loudest = max(loudest, n.Velocity)
			}
			if c.notes > 0 && loudest < 40 {
				t.Errorf("loudest note velocity %d: the file would bounce nearly silent", loudest)
			}
		})
	}
}

// The c-major scale file plays C5..C6 (keys 60..72 in this corpus's
// naming) in order, one note after another.
func TestCorpusCMajorScale(t *testing.T) {
	s, err := ReadFile(filepath.Join(testfiles.Dir(t, "midi-jazz-soft"), "test-c-major-scale.mid"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	keys := []uint8{60, 62, 64, 65, 67, 69, 71, 72}
	for i, n := range s.Notes {
		if n.Key != keys[i] {
			t.Errorf("note %d: key %d, want %d", i, n.Key, keys[i])
		}
		if i > 0 && n.Start < s.Notes[i-1].Start+s.Notes[i-1].Length {
			t.Errorf("note %d overlaps the one before", i)
		}
	}
}

func TestCorpusBench(t *testing.T) {
	dir := testfiles.Dir(t, "midi-bench")
	for name, want := range map[string]int{"organ_0.mid": 0, "organ_256.mid": 256, "organ_1000.mid": 1000, "piano_128.mid": 128, "piano_500.mid": 500} {
		s, err := ReadFile(filepath.Join(dir, name), Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(s.Notes) != want {
			t.Errorf("%s: %d notes, want %d", name, len(s.Notes), want)
		}
		for _, n := range s.Notes {
			// All notes start at 0 and are stopped at 10 s by All Sound Off.
			if n.Start != 0 || n.Length != 10*DefaultSampleRate {
				t.Fatalf("%s: note %+v, want start 0, length 10 s", name, n)
			}
		}
	}
}
