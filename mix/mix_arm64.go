//go:build gc && !purego && !noasm

package mix

import "github.com/aether-audio/aether/block"

// The arm64 entry points. Advanced SIMD (NEON) is part of the base arm64
// architecture that Go targets, so the neon tier needs no detection. NEON
// kernels (mix_arm64.s) cover the accumulate, ramp, bus, scale and
// interleave loops, Peak, RMS, Sine and SVFVoices; Wavetable and
// SampleVoices (NEON has no gather) and SineVoices run their generic twins.

func archLevels() []level { return []level{levelGeneric, levelNEON} }

// addScaledNEON computes dst[i] += gain*src[i] for whole groups of 16.
//
//go:noescape
func addScaledNEON(dst, src []float32, gain float32)

// addNEON computes dst[i] += src[i] for whole groups of 16.
//
//go:noescape
func addNEON(dst, src []float32)

// scaleNEON computes dst[i] *= gain for whole groups of 16.
//
//go:noescape
func scaleNEON(dst []float32, gain float32)

// addRampNEON computes dst[i] += (g0 + i*step)*src[i] for whole groups of 16.
//
//go:noescape
func addRampNEON(dst, src []float32, g0, step float32)

// panAddRampNEON computes left[i] += (l0 + i*lstep)*src[i] and
// right[i] += (r0 + i*rstep)*src[i] for whole groups of 16.
//
//go:noescape
func panAddRampNEON(left, right, src []float32, l0, lstep, r0, rstep float32)

// sineNEON computes dst[i] = sinCycle(float32(int32(phase+i*inc)) / 2^32)
// for whole groups of 4.
//
//go:noescape
func sineNEON(dst []float32, phase, inc uint32)

// peakNEON returns the largest |x[i]| over whole groups of 16, as integer
// bits: any NaN gives a NaN.
//
//go:noescape
func peakNEON(x []float32) float32

// sumSquaresNEON returns the sum of x[i]*x[i] over whole groups of 16.
//
//go:noescape
func sumSquaresNEON(x []float32) float32

// svfVoicesNEON runs the loop of svfVoicesGeneric (svfTick on each
// sample, bit for bit) for the len(x) voices, a multiple of 4, reading
// the first len(x) elements of the other slices: one voice per lane.
//
//go:noescape
func svfVoicesNEON(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32)

// interleaveNEON computes dst[2i], dst[2i+1] = left[i], right[i] for whole
// groups of 4.
//
//go:noescape
func interleaveNEON(dst, left, right []float32)

func addScaled(dst, src []float32, g float32) {
	var n int
	if use[kAddScaled] == levelNEON {
		n = len(dst) &^ 15
		addScaledNEON(dst[:n], src, g)
	}
	if n < len(dst) {
		addScaledGeneric(dst[n:], src[n:], g)
	}
}

func addRamp(dst, src []float32, g0, g1 float32) {
	step := rampStep(g0, g1, len(dst))
	var n int
	if use[kAddRamp] == levelNEON {
		n = len(dst) &^ 15
		addRampNEON(dst[:n], src, g0, step)
	}
	if n < len(dst) {
		addRampFrom(dst[n:], src[n:], g0, step, n)
	}
}

func panAddRamp(left, right, src []float32, l0, l1, r0, r1 float32) {
	lstep := rampStep(l0, l1, len(left))
	rstep := rampStep(r0, r1, len(left))
	var n int
	if use[kPanAddRamp] == levelNEON {
		n = len(left) &^ 15
		panAddRampNEON(left[:n], right, src, l0, lstep, r0, rstep)
	}
	if n < len(left) {
		panAddRampFrom(left[n:], right[n:], src[n:], l0, lstep, r0, rstep, n)
	}
}

func add(dst, src []float32) {
	var n int
	if use[kAdd] == levelNEON {
		n = len(dst) &^ 15
		addNEON(dst[:n], src)
	}
	if n < len(dst) {
		addGeneric(dst[n:], src[n:])
	}
}

func scale(dst []float32, g float32) {
	var n int
	if use[kScale] == levelNEON {
		n = len(dst) &^ 15
		scaleNEON(dst[:n], g)
	}
	if n < len(dst) {
		scaleGeneric(dst[n:], g)
	}
}

func interleave(dst, left, right []float32) {
	var n int
	if use[kInterleave] == levelNEON {
		n = len(left) &^ 3
		interleaveNEON(dst, left[:n], right)
	}
	if n < len(left) {
		interleaveGeneric(dst[2*n:], left[n:], right[n:])
	}
}

func peak(x []float32) float32 {
	var n int
	var p float32
	if use[kPeak] == levelNEON {
		n = len(x) &^ 15
		p = peakNEON(x[:n])
	}
	if n < len(x) {
		// p is a NaN already, or else the tail's NaN or larger peak wins.
		if t := peakGeneric(x[n:]); t != t || t > p {
			p = t
		}
	}
	return p
}

func sumSquares(x []float32) float32 {
	var n int
	var sum float32
	if use[kSumSquares] == levelNEON {
		n = len(x) &^ 15
		sum = sumSquaresNEON(x[:n])
	}
	if n < len(x) {
		sum += sumSquaresGeneric(x[n:])
	}
	return sum
}

func sine(dst []float32, phase, inc uint32) uint32 {
	var n int
	if use[kSine] == levelNEON {
		n = len(dst) &^ 3
		sineNEON(dst[:n], phase, inc)
	}
	return sineGeneric(dst[n:], phase+inc*uint32(n), inc)
}

// sineVoices has no NEON kernel yet: it runs its generic twin.
func sineVoices(left, right *block.Block, phases, incs []uint32, gl, gr []float32) {
	sineVoicesGeneric(left, right, phases, incs, gl, gr)
}

func wavetable(dst []float32, pairs [][2]float32, k uint, phase, inc uint32) uint32 {
	return wavetableGeneric(dst, pairs, k, phase, inc)
}

// svfVoices runs the NEON kernel on the whole groups of 4 voices and the
// generic twin on the last at most 3.
func svfVoices(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
	var v int
	if e := len(x) &^ 3; use[kSVFVoices] == levelNEON && e > 0 {
		svfVoicesNEON(x[:e], ic1, ic2, a1, a2, a3, m0, m1, m2)
		v = e
	}
	if v < len(x) {
		svfVoicesGeneric(x[v:], ic1[v:], ic2[v:], a1[v:], a2[v:], a3[v:], m0[v:], m1[v:], m2[v:])
	}
}

// panAddRampVoices runs panAddRamp per voice: NEON's 32 registers could
// hold the bus, but no NEON kernel keeps it there yet.
func panAddRampVoices(left, right *block.Block, src []block.Block, lane []int32, g [][4]float32) {
	for v, j := range lane {
		panAddRamp(left[:], right[:], src[j][:], g[v][0], g[v][1], g[v][2], g[v][3])
	}
}

// sampleVoices runs its generic twin: NEON has no gather.
func sampleVoices(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool) bool {
	return sampleVoicesGeneric(dst, src, pos, step, cubic)
}
