package mix

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
func svfVoicesGeneric(x [][64]float32, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
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
		// Coefficients in locals: through the slices the compiler would
		// reload them every sample, as a store to x might change them.
		p0, q0, r0, m01, m02 := svfScaled(a1[v], a2[v], a3[v], m1[v], m2[v])
		m00 := m0[v]
		p1, q1, r1, m11, m12 := svfScaled(a1[v+1], a2[v+1], a3[v+1], m1[v+1], m2[v+1])
		m10 := m0[v+1]
		p2, q2, r2, m21, m22 := svfScaled(a1[v+2], a2[v+2], a3[v+2], m1[v+2], m2[v+2])
		m20 := m0[v+2]
		p3, q3, r3, m31, m32 := svfScaled(a1[v+3], a2[v+3], a3[v+3], m1[v+3], m2[v+3])
		m30 := m0[v+3]
		for i := range x0 {
			x0[i], s0a, s0b = svfTick(x0[i], s0a, s0b, p0, q0, r0, m00, m01, m02)
			x1[i], s1a, s1b = svfTick(x1[i], s1a, s1b, p1, q1, r1, m10, m11, m12)
			x2[i], s2a, s2b = svfTick(x2[i], s2a, s2b, p2, q2, r2, m20, m21, m22)
			x3[i], s3a, s3b = svfTick(x3[i], s3a, s3b, p3, q3, r3, m30, m31, m32)
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
