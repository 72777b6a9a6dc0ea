package voice

import (
	"math/bits"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// Sine is a sine oscillator (mix.Sine: a polynomial, error below -130 dB).
const Sine Kind = 0

// sineVoice is one sine voice's oscillator. Phases are 32-bit fixed point,
// one cycle being 2^32, as in mix.Sine.
type sineVoice struct {
	phase   uint32
	inc     uint32  // phase step per sample at the current ratio
	baseInc float64 // phase step per sample at ratio 1
}

// sines are the sine voices of a bank. Steady ones (held in sustain,
// unfiltered, unchanged: see Bank.hold) are added to the bus by
// mix.SineVoices, up to a window of 64 in one call; the others take the
// general path.
type sines struct{ v []sineVoice }

func newSines(capacity int) source { return &sines{v: make([]sineVoice, capacity)} }

func (*sines) check(p *Params, rate float64) error { return checkPitch(p, rate) }

func (s *sines) start(i int32, p *Params, rate float64) bool {
	s.v[i] = sineVoice{baseInc: p.Freq / rate * (1 << 32)}
	s.retune(i, 1)
	return false
}

func (s *sines) retune(i int32, r float32) {
	o := &s.v[i]
	o.inc = phaseInc(o.baseInc, r)
}

func (s *sines) render(b *Bank, sc *scratch) {
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		o := &s.v[v.idx]
		o.phase = mix.Sine(sc.lane(v.lane)[v.first:], o.phase, o.inc)
		b.finish(sc, v, block.Size)
	}
}

// sineBatch is the steady sine voices of a window, for one mix.SineVoices
// call: their phases, steps and constant gains. The call keeps the bus in
// registers across its voices, so its fixed cost (loading and storing the
// bus, about two voices' worth of one pan-accumulate) is shared by up to 64
// voices, the size of a window.
type sineBatch struct {
	phase  [window]uint32
	inc    [window]uint32
	gl, gr [window]float32
}

// addSteady puts the steady sine voices among the window's positions in
// mask into one mix.SineVoices call. It is one loop with no call, so the
// bank's slices stay in registers: the cost per voice beside the kernel is
// a few loads and compares. The voices' phases are advanced here, where
// the kernel will leave them, so the phases it writes back are not needed.
func (s *sines) addSteady(b *Bank, sc *scratch, mask uint64) uint64 {
	var batch sineBatch
	// Every slice cut to one length: one bounds check covers them all,
	// and only their bases need registers.
	held := b.held[:len(b.slots)]
	n := 0
	for todo := mask; todo != 0; todo &= todo - 1 {
		pos := bits.TrailingZeros64(todo)
		slot := sc.window[pos&(window-1)]
		if uint(slot) >= uint(len(held)) {
			continue
		}
		h := &held[slot]
		if !h.ok || h.kind != Sine {
			continue
		}
		mask &^= 1 << pos
		o := &s.v[h.idx]
		j := n & (window - 1)
		batch.phase[j], batch.inc[j], batch.gl[j], batch.gr[j] = o.phase, o.inc, h.gl, h.gr
		o.phase += block.Size * o.inc
		n++
	}
	if n > 0 {
		mix.SineVoices(sc.left, sc.right, batch.phase[:n], batch.inc[:n], batch.gl[:n], batch.gr[:n])
	}
	return mask
}
