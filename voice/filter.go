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

// filterLane is one channel of one voice's filter: a signal to filter in
// place, the filter and which of its channels.
type filterLane struct {
	x  *[BlockSize]float32
	f  *svfState
	ch int
}

// svfTick advances one filter channel by one sample and returns its output
// m0·v0 + m1·bandpass + m2·lowpass, which covers all three responses. The
// float32 conversions keep the compiler from fusing multiply-adds, so the
// result is the same on every architecture.
func svfTick(v0, ic1, ic2, a1, a2, a3, m0, m1, m2 float32) (y, ic1n, ic2n float32) {
	v3 := v0 - ic2
	v1 := float32(a1*ic1) + float32(a2*v3)
	v2 := ic2 + float32(a2*ic1) + float32(a3*v3)
	y = float32(m0*v0) + float32(m1*v1) + float32(m2*v2)
	return y, 2*v1 - ic1, 2*v2 - ic2
}

// filter4 runs four filter channels over a whole block in one loop: each
// channel is a serial chain of multiply-adds, and interleaving four lets
// them execute in parallel.
func filter4(l *[filterGroup]filterLane) {
	x0, x1, x2, x3 := l[0].x, l[1].x, l[2].x, l[3].x
	f0, f1, f2, f3 := l[0].f, l[1].f, l[2].f, l[3].f
	c0, c1, c2, c3 := l[0].ch, l[1].ch, l[2].ch, l[3].ch
	s0a, s0b := f0.ic1[c0], f0.ic2[c0]
	s1a, s1b := f1.ic1[c1], f1.ic2[c1]
	s2a, s2b := f2.ic1[c2], f2.ic2[c2]
	s3a, s3b := f3.ic1[c3], f3.ic2[c3]
	for i := range BlockSize {
		x0[i], s0a, s0b = svfTick(x0[i], s0a, s0b, f0.a1, f0.a2, f0.a3, f0.m0, f0.m1, f0.m2)
		x1[i], s1a, s1b = svfTick(x1[i], s1a, s1b, f1.a1, f1.a2, f1.a3, f1.m0, f1.m1, f1.m2)
		x2[i], s2a, s2b = svfTick(x2[i], s2a, s2b, f2.a1, f2.a2, f2.a3, f2.m0, f2.m1, f2.m2)
		x3[i], s3a, s3b = svfTick(x3[i], s3a, s3b, f3.a1, f3.a2, f3.a3, f3.m0, f3.m1, f3.m2)
	}
	f0.ic1[c0], f0.ic2[c0] = s0a, s0b
	f1.ic1[c1], f1.ic2[c1] = s1a, s1b
	f2.ic1[c2], f2.ic2[c2] = s2a, s2b
	f3.ic1[c3], f3.ic2[c3] = s3a, s3b
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
