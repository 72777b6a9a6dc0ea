package voice

import (
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// benchChunk is the engine's chunk size: the voices one Render call gets.
const benchChunk = 256

// benchVoices benchmarks one Render of a chunk of voices started from p
// (frequencies spread over two octaves, pans across the field) and reports
// the cost per voice per 64-sample block.
func benchVoices(b *testing.B, p Params) {
	benchChunkOf(b, func(i int) Params {
		q := p
		q.Freq = p.Freq * (1 + float64(i)/benchChunk*3)
		q.Pan = float32(i)/benchChunk*2 - 1
		q.Seed = uint64(i)
		return q
	})
}

// benchChunkOf benchmarks one Render of a chunk of voices, voice i started
// from params(i), and reports the cost per voice per 64-sample block. No
// voice may finish during the benchmark.
func benchChunkOf(b *testing.B, params func(i int) Params) {
	bank := newTestBank(b, benchChunk)
	slots := make([]int32, benchChunk)
	for i := range slots {
		slots[i] = int32(i)
		start(b, bank, i, params(i), 0)
	}
	var l, r block.Block
	bank.Render(slots, &l, &r) // past the start offsets
	b.ResetTimer()
	for b.Loop() {
		bank.Render(slots, &l, &r)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchChunk, "ns/voice-block")
	for i := range slots {
		if !bank.Active(i) {
			b.Fatalf("voice %d finished during the benchmark", i)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	tbl, smp := testTableAndSample(b)
	held := ADSR{Sustain: 0.8, Release: 0.1}
	slow := ADSR{Attack: 100, Sustain: 1} // every block is an envelope ramp
	lp := Filter{Type: Lowpass, Cutoff: 2000, Resonance: 0.3}
	cases := []struct {
		name string
		p    Params
	}{
		{"sine", Params{Kind: Sine, Freq: 220, Gain: 0.5, Env: held}},
		{"saw", Params{Kind: Saw, Freq: 220, Gain: 0.5, Env: held}},
		{"square", Params{Kind: Square, Freq: 220, Gain: 0.5, PulseWidth: 0.3, Env: held}},
		{"square-0.5", Params{Kind: Square, Freq: 220, Gain: 0.5, Env: held}},
		{"triangle", Params{Kind: Triangle, Freq: 220, Gain: 0.5, Env: held}},
		{"noise", Params{Kind: Noise, Freq: 1, Gain: 0.5, Env: held}},
		{"wavetable", Params{Kind: Wavetable, Freq: 220, Gain: 0.5, Env: held, Table: tbl}},
		{"sample-cubic-stereo", Params{Kind: Sampler, Freq: 1000, Gain: 0.5, Env: held, Sample: smp}},
		{"sine+attack", Params{Kind: Sine, Freq: 220, Gain: 0.5, Env: slow}},
		{"saw+lowpass", Params{Kind: Saw, Freq: 220, Gain: 0.5, Env: held, Filter: lp}},
		{"synth", Params{Kind: Saw, Freq: 220, Gain: 0.5, Env: slow, Filter: lp}},
	}
	forEachTier(b, func(tier string) {
		for _, c := range cases {
			b.Run(tier+"/"+c.name, func(b *testing.B) { benchVoices(b, c.p) })
		}
	})
}

// BenchmarkSineKernelsOnly does the mix work of a chunk of steady sine
// voices without the bank (a sine block and a pan-accumulate per voice):
// set beside Render/generic/sine, the difference is the bank's own cost
// per voice.
func BenchmarkSineKernelsOnly(b *testing.B) {
	forEachTier(b, func(tier string) {
		b.Run(tier, benchSineKernelsOnly)
	})
}

func benchSineKernelsOnly(b *testing.B) {
	var buf, l, r block.Block
	phases := make([]uint32, benchChunk)
	incs := make([]uint32, benchChunk)
	for i := range incs { // the pitches of benchVoices
		incs[i] = uint32(220 * (1 + float64(i)/benchChunk*3) / testRate * (1 << 32))
	}
	for b.Loop() {
		for i := range phases {
			phases[i] = mix.Sine(buf[:], phases[i], incs[i])
			mix.PanAddRamp(l[:], r[:], buf[:], 0.3, 0.3, 0.4, 0.4)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchChunk, "ns/voice-block")
}
