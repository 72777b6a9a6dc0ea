// Package voice renders synthesizer voices: oscillators (sine, band-limited
// saw, square/pulse and triangle, noise, wavetables, sample playback), ADSR
// envelopes, state-variable filters, and gain and equal-power pan ramped
// across each block so that nothing clicks.
//
// A Bank holds a fixed number of voice slots of every Kind as a struct of
// arrays: one slice per component (oscillator, envelope, filter, output),
// indexed by slot, so each stage of a render touches one small record per
// voice. Render renders a chunk of slots into a stereo bus with the mix
// kernels; it allocates nothing, takes no lock and makes no interface call,
// and goroutines may render disjoint sets of slots at the same time.
//
// Control calls (NoteOn, NoteOff, Steal) are sample-accurate: they take an
// offset into the next rendered block. They must not run concurrently with
// a Render of the same slot (the engine makes them between blocks). The
// setters (SetGain, SetPan, SetFreqRatio, SetCutoff, SetResonance) store an
// atomic value that the next Render picks up, so any goroutine may call them
// at any time.
package voice

import (
	"fmt"
	"math"
	"sync/atomic"

	"github.com/aether-audio/aether/block"
)

// Slot lifecycle states.
const (
	slotIdle     = iota // never started, or reused
	slotActive          // started and not finished
	slotFinished        // envelope done, sample ended, stolen or silenced
)

// Bank is a fixed set of voice slots. Create it with NewBank.
type Bank struct {
	rate float64

	state []uint8
	osc   []oscState
	env   []envState
	filt  []svfState
	out   []outState
	held  []heldSine

	// Values set by any goroutine, picked up by the next Render of the slot.
	set []setValues

	silenced atomic.Uint64
}

// setValues are a slot's setter values as float32 bits, indexed by the
// set* constants. One record per slot, rather than one slice per setter,
// lets Render reach them all through one base pointer.
type setValues [numSet]atomic.Uint32

// Indexes of setValues.
const (
	setGain = iota
	setPan
	setRatio
	setCut
	setRes
	numSet
)

// outState is the gain and pan applied at the end of the last block.
type outState struct {
	gain, pan float32
	gl, gr    float32 // equal-power pan gains for pan
	level     float32 // envelope × gain at the end of the last block
}

// NewBank returns a bank of capacity voice slots rendering at sampleRate Hz.
// It allocates everything the bank will ever need.
func NewBank(capacity int, sampleRate int) (*Bank, error) {
	if capacity <= 0 || capacity > 1<<24 || sampleRate < 8000 || sampleRate > 768000 {
		return nil, fmt.Errorf("%w: capacity %d, sample rate %d", ErrCapacity, capacity, sampleRate)
	}
	builtinTables()
	return &Bank{
		rate:  float64(sampleRate),
		state: make([]uint8, capacity),
		osc:   make([]oscState, capacity),
		env:   make([]envState, capacity),
		filt:  make([]svfState, capacity),
		out:   make([]outState, capacity),
		held:  make([]heldSine, capacity),
		set:   make([]setValues, capacity),
	}, nil
}

// Capacity returns the number of slots.
func (b *Bank) Capacity() int { return len(b.state) }

// SampleRate returns the bank's sample rate in Hz.
func (b *Bank) SampleRate() int { return int(b.rate) }

// NoteOn starts a voice in slot, replacing whatever played there (at once:
// Steal a sounding voice a block ahead to avoid a click), with its first
// sample at offset (0..63) in the next rendered block. Invalid
// parameters (NaN, Inf, out of range, a missing Table or Sample) return an
// error and leave the slot as it was. NoteOn does not allocate.
func (b *Bank) NoteOn(slot int, p *Params, offset int) error {
	if uint(slot) >= uint(len(b.state)) {
		return fmt.Errorf("%w: %d of %d", ErrSlot, slot, len(b.state))
	}
	if uint(offset) >= block.Size {
		return fmt.Errorf("%w: %d", ErrOffset, offset)
	}
	if p == nil {
		return fmt.Errorf("%w: nil Params", ErrParams)
	}
	if err := p.validate(b.rate); err != nil {
		return err
	}
	b.osc[slot].start(p, b.rate)
	b.env[slot].start(&p.Env, b.rate, offset)
	b.filt[slot].start(&p.Filter, b.rate)
	gl, gr := panGains(p.Pan)
	gain := FlushTiny(p.Gain)
	b.out[slot] = outState{gain: gain, pan: p.Pan, gl: gl, gr: gr}
	v := &b.set[slot]
	v[setGain].Store(math.Float32bits(gain))
	v[setPan].Store(math.Float32bits(p.Pan))
	v[setRatio].Store(math.Float32bits(1))
	v[setCut].Store(math.Float32bits(p.Filter.Cutoff))
	v[setRes].Store(math.Float32bits(p.Filter.Resonance))
	b.held[slot] = heldSine{other: p.Kind != Sine || p.Filter.Type != FilterNone}
	b.state[slot] = slotActive
	return nil
}

// NoteOff starts the release of the voice in slot on sample offset of the
// next rendered block (offset is clamped to 0..63; a release cannot start
// before the note does). It does nothing if the slot is not active.
func (b *Bank) NoteOff(slot int, offset int) {
	if uint(slot) >= uint(len(b.state)) || b.state[slot] != slotActive {
		return
	}
	b.env[slot].noteOff(min(max(offset, 0), block.Size-1))
	b.held[slot].ok = false
}

// Steal fades the voice in slot out over MinRelease samples from the start
// of the next block, after which it is finished; a voice that has not yet
// sounded finishes at once. Use it to free a slot without a click.
func (b *Bank) Steal(slot int) {
	if uint(slot) >= uint(len(b.state)) || b.state[slot] != slotActive {
		return
	}
	if b.env[slot].pending() {
		b.state[slot] = slotFinished
		return
	}
	b.env[slot].steal = true
	b.held[slot].ok = false
}

// SetGain sets the voice's linear gain; the change is ramped across the next
// block. A gain above MaxLevel is clamped to it, one below MinLevel is 0; a
// NaN, infinite or negative gain silences the voice (see Silenced).
func (b *Bank) SetGain(slot int, g float32) { b.store(slot, setGain, FlushTiny(g)) }

// SetPan sets the voice's pan (-1..1, clamped); the change is ramped across
// the next block. A NaN pan silences the voice.
func (b *Bank) SetPan(slot int, p float32) { b.store(slot, setPan, p) }

// SetFreqRatio multiplies the voice's NoteOn frequency by r from the next
// block on. The phase stays continuous, so the step does not click. A NaN,
// infinite or non-positive ratio silences the voice. Oscillators stay below
// half the sample rate; a Sampler voice's ratio is capped at 16.
func (b *Bank) SetFreqRatio(slot int, r float32) { b.store(slot, setRatio, r) }

// SetCutoff sets the filter cutoff in Hz from the next block on (clamped as
// in Filter). It has no effect on a voice without a filter. NaN or Inf
// silences the voice.
func (b *Bank) SetCutoff(slot int, hz float32) { b.store(slot, setCut, hz) }

// SetResonance sets the filter resonance (0..1, clamped) from the next block
// on. NaN silences the voice.
func (b *Bank) SetResonance(slot int, r float32) { b.store(slot, setRes, r) }

func (b *Bank) store(slot, which int, v float32) {
	if uint(slot) < uint(len(b.set)) {
		b.set[slot][which].Store(math.Float32bits(v))
	}
}

// Active reports whether the voice in slot has started and not finished.
func (b *Bank) Active(slot int) bool {
	return uint(slot) < uint(len(b.state)) && b.state[slot] == slotActive
}

// Releasing reports whether the active voice in slot is releasing, or will
// start its release in the next block.
func (b *Bank) Releasing(slot int) bool {
	return b.Active(slot) && b.env[slot].releasing()
}

// Level returns the voice's envelope level times its gain at the end of the
// last rendered block (0 when not active): the engine steals the voice with
// the lowest level.
func (b *Bank) Level(slot int) float32 {
	if !b.Active(slot) {
		return 0
	}
	return b.out[slot].level
}

// Silenced returns how many voices were silenced because a parameter or
// their state became NaN or infinite.
func (b *Bank) Silenced() uint64 { return b.silenced.Load() }

// silence finishes the voice in slot without letting its block reach the bus.
func (b *Bank) silence(slot int) {
	b.state[slot] = slotFinished
	b.silenced.Add(1)
}

// panGains returns the equal-power gains for pan p in -1..1: cos and sin of
// (p+1)π/4, so left²+right² = 1 and the centre is -3 dB on each side.
func panGains(p float32) (l, r float32) {
	s, c := math.Sincos((float64(p) + 1) * math.Pi / 4)
	return float32(c), float32(s)
}
