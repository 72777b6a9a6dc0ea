package voice_test

import (
	"fmt"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/voice"
)

// A bank of two voices: a filtered saw started 10 samples into the first
// block with a 96-sample attack, released at the start of the third block
// over the default 64 samples, after which its slot is free.
func Example() {
	bank, err := voice.NewBank(2, 48000)
	if err != nil {
		panic(err)
	}
	p := voice.Params{
		Kind: voice.Saw, Freq: 220, Gain: 0.5, Pan: -0.3,
		Env:    voice.ADSR{Attack: 0.002, Sustain: 0.8},
		Filter: voice.Filter{Type: voice.Lowpass, Cutoff: 2000, Resonance: 0.2},
	}
	if err := bank.NoteOn(0, &p, 10); err != nil {
		panic(err)
	}
	active := []int32{0}
	for i := range 4 {
		if i == 2 {
			bank.NoteOff(0, 0)
		}
		var left, right block.Block
		bank.Render(active, &left, &right)
		fmt.Printf("block %d: active %v, releasing %v, level %.2f\n",
			i, bank.Active(0), bank.Releasing(0), bank.Level(0))
	}
	bad := voice.Params{Kind: voice.Sine, Freq: 30000, Gain: 1}
	fmt.Println(bank.NoteOn(1, &bad, 0))
	// Output:
	// block 0: active true, releasing false, level 0.28
	// block 1: active true, releasing false, level 0.40
	// block 2: active false, releasing false, level 0.00
	// block 3: active false, releasing false, level 0.00
	// voice: invalid parameter: Freq = 30000
}
