package bench

import (
	"context"
	"fmt"
	"math"

	"github.com/aether-audio/aether/block"
)

// noteLengthMs is how long a churn note lasts on average. A quarter note at
// 120 bpm lasts 500 ms; half of that is dense but still musical, and at 40k
// voices it asks the synth for 213 note-ons and 213 note-offs per block,
// which is what stresses voice allocation.
const noteLengthMs = 250

// setupBatch is how many notes the harness starts before rendering a block
// while it fills the voice table: an engine's event queue is bounded, and a
// few hundred events per block is what a busy sequencer posts.
const setupBatch = 256

// lowestNote and noteRange span MIDI notes 36..96 (C2..C7), the range most
// parts are written in.
const (
	lowestNote = 36
	noteRange  = 61
)

// player posts a scenario's notes to a synth. It keeps the held voices in a
// ring preallocated to the polyphony, so posting never allocates.
type player struct {
	synth    Synth
	scenario Scenario
	voices   int

	held       []Voice // ring of held voices, oldest at head
	head       int
	rateAcc    int // fixed-point note accumulator, in samples*voices
	noteLength int // samples
	gain       float32
	freqs      [noteRange]float64
	rng        uint64
}

func newPlayer(s Synth, sc Scenario, voices, sampleRate int) *player {
	p := &player{
		synth:      s,
		scenario:   sc,
		voices:     voices,
		held:       make([]Voice, voices),
		noteLength: sampleRate * noteLengthMs / 1000,
		// Keep the sum of uncorrelated voices near unit level, so a synth
		// that clips or detects silence does no unusual work.
		gain: float32(1 / math.Sqrt(float64(voices))),
		rng:  0x9e3779b97f4a7c15, // fixed seed: every run plays the same notes
	}
	for i := range p.freqs {
		p.freqs[i] = 440 * math.Pow(2, float64(lowestNote+i-69)/12)
	}
	return p
}

// next returns a pseudo-random number (xorshift64*), cheap and allocation free.
func (p *player) next() uint64 {
	p.rng ^= p.rng >> 12
	p.rng ^= p.rng << 25
	p.rng ^= p.rng >> 27
	return p.rng * 2685821657736338717
}

func (p *player) start() (Voice, error) {
	r := p.next()
	freq := p.freqs[r%noteRange]
	pan := float32((r>>8)%2001)/1000 - 1 // -1..1
	offset := int((r >> 20) % block.Size)
	return p.synth.NoteOn(freq, p.gain, pan, offset)
}

// fill starts the scenario's initial voices, rendering a block after every
// setupBatch notes. Nothing here is timed.
func (p *player) fill(ctx context.Context, left, right *block.Block) error {
	for i := range p.voices {
		// Filling millions of voices takes minutes: stop when asked.
		if i%setupBatch == 0 && ctx.Err() != nil {
			return ErrInterrupted
		}
		v, err := p.start()
		if err != nil {
			return fmt.Errorf("note-on %d of %d: %w", i+1, p.voices, err)
		}
		p.held[i] = v
		if (i+1)%setupBatch == 0 {
			if err := p.synth.RenderBlock(left, right); err != nil {
				return err
			}
		}
	}
	return nil
}

// notesThisBlock is how many notes start (and, for churn, end) before the
// next block: voices * block / noteLength on average, carried exactly in
// integers so no rounding drift builds up over a long step.
func (p *player) notesThisBlock() int {
	p.rateAcc += p.voices * block.Size
	n := p.rateAcc / p.noteLength
	p.rateAcc -= n * p.noteLength
	return n
}

// post sends the events for the next block.
func (p *player) post() error {
	switch p.scenario {
	case Churn:
		for range p.notesThisBlock() {
			r := p.next()
			if err := p.synth.NoteOff(p.held[p.head], int(r%block.Size)); err != nil {
				return fmt.Errorf("churn note-off: %w", err)
			}
			v, err := p.start()
			if err != nil {
				return fmt.Errorf("churn note-on: %w", err)
			}
			p.held[p.head] = v
			p.head++
			if p.head == len(p.held) {
				p.head = 0
			}
		}
	case Overload:
		// Never release: the table is full, so each note-on steals.
		for range p.notesThisBlock() {
			if _, err := p.start(); err != nil {
				return fmt.Errorf("overload note-on: %w", err)
			}
		}
	}
	return nil
}

// capacity is the voice table a scenario asks the factory for. Churn gets
// twice its polyphony so that released voices ringing out (envelope
// release) do not force stealing; overload gets exactly its polyphony so
// that every new note must steal.
func capacity(sc Scenario, voices int) int {
	if sc == Churn {
		return 2 * voices
	}
	return voices
}
