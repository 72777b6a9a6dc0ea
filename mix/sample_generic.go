package mix

import "github.com/aether-audio/aether/block"

// sampleVoicesGeneric reads the voices in order, and returns false at the
// first row whose source is not 1 to 2^31-1 frames long (validSource).
func sampleVoicesGeneric(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool) bool {
	src, pos = src[:4*len(dst)], pos[:4*len(dst)]
	step, cubic = step[:len(dst)], cubic[:len(dst)]
	for v := range dst {
		for q := range 4 {
			r := 4*v + q
			if !validSource(src[r]) {
				return false
			}
			sampleRow((*[rowLen]float32)(dst[v][rowLen*q:]), src[r], pos[r], step[v], cubic[v])
		}
	}
	return true
}

// validSource reports whether s holds 1 to 2^31-1 frames, which the
// kernels' 32-bit frame indexes and their clamp need.
func validSource(s []float32) bool { return uint64(len(s))-1 < 1<<31-1 }

// sampleRow reads one row of SampleVoices from s, the points clamped into
// it. The float32 conversions keep the compiler from fusing multiply-adds,
// so every tier and architecture gives the same bits.
func sampleRow(dst *[rowLen]float32, s []float32, p, step uint64, cubic bool) {
	last := int32(len(s) - 1)
	at := func(j int32) float32 { return s[min(max(j, 0), last)] }
	for i := range dst {
		j := int32(p >> 32)
		t := float32(uint32(p)>>24) * (1.0 / (1 << 8))
		x1, x2 := at(j), at(j+1)
		if cubic {
			x0, x3 := at(j-1), at(j+2)
			d := x1 - x2
			a := (x3 - x0) + float32(3*d)
			c := x2 - x0
			m := c + float32(2*d)
			u := float32((t-1)*a) - m
			w := c + float32(t*u)
			dst[i] = x1 + float32(float32(0.5*t)*w)
		} else {
			dst[i] = x1 + float32(t*(x2-x1))
		}
		p += step
	}
}
