package voice

import "github.com/aether-audio/aether/block"

// Noise is white noise, uniform in [-1, 1), seeded by Params.Seed (equal
// seeds, equal noise); it ignores Freq and SetFreqRatio.
const Noise Kind = 4

// noiseVoice is one noise voice's generator.
type noiseVoice struct {
	seed  uint64
	count uint64 // samples produced so far
}

// noises are the Noise voices.
type noises struct{ v []noiseVoice }

func newNoises(capacity int) source { return &noises{v: make([]noiseVoice, capacity)} }

// check accepts any Freq: noise has no pitch.
func (*noises) check(*Params, float64) error { return nil }

func (n *noises) start(i int32, p *Params, _ float64) bool {
	n.v[i] = noiseVoice{seed: p.Seed}
	return false
}

func (*noises) retune(int32, float32) {}

func (n *noises) render(b *Bank, sc *scratch) {
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		o := &n.v[v.idx]
		dst := sc.lane(v.lane)[v.first:]
		whiteNoise(dst, o.seed, o.count)
		o.count += uint64(len(dst))
		v.end = block.Size
		b.finish(sc, v)
	}
}

// Noise is counter-based SplitMix64 (a Weyl sequence through a 64-bit
// mixer, which passes BigCrush): sample t of a voice is one half of
// splitMix(seed, t/2), the high half for even t. Two samples per 64-bit
// output halve the multiplies, and a sample depends only on its index, so
// the sound never depends on how the note is cut into blocks.
func splitMix(seed, k uint64) uint64 {
	z := seed + (k+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// noiseScale maps an int32 to [-1, 1).
const noiseScale = 1.0 / (1 << 31)

// whiteNoise fills dst with samples n, n+1, ... of the voice's noise,
// uniform in [-1, 1).
func whiteNoise(dst []float32, seed, n uint64) {
	i := 0
	if n&1 == 1 && len(dst) > 0 { // start on a low half
		dst[0] = float32(int32(splitMix(seed, n>>1))) * noiseScale
		i = 1
	}
	for ; i+1 < len(dst); i += 2 {
		z := splitMix(seed, (n+uint64(i))>>1)
		dst[i] = float32(int32(z>>32)) * noiseScale
		dst[i+1] = float32(int32(z)) * noiseScale
	}
	if i < len(dst) { // end on a high half
		dst[i] = float32(int32(splitMix(seed, (n+uint64(i))>>1)>>32)) * noiseScale
	}
}
