package mix

import (
	"math"
	"math/bits"

	"github.com/aether-audio/aether/block"
)

// The pure-Go twins. Each is the loop in its kernel's doc comment, written
// with explicit float32 conversions so the compiler never fuses a multiply
// and an add (Go may fuse x*y+z on some architectures), keeping every tier
// bit-exact with these.

func addScaledGeneric(dst, src []float32, g float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += float32(g * src[i])
	}
}

func addRampGeneric(dst, src []float32, g0, g1 float32) {
	addRampFrom(dst, src, g0, rampStep(g0, g1, len(dst)), 0)
}

// rampStep returns (g1 - g0) / float32(n), the gain step of a ramp. For n
// a power of two it multiplies by the exact reciprocal instead: both round
// the same exact quotient once, so the bits are the division's, without its
// latency at the start of every 64-sample block.
func rampStep(g0, g1 float32, n int) float32 {
	if n > 0 && n <= 1<<24 && n&(n-1) == 0 {
		return (g1 - g0) * math.Float32frombits(uint32(127-bits.TrailingZeros(uint(n)))<<23)
	}
	return (g1 - g0) / float32(n)
}

// addRampFrom is addRampGeneric from sample i0 of the ramp on, so a SIMD
// tier can hand it the tail of a block.
func addRampFrom(dst, src []float32, g0, step float32, i0 int) {
	src = src[:len(dst)]
	for i := range dst {
		g := g0 + float32(float32(i0+i)*step)
		dst[i] += float32(g * src[i])
	}
}

func panAddRampGeneric(left, right, src []float32, l0, l1, r0, r1 float32) {
	n := len(left)
	panAddRampFrom(left, right, src, l0, rampStep(l0, l1, n), r0, rampStep(r0, r1, n), 0)
}

func panAddRampVoicesGeneric(left, right *block.Block, src []block.Block, lane []int32, g [][4]float32) {
	g = g[:len(lane)]
	for v, j := range lane {
		panAddRampGeneric(left[:], right[:], src[j][:], g[v][0], g[v][1], g[v][2], g[v][3])
	}
}

// panAddRampFrom is panAddRampGeneric from sample i0 of the ramps on.
func panAddRampFrom(left, right, src []float32, l0, lstep, r0, rstep float32, i0 int) {
	n := len(left)
	right, src = right[:n], src[:n]
	for i := range left {
		fi := float32(i0 + i)
		gl := l0 + float32(fi*lstep)
		gr := r0 + float32(fi*rstep)
		left[i] += float32(gl * src[i])
		right[i] += float32(gr * src[i])
	}
}

func addBusesGeneric(dst []float32, buses [][]float32) {
	for _, b := range buses {
		addGeneric(dst, b)
	}
}

func addGeneric(dst, src []float32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] += src[i]
	}
}

func scaleGeneric(dst []float32, g float32) {
	for i := range dst {
		dst[i] *= g
	}
}

func peakGeneric(x []float32) float32 {
	var peak float32
	for _, v := range x {
		a := float32(math.Abs(float64(v)))
		if a != a {
			return a
		}
		if a > peak {
			peak = a
		}
	}
	return peak
}

func rmsGeneric(x []float32) float32 {
	return rmsOf(sumSquaresGeneric(x), len(x))
}

func sumSquaresGeneric(x []float32) float32 {
	var sum float32
	for _, v := range x {
		sum += float32(v * v)
	}
	return sum
}

// rmsOf turns a sum of n squares into a root mean square (0 when n is 0).
func rmsOf(sum float32, n int) float32 {
	if n == 0 {
		return 0
	}
	return float32(math.Sqrt(float64(sum / float32(n))))
}

func interleaveGeneric(dst, left, right []float32) {
	right = right[:len(left)]
	dst = dst[:2*len(left)]
	for i := range left {
		dst[2*i] = left[i]
		dst[2*i+1] = right[i]
	}
}
