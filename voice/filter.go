package voice

import "math"

// svfState is one voice's state-variable filter: the trapezoidal
// (zero-delay-feedback) SVF of Andrew Simper's "Linear Trapezoidal
// Integrated SVF" (Cytomic, 2013). Its two integrator states behave like
// stored energy, so it stays stable at any cutoff and Q and under
// modulation at any speed, which the classic Chamberlin SVF does not.
type svfState struct {
	typ        FilterType
	cut, res   float32 // current settings, to spot a change
	k          float32 // 1/Q
	a1, a2, a3 float32
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
	f.k = float32(k)
	f.a1 = float32(a1)
	f.a2 = float32(g * a1)
	f.a3 = float32(g * g * a1)
}

// process filters x in place through channel ch.
func (f *svfState) process(x []float32, ch int) {
	ic1, ic2 := f.ic1[ch], f.ic2[ch]
	k, a1, a2, a3 := f.k, f.a1, f.a2, f.a3
	switch f.typ {
	case Lowpass:
		for i, v0 := range x {
			v3 := v0 - ic2
			v1 := a1*ic1 + a2*v3
			v2 := ic2 + a2*ic1 + a3*v3
			ic1, ic2 = 2*v1-ic1, 2*v2-ic2
			x[i] = v2
		}
	case Highpass:
		for i, v0 := range x {
			v3 := v0 - ic2
			v1 := a1*ic1 + a2*v3
			v2 := ic2 + a2*ic1 + a3*v3
			ic1, ic2 = 2*v1-ic1, 2*v2-ic2
			x[i] = v0 - k*v1 - v2
		}
	case Bandpass:
		for i, v0 := range x {
			v3 := v0 - ic2
			v1 := a1*ic1 + a2*v3
			v2 := ic2 + a2*ic1 + a3*v3
			ic1, ic2 = 2*v1-ic1, 2*v2-ic2
			x[i] = k * v1
		}
	}
	f.ic1[ch], f.ic2[ch] = ic1, ic2
}

// settle flushes tiny state to zero and reports whether the state is
// finite; a filter that is not must never reach the bus.
func (f *svfState) settle() bool {
	ok := true
	for ch := range f.ic1 {
		for _, s := range [2]*float32{&f.ic1[ch], &f.ic2[ch]} {
			a := float32(math.Abs(float64(*s)))
			if a < denormalFloor {
				*s = 0
			} else if !(a <= math.MaxFloat32) {
				ok = false
			}
		}
	}
	return ok
}
