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
