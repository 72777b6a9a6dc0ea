package voice

import (
	"math"

	"github.com/aether-audio/aether/block"
)

// sfGuard is the zero frames before, between and after the samples of a
// test pool, as package sf2 lays out a font's (at least 16).
const sfGuard = 16

// sfPool lays samples out as a font's pool: each after sfGuard zero
// frames, sfGuard more after the last. It returns the pool and where each
// sample starts in it.
func sfPool(samples ...[]float32) (pool []float32, starts []int) {
	pool = make([]float32, sfGuard)
	for _, s := range samples {
		starts = append(starts, len(pool))
		pool = append(pool, s...)
		pool = append(pool, make([]float32, sfGuard)...)
	}
	return pool, starts
}

// sineCycles returns n frames of a sine of period frames per cycle.
func sineCycles(n int, period float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(2 * math.Pi * float64(i) / period))
	}
	return x
}

// sfCycle is the period, in frames, of testSoundFont's looped sine: at
// ratio 1 it plays at testRate/sfCycle = 750 Hz.
const sfCycle = 64

// testSoundFont returns the recipe of a plain SoundFont voice as the
// FluidSynth profile makes it: a looped one-cycle sine (after a cycle of
// lead-in), root 750 Hz, played at 440 Hz (key 69); instant attack,
// sustain at full level, the shortest release; the lowpass wide open;
// FluidSynth's 96 dB envelope range and Q offset.
func testSoundFont() *SoundFont {
	pool, at := sfPool(sineCycles(2*sfCycle, sfCycle))
	return &SoundFont{
		Data: pool, Start: at[0], End: at[0] + 2*sfCycle,
		LoopStart: at[0] + sfCycle, LoopEnd: at[0] + 2*sfCycle, LoopMode: LoopContinuous,
		Interp: Cubic, RootHz: testRate / sfCycle,
		VolEnv:   Envelope{Attack: 1, Release: 1, Sustain: 1},
		ModEnv:   Envelope{Attack: 1, Release: 1, Sustain: 1},
		Live:     SoundFontLive{Pitch: 6900, FilterFc: 13500},
		EnvRange: 960, FilterQOffset: 3.01, ExclusiveRelease: 14,
	}
}

// sfParams returns the Params of a SoundFontSampler voice of recipe sf at
// gain 1, centre pan.
func sfParams(sf *SoundFont) Params {
	return Params{Kind: SoundFontSampler, Gain: 1, SoundFont: sf}
}

// blockPeaks returns the largest |x| of each 64-sample block.
func blockPeaks(x []float32) []float64 {
	p := make([]float64, len(x)/block.Size)
	for i, v := range x {
		p[i/block.Size] = max(p[i/block.Size], math.Abs(float64(v)))
	}
	return p
}
