package mix

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// TestPanAddRampVoicesIsPanAddRamp checks the contract on every tier: the
// bits of the generic PanAddRamp, voice after voice, for ramps up and down,
// steady gains, zero and negative gains, lanes used twice and in any order.
func TestPanAddRampVoicesIsPanAddRamp(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 11))
		for _, n := range []int{0, 1, 2, 7, 16, 17, 40} {
			src := make([]block.Block, 19)
			for k := range src {
				for i := range src[k] {
					src[k][i] = float32(rng.NormFloat64())
				}
			}
			var left, right block.Block
			for i := range left {
				left[i], right[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			wantL, wantR := left, right
			lane, g := make([]int32, n), make([][4]float32, n)
			for v := range n {
				lane[v] = int32(rng.IntN(len(src)))
				for c := range g[v] {
					g[v][c] = float32(rng.Float64()*2 - 0.5)
				}
				switch v % 4 {
				case 1:
					g[v][1], g[v][3] = g[v][0], g[v][2] // steady
				case 2:
					g[v][0], g[v][1] = 0, 0 // hard right
				}
				panAddRampGeneric(wantL[:], wantR[:], src[lane[v]][:], g[v][0], g[v][1], g[v][2], g[v][3])
			}
			PanAddRampVoices(&left, &right, src, lane, g)
			for i := range left {
				if math.Float32bits(left[i]) != math.Float32bits(wantL[i]) || math.Float32bits(right[i]) != math.Float32bits(wantR[i]) {
					t.Fatalf("%d voices, sample %d: (%v, %v), want (%v, %v)", n, i, left[i], right[i], wantL[i], wantR[i])
				}
			}
		}
	})
}

// TestPanAddRampVoicesPanics checks the documented panics, which come
// before any tier reads a lane.
func TestPanAddRampVoicesPanics(t *testing.T) {
	var l, r block.Block
	src := make([]block.Block, 2)
	for name, c := range map[string]struct {
		f    func()
		want string
	}{
		"short g":  {func() { PanAddRampVoices(&l, &r, src, []int32{0, 1}, make([][4]float32, 1)) }, "mix: slice lengths differ"},
		"lane 2":   {func() { PanAddRampVoices(&l, &r, src, []int32{0, 2}, make([][4]float32, 2)) }, "mix: lane out of range"},
		"lane -1":  {func() { PanAddRampVoices(&l, &r, src, []int32{-1}, make([][4]float32, 1)) }, "mix: lane out of range"},
		"no lanes": {func() { PanAddRampVoices(&l, &r, nil, []int32{0}, make([][4]float32, 1)) }, "mix: lane out of range"},
	} {
		func() {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("%s: recovered %v, want %q", name, got, c.want)
				}
			}()
			c.f()
		}()
	}
}
