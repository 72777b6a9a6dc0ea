package mix

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSineAccuracy(t *testing.T) {
	dst := make([]float32, 1<<16)
	inc := uint32(1<<32/uint64(len(dst))) + 7 // sweep every phase region, not aligned
	phase := Sine(dst, 0x1234, inc)
	if want := uint32(0x1234) + inc*uint32(len(dst)); phase != want {
		t.Fatalf("returned phase %#x, want %#x", phase, want)
	}
	var worst float64
	p := uint32(0x1234)
	for _, got := range dst {
		want := math.Sin(2 * math.Pi * float64(float32(int32(p))) / (1 << 32))
		worst = math.Max(worst, math.Abs(float64(got)-want))
		p += inc
	}
	if worst > 2e-7 {
		t.Fatalf("worst error %g, want < 2e-7", worst)
	}
}

func TestWavetableInterpolates(t *testing.T) {
	table := NewTable([]float32{0, 1, 0, -1})
	dst := make([]float32, 16)
	Wavetable(dst, &table, 0, 1<<28) // a quarter of a table step per sample
	want := []float32{0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0, -0.25, -0.5, -0.75, -1, -0.75, -0.5, -0.25}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("dst[%d] = %v, want %v (all: %v)", i, dst[i], want[i], dst)
		}
	}
	for _, n := range []int{0, 1, 3, 6, 1<<24 + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewTable of %d samples did not panic", n)
				}
			}()
			NewTable(make([]float32, n))
		}()
	}
	defer func() {
		if recover() == nil {
			t.Error("Wavetable of a zero Table did not panic")
		}
	}()
	Wavetable(dst, &Table{}, 0, 1)
}

// TestWavetableIsTheContract checks every tier against the loop in
// Wavetable's doc comment, written on the cycle itself (the wrap included),
// for random cycles, phases and steps.
func TestWavetableIsTheContract(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for k := uint(1); k <= 12; k++ {
			cycle := make([]float32, 1<<k)
			for i := range cycle {
				cycle[i] = float32(rng.NormFloat64())
			}
			table := NewTable(cycle)
			if table.Len() != len(cycle) {
				t.Fatalf("Len = %d, want %d", table.Len(), len(cycle))
			}
			dst := make([]float32, 67)
			phase, inc := rng.Uint32(), rng.Uint32()>>(k%8)
			end := Wavetable(dst, &table, phase, inc)
			for n, got := range dst {
				i := phase >> (32 - k)
				frac := float32(phase<<k>>8) / (1 << 24)
				y0, y1 := cycle[i], cycle[(i+1)%(1<<k)]
				if want := y0 + float32(frac*(y1-y0)); got != want {
					t.Fatalf("k=%d sample %d = %v, want %v", k, n, got, want)
				}
				phase += inc
			}
			if end != phase {
				t.Fatalf("k=%d: returned phase %#x, want %#x", k, end, phase)
			}
		}
	})
}
