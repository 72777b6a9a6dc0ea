package bounce

import (
	"bytes"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/voice"
)

// An engine made for the voice kinds a score's notes start renders the
// bytes of one made for every kind: no voice is left out. The rich score
// starts every kind of the synth instruments; the MIDI files play the
// built-in bank and a SoundFont.
func TestEngineForTheNotesKinds(t *testing.T) {
	type load struct {
		s    *score.Score
		opt  Options
		want []voice.Kind // nil: not checked
	}
	loads := []load{{richScore(2), Options{}, []voice.Kind{voice.Sine, voice.Saw, voice.Square, voice.Triangle,
		voice.Noise, voice.Wavetable, voice.Sampler}}}
	if dir := testfiles.Dir(t, "midi-jazz-soft"); dir != "" {
		for _, name := range []string{"test-multichannel-chords-3.mid", "test-all-gm-percussion.mid"} {
			s, err := midi.ReadFile(filepath.Join(dir, name), midi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			loads = append(loads, load{s, Options{}, nil}, load{s, Options{SoundFont: gmBank(t)}, []voice.Kind{voice.SoundFontSampler}})
		}
	}
	for _, l := range loads {
		p, err := newPlan(l.s, l.opt)
		if err != nil {
			t.Fatal(err)
		}
		if l.want != nil {
			got := slices.Clone(p.kinds)
			slices.Sort(got)
			if !slices.Equal(got, l.want) {
				t.Errorf("%s: the notes start kinds %v, want %v", l.s.Name, got, l.want)
			}
		}
		var some, every bytes.Buffer
		if _, err := Render(t.Context(), l.s, &some, l.opt); err != nil {
			t.Fatal(err)
		}
		everyKind = true
		_, err = Render(t.Context(), l.s, &every, l.opt)
		everyKind = false
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(some.Bytes(), every.Bytes()) {
			t.Errorf("%s (SoundFont %v): an engine for kinds %v renders other bytes than one for every kind", l.s.Name, l.opt.SoundFont != nil, p.kinds)
		}
	}
}
