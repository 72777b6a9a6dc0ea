package instrument

import (
	"math"
	"testing"
)

// The expected block counts below are worked out by hand from
// FluidSynth 2.3.1's formulas (fluid_voice_update_param,
// calculate_hold_decay_buffers): seconds = 2^(tc/1200), blocks of 64
// frames, delays and attacks and releases truncated (attack and release
// plus one), holds and decays rounded.

func TestEnvelopeBlocks(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"delay 0 tc at 48 kHz: 1 s", delayBlocks(48000, 0), 750},
		{"delay 0 tc at 44.1 kHz: 689.06 truncated", delayBlocks(44100, 0), 689},
		{"delay -12000 tc (the default): 0.73 blocks truncated", delayBlocks(48000, -12000), 0},
		{"delay -32768 tc is clipped to -12000 first", delayBlocks(48000, -32768), 0},
		{"delay 1200 tc: 2 s", delayBlocks(48000, 1200), 1500},
		{"delay above 5000 tc is clipped to 5000: 17.96 s", delayBlocks(48000, 8000), 13469},
		{"attack -12000 tc: one block", attackBlocks(48000, -12000), 1},
		{"attack 0 tc: 1 + 750", attackBlocks(48000, 0), 751},
		{"attack 8000 tc: 1 + 101.59 s", attackBlocks(48000, 8000), 1 + 76195},
		{"attack past 8000 tc is clipped", attackBlocks(48000, 9000), 1 + 76195},
		{"release -12000 tc with FluidSynth's -7200 floor: 1 + 11.72", releaseBlocks(48000, -12000, -7200), 12},
		{"release -12000 tc with the spec's floor", releaseBlocks(48000, -12000, -12000), 1},
		{"release 0 tc", releaseBlocks(48000, 0, -7200), 751},
		{"release -200 tc (exclusive class): 0.891 s", releaseBlocks(48000, -200, -7200), 1 + 668},
		{"hold 0 tc, key 60", holdDecayBlocks(48000, 0, 0, 60, false), 750},
		{"hold -12000 tc: 0.73 blocks rounded", holdDecayBlocks(48000, -12000, 0, 60, false), 1},
		{"hold -32768 tc: none", holdDecayBlocks(48000, -32768, 0, 60, false), 0},
		{"hold past 5000 tc is clipped to 5000", holdDecayBlocks(48000, 6000, 0, 60, false), 13470},
		{"decay past 8000 tc is clipped to 8000", holdDecayBlocks(48000, 9000, 0, 60, true), 76195},
		{"decay -32768 tc is clipped to -12000", holdDecayBlocks(48000, -32768, 0, 60, true), 1},
		{"key 72 with 100 tc/key halves the time", holdDecayBlocks(48000, 0, 100, 72, true), 375},
		{"key 48 with 100 tc/key doubles it", holdDecayBlocks(48000, 0, 100, 48, false), 1500},
		{"hold scaled past 5000 by key is clipped", holdDecayBlocks(48000, 4000, 100, 0, false), 13470},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d blocks, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestSustainLevel(t *testing.T) {
	for _, tc := range []struct {
		sustain float32
		want    float32
	}{{0, 1}, {120, 0.88}, {500, 0.5}, {1000, 0}, {1440, 0}, {-50, 1}} {
		if got := sustainLevel(tc.sustain); math.Abs(float64(got-tc.want)) > 1e-6 {
			t.Errorf("sustain %v: level %v, want %v", tc.sustain, got, tc.want)
		}
	}
}

func TestCentsToHz(t *testing.T) {
	for _, tc := range []struct {
		cents float32
		want  float64
	}{
		{6900, 440},
		{6900.9, 440}, // whole cents from 0 up: truncated
		{8100, 880},
		{6000, 261.6255653},
		{0, 8.1757989},
		{-1200, 4.0878995},     // below 0: computed, not read from the table
		{-1238, 3.9991490},     // the spec test's 4 Hz LFOs
		{13500, 19912.1269582}, // the filter's top
		{30000, 274334288.76},  // 440 × 2^(23100/1200): the table's shift
	} {
		got := float64(ct2hz(tc.cents))
		if math.Abs(got-tc.want) > 1e-6*tc.want+1e-4 {
			t.Errorf("ct2hz(%v) = %.7f, want %.7f", tc.cents, got, tc.want)
		}
	}
}

func TestLFOUnits(t *testing.T) {
	// 4 × 64 × Hz / rate per block: the triangle travels 4 units a period.
	if got, want := float64(lfoIncr(48000, 0)), 256*8.1757989/48000; math.Abs(got-want) > 1e-7 {
		t.Errorf("LFO at 0 cents (8.176 Hz): incr %v, want %v", got, want)
	}
	if got, want := float64(lfoIncr(44100, 4500)), 256*ct2hzExact(4500)/44100; math.Abs(got-want) > 1e-5 {
		t.Errorf("LFO at 4500 cents: incr %v, want %v", got, want)
	}
	if got, want := float64(lfoIncr(44100, 9000)), float64(lfoIncr(44100, 4500)); got != want {
		t.Errorf("LFO frequency above 4500 cents is not clipped: incr %v, want %v", got, want)
	}
	if got, want := float64(lfoIncr(44100, -20000)), 256*ct2hzExact(-16000)/44100; math.Abs(got-want) > 1e-9 {
		t.Errorf("LFO frequency below -16000 cents is not clipped: incr %v, want %v", got, want)
	}
	for _, tc := range []struct {
		rate int
		tc   float32
		want int
	}{
		{48000, 0, 48000},
		{48000, -12000, 46}, // 46.875 truncated
		{44100, 1200, 88200},
		{48000, 9000, 862050}, // clipped to 5000 tc: 17.959 s
	} {
		if got := lfoDelayFrames(float32(tc.rate), tc.tc); got != tc.want {
			t.Errorf("LFO delay %v tc at %d Hz: %d frames, want %d", tc.tc, tc.rate, got, tc.want)
		}
	}
}

// ct2hzExact is 440 × 2^((c − 6900)/1200) in float64.
func ct2hzExact(c float64) float64 { return 440 * math.Exp2((c-6900)/1200) }
