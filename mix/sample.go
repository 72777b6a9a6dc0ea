package mix

import "github.com/aether-audio/aether/block"

// SampleVoices reads one 64-sample block for each of many voices from
// recorded sample data, by 4-point cubic (Catmull-Rom) or linear
// interpolation. Voice v's block dst[v] is four rows of 16 samples; row q
// (samples 16q..16q+15) is read from src[4v+q] at the positions
// pos[4v+q] + i·step[v], i = 0..15, in 32.32 fixed point frames from the
// start of that source (wrapping mod 2^64, so a position may sit before
// it). Each sample is exactly what sampleRow computes:
//
//	p := pos + i*step
//	j := int32(p >> 32)                                    // the frame at or before p
//	t := float32(uint32(p)>>24) / 2^8                      // how far past it, in 256ths
//	x0, x1, x2, x3 := s[c(j-1)], s[c(j)], s[c(j+1)], s[c(j+2)] // c clamps to 0..len(s)-1
//	cubic:  d := x1 - x2; a := (x3 - x0) + 3d; c := x2 - x0; m := c + 2d
//	        y = x1 + (t/2)·(c + t·((t-1)·a - m))
//	linear: y = x1 + t·(x2 - x1)
//
// in float32, never fused: Catmull-Rom's x1 + (t/2)·(c + t·(b + t·a)), its
// b = (2x0 - 5x1) + (4x2 - x3) folded in as -(m + a), three operations
// fewer. The clamp repeats the first and the last frame
// of a source beyond its ends (FluidSynth's rule at a sample's start and
// end), and keeps every read inside the source whatever the position, so
// a caller shapes what a row reads by the source it gives it: the sample
// itself, or a short copy laid out around a loop seam, read straight
// across it. Rows with their own sources let a voice's block cross a loop
// seam, or wrap round a loop shorter than a block, with no test in the
// kernel. The cubic is the 4-point interpolation FluidSynth uses by
// default, and both take the fraction at its 8 bits (its 256-row
// coefficient tables): a sample played far below its pitch then carries
// the same faint noise of the rounded position as in FluidSynth, whose
// spectrum the SoundFont voices match.
//
// A row is one AVX-512 vector (two AVX2 ones), its four points gathered
// lane by lane; every tier is bit-exact with the generic twin. step and
// cubic hold one entry per voice, src and pos four; every source must
// hold 1 to 2^31-1 frames: SampleVoices panics at the first that does not
// (the kernels check each source as they reach it, so the voices before
// it are read).
func SampleVoices(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool) {
	checkLen(len(dst), len(step))
	checkLen(len(dst), len(cubic))
	checkLen(4*len(dst), len(src))
	checkLen(4*len(dst), len(pos))
	if !sampleVoices(dst, src, pos, step, cubic) {
		panic("mix: sample source of 0 or 2^31 frames or more")
	}
}

// rowLen is the samples of a SampleVoices row: one AVX-512 vector.
const rowLen = 16
