package score_test

import (
	"fmt"
	"strings"

	"github.com/aether-audio/aether/pitch"
	"github.com/aether-audio/aether/score"
)

// Read a JSON score and look at the resolved notes: times are frames,
// keys are frequencies, instruments are indexes.
func ExampleRead() {
	js := `{
	  "sample_rate": 48000,
	  "instruments": {"bell": {"osc": "sine", "decay": 0.5, "sustain": 0, "release": 0.25}},
	  "notes": [
	    {"time": 0.5, "duration": 0.25, "instrument": "bell", "key": 69},
	    {"time": 0, "duration": 0.25, "instrument": "bell", "freq": 220, "pan": -1}
	  ]
	}`
	s, err := score.Read("song.json", strings.NewReader(js), score.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("frames:", s.Frames)
	for _, n := range s.Notes {
		fmt.Printf("start %d, length %d, %s at %g Hz, pan %g\n", n.Start, n.Length, s.Instruments[n.Instrument].Name, n.Freq, n.Pan)
	}
	_, err = score.Read("song.json", strings.NewReader(`{"sample_rate": 48000, "tempo": 120}`), score.Options{})
	fmt.Println(err)
	// Output:
	// frames: 48000
	// start 0, length 12000, bell at 220 Hz, pan -1
	// start 24000, length 12000, bell at 440 Hz, pan 0
	// song.json: line 1, col 31: unknown field "tempo"
}

// Build a score in Go, as a game or generative program would, and check it
// before rendering.
func ExampleScore_Validate() {
	s := &score.Score{
		Name:        "generated",
		SampleRate:  44100,
		Frames:      44100,
		Instruments: []score.Instrument{{Name: "lead", Osc: score.Saw, Attack: 0.01, Sustain: 0.8, Release: 0.1, Gain: 1}},
	}
	for i, key := range []float64{60, 64, 67} {
		s.Notes = append(s.Notes, score.Note{Start: int64(i) * 11025, Length: 11025, Freq: pitch.KeyFreq(key), Gain: 0.5})
	}
	fmt.Println(s.Validate(score.Limits{}))
	s.Notes[1].Freq = 30000
	fmt.Println(s.Validate(score.Limits{}))
	// Output:
	// <nil>
	// generated: notes[1].freq: invalid value: must be a positive finite number below Nyquist (22050 Hz), got 30000
}

// A score built in Go: notes in any order, a control that refers to a note
// by the index Note returned, Frames computed from the notes and the
// instrument's release.
func ExampleBuilder() {
	b := score.NewBuilder("built", 48000)
	lead := b.Instrument(score.Instrument{Name: "lead", Osc: score.Saw, Release: 0.5}) // Gain 0 means 1
	second := b.Note(score.Note{Start: 48000, Length: 24000, Instrument: lead, Key: 64})
	b.Note(score.Note{Start: 0, Length: 48000, Instrument: lead, Key: 60, Velocity: 100})
	b.Control(score.Control{Frame: 60000, Kind: score.Pan, Note: second, Value: -1})
	s, err := b.Score(score.Limits{})
	if err != nil {
		panic(err)
	}
	fmt.Println("frames:", s.Frames, "first key:", s.Notes[0].Key, "pan reaches note", s.Controls[0].Note)
	// Output: frames: 96000 first key: 60 pan reaches note 1
}
