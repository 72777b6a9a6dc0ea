package voice

import (
	"math"

	"github.com/aether-audio/aether/mix"
)

// oscState is one voice's sound source. Phases are 32-bit fixed point (one
// cycle is 2^32), as in mix.Sine; sample positions are 32.32 fixed point.
type oscState struct {
	kind    Kind
	phase   uint32
	inc     uint32     // phase step per sample at the current ratio
	baseInc float64    // phase step per sample at ratio 1
	ratio   float32    // current frequency ratio (SetFreqRatio)
	pwOff   uint32     // Square: pulse width as a phase offset
	table   *Table     // Saw, Square, Triangle, Wavetable
	level   *mix.Table // the table's mip-map level for inc (setRatio)
	seed    uint64     // Noise: generator seed
	count   uint64     // Noise: samples produced so far
	smp     *Sample    // Sample
	pos     uint64     // Sample: read position, 32.32 fixed point
	step    uint64     // Sample: position step per output sample
	// baseStep is the Sample position step at ratio 1.
	baseStep float64
}

func (o *oscState) start(p *Params, rate float64) {
	*o = oscState{kind: p.Kind, ratio: 1, seed: p.Seed}
	if p.Kind != Noise { // noise has no pitch, and its Freq is not checked
		o.baseInc = p.Freq / rate * (1 << 32)
	}
	switch p.Kind {
	case Saw:
		o.table = sawTable
	case Square:
		o.table = sawTable
		pw := float64(p.PulseWidth)
		if pw == 0 {
			pw = 0.5
		}
		o.pwOff = uint32(math.Round(pw * (1 << 32)))
	case Triangle:
		o.table = triangleTable
	case Wavetable:
		o.table = p.Table
	case Sampler:
		o.smp = p.Sample
		o.baseStep = p.Freq / p.Sample.RootFreq * p.Sample.rate / rate * (1 << 32)
	}
	o.setRatio(1)
}

// setRatio applies a frequency ratio, keeping oscillators below half the
// sample rate and a sample's step at most maxSampleRatio.
func (o *oscState) setRatio(r float32) {
	o.ratio = r
	o.inc = uint32(min(max(math.Round(o.baseInc*float64(r)), 1), 1<<31-1))
	if o.table != nil {
		o.level = o.table.level(o.inc)
	}
	o.step = uint64(min(max(math.Round(o.baseStep*float64(r)), 0), maxSampleRatio<<32))
}

// render fills dst (and, for a stereo sample, dstR) with the source's next
// len(dst) samples. It returns how many it produced: fewer only when a
// one-shot sample ended.
func (o *oscState) render(dst, dstR, tmp []float32) int {
	switch o.kind {
	case Sine:
		o.phase = mix.Sine(dst, o.phase, o.inc)
	case Saw, Triangle, Wavetable:
		o.phase = mix.Wavetable(dst, o.level, o.phase, o.inc)
	case Square:
		// A zero-mean pulse is saw(x - w) - saw(x): two lookups of the
		// same band-limited saw, so the pulse is band-limited too.
		mix.Wavetable(dst, o.level, o.phase-o.pwOff, o.inc)
		o.phase = mix.Wavetable(tmp, o.level, o.phase, o.inc)
		mix.AddScaled(dst, tmp, -1) // exact: dst[i] - tmp[i]
	case Noise:
		whiteNoise(dst, o.seed, o.count)
		o.count += uint64(len(dst))
	case Sampler:
		return o.renderSample(dst, dstR)
	}
	return len(dst)
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
