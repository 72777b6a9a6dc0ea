package voice

import (
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// svfState is one voice's state-variable filter: the trapezoidal
// (zero-delay-feedback) SVF of Andrew Simper's "Linear Trapezoidal
// Integrated SVF" (Cytomic, 2013). Its two integrator states behave like
// stored energy, so it stays stable at any cutoff and Q and under
// modulation at any speed, which the classic Chamberlin SVF does not.
type svfState struct {
	typ        FilterType
	cut, res   float32 // current settings, to spot a change
	a1, a2, a3 float32
	m0, m1, m2 float32    // output mix of input, bandpass and lowpass
	ic1, ic2   [2]float32 // integrator states, per channel
}

// denormalFloor is where filter state is flushed to zero at the end of a
// block: -300 dB is far below any output format, and flushing keeps decaying
// tails out of the float32 subnormal range, which is up to 100 times slower
// on x86 (Go cannot set the FTZ/DAZ flags).
const denormalFloor = 1e-15

func (f *svfState) start(p *Filter, rate float64) {
	*f = svfState{typ: p.Type}
	if p.Type != FilterNone {
		f.set(p.Cutoff, p.Resonance, rate)
	}
}

// set computes the coefficients for a cutoff in Hz and a resonance in 0..1.
func (f *svfState) set(cutoff, res float32, rate float64) {
	f.cut, f.res = cutoff, res
	fc := min(max(float64(cutoff), MinCutoff), 0.49*rate)
	r := min(max(float64(res), 0), 1)
	q := math.Sqrt2 / 2 * math.Pow(MaxQ*math.Sqrt2, r)
	g := math.Tan(math.Pi * fc / rate)
	k := 1 / q
	a1 := 1 / (1 + g*(g+k))
	switch f.typ {
	case Lowpass:
		f.m0, f.m1, f.m2 = 0, 0, 1
	case Highpass:
		f.m0, f.m1, f.m2 = 1, float32(-k), -1
	case Bandpass: // scaled by 1/Q to a peak gain of 1
		f.m0, f.m1, f.m2 = 0, float32(k), 0
	}
	f.a1 = float32(a1)
	f.a2 = float32(g * a1)
	f.a3 = float32(g * g * a1)
}

// maxFilterLanes is how many filter channels a filterBatch holds: a full
// AVX-512 vector of 16, plus one for a stereo voice that overflows it.
const maxFilterLanes = filterGroup + 1

// filterBatch holds filter channels for one mix.SVFVoices call: lane j's
// signal in sig[j] and its state and coefficients at index j of the
// struct-of-arrays the kernel reads. Render's unfiltered voices use the
// last two lanes of sig (see voiceLane).
type filterBatch struct {
	sig                  [maxFilterLanes + 2]block.Block
	ic1, ic2, a1, a2, a3 [maxFilterLanes]float32
	m0, m1, m2           [maxFilterLanes]float32
}

// load puts channel ch of f into lane j.
func (fb *filterBatch) load(j int, f *svfState, ch int) {
	fb.put(j, f.ic1[ch], f.ic2[ch], f.a1, f.a2, f.a3, f.m0, f.m1, f.m2)
}

// put sets lane j's states and coefficients.
func (fb *filterBatch) put(j int, ic1, ic2, a1, a2, a3, m0, m1, m2 float32) {
	fb.ic1[j], fb.ic2[j] = ic1, ic2
	fb.a1[j], fb.a2[j], fb.a3[j] = a1, a2, a3
	fb.m0[j], fb.m1[j], fb.m2[j] = m0, m1, m2
}

// run filters lanes 0..n-1 in place over the block.
func (fb *filterBatch) run(n int) {
	mix.SVFVoices(fb.sig[:n], fb.ic1[:n], fb.ic2[:n], fb.a1[:n], fb.a2[:n], fb.a3[:n], fb.m0[:n], fb.m1[:n], fb.m2[:n])
}

// save stores lane j's advanced state back into channel ch of f.
func (fb *filterBatch) save(j int, f *svfState, ch int) {
	f.ic1[ch], f.ic2[ch] = fb.ic1[j], fb.ic2[j]
}

// settle flushes the states of lanes 0..n-1 to zero below denormalFloor
// and reports whether every one is finite; a filter that is not must never
// reach the bus (its voice is silenced, so what a failed check leaves
// unflushed does not matter). It runs over the lanes' contiguous arrays
// once per batch, not voice by voice, and compares the bits of |s| as
// integers (the order of non-negative floats, NaN above +Inf) instead of
// converting to float64.
func (fb *filterBatch) settle(n int) bool {
	ic1, ic2 := fb.ic1[:n], fb.ic2[:n]
	top := uint32(0)
	for j := range ic1 {
		top = max(top, settled(&ic1[j]), settled(&ic2[j]))
	}
	return top <= maxBits
}

// finite reports whether the states are finite, after a settle that found
// a lane that is not. A mono voice's second channel is never filtered, so
// only a stereo voice's is looked at.
func (f *svfState) finite(stereo bool) bool {
	top := max(abs32bits(f.ic1[0]), abs32bits(f.ic2[0]))
	if stereo {
		top = max(top, abs32bits(f.ic1[1]), abs32bits(f.ic2[1]))
	}
	return top <= maxBits
}

// Bounds of settled, as the bits of float32s.
var (
	floorBits = math.Float32bits(denormalFloor)
	maxBits   = math.Float32bits(math.MaxFloat32)
)

// settled flushes *s to zero below denormalFloor and returns the bits of
// |*s| as it was: above maxBits if it is not finite.
func settled(s *float32) uint32 {
	a := abs32bits(*s)
	if a < floorBits {
		*s = 0
	}
	return a
}

// abs32bits returns the bits of |x|.
func abs32bits(x float32) uint32 { return math.Float32bits(x) &^ (1 << 31) }
