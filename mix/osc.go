package mix

import (
	"math/bits"

	"github.com/aether-audio/aether/block"
)

// Oscillator inner loops. Phases are unsigned 32-bit fixed point, one full
// cycle being 2^32: the phase wraps for free, a step of inc per sample gives
// f = inc*rate/2^32 with a resolution of 1.1e-5 Hz at 48 kHz, and the phase
// never drifts however long a note lasts.

// Sine fills dst with one sine sample per element and returns the phase
// after the last one:
//
//	for i := range dst { dst[i] = sin(2π * float32(int32(phase)) / 2^32); phase += inc }
//
// sin is an odd polynomial of degree 9 (a minimax fit, evaluated by
// Horner's rule in float32) after folding the phase into a quarter cycle;
// its error is below 2e-7 everywhere, under -130 dB.
func Sine(dst []float32, phase, inc uint32) uint32 {
	return sine(dst, phase, inc)
}

// SineVoices adds many steady sine voices into a stereo block and advances
// their phases: voice v has phase phases[v], step incs[v] and the constant
// gains gl[v] (left) and gr[v] (right). The voices are added in slice order,
// each sample computed exactly as Sine computes it:
//
//	for v, p := range phases {
//		for i := range left {
//			s := sinCycle(float32(int32(p)) / 2^32)
//			left[i] += float32(gl[v] * s); right[i] += float32(gr[v] * s)
//			p += incs[v]
//		}
//		phases[v] = p
//	}
//
// It gives the bits of a Sine into a scratch block followed by
// PanAddRamp(left, right, block, gl[v], gl[v], gr[v], gr[v]) for each voice
// (but for the sign of a zero product), at a fraction of the cost: the bus
// stays in registers across all the voices instead of being loaded and
// stored once per voice, and one call covers them all. incs, gl and gr must
// have len(phases) elements.
func SineVoices(left, right *block.Block, phases, incs []uint32, gl, gr []float32) {
	checkLen(len(phases), len(incs))
	checkLen(len(phases), len(gl))
	checkLen(len(phases), len(gr))
	sineVoices(left, right, phases, incs, gl, gr)
}

// Table is one cycle of a waveform laid out for Wavetable: each of its
// 2^k samples is stored beside its difference to the next one (wrapping
// round at the end), so a SIMD tier reads a sample and its slope with one
// 8-byte gather per output sample instead of two 4-byte ones (twice as
// fast on Zen 4, where a gather costs about a cycle per element). The
// zero Table is not usable; make one with NewTable.
type Table struct {
	pairs [][2]float32 // cycle[i] and cycle[i+1] - cycle[i]
	bits  uint         // k: the cycle has 2^k samples
}

// NewTable lays out a cycle of 2^k samples, for some k in 1..24, for
// Wavetable. It panics on any other length: table sizes are chosen by the
// program, not read from input.
func NewTable(cycle []float32) Table {
	n := len(cycle)
	k := uint(bits.TrailingZeros(uint(n)))
	if n < 2 || n > 1<<24 || n != 1<<k {
		panic("mix: wavetable cycle length must be 2^k for k in 1..24")
	}
	pairs := make([][2]float32, n)
	for i, y := range cycle {
		pairs[i] = [2]float32{y, cycle[(i+1)&(n-1)] - y}
	}
	return Table{pairs: pairs, bits: k}
}

// Len returns the number of samples in the table's cycle.
func (t *Table) Len() int { return len(t.pairs) }

// Wavetable fills dst from a single-cycle table by linear interpolation and
// returns the phase after the last sample. With the cycle y of 2^k
// samples, each sample is
//
//	i := phase >> (32-k); frac := float32(phase<<k>>8) / 2^24
//	dst[n] = y[i] + float32(frac*(y[i+1]-y[i])); phase += inc
//
// where y[2^k] is y[0] and the difference is the float32 NewTable stored.
func Wavetable(dst []float32, table *Table, phase, inc uint32) uint32 {
	if table.bits == 0 {
		panic("mix: Wavetable of a zero Table")
	}
	return wavetable(dst, table.pairs, table.bits, phase, inc)
}
