package mix

// Dither is a seeded source of triangular (TPDF) dither of one LSB peak.
// It is counter based: sample n of a stream gets noise that depends only on
// the seed and n, so the same seed gives the same bytes however the stream is
// cut into calls, and SIMD tiers can compute many samples at once.
type Dither struct {
	seed uint32
	n    uint32 // samples drawn so far
}

// NewDither returns a dither source for seed.
func NewDither(seed uint64) *Dither {
	return &Dither{seed: uint32(seed) ^ uint32(seed>>32)*0x9e3779b9}
}

// next returns the TPDF noise for the next sample, in LSB, in (-1, 1).
func (d *Dither) next() float32 {
	base := d.seed + d.n*2*0x9e3779b9
	d.n++
	u1 := hash32(base) >> 8 // 24-bit uniforms: exact in float32
	u2 := hash32(base+0x9e3779b9) >> 8
	return float32(int32(u1)-int32(u2)) * (1.0 / (1 << 24))
}

// hash32 is a 32-bit integer mixer with good avalanche (a murmur3-style
// finaliser), cheap enough to run per sample.
func hash32(x uint32) uint32 {
	x ^= x >> 16
	x *= 0x7feb352d
	x ^= x >> 15
	x *= 0x846ca68b
	x ^= x >> 16
	return x
}
