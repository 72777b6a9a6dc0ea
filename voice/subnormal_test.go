package voice

import (
	"math"
	"reflect"
	"testing"

	"github.com/aether-audio/aether/block"
)

func subnormal32(x float32) bool {
	return x != 0 && math.Abs(float64(x)) < 0x1p-126
}

// countSubnormalState counts the subnormal float32 and float64 values in
// every field of the bank's per-slot state and of its kinds' voices, found
// by reflection so that a field added later is checked too.
func countSubnormalState(b *Bank) int {
	n := 0
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Float32:
			if subnormal32(float32(v.Float())) {
				n++
			}
		case reflect.Float64:
			if f := v.Float(); f != 0 && math.Abs(f) < 0x1p-1022 {
				n++
			}
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Interface: // a kind's voices
			if e := v.Elem(); e.Kind() == reflect.Pointer {
				walk(e.Elem())
			}
		}
	}
	walk(reflect.ValueOf(b).Elem())
	return n
}

// TestNoSubnormals renders voices whose parameters, data or decay would
// put float32 values in the subnormal range, and counts subnormals in the
// rendered blocks and in the bank's state after each block: none may
// appear. (A subnormal costs some CPUs over a hundred cycles an operation,
// so a render that produces them runs many times slower: counting them
// catches that on any CPU, where timing would not.)
func TestNoSubnormals(t *testing.T) {
	// A float recording fading out exponentially into the subnormal
	// range and to 0, as a float WAV's tail does.
	fade := make([]float32, 20000)
	for i := range fade {
		fade[i] = float32(math.Sin(float64(i)*0.05) * math.Pow(0.9, float64(i)))
	}
	fadeSample, err := NewSample(testRate, [][]float32{fade}, 440, false, 0, 0, Cubic)
	if err != nil {
		t.Fatal(err)
	}
	tiny := make([]float32, 256)
	for i := range tiny {
		tiny[i] = float32(math.Sin(float64(i)*2*math.Pi/256)) * 1e-39
	}
	tinySample, err := NewSample(testRate, [][]float32{tiny}, 440, true, 0, 256, Linear)
	if err != nil {
		t.Fatal(err)
	}
	cycle := make([]float32, 64)
	for i := range cycle {
		cycle[i] = float32(math.Sin(float64(i)*2*math.Pi/64)) + 1e-40
	}
	table, err := NewTable(cycle)
	if err != nil {
		t.Fatal(err)
	}
	lowpass := Filter{Type: Lowpass, Cutoff: 2000, Resonance: 0.9}
	env := ADSR{Attack: 0.001, Decay: 0.002, Sustain: 0.5, Release: 0.01}
	tinySustain := ADSR{Attack: 0.001, Decay: 0.002, Sustain: 1e-39, Release: 0.01}
	// SoundFont voices: a resonant lowpass released to silence, and an
	// unlooped sample whose second half is silent, through a resonant
	// lowpass whose state rings down while the voice still plays.
	sfReleased := testSoundFont()
	sfReleased.Live.FilterFc, sfReleased.Live.FilterQ = 6000, 200
	sfReleased.VolEnv.Release = 20
	silentTail := make([]float32, 2*testRate)
	copy(silentTail, sineCycles(testRate/10, sfCycle))
	sfTail := testSoundFont()
	pool, at := sfPool(silentTail)
	sfTail.Data, sfTail.Start, sfTail.End, sfTail.LoopMode = pool, at[0], at[0]+len(silentTail), LoopNone
	sfTail.Live.FilterFc, sfTail.Live.FilterQ = 7000, 100
	sfTail.RootHz /= 3 // reads 3 frames a frame: the sample lasts longer than the 600 blocks
	sfTail.VolEnv.Release = 1000
	cases := []struct {
		name string
		p    Params
		// setGain, when not zero, is set before each block from the
		// second on.
		setGain float32
	}{
		{"sustain 1e-39 sine", Params{Kind: Sine, Freq: 440, Gain: 1, Env: tinySustain}, 0},
		{"sustain 1e-39 saw lowpass", Params{Kind: Saw, Freq: 220, Gain: 1, Env: tinySustain, Filter: lowpass}, 0},
		{"gain 1e-39 sine", Params{Kind: Sine, Freq: 440, Gain: 1e-39, Env: env}, 0},
		{"gain 1e-39 square", Params{Kind: Square, Freq: 440, Gain: 1e-39, Env: env}, 0},
		{"SetGain 1e-39 saw", Params{Kind: Saw, Freq: 440, Gain: 1, Env: env}, 1e-39},
		{"fading float sample", Params{Kind: Sampler, Freq: 440, Gain: 1, Sample: fadeSample, Env: env}, 0},
		{"fading float sample lowpass", Params{Kind: Sampler, Freq: 440, Gain: 1, Sample: fadeSample, Env: env, Filter: lowpass}, 0},
		{"subnormal sample data", Params{Kind: Sampler, Freq: 440, Gain: 1, Sample: tinySample, Env: env}, 0},
		{"subnormal wavetable offset", Params{Kind: Wavetable, Freq: 440, Gain: 1, Table: table, Env: env}, 0},
		{"resonant lowpass released to silence", Params{Kind: Saw, Freq: 110, Gain: 1, Env: env, Filter: lowpass}, 0},
		{"SoundFont resonant lowpass released to silence", sfParams(sfReleased), 0},
		{"SoundFont silent sample tail through a resonant lowpass", sfParams(sfTail), 0},
	}
	forEachTier(t, func(tier string) {
		for _, tc := range cases {
			b := newTestBank(t, 1)
			start(t, b, 0, tc.p, 0)
			slots := []int32{0}
			bus, state := 0, 0
			for i := range 600 {
				if i == 10 {
					b.NoteOff(0, 0)
				}
				if tc.setGain != 0 && i > 0 {
					b.SetGain(0, tc.setGain)
				}
				var l, r block.Block
				b.Render(slots, &l, &r)
				for k := range block.Size {
					if subnormal32(l[k]) || subnormal32(r[k]) {
						bus++
					}
				}
				state += countSubnormalState(b)
			}
			if bus != 0 || state != 0 {
				t.Errorf("%s/%s: %d subnormal output samples, %d subnormal state values", tier, tc.name, bus, state)
			}
		}
	})
}

func TestFlushTiny(t *testing.T) {
	for _, tc := range []struct{ in, want float32 }{
		{0.5, 0.5}, {MinLevel, MinLevel}, {-MinLevel, -MinLevel}, {1e-39, 0}, {-1e-39, 0},
		{0x1p-101, 0}, {0, 0}, {-1, -1},
	} {
		if got := FlushTiny(tc.in); got != tc.want {
			t.Errorf("FlushTiny(%g) = %g, want %g", tc.in, got, tc.want)
		}
	}
	if g := FlushTiny(float32(math.NaN())); g == g {
		t.Error("FlushTiny(NaN) is not NaN: validation must still see it and refuse the value")
	}
}
