package mix

import "github.com/aether-audio/aether/block"

// SVFVoices runs the trapezoidal state-variable filter (Andrew Simper's
// "Linear Trapezoidal Integrated SVF", Cytomic 2013) over one 64-sample
// block of many voices, in place: voice v filters x[v] with integrator
// states ic1[v], ic2[v] (advanced to the block's end), coefficients a1[v],
// a2[v], a3[v] (with g = tan(π·fc/rate) and k = 1/Q: a1 = 1/(1+g(g+k)),
// a2 = g·a1, a3 = g·a2) and output mix m0[v], m1[v], m2[v] (input,
// bandpass, lowpass), each sample exactly as svfTick computes it:
//
//	for i := range x[v] {
//		v3 := x[v][i] - ic2
//		t1 := float32(2*a1*ic1) + float32(2*a2*v3)               // 2·v1
//		t2 := ((ic2 + ic2) + float32(2*a2*ic1)) + float32(2*a3*v3) // 2·v2
//		x[v][i] = float32(m0*x[v][i]) + float32(m1/2*t1) + float32(m2/2*t2)
//		ic1, ic2 = t1 - ic1, t2 - ic2
//	}
//
// with the doubled and halved coefficients computed first (exactly). The
// recursion is serial within a voice, so the SIMD tiers run one voice
// per lane (16 on AVX-512, 8 on AVX2, 4 on SSE2) and are bit-exact with
// the generic twin; a call pays off from one vector of voices. The
// coefficients are constant through the block (a cutoff change applies
// from the next block). Every coefficient and state slice must have
// len(x) elements.
func SVFVoices(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
	for _, s := range [...][]float32{ic1, ic2, a1, a2, a3, m0, m1, m2} {
		checkLen(len(x), len(s))
	}
	svfVoices(x, ic1, ic2, a1, a2, a3, m0, m1, m2)
}
