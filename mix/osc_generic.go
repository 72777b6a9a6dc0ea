package mix

import "github.com/aether-audio/aether/block"

// Coefficients of the odd polynomial that approximates sin(2πx) for x in
// [-0.25, 0.25]: a minimax fit of degree 9 for absolute error (Remez
// exchange), rounded to float32 and nudged by a few units in the last place
// to lower the worst error of the float32 evaluation below. Evaluated in
// float32 it is as accurate as the Taylor series of degree 11 (worst error
// 1.6e-7 over the whole cycle, where float32 itself is 6e-8 near 1) for two
// operations fewer per sample.
const (
	sinA1 = 6.2831850051879883
	sinA3 = -41.341651916503906
	sinA5 = 81.600997924804688
	sinA7 = -76.549781799316406
	sinA9 = 39.536705017089844
)

// sinCycle returns sin(2πx) for x in [-0.5, 0.5]. The explicit float32
// conversions keep the compiler from fusing multiply-adds, so SIMD tiers
// that do the same operations produce the same bits.
func sinCycle(x float32) float32 {
	// Fold into [-0.25, 0.25]: sin(2πx) = sin(2π(±0.5 - x)).
	half := float32(0.5)
	if x < 0 {
		half = -0.5
	}
	if x > 0.25 || x < -0.25 {
		x = half - x
	}
	x2 := float32(x * x)
	p := float32(sinA9)
	p = float32(p*x2) + sinA7
	p = float32(p*x2) + sinA5
	p = float32(p*x2) + sinA3
	p = float32(p*x2) + sinA1
	return float32(p * x)
}

func sineGeneric(dst []float32, phase, inc uint32) uint32 {
	for i := range dst {
		dst[i] = sinCycle(float32(int32(phase)) * (1.0 / (1 << 32)))
		phase += inc
	}
	return phase
}

func sineVoicesGeneric(left, right *block.Block, phases, incs []uint32, gl, gr []float32) {
	incs, gl, gr = incs[:len(phases)], gl[:len(phases)], gr[:len(phases)]
	for v, p := range phases {
		inc, l, r := incs[v], gl[v], gr[v]
		for i := range left {
			s := sinCycle(float32(int32(p)) * (1.0 / (1 << 32)))
			left[i] += float32(l * s)
			right[i] += float32(r * s)
			p += inc
		}
		phases[v] = p
	}
}

// wavetableGeneric reads a Table's pairs (sample, difference to the next).
func wavetableGeneric(dst []float32, pairs [][2]float32, k uint, phase, inc uint32) uint32 {
	for n := range dst {
		i := phase >> (32 - k)
		frac := float32(phase<<k>>8) * (1.0 / (1 << 24))
		p := &pairs[i]
		dst[n] = p[0] + float32(frac*p[1])
		phase += inc
	}
	return phase
}
