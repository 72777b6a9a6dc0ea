package voice

import "testing"

// Stealing picks the voice with the lowest Level, so a held note must report
// its level on every render path, the constant-gain fast path included.
func TestLevelOfHeldNote(t *testing.T) {
	for _, env := range []ADSR{{}, {Attack: 0.001, Sustain: 0.5, Release: 0.1}} {
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sine, Freq: 440, Gain: 0.8, Env: env}, 0)
		want := float32(0.8)
		if env.Sustain != 0 {
			want = 0.8 * env.Sustain
		}
		for i := 0; i < 20; i++ {
			renderBlocks(b, 0, 1, nil)
		}
		if got := b.Level(0); got != want {
			t.Errorf("env %+v: Level = %v after 20 blocks, want %v", env, got, want)
		}
	}
}
