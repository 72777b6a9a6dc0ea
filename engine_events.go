package aether

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/voice"
)

type eventKind uint8

const (
	evNoteOn eventKind = iota
	evNoteOff
	evGain
	evPan
	evFreqRatio
)

// event is one posted change. Params travel by value, so posting never
// allocates; the queue's cells are allocated once, at NewEngine.
type event struct {
	kind   eventKind
	offset uint8
	value  float32
	id     VoiceID
	params voice.Params
}

// NoteOn posts a note that starts offset samples (0..63) into the next
// block, and returns the VoiceID that later events for it use. p is copied.
// Parameters that are NaN or infinite, and offsets out of range, are
// rejected at once; other invalid parameters are found when the block
// starts and counted in Stats.Rejected. A full queue returns ErrQueueFull
// at once. NoteOn never blocks and never allocates on success; any
// goroutine may call it.
func (e *Engine) NoteOn(p voice.Params, offset int) (VoiceID, error) {
	if err := e.checkPost(offset); err != nil {
		return 0, err
	}
	if err := checkFinite(&p); err != nil {
		e.stats.rejected.Add(1)
		return 0, err
	}
	id := VoiceID(e.nextID.Add(1))
	if err := e.post(event{kind: evNoteOn, offset: uint8(offset), id: id, params: p}); err != nil {
		return 0, err
	}
	return id, nil
}

// NoteOff posts the start of id's release, offset samples (0..63) into the
// next block. It has the queue behaviour of NoteOn.
func (e *Engine) NoteOff(id VoiceID, offset int) error {
	if err := e.checkPost(offset); err != nil {
		return err
	}
	return e.post(event{kind: evNoteOff, offset: uint8(offset), id: id})
}

// SetGain posts a new linear gain for id, ramped across the next block. A
// NaN, infinite or negative gain silences the voice (Stats.Silenced). A
// gain below voice.MinLevel becomes 0.
func (e *Engine) SetGain(id VoiceID, g float32) error { return e.postValue(evGain, id, g) }

// SetPan posts a new pan (-1..1) for id, ramped across the next block. A
// NaN pan silences the voice.
func (e *Engine) SetPan(id VoiceID, p float32) error { return e.postValue(evPan, id, p) }

// SetFreqRatio posts a multiplier of id's NoteOn frequency, applied from
// the next block with a continuous phase. A NaN, infinite or non-positive
// ratio silences the voice.
func (e *Engine) SetFreqRatio(id VoiceID, r float32) error { return e.postValue(evFreqRatio, id, r) }

func (e *Engine) postValue(k eventKind, id VoiceID, v float32) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.post(event{kind: k, id: id, value: v})
}

func (e *Engine) checkPost(offset int) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if uint(offset) >= block.Size {
		return fmt.Errorf("%w: %d", ErrOffset, offset)
	}
	return nil
}

func (e *Engine) post(ev event) error {
	if e.events.Push(ev) != nil {
		e.stats.dropped.Add(1)
		return ErrQueueFull
	}
	return nil
}

// checkFinite rejects NaN and infinite parameters at post time, so the
// poster hears of them at once; the bank checks ranges when the note starts.
func checkFinite(p *voice.Params) error {
	for _, f := range [...]struct {
		name string
		v    float64
	}{
		{"Freq", p.Freq}, {"Gain", float64(p.Gain)}, {"Pan", float64(p.Pan)},
		{"PulseWidth", float64(p.PulseWidth)},
		{"Env.Attack", float64(p.Env.Attack)}, {"Env.Decay", float64(p.Env.Decay)},
		{"Env.Sustain", float64(p.Env.Sustain)}, {"Env.Release", float64(p.Env.Release)},
		{"Filter.Cutoff", float64(p.Filter.Cutoff)}, {"Filter.Resonance", float64(p.Filter.Resonance)},
	} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%w: %s = %v", ErrParams, f.name, f.v)
		}
	}
	return nil
}
