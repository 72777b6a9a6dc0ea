package mix

import (
	"testing"

	"github.com/aether-audio/aether/block"
)

// TestNoAllocs proves the render-path kernels allocate nothing on any tier,
// on a whole 64-sample block and on a block with a tail.
func TestNoAllocs(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		for _, n := range []int{64, 67} {
			a, b, c := make([]float32, n), make([]float32, n), make([]float32, 2*n)
			buses := [][]float32{a, b}
			table := NewTable(make([]float32, 1<<11))
			var bl, br [64]float32
			phases, incs := make([]uint32, 256), make([]uint32, 256)
			gains := make([]float32, 256)
			blocks := make([]block.Block, 23) // a vector and a tail on every tier
			lanes := make([]float32, 23)
			srcs := make([][]float32, 4*23)
			for i := range srcs {
				srcs[i] = a
			}
			pos, steps, cubic := make([]uint64, 4*23), make([]uint64, 23), make([]bool, 23)
			laneIdx, gains4 := make([]int32, 23), make([][4]float32, 23)
			for name, f := range map[string]func(){
				"AddScaled":        func() { AddScaled(a, b, 0.5) },
				"AddRamp":          func() { AddRamp(a, b, 0.5, 0.25) },
				"PanAddRamp":       func() { PanAddRamp(a, b, a, 0.5, 0.25, 0.1, 0.2) },
				"AddBuses":         func() { AddBuses(c[:n], buses) },
				"Scale":            func() { Scale(a, 0.999) },
				"Peak":             func() { Peak(a) },
				"RMS":              func() { RMS(a) },
				"Interleave":       func() { Interleave(c, a, b) },
				"Sine":             func() { Sine(a, 1, 1<<24) },
				"Wavetable":        func() { Wavetable(a, &table, 1, 1<<24) },
				"SineVoices":       func() { SineVoices(&bl, &br, phases, incs, gains, gains) },
				"SVFVoices":        func() { SVFVoices(blocks, lanes, lanes, lanes, lanes, lanes, lanes, lanes, lanes) },
				"SampleVoices":     func() { SampleVoices(blocks, srcs, pos, steps, cubic) },
				"PanAddRampVoices": func() { PanAddRampVoices(&bl, &br, blocks, laneIdx, gains4) },
			} {
				if allocs := testing.AllocsPerRun(100, f); allocs != 0 {
					t.Errorf("%s on %d samples: %v allocations per call, want 0", name, n, allocs)
				}
			}
		}
	})
}
