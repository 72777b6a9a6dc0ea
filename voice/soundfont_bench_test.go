package voice

import (
	"math/rand/v2"
	"sync"
	"testing"
)

// sfBenchFrames is the length of the benchmark's sample pool: long enough
// for an unlooped voice reading 1.4 frames a frame to outlast a one-second
// benchmark at 2 µs a Render (b.Loop's rounds add up to a few seconds).
const sfBenchFrames = 24 << 20

// sfBenchPool is noise, as loud as a recording: the sample's content does
// not change the work. It is made on first use (96 MiB), by the benchmark
// only.
var sfBenchPool = sync.OnceValue(func() []float32 {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := make([]float32, sfBenchFrames+2*sfGuard)
	for i := sfGuard; i < sfGuard+sfBenchFrames; i++ {
		pool[i] = float32(rng.Float64()*2 - 1)
	}
	return pool
})

// benchSoundFont benchmarks one Render of a chunk of SoundFont voices of
// recipe sf, pitches spread from 0.7 to 1.4 frames a frame and pans
// across the field, and reports the cost per voice per 64-sample block.
func benchSoundFont(b *testing.B, sf SoundFont) {
	benchChunkOf(b, func(i int) Params {
		v := sf
		v.Live.Pitch = 6900 - 600 + 1200*float64(i)/benchChunk
		v.Live.Pan = 1000*float32(i)/benchChunk - 500
		return sfParams(&v)
	})
}

// BenchmarkSoundFont: SoundFontSampler voices held in their sustain, read
// by cubic or linear interpolation, looped (a 2000-frame loop) or not,
// through FluidSynth's lowpass (its profile filters every voice; here at
// 830 Hz, 7 dB of resonance) or with the spec profile's bypass, a
// vibrato LFO moving every voice's pitch each block.
func BenchmarkSoundFont(b *testing.B) {
	base := SoundFont{
		Data: sfBenchPool(), Start: sfGuard, End: sfGuard + sfBenchFrames,
		Interp: Cubic, RootHz: 440,
		VolEnv:   Envelope{Attack: 1, Hold: 1, Decay: 1, Release: 100, Sustain: 1},
		ModEnv:   Envelope{Attack: 1, Hold: 1, Decay: 1, Release: 100, Sustain: 1},
		VibLFO:   LFO{Incr: 0.02},
		Live:     SoundFontLive{FilterFc: 8000, FilterQ: 100, VibLFOToPitch: 20},
		EnvRange: 960, FilterQOffset: 3.01, ExclusiveRelease: 14,
	}
	cases := []struct {
		name               string
		linear, loop, open bool
	}{
		{"cubic-loop-lowpass", false, true, false},
		{"cubic-loop", false, true, true},
		{"cubic-lowpass", false, false, false},
		{"cubic", false, false, true},
		{"linear-loop-lowpass", true, true, false},
		{"linear-loop", true, true, true},
		{"linear-lowpass", true, false, false},
		{"linear", true, false, true},
	}
	forEachTier(b, func(tier string) {
		for _, c := range cases {
			sf := base
			if c.linear {
				sf.Interp = Linear
			}
			if c.loop {
				sf.LoopMode, sf.LoopStart, sf.LoopEnd = LoopContinuous, sfGuard+1000, sfGuard+3000
			}
			if c.open {
				sf.FilterBypass, sf.Live.FilterFc, sf.Live.FilterQ = true, 13500, 0
			}
			b.Run(tier+"/"+c.name, func(b *testing.B) { benchSoundFont(b, sf) })
		}
	})
}
