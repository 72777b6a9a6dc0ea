package voice

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/block"
)

// TestRenderCountsWhatIsGone checks Render's count, which the engine trusts
// to skip its scan for finished voices: for each block of a mix of voices
// that end in every way a voice can (a short release, a one-shot, a NaN
// gain, a NaN filter state, a steal, never started, out of range, listed
// twice), the count is the number of entries not Active afterwards.
func TestRenderCountsWhatIsGone(t *testing.T) {
	forEachTier(t, func(tier string) {
		b := newTestBank(t, 16)
		sine := Params{Kind: Sine, Freq: 440, Gain: 0.5, Env: ADSR{Sustain: 1, Release: 0.001}}
		filtered := sine
		filtered.Filter = Filter{Type: Lowpass, Cutoff: 1000, Resonance: 0.5}
		for s, p := range []Params{sine, sine, filtered, filtered, sine, filtered, sine, sine} {
			start(t, b, s, p, 0)
		}
		slots := []int32{0, 1, 2, 3, 4, 5, 6, 7, 9, 40, -1, 7}
		var l, r block.Block
		for blk := range 8 {
			switch blk {
			case 2:
				b.NoteOff(1, 0)
				b.NoteOff(3, 10)
			case 3:
				b.SetGain(4, float32(math.NaN()))
				b.SetCutoff(5, float32(math.Inf(1)))
			case 4:
				b.Steal(6)
				b.Steal(7)
			}
			gone := b.Render(slots, &l, &r)
			want := 0
			for _, s := range slots {
				if !b.Active(int(s)) {
					want++
				}
			}
			if gone != want {
				t.Fatalf("%s block %d: Render says %d gone, %d entries are not active", tier, blk, gone, want)
			}
		}
	})
}
