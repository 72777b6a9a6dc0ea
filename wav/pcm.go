package wav

import "math"

// dither is a seeded source of triangular (TPDF) dither of one LSB peak.
// It is counter based: sample n of a stream gets noise that depends only on
// the seed and n, so the same seed gives the same bytes however the stream is
// cut into calls.
type dither struct {
	seed uint32
	n    uint32 // samples drawn so far
}

// newDither returns a dither source for seed.
func newDither(seed uint64) *dither {
	return &dither{seed: uint32(seed) ^ uint32(seed>>32)*0x9e3779b9}
}

// next returns the TPDF noise for the next sample, in LSB, in (-1, 1).
func (d *dither) next() float32 {
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

// quantize scales x by full, adds dither, rounds to nearest even and clips
// to the integer range [-full-1, full].
func quantize(x, full float32, d *dither) int32 {
	if x != x {
		return 0
	}
	v := float32(x * full)
	if d != nil {
		v += d.next()
	}
	switch {
	case v >= full:
		return int32(full)
	case v <= -full-1:
		return int32(-full - 1)
	}
	return int32(math.RoundToEven(float64(v)))
}

// pcm16 converts src to little-endian signed 16-bit PCM in dst (2 bytes per
// sample), scaling by 32767, adding TPDF dither from d (none if d is nil),
// rounding to nearest even and clipping to [-32768, 32767]. NaN becomes 0.
func pcm16(dst []byte, src []float32, d *dither) {
	dst = dst[:2*len(src)]
	for i, x := range src {
		q := quantize(x, 32767, d)
		dst[2*i] = byte(q)
		dst[2*i+1] = byte(q >> 8)
	}
}

// pcm24 converts src to packed little-endian signed 24-bit PCM in dst (3
// bytes per sample), scaling by 8388607, with dither, rounding and clipping
// as pcm16.
func pcm24(dst []byte, src []float32, d *dither) {
	dst = dst[:3*len(src)]
	for i, x := range src {
		q := quantize(x, 8388607, d)
		dst[3*i] = byte(q)
		dst[3*i+1] = byte(q >> 8)
		dst[3*i+2] = byte(q >> 16)
	}
}
