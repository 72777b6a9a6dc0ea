package score

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// goScore builds a valid score in Go, as a library user would.
func goScore() *Score {
	return &Score{
		Name:        "built",
		SampleRate:  48000,
		Frames:      48000,
		Instruments: []Instrument{{Name: "s", Osc: Sine, Sustain: 1, Gain: 1, Release: 0.1}},
		Notes: []Note{
			{Start: 0, Length: 100, Freq: 440, Gain: 1},
			{Start: 50, Length: 100, Freq: 220, Gain: 0.5, Pan: -1},
		},
		Controls: []Control{
			{Frame: 60, Note: 1, Kind: FreqRatio, Value: 1.5},
			{Frame: 70, Note: 0, Kind: Gain, Value: 0.25},
			{Frame: 70, Note: 0, Kind: Pan, Value: 1},
		},
	}
}

func TestValidateGoScore(t *testing.T) {
	if err := goScore().Validate(Limits{}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mutate func(s *Score)
		err    error
		place  string
	}{
		{"nan-freq", func(s *Score) { s.Notes[1].Freq = math.NaN() }, ErrInvalid, "notes[1].freq"},
		{"inf-gain", func(s *Score) { s.Notes[0].Gain = float32(math.Inf(1)) }, ErrInvalid, "notes[0].gain"},
		{"neg-start", func(s *Score) { s.Notes[0].Start = -1 }, ErrInvalid, "notes[0].time"},
		{"zero-length", func(s *Score) { s.Notes[0].Length = 0 }, ErrInvalid, "notes[0].duration"},
		{"bad-instrument", func(s *Score) { s.Notes[1].Instrument = 3 }, ErrUnknownInstrument, "notes[1].instrument"},
		{"unsorted", func(s *Score) { s.Notes[0].Start = 60 }, ErrInvalid, "not sorted"},
		{"nan-attack", func(s *Score) { s.Instruments[0].Attack = math.NaN() }, ErrInvalid, "instruments.s.attack"},
		{"bad-osc", func(s *Score) { s.Instruments[0].Osc = 42 }, ErrInvalid, "instruments.s.osc"},
		{"sample-nil", func(s *Score) { s.Instruments[0].Osc = Sample }, ErrInvalid, "instruments.s.sample"},
		{"control-note", func(s *Score) { s.Controls[0].Note = 9 }, ErrInvalid, "controls[0].note"},
		{"control-before-note", func(s *Score) { s.Controls[0].Frame = 10 }, ErrInvalid, "controls[0].frame"},
		{"control-unsorted", func(s *Score) { s.Controls[2].Frame = 65 }, ErrInvalid, "controls[2]"},
		{"ratio-nyquist", func(s *Score) { s.Controls[0].Value = 200 }, ErrInvalid, "controls[0].value"},
		{"control-pan", func(s *Score) { s.Controls[2].Value = -2 }, ErrInvalid, "controls[2].value"},
		{"control-kind", func(s *Score) { s.Controls[2].Kind = 7 }, ErrInvalid, "controls[2].kind"},
		{"rate", func(s *Score) { s.SampleRate = 1 }, ErrInvalid, "sample_rate"},
		{"too-long", func(s *Score) { s.Frames = 48000 * 3601 }, ErrLimit, "duration"},
		{"notes-limit", func(s *Score) { s.Notes = make([]Note, 1_000_001) }, ErrLimit, "notes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := goScore()
			c.mutate(s)
			err := s.Validate(Limits{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !errors.Is(err, c.err) || !strings.HasPrefix(msg, "built: ") || !strings.Contains(msg, c.place) || strings.Contains(msg, "\n") {
				t.Errorf("got %q, want one line wrapping %v naming %q", msg, c.err, c.place)
			}
		})
	}
}
