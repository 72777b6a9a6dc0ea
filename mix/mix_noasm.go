//go:build !(amd64 || arm64) || !gc || purego || noasm

package mix

import "github.com/aether-audio/aether/block"

// Without assembly (the purego or noasm tags, another compiler, or an
// architecture with no kernels yet) every entry point is
// its generic twin.

func archLevels() []level { return []level{levelGeneric} }

func addScaled(dst, src []float32, g float32)      { addScaledGeneric(dst, src, g) }
func addRamp(dst, src []float32, g0, g1 float32)   { addRampGeneric(dst, src, g0, g1) }
func add(dst, src []float32)                       { addGeneric(dst, src) }
func scale(dst []float32, g float32)               { scaleGeneric(dst, g) }
func peak(x []float32) float32                     { return peakGeneric(x) }
func sumSquares(x []float32) float32               { return sumSquaresGeneric(x) }
func interleave(dst, left, right []float32)        { interleaveGeneric(dst, left, right) }
func sine(dst []float32, phase, inc uint32) uint32 { return sineGeneric(dst, phase, inc) }

func panAddRamp(left, right, src []float32, l0, l1, r0, r1 float32) {
	panAddRampGeneric(left, right, src, l0, l1, r0, r1)
}

func panAddRampVoices(left, right *block.Block, src []block.Block, lane []int32, g [][4]float32) {
	panAddRampVoicesGeneric(left, right, src, lane, g)
}

func sineVoices(left, right *block.Block, phases, incs []uint32, gl, gr []float32) {
	sineVoicesGeneric(left, right, phases, incs, gl, gr)
}

func wavetable(dst []float32, pairs [][2]float32, k uint, phase, inc uint32) uint32 {
	return wavetableGeneric(dst, pairs, k, phase, inc)
}

func svfVoices(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
	svfVoicesGeneric(x, ic1, ic2, a1, a2, a3, m0, m1, m2)
}

func sampleVoices(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool) bool {
	return sampleVoicesGeneric(dst, src, pos, step, cubic)
}
