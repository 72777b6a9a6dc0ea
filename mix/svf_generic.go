package mix

import "github.com/aether-audio/aether/block"

// svfTick advances one filter by one sample and returns its output and new
// states. Its coefficients are the voice's a1..a3 doubled and m1, m2
// halved (svfScaled), as the state update works on t1 = 2·v1 and
// t2 = 2·v2. The float32 conversions keep the compiler from fusing
// multiply-adds, so every tier and architecture gives the same bits.
//
// Two rearrangements of Simper's equations shorten the chain from one
// sample's states to the next, which the SIMD tiers (one voice per lane)
// wait on: v2 is ic2 + a2·ic1 + a3·v3, not ic2 + g·v1 (the same value, as
// a2 = g·a1 and a3 = g·a2), and the doubling in ic = 2·v - ic is folded
// into the coefficients. What waits on this sample's input is then one
// subtract, one multiply, one add and one subtract: four operations
// instead of seven.
func svfTick(v0, ic1, ic2, b1, b2, b3, m0, h1, h2 float32) (y, ic1n, ic2n float32) {
	v3 := v0 - ic2
	t1 := float32(b1*ic1) + float32(b2*v3)
	t2 := ((ic2 + ic2) + float32(b2*ic1)) + float32(b3*v3)
	y = float32(m0*v0) + float32(h1*t1) + float32(h2*t2)
	return y, t1 - ic1, t2 - ic2
}

// svfScaled returns the coefficients svfTick takes: 2·a1, 2·a2, 2·a3,
// m1/2 and m2/2 (exact scalings).
func svfScaled(a1, a2, a3, m1, m2 float32) (b1, b2, b3, h1, h2 float32) {
	return a1 + a1, a2 + a2, a3 + a3, m1 * 0.5, m2 * 0.5
}

// svfVoicesGeneric runs four voices per loop while at least four are left:
// each voice is a serial chain of multiply-adds, and interleaving four
// lets the CPU overlap them (more than twice as fast as one at a time).
func svfVoicesGeneric(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
	n := len(x)
	ic1, ic2, a1, a2, a3 = ic1[:n], ic2[:n], a1[:n], a2[:n], a3[:n]
	m0, m1, m2 = m0[:n], m1[:n], m2[:n]
	v := 0
	for ; v+4 <= n; v += 4 {
		x0, x1, x2, x3 := &x[v], &x[v+1], &x[v+2], &x[v+3]
		s0a, s0b := ic1[v], ic2[v]
		s1a, s1b := ic1[v+1], ic2[v+1]
		s2a, s2b := ic1[v+2], ic2[v+2]
		s3a, s3b := ic1[v+3], ic2[v+3]
		// The coefficients in a local array: the multiplies read them
		// from memory, leaving the registers to the states and
		// temporaries (as locals they spill, which costs stores too).
		var c [4][6]float32
		for j := range c {
			b1, b2, b3, h1, h2 := svfScaled(a1[v+j], a2[v+j], a3[v+j], m1[v+j], m2[v+j])
			c[j] = [6]float32{b1, b2, b3, m0[v+j], h1, h2}
		}
		for i := range x0 {
			x0[i], s0a, s0b = svfTick(x0[i], s0a, s0b, c[0][0], c[0][1], c[0][2], c[0][3], c[0][4], c[0][5])
			x1[i], s1a, s1b = svfTick(x1[i], s1a, s1b, c[1][0], c[1][1], c[1][2], c[1][3], c[1][4], c[1][5])
			x2[i], s2a, s2b = svfTick(x2[i], s2a, s2b, c[2][0], c[2][1], c[2][2], c[2][3], c[2][4], c[2][5])
			x3[i], s3a, s3b = svfTick(x3[i], s3a, s3b, c[3][0], c[3][1], c[3][2], c[3][3], c[3][4], c[3][5])
		}
		ic1[v], ic2[v] = s0a, s0b
		ic1[v+1], ic2[v+1] = s1a, s1b
		ic1[v+2], ic2[v+2] = s2a, s2b
		ic1[v+3], ic2[v+3] = s3a, s3b
	}
	for ; v < n; v++ {
		xv, s1, s2 := &x[v], ic1[v], ic2[v]
		p, q, r, c1, c2 := svfScaled(a1[v], a2[v], a3[v], m1[v], m2[v])
		c0 := m0[v]
		for i := range xv {
			xv[i], s1, s2 = svfTick(xv[i], s1, s2, p, q, r, c0, c1, c2)
		}
		ic1[v], ic2[v] = s1, s2
	}
}
