package aether

import (
	"errors"
	"fmt"
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/voice"
)

type eventKind uint8

const (
	evVoice       eventKind = iota // NoteOn: one voice from raw parameters
	evPlay                         // Play: a note of an instrument
	evKeyOn                        // Channel.NoteOn
	evKeyOff                       // Channel.NoteOff
	evNoteOff                      // NoteOff by VoiceID
	evGain                         // per-note controls by VoiceID
	evPan                          //
	evFreqRatio                    //
	evCutoff                       //
	evResonance                    //
	evControl                      // Channel.ControlChange
	evBend                         // Channel.PitchBend
	evProgram                      // Channel.ProgramChange
	evPressure                     // Channel.ChannelPressure
	evSystemReset                  // a General MIDI System On message
)

// starts reports whether events of kind k start a note.
func (k eventKind) starts() bool { return k == evVoice || k == evPlay || k == evKeyOn }

// event is one posted change. Everything travels by value, so posting
// never allocates; the queue's cells are allocated once, at NewEngine.
type event struct {
	kind   eventKind
	rel    bool // frame is an offset into the next block, not a frame
	ch     uint8
	a, b   uint8 // key and velocity, controller and value, program, pressure
	bend   uint16
	value  float32
	frame  int64
	seq    uint64 // drain order, for pending events of equal frames
	id     VoiceID
	note   Note
	params voice.Params
}

// Note is a note for Play: a key of an instrument on a channel.
type Note struct {
	// Channel (0..15), Key (0..127) and Velocity (1..127) are the MIDI
	// note; Freq, when not 0, overrides the key's pitch in Hz.
	instrument.Note
	// Instrument plays the note; nil means the channel's program.
	Instrument instrument.Instrument
	// Gain is the note's own linear gain on top of what its instrument
	// and channel make of it (0 means 1; SetGain changes it later).
	Gain float32
	// Pan is added to the channel's pan, -1..1 (SetPan changes it later).
	Pan float32
}

// ErrNote reports a note that cannot be played as given.
var ErrNote = errors.New("aether: invalid note")

// NoteOn posts a single voice that starts offset samples (0..63) into the
// next block, and returns the VoiceID that later events for it use. p is
// copied. It plays no instrument and belongs to no channel: channel
// controls do not reach it. Parameters that are NaN or infinite, and
// offsets out of range, are rejected at once; other invalid parameters are
// found when the block starts and counted in Stats.Rejected. A full queue
// returns ErrQueueFull at once. NoteOn never blocks and never allocates on
// success; any goroutine may call it.
func (e *Engine) NoteOn(p voice.Params, offset int) (VoiceID, error) {
	if err := e.checkPost(offset); err != nil {
		return 0, err
	}
	if err := checkFinite(&p); err != nil {
		e.stats.rejected.Add(1)
		return 0, err
	}
	id := VoiceID(e.nextID.Add(1))
	if err := e.post(event{kind: evVoice, rel: true, frame: int64(offset), id: id, params: p}); err != nil {
		return 0, err
	}
	return id, nil
}

// Play posts note n to start at frame at (see Frame; an earlier frame
// means the start of the next block) and returns the VoiceID that per-note
// controls and NoteOff use. Its instrument makes its voices (none, for a
// key it does not play) and they follow the channel's controls. Unlike
// Channel.NoteOn, Play does not end an earlier note of the same key, and
// its note ends only by NoteOff. It has the queue behaviour of NoteOn.
func (e *Engine) Play(n Note, at int64) (VoiceID, error) {
	if e.closed.Load() {
		return 0, ErrClosed
	}
	if err := checkNote(&n); err != nil {
		e.stats.rejected.Add(1)
		return 0, err
	}
	id := VoiceID(e.nextID.Add(1))
	if err := e.post(event{kind: evPlay, frame: at, id: id, note: n}); err != nil {
		return 0, err
	}
	return id, nil
}

func checkNote(n *Note) error {
	switch {
	case n.Channel >= Channels:
		return fmt.Errorf("%w: channel %d (want 0..%d)", ErrNote, n.Channel, Channels-1)
	case n.Key > 127:
		return fmt.Errorf("%w: key %d (want 0..127)", ErrNote, n.Key)
	case n.Velocity < 1 || n.Velocity > 127:
		return fmt.Errorf("%w: velocity %d (want 1..127)", ErrNote, n.Velocity)
	case !(n.Freq >= 0) || math.IsInf(n.Freq, 0):
		return fmt.Errorf("%w: freq %v", ErrNote, n.Freq)
	case !(n.Gain >= 0 && n.Gain <= voice.MaxLevel):
		return fmt.Errorf("%w: gain %v", ErrNote, n.Gain)
	case !(n.Pan >= -1 && n.Pan <= 1):
		return fmt.Errorf("%w: pan %v", ErrNote, n.Pan)
	}
	return nil
}

// NoteOff posts the start of id's release, offset samples (0..63) into the
// next block. It has the queue behaviour of NoteOn.
func (e *Engine) NoteOff(id VoiceID, offset int) error {
	if err := e.checkPost(offset); err != nil {
		return err
	}
	return e.post(event{kind: evNoteOff, rel: true, frame: int64(offset), id: id})
}

// NoteOffAt posts the start of id's release at frame at (see Frame).
func (e *Engine) NoteOffAt(id VoiceID, at int64) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.post(event{kind: evNoteOff, frame: at, id: id})
}

// SetGain posts a new linear gain for id, ramped across the next block:
// for a NoteOn voice its gain, for a played note its own gain on top of
// its instrument's and channel's. A NaN, infinite or negative gain
// silences the voice (Stats.Silenced). A gain below voice.MinLevel
// becomes 0.
func (e *Engine) SetGain(id VoiceID, g float32) error { return e.postValue(evGain, id, g) }

// SetPan posts a new pan (-1..1) for id, ramped across the next block (for
// a played note, it is added to the channel's pan). A NaN pan silences the
// voice.
func (e *Engine) SetPan(id VoiceID, p float32) error { return e.postValue(evPan, id, p) }

// SetFreqRatio posts a multiplier of id's starting frequency (on top of
// the channel's pitch bend, for a played note), applied from the next
// block with a continuous phase. A NaN, infinite or non-positive ratio
// silences the voice.
func (e *Engine) SetFreqRatio(id VoiceID, r float32) error { return e.postValue(evFreqRatio, id, r) }

// SetCutoff posts a new filter cutoff in Hz for id's voices, from the next
// block on (clamped as voice.Filter says); voices without a filter ignore
// it. NaN or Inf silences the voice.
func (e *Engine) SetCutoff(id VoiceID, hz float32) error { return e.postValue(evCutoff, id, hz) }

// SetResonance posts a new filter resonance (0..1, clamped) for id's
// voices, from the next block on. NaN silences the voice.
func (e *Engine) SetResonance(id VoiceID, r float32) error {
	return e.postValue(evResonance, id, r)
}

func (e *Engine) postValue(k eventKind, id VoiceID, v float32) error {
	if e.closed.Load() {
		return ErrClosed
	}
	return e.post(event{kind: k, rel: true, id: id, value: v})
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
