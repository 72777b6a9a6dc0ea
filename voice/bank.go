// Package voice renders synthesizer voices: oscillators (sine, band-limited
// saw, square/pulse and triangle, noise, wavetables, sample playback), ADSR
// envelopes, state-variable filters, and gain and equal-power pan ramped
// across each block so that nothing clicks.
//
// A Bank holds a fixed number of voice slots. Each slot maps to a voice of
// one Kind; each kind keeps the state of its voices in its own arrays, in
// its own file, and renders them a batch at a time, while the bank keeps
// what every voice shares (envelope, filter, gain and pan) in arrays
// indexed by slot. Render renders a chunk of slots into a stereo bus with
// the mix kernels; it allocates nothing, takes no lock and makes no
// interface call per voice.
//
// A Bank is driven by one goroutine: NoteOn, NoteOff, Steal and the setters
// (SetGain, SetPan, SetFreqRatio, SetCutoff, SetResonance) run on it,
// between Renders, and take effect at a sample offset into (the control
// calls) or across (the setters) the next rendered block. Render may run on
// several goroutines at once for disjoint sets of slots, started and waited
// for by the driving goroutine (as the engine's scheduler does); other
// goroutines reach a bank through that goroutine, for instance through the
// engine's event queue.
package voice

import (
	"fmt"
	"math"
	"slices"
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

	slots []slotRef // each slot's kind, index and state
	env   []envState
	filt  []svfState
	out   []outState
	held  []heldVoice
	set   []setValues // the setters' values, picked up by the next Render

	src     []source       // each kind's voices, indexed by Kind
	ids     []indexes      // each kind's free indices, indexed by Kind
	steady  []steadySource // the kinds whose steady voices skip the general path
	shapers []shaper       // indexed by Kind: the kind's, if it shapes its level
	panners []panner       // indexed by Kind: the kind's, if it has a pan law of its own
	sf      *sfVoices      // the SoundFontSampler voices (prepare), nil without them

	silenced atomic.Uint64
}

// slotRef says what plays in a slot.
type slotRef struct {
	idx    int32   // the voice's index in its kind's arrays
	ratio  float32 // the frequency ratio applied to the voice
	kind   Kind
	state  uint8 // slotIdle, slotActive or slotFinished
	stereo bool  // the voice has two channels
	picked bool  // the setter values that pickup applies have not been set since it last ran
}

// setValues are a slot's setter values.
type setValues struct {
	gain, pan, ratio, cut, res float32
}

// outState is the gain and pan applied at the end of the last block.
type outState struct {
	gain, pan float32
	gl, gr    float32 // equal-power pan gains for pan
	level     float32 // envelope × gain at the end of the last block
}

// NewBank returns a bank of capacity voice slots rendering at sampleRate Hz.
// It allocates everything the bank will ever need.
//
// With kinds given, the bank plays those kinds only (a NoteOn of another
// fails with ErrParams) and makes nothing for the others: a bank for a
// score of sines neither allocates sample or SoundFont state for every
// slot nor builds the band-limited waveform tables. No kinds means all.
func NewBank(capacity int, sampleRate int, kinds ...Kind) (*Bank, error) {
	if capacity <= 0 || capacity > 1<<24 || sampleRate < 8000 || sampleRate > 768000 {
		return nil, fmt.Errorf("%w: capacity %d, sample rate %d", ErrCapacity, capacity, sampleRate)
	}
	for _, k := range kinds {
		if k >= numKinds {
			return nil, fmt.Errorf("%w: Kind %d", ErrParams, k)
		}
	}
	b := &Bank{
		rate:    float64(sampleRate),
		slots:   make([]slotRef, capacity),
		env:     make([]envState, capacity),
		filt:    make([]svfState, capacity),
		out:     make([]outState, capacity),
		held:    make([]heldVoice, capacity),
		set:     make([]setValues, capacity),
		src:     make([]source, numKinds),
		ids:     make([]indexes, numKinds),
		shapers: make([]shaper, numKinds),
		panners: make([]panner, numKinds),
	}
	for k, e := range kindTable {
		if len(kinds) > 0 && !slices.Contains(kinds, Kind(k)) {
			continue
		}
		b.src[k] = e.new(capacity)
		b.ids[k] = newIndexes(capacity)
		if s, ok := b.src[k].(steadySource); ok {
			b.steady = append(b.steady, s)
		}
		b.shapers[k], _ = b.src[k].(shaper)
		b.panners[k], _ = b.src[k].(panner)
	}
	b.sf, _ = b.src[SoundFontSampler].(*sfVoices)
	return b, nil
}

// Capacity returns the number of slots.
func (b *Bank) Capacity() int { return len(b.slots) }

// SampleRate returns the bank's sample rate in Hz.
func (b *Bank) SampleRate() int { return int(b.rate) }

// NoteOn starts a voice in slot, replacing whatever played there (at once:
// Steal a sounding voice a block ahead to avoid a click), with its first
// sample at offset (0..63) in the next rendered block. Invalid
// parameters (NaN, Inf, out of range, a missing Table or Sample) return an
// error and leave the slot as it was. NoteOn does not allocate.
func (b *Bank) NoteOn(slot int, p *Params, offset int) error {
	if uint(slot) >= uint(len(b.slots)) {
		return fmt.Errorf("%w: %d of %d", ErrSlot, slot, len(b.slots))
	}
	if uint(offset) >= block.Size {
		return fmt.Errorf("%w: %d", ErrOffset, offset)
	}
	if p == nil {
		return fmt.Errorf("%w: nil Params", ErrParams)
	}
	if err := b.validate(p); err != nil {
		return err
	}
	r := &b.slots[slot]
	if r.state != slotIdle {
		b.ids[r.kind].put(r.idx)
	}
	idx := b.ids[p.Kind].take()
	stereo := b.src[p.Kind].start(idx, noEscape(p), b.rate)
	*r = slotRef{idx: idx, ratio: 1, kind: p.Kind, state: slotActive, stereo: stereo} // not picked: the first block picks up
	b.env[slot].start(&p.Env, b.rate, offset)
	b.filt[slot].start(&p.Filter, b.rate)
	if f, ok := b.src[p.Kind].(filterOwner); ok {
		f.startFilter(idx, &b.filt[slot])
	}
	gl, gr := panGains(p.Pan)
	gain := FlushTiny(p.Gain)
	b.out[slot] = outState{gain: gain, pan: p.Pan, gl: gl, gr: gr}
	b.set[slot] = setValues{gain: gain, pan: p.Pan, ratio: 1, cut: p.Filter.Cutoff, res: p.Filter.Resonance}
	_, steady := b.src[p.Kind].(steadySource)
	b.held[slot] = heldVoice{never: !steady || b.shapers[p.Kind] != nil || p.Filter.Type != FilterNone}
	return nil
}

// NoteOff starts the release of the voice in slot on sample offset of the
// next rendered block (offset is clamped to 0..63; a release cannot start
// before the note does). It does nothing if the slot is not active.
func (b *Bank) NoteOff(slot int, offset int) {
	if !b.Active(slot) {
		return
	}
	offset = min(max(offset, 0), block.Size-1)
	if r := &b.slots[slot]; b.shapers[r.kind] != nil {
		b.shapers[r.kind].noteOff(r.idx, offset)
	} else {
		b.env[slot].noteOff(offset)
	}
	b.held[slot].ok = false
}

// Steal fades the voice in slot out over MinRelease samples from the start
// of the next block, after which it is finished; a voice that has not yet
// sounded finishes at once. Use it to free a slot without a click.
func (b *Bank) Steal(slot int) {
	if !b.Active(slot) {
		return
	}
	if b.env[slot].pending() {
		b.slots[slot].state = slotFinished
		return
	}
	if r := &b.slots[slot]; b.shapers[r.kind] != nil {
		b.shapers[r.kind].steal(r.idx)
	} else {
		b.env[slot].steal = true
	}
	b.held[slot].ok = false
}

// SetGain sets the voice's linear gain; the change is ramped across the next
// block. A gain above MaxLevel is clamped to it, one below MinLevel is 0; a
// NaN, infinite or negative gain silences the voice (see Silenced).
func (b *Bank) SetGain(slot int, g float32) {
	if uint(slot) < uint(len(b.set)) {
		b.setHeld(slot, &b.set[slot].gain, FlushTiny(g))
	}
}

// SetPan sets the voice's pan (-1..1, clamped); the change is ramped across
// the next block. A NaN pan silences the voice.
func (b *Bank) SetPan(slot int, p float32) {
	if uint(slot) < uint(len(b.set)) {
		b.setHeld(slot, &b.set[slot].pan, p)
	}
}

// SetFreqRatio multiplies the voice's NoteOn frequency by r from the next
// block on. The phase stays continuous, so the step does not click. A NaN,
// infinite or non-positive ratio silences the voice. Oscillators stay below
// half the sample rate; a Sampler voice's ratio is capped at 16.
func (b *Bank) SetFreqRatio(slot int, r float32) {
	if uint(slot) < uint(len(b.set)) {
		b.setHeld(slot, &b.set[slot].ratio, r)
		b.slots[slot].picked = false
	}
}

// setHeld sets a setter value that a held voice (see heldVoice) or a
// SoundFontSampler voice's held output (holdGains) depends on, and
// releases the hold if the value's bits change.
func (b *Bank) setHeld(slot int, to *float32, x float32) {
	if math.Float32bits(*to) != math.Float32bits(x) {
		*to = x
		b.held[slot].ok = false
		if r := &b.slots[slot]; r.kind == SoundFontSampler && r.state != slotIdle {
			b.sf.v[r.idx].outHeld = false
		}
	}
}

// SetCutoff sets the filter cutoff in Hz from the next block on (clamped as
// in Filter). It has no effect on a voice without a filter, nor on a
// SoundFontSampler voice's lowpass, which follows its recipe and
// SetSoundFontLive. NaN or Inf silences the voice.
func (b *Bank) SetCutoff(slot int, hz float32) {
	if uint(slot) < uint(len(b.set)) {
		b.set[slot].cut = hz
		b.slots[slot].picked = false
	}
}

// SetResonance sets the filter resonance (0..1, clamped) from the next block
// on; like SetCutoff, not a SoundFontSampler voice's. NaN silences the
// voice.
func (b *Bank) SetResonance(slot int, r float32) {
	if uint(slot) < uint(len(b.set)) {
		b.set[slot].res = r
		b.slots[slot].picked = false
	}
}

// Active reports whether the voice in slot has started and not finished.
func (b *Bank) Active(slot int) bool {
	return uint(slot) < uint(len(b.slots)) && b.slots[slot].state == slotActive
}

// Releasing reports whether the active voice in slot is releasing, or will
// start its release in the next block.
func (b *Bank) Releasing(slot int) bool {
	if !b.Active(slot) {
		return false
	}
	if r := &b.slots[slot]; b.shapers[r.kind] != nil {
		return b.shapers[r.kind].releasing(r.idx)
	}
	return b.env[slot].releasing()
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
	b.slots[slot].state = slotFinished
	b.held[slot].ok = false
	b.silenced.Add(1)
}

// panGains returns the equal-power gains for pan p in -1..1: cos and sin of
// (p+1)π/4, so left²+right² = 1 and the centre is -3 dB on each side.
func panGains(p float32) (l, r float32) {
	s, c := math.Sincos((float64(p) + 1) * math.Pi / 4)
	return float32(c), float32(s)
}
