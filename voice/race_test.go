package voice

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/aether-audio/aether/block"
)

// randomParams returns random, valid parameters of any kind the float64
// reference (reference_test.go) renders: those before SoundFontSampler,
// whose tests are its own (soundfont_test.go).
func randomParams(rng *rand.Rand, tbl *Table, smp *Sample) Params {
	p := Params{
		Kind:       Kind(rng.IntN(int(SoundFontSampler))),
		Freq:       30 * math.Exp(rng.Float64()*math.Log(400)), // 30 Hz to 12 kHz
		Gain:       rng.Float32(),
		Pan:        2*rng.Float32() - 1,
		PulseWidth: rng.Float32() * 0.95,
		Env: ADSR{Attack: rng.Float32() * 0.01, Decay: rng.Float32() * 0.02,
			Sustain: rng.Float32(), Release: rng.Float32() * 0.02},
		Table: tbl, Sample: smp, Seed: rng.Uint64(),
	}
	if rng.IntN(2) == 0 {
		p.Filter = Filter{Type: FilterType(1 + rng.IntN(3)),
			Cutoff: float32(20 * math.Exp(rng.Float64()*math.Log(1000))), Resonance: rng.Float32()}
	}
	return p
}

// testCycle is the wavetable cycle of testTableAndSample.
var testCycle = []float32{0, 0.9, 1, 0.3, -0.2, -1, -0.4, 0.1}

func testTableAndSample(t testing.TB) (*Table, *Sample) {
	t.Helper()
	tbl, err := NewTable(testCycle)
	if err != nil {
		t.Fatal(err)
	}
	rec := sineRecording(4801, 48)
	smp, err := NewSample(testRate, [][]float32{rec[:4800], rec[1:]}, 1000, true, 480, 4800-48*5, Cubic)
	if err != nil {
		t.Fatal(err)
	}
	return tbl, smp
}

// chunkedBank is a bank of random voices and its slots cut into chunks.
func chunkedBank(t testing.TB, voices, chunk int, seed uint64) (*Bank, [][]int32) {
	tbl, smp := testTableAndSample(t)
	rng := rand.New(rand.NewPCG(seed, 0))
	b := newTestBank(t, voices)
	var chunks [][]int32
	for i := range voices {
		p := randomParams(rng, tbl, smp)
		start(t, b, i, p, rng.IntN(block.Size))
		if i%chunk == 0 {
			chunks = append(chunks, nil)
		}
		chunks[len(chunks)-1] = append(chunks[len(chunks)-1], int32(i))
	}
	return b, chunks
}

// renderChunked renders blocks blocks, each chunk into its own bus by
// workers goroutines, summing the buses in chunk order; it returns the
// left channel of the mix. control runs between blocks when not nil.
func renderChunked(b *Bank, chunks [][]int32, workers, blocks int, control func(blk int)) []float32 {
	buses := make([][2]block.Block, len(chunks))
	var out []float32
	for blk := range blocks {
		if control != nil {
			control(blk)
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for c := w; c < len(chunks); c += workers {
					buses[c] = [2]block.Block{}
					b.Render(chunks[c], &buses[c][0], &buses[c][1])
				}
			})
		}
		wg.Wait()
		var sum block.Block
		for c := range buses {
			for i := range sum {
				sum[i] += buses[c][0][i]
			}
		}
		out = append(out, sum[:]...)
	}
	return out
}

// TestConcurrentDisjointChunks renders disjoint chunks of one bank from
// several goroutines, while the driving goroutine makes the control calls
// and the setters between blocks, as the engine does: run it with -race.
// The mix must not depend on how many goroutines rendered it.
func TestConcurrentDisjointChunks(t *testing.T) {
	const voices, chunk, blocks = 512, 64, 40
	control := func(b *Bank) func(int) {
		rng := rand.New(rand.NewPCG(9, 9))
		return func(blk int) {
			for range 8 {
				s := rng.IntN(voices)
				switch rng.IntN(3) {
				case 0:
					b.NoteOff(s, rng.IntN(block.Size))
				case 1:
					b.Steal(s)
				default:
					p := Params{Kind: Saw, Freq: 200, Gain: 0.5}
					_ = b.NoteOn(s, &p, rng.IntN(block.Size))
				}
			}
			for range 32 {
				s := rng.IntN(voices)
				b.SetGain(s, rng.Float32())
				b.SetPan(s, 2*rng.Float32()-1)
				b.SetFreqRatio(s, 0.5+rng.Float32())
				b.SetCutoff(s, 100+10000*rng.Float32())
				b.SetResonance(s, rng.Float32())
			}
		}
	}
	b1, c1 := chunkedBank(t, voices, chunk, 5)
	want := renderChunked(b1, c1, 1, blocks, control(b1))
	for _, workers := range []int{3, 4} {
		b, c := chunkedBank(t, voices, chunk, 5)
		got := renderChunked(b, c, workers, blocks, control(b))
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("sample %d: %v with %d goroutines, %v with 1", i, got[i], workers, want[i])
			}
		}
	}
	if p := peak(want); !(p > 0 && p < 1e4) {
		t.Errorf("mix peak %v", p)
	}
}

// TestRenderSameOnEveryTier renders the same random chunks with the mix
// kernels forced to each tier: the mix must be identical to the bit, so a
// render never depends on the machine.
func TestRenderSameOnEveryTier(t *testing.T) {
	const voices, chunk, blocks = 300, 64, 30
	var want []float32
	forEachTier(t, func(tier string) {
		b, chunks := chunkedBank(t, voices, chunk, 8)
		got := renderChunked(b, chunks, 2, blocks, func(blk int) {
			if blk == 10 {
				for s := 0; s < voices; s += 3 {
					b.NoteOff(s, s%block.Size)
					b.SetGain(s+1, 0.25)
					b.SetPan(s+2, 0.5)
				}
			}
		})
		if want == nil {
			want = got
			return
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("tier %s: sample %d is %v, generic gives %v", tier, i, got[i], want[i])
			}
		}
	})
}
