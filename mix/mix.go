// Package mix holds the kernels of the render path: accumulate with a gain
// or a gain ramp, stereo pan-accumulate, bus sums, scaling, level
// measurement, interleaving, the oscillators, and the many-voice sine and
// filter kernels.
//
// Each kernel's doc comment gives the exact Go loop it computes; the pure-Go
// twins in mix_generic.go are that loop, always compiled. Element-wise
// kernels never fuse a multiply and an add, so every tier produces the same
// bits as the generic twin and a render is identical on every machine (a
// NaN result stays a NaN, though its sign and payload may differ by tier).
//
// The SIMD tier (see Tier, SetTier and tier.go) is chosen once at init from
// the CPU's features; the AETHER_KERNEL environment variable or SetTier
// force one, for tests, benchmarks and comparisons.
//
// All slices passed to one call must have the same length (the length of
// the first, dst); a kernel panics otherwise.
package mix

import "github.com/aether-audio/aether/block"

// AddScaled accumulates src scaled by g into dst:
//
//	for i := range dst { dst[i] += float32(g * src[i]) }
func AddScaled(dst, src []float32, g float32) {
	checkLen(len(dst), len(src))
	addScaled(dst, src, g)
}

// AddRamp accumulates src into dst with a gain that moves linearly from g0
// towards g1 across the slice, so a gain change never clicks. Sample i gets
// gain g0 + i*(g1-g0)/n; the next block, started at g1, continues the line.
//
//	step := (g1 - g0) / float32(len(dst))
//	for i := range dst { dst[i] += float32(float32(g0+float32(float32(i)*step)) * src[i]) }
func AddRamp(dst, src []float32, g0, g1 float32) {
	checkLen(len(dst), len(src))
	addRamp(dst, src, g0, g1)
}

// PanAddRamp accumulates a mono src into left and right, each with its own
// gain ramp (as in AddRamp): l0 to l1 for left, r0 to r1 for right.
func PanAddRamp(left, right, src []float32, l0, l1, r0, r1 float32) {
	checkLen(len(left), len(right))
	checkLen(len(left), len(src))
	panAddRamp(left, right, src, l0, l1, r0, r1)
}

// PanAddRampVoices accumulates many mono 64-sample voices into a stereo
// block, each with its own gain ramps: voice v is src[lane[v]], and its
// gains g[v] are l0, l1, r0, r1 as PanAddRamp takes them. It gives the
// bits of
//
//	for v, j := range lane {
//		PanAddRamp(left[:], right[:], src[j][:], g[v][0], g[v][1], g[v][2], g[v][3])
//	}
//
// at a fraction of the cost where the CPU has AVX-512: the bus stays in
// registers across the voices instead of being loaded and stored once per
// voice. g must have len(lane) elements and every lane must index src.
func PanAddRampVoices(left, right *block.Block, src []block.Block, lane []int32, g [][4]float32) {
	checkLen(len(lane), len(g))
	for _, j := range lane {
		if uint(j) >= uint(len(src)) {
			panic("mix: lane out of range")
		}
	}
	panAddRampVoices(left, right, src, lane, g)
}

// AddBuses sums the buses into dst in their order:
//
//	for k := range buses { for i := range dst { dst[i] += buses[k][i] } }
//
// The fixed order makes the result independent of which worker rendered
// which bus, so renders are bit-identical for any number of workers.
func AddBuses(dst []float32, buses [][]float32) {
	for _, b := range buses {
		checkLen(len(dst), len(b))
	}
	for _, b := range buses {
		add(dst, b)
	}
}

// Scale multiplies dst by g in place: dst[i] = g * dst[i].
func Scale(dst []float32, g float32) {
	scale(dst, g)
}

// Peak returns the largest absolute sample value of x, or NaN if x holds a
// NaN. It returns 0 for an empty slice.
func Peak(x []float32) float32 {
	return peak(x)
}

// RMS returns the root mean square of x (0 for an empty slice). It
// accumulates in float32 lanes, so tiers may differ from the generic twin
// by a relative 1e-5.
func RMS(x []float32) float32 {
	return rmsOf(sumSquares(x), len(x))
}

// Interleave writes left and right as interleaved stereo frames:
// dst[2i] = left[i], dst[2i+1] = right[i]. len(dst) must be 2*len(left).
func Interleave(dst, left, right []float32) {
	checkLen(len(left), len(right))
	checkLen(len(dst), 2*len(left))
	interleave(dst, left, right)
}

func checkLen(want, got int) {
	if want != got {
		panic("mix: slice lengths differ")
	}
}
