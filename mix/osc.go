package mix

// Oscillator inner loops. Phases are unsigned 32-bit fixed point, one full
// cycle being 2^32: the phase wraps for free, a step of inc per sample gives
// f = inc*rate/2^32 with a resolution of 1.1e-5 Hz at 48 kHz, and the phase
// never drifts however long a note lasts.

// Sine fills dst with one sine sample per element and returns the phase
// after the last one:
//
//	for i := range dst { dst[i] = sin(2π * float32(int32(phase)) / 2^32); phase += inc }
//
// sin is an odd polynomial (Taylor series to x^11, evaluated by Horner's
// rule in float32) after folding the phase into a quarter cycle; its error
// is below 2e-7 everywhere, under -130 dB.
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
func SineVoices(left, right *[64]float32, phases, incs []uint32, gl, gr []float32) {
	checkLen(len(phases), len(incs))
	checkLen(len(phases), len(gl))
	checkLen(len(phases), len(gr))
	sineVoices(left, right, phases, incs, gl, gr)
}

// Wavetable fills dst from a single-cycle table by linear interpolation and
// returns the phase after the last sample. len(table) must be 2^k+1 for some
// k in 1..24, with table[2^k] == table[0] (the guard sample that lets the
// interpolation read one past the end without a wrap):
//
//	i := phase >> (32-k); frac := float32(phase<<k>>8) / 2^24
//	dst[n] = table[i] + float32(frac*(table[i+1]-table[i])); phase += inc
func Wavetable(dst []float32, table []float32, phase, inc uint32) uint32 {
	k := tableBits(len(table))
	return wavetable(dst, table, k, phase, inc)
}

// tableBits returns k for a table of 2^k+1 samples, panicking otherwise.
func tableBits(n int) uint {
	for k := uint(1); k <= 24; k++ {
		if n == 1<<k+1 {
			return k
		}
	}
	panic("mix: wavetable length must be 2^k+1 for k in 1..24")
}
