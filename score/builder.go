package score

import (
	"cmp"
	"errors"
	"slices"
)

// Builder builds a Score in Go without its traps: notes may be added in
// any order, controls refer to notes by the index Note returned, Frames is
// computed from the notes and their releases, and the zero values of
// gains mean full level rather than silence.
type Builder struct {
	s        Score
	duration int64 // explicit length in frames; -1 for none
	built    bool
}

// NewBuilder starts an empty score of the given name (used in error
// messages) at rate Hz.
func NewBuilder(name string, rate int) *Builder {
	return &Builder{s: Score{Name: name, SampleRate: rate}, duration: -1}
}

// Instrument adds an instrument and returns its index for Note. A Gain of
// 0 means 1.
func (b *Builder) Instrument(in Instrument) int {
	if in.Gain == 0 {
		in.Gain = 1
	}
	b.s.Instruments = append(b.s.Instruments, in)
	return len(b.s.Instruments) - 1
}

// Note adds a note and returns its index for Control. A Gain of 0 means 1,
// a Velocity of 0 means 127.
func (b *Builder) Note(n Note) int {
	if n.Gain == 0 {
		n.Gain = 1
	}
	if n.Velocity == 0 {
		n.Velocity = 127
	}
	b.s.Notes = append(b.s.Notes, n)
	return len(b.s.Notes) - 1
}

// Control adds a control; a note control's Note is an index Note
// returned.
func (b *Builder) Control(c Control) { b.s.Controls = append(b.s.Controls, c) }

// Duration sets the length of the score in frames; without it, the score
// ends with the last release.
func (b *Builder) Duration(frames int64) { b.duration = frames }

// errBuilt reports a second call of Score.
var errBuilt = errors.New("score: Builder.Score called twice")

// Score sorts the notes by start (keeping the order of equal starts) and
// the controls by frame, computes Frames unless Duration set it (the end of
// the last note's release; scores with preset instruments also get Tail),
// and validates the result against lim. The Builder cannot be used after.
func (b *Builder) Score(lim Limits) (*Score, error) {
	if b.built {
		return nil, errBuilt
	}
	s := b.s
	b.s, b.built = Score{}, true
	order := make([]int, len(s.Notes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(s.Notes[i].Start, s.Notes[j].Start) })
	where := make([]int, len(order)) // old index -> new index
	notes := make([]Note, len(order))
	for to, from := range order {
		notes[to] = s.Notes[from]
		where[from] = to
	}
	s.Notes = notes
	for i := range s.Controls {
		if c := &s.Controls[i]; !c.Kind.OnChannel() && c.Note >= 0 && c.Note < len(where) {
			c.Note = where[c.Note]
		}
	}
	slices.SortStableFunc(s.Controls, func(a, b Control) int { return cmp.Compare(a.Frame, b.Frame) })
	for _, in := range s.Instruments {
		if in.Preset != nil {
			s.Tail = true
		}
	}
	if b.duration >= 0 {
		s.Frames, s.Tail = b.duration, false
	} else {
		for _, n := range s.Notes {
			if n.Instrument >= 0 && n.Instrument < len(s.Instruments) {
				s.Frames = max(s.Frames, n.Start+n.Length+s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate))
			}
		}
	}
	if err := s.Validate(lim); err != nil {
		return nil, err
	}
	return &s, nil
}
