package mix

import (
	"math"
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
	table := []float32{0, 1, 0, -1, 0} // 4 samples + guard
	dst := make([]float32, 16)
	Wavetable(dst, table, 0, 1<<28) // a quarter of a table step per sample
	want := []float32{0, 0.25, 0.5, 0.75, 1, 0.75, 0.5, 0.25, 0, -0.25, -0.5, -0.75, -1, -0.75, -0.5, -0.25}
	for i := range want {
		if dst[i] != want[i] {
			t.Fatalf("dst[%d] = %v, want %v (all: %v)", i, dst[i], want[i], dst)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("a table of 4 samples (no guard) did not panic")
		}
	}()
	Wavetable(dst, table[:4], 0, 1)
}
