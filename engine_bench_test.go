package aether

// All the engine and scheduler benchmarks, in one file so that one command
// runs them side by side (see docs/scheduler.md for the command and the
// results):
//
//	flock /tmp/aether-bench.lock go test -run '^$' -bench . -count 6 -benchtime 300ms

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/scheduler"
	"github.com/aether-audio/aether/voice"
)

// benchEngine starts n voices made by mk (sustaining, so they never end)
// and renders a few blocks to get past their start.
func benchEngine(b *testing.B, workers, n int, wait scheduler.WaitStrategy, mk func(*rand.Rand) voice.Params) *Engine {
	b.Helper()
	e, err := NewEngine(Config{Workers: workers, Voices: n, Wait: wait})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.Close() })
	rng := rand.New(rand.NewPCG(5, 6))
	var l, r block.Block
	for started := 0; started < n; {
		for range min(DefaultQueueSize, n-started) {
			if _, err := e.NoteOn(mk(rng), rng.IntN(block.Size)); err != nil {
				b.Fatal(err)
			}
			started++
		}
		if err := e.RenderBlock(&l, &r); err != nil {
			b.Fatal(err)
		}
	}
	for range 4 {
		_ = e.RenderBlock(&l, &r)
	}
	if got := e.Stats().Voices; got != n {
		b.Fatalf("%d voices sounding, want %d", got, n)
	}
	return e
}

func benchSine(rng *rand.Rand) voice.Params {
	return voice.Params{Kind: voice.Sine, Freq: 50 + 5000*rng.Float64(), Gain: 1e-4, Pan: 2*rng.Float32() - 1}
}

func benchSynth(rng *rand.Rand) voice.Params {
	p := synth(rng)
	p.Gain *= 0.01
	return p
}

func renderBlocks(b *testing.B, e *Engine, voices int) {
	var l, r block.Block
	b.ResetTimer()
	for b.Loop() {
		if err := e.RenderBlock(&l, &r); err != nil {
			b.Fatal(err)
		}
	}
	if voices > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(voices), "ns/voice")
	}
}

// BenchmarkBlock is the cost of one 64-sample block of sustained voices,
// events included (none are posted). The 20k sine pair gives the 2-worker
// scaling efficiency: T(1 worker) / (2 * T(2 workers)).
func BenchmarkBlock(b *testing.B) {
	for _, tc := range []struct {
		name string
		n    int
		mk   func(*rand.Rand) voice.Params
	}{
		{"sine-1k", 1000, benchSine},
		{"sine-10k", 10000, benchSine},
		{"sine-20k", 20000, benchSine},
		{"sine-50k", 50000, benchSine},
		{"synth-10k", 10000, benchSynth},
	} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", tc.name, workers), func(b *testing.B) {
				renderBlocks(b, benchEngine(b, workers, tc.n, scheduler.Hybrid, tc.mk), tc.n)
			})
		}
	}
}

// BenchmarkForkJoin is the scheduler's overhead per block with no voice
// work: publish a block of 2 empty chunks, let both workers claim one
// (acquiring and zeroing two buses each), join, and sum the buses.
func BenchmarkForkJoin(b *testing.B) {
	for _, wait := range []scheduler.WaitStrategy{scheduler.Spin, scheduler.Hybrid, scheduler.Park} {
		b.Run(wait.String(), func(b *testing.B) {
			s, err := scheduler.New(scheduler.Config{Workers: 2, Wait: wait, MaxChunks: 2},
				func(int, int, *block.Block, *block.Block) {})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var l, r block.Block
			for b.Loop() {
				if err := s.RenderBlock(2, &l, &r); err != nil {
					b.Fatal(err)
				}
			}
			st := s.Stats()
			b.ReportMetric(float64(st.WakeMean.Nanoseconds()), "wake-ns")
		})
	}
	b.Run("engine-no-voices", func(b *testing.B) {
		renderBlocks(b, benchEngine(b, 2, 0, scheduler.Hybrid, benchSine), 0)
	})
}

// BenchmarkDenormalTail compares blocks of 5000 full synth voices whose
// output is normal with blocks whose output would lie in the subnormal
// range (a gain of 1e-39, as at the end of a long decay), through a bare
// voice.Bank and through the Engine: the bank flushes gains below
// voice.MinLevel to 0, so both must cost the same.
func BenchmarkDenormalTail(b *testing.B) {
	const voices = 5000
	for _, tc := range []struct {
		name string
		gain float32
	}{{"normal", 0.5}, {"subnormal", 1e-39}} {
		mk := func(rng *rand.Rand) voice.Params {
			p := synth(rng)
			p.Gain = tc.gain
			return p
		}
		b.Run("bank/"+tc.name, func(b *testing.B) {
			bank, err := voice.NewBank(voices, DefaultSampleRate)
			if err != nil {
				b.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(5, 6))
			slots := make([]int32, voices)
			for i := range slots {
				p := mk(rng)
				if err := bank.NoteOn(i, &p, 0); err != nil {
					b.Fatal(err)
				}
				slots[i] = int32(i)
			}
			var l, r block.Block
			for b.Loop() {
				bank.Render(slots, &l, &r)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/voices, "ns/voice")
		})
		b.Run("engine/"+tc.name, func(b *testing.B) {
			renderBlocks(b, benchEngine(b, 1, voices, scheduler.Hybrid, mk), voices)
		})
	}
}
