package instrument

import (
	"math"

	"github.com/aether-audio/aether/block"
)

// The conversions of SoundFont generator values into the units the voice
// renders in, as FluidSynth 2.3.1 computes them (fluid_voice_update_param,
// calculate_hold_decay_buffers, fluid_conv.c): in float32 where it uses
// its single-precision fluid_real_t, truncating or rounding where it
// does, so block counts match it to the block.

// clip32 limits x to lo..hi.
func clip32(x, lo, hi float32) float32 { return max(lo, min(hi, x)) }

// tc2sec is 2^(tc/1200) seconds (fluid_tc2sec: no range check).
func tc2sec(tc float32) float32 { return float32(math.Exp2(float64(tc / 1200))) }

// tc2secClamped is fluid_tc2sec_delay, _attack and _release: -32768 or
// less is 0 s; otherwise tc is clamped to -12000..hi first.
func tc2secClamped(tc, hi float32) float32 {
	if tc <= -32768 {
		return 0
	}
	return tc2sec(clip32(tc, -12000, hi))
}

// blocksOf is a duration in whole blocks, truncated: FluidSynth's
// NUM_BUFFERS_DELAY, _ATTACK and _RELEASE.
func blocksOf(rate, seconds float32) int { return int(uint32(rate * seconds / block.Size)) }

// delayBlocks is an envelope's delay (generators 25, 33).
func delayBlocks(rate, tc float32) int {
	return blocksOf(rate, tc2secClamped(clip32(tc, -12000, 5000), 5000))
}

// attackBlocks is an envelope's attack (generators 26, 34): at least one
// block, the envelope rising by 1/count per block.
func attackBlocks(rate, tc float32) int {
	return 1 + blocksOf(rate, tc2secClamped(clip32(tc, -12000, 8000), 8000))
}

// releaseBlocks is an envelope's release (generators 30, 38) with its
// shortest allowed value minTC: at least one block.
func releaseBlocks(rate, tc, minTC float32) int {
	return 1 + blocksOf(rate, tc2secClamped(clip32(tc, minTC, 8000), 8000))
}

// holdDecayBlocks is an envelope's hold or decay (generators 27, 28, 35,
// 36) scaled by key (calculate_hold_decay_buffers): base +
// perKey × (60 − key) timecents, at most 5000 for a hold and 8000 for a
// decay, at least -12000; a hold of -32768 or less is none. The count is
// rounded, not truncated.
func holdDecayBlocks(rate, base, perKey, key float32, decay bool) int {
	tc := base + float32(perKey*(60-key)) // rounded as FluidSynth: no fused multiply-add
	if decay {
		tc = min(tc, 8000)
	} else {
		tc = min(tc, 5000)
		if tc <= -32768 {
			return 0
		}
	}
	tc = max(tc, -12000)
	return int(rate*tc2sec(tc)/block.Size + 0.5)
}

// sustainLevel is an envelope's value in its sustain: 1 − sustain/1000,
// clipped to 0..1 (generators 29, 37; for the volume envelope the
// generator's centibels read as per mille of the envelope's range).
func sustainLevel(sustain float32) float32 { return clip32(1-float32(0.001*sustain), 0, 1) }

// lfoDelayFrames is an LFO's delay in frames (generators 21, 23).
func lfoDelayFrames(rate, tc float32) int {
	return int(uint32(rate * tc2secClamped(clip32(tc, -12000, 5000), 5000)))
}

// lfoIncr is the change of an LFO's triangle per block (generators 22,
// 24): four times its frequency (it travels 4 units a period) over the
// blocks per second.
func lfoIncr(rate, freqCents float32) float32 {
	return 4 * block.Size * ct2hz(clip32(freqCents, -16000, 4500)) / rate
}

// ct2hz is FluidSynth's fluid_ct2hz_real: absolute cents to Hz, 440 Hz at
// 6900. From 0 up it reads a table of whole cents, truncating c; below 0
// it computes 8.1758 Hz × 2^(c/1200) in double precision.
func ct2hz(c float32) float32 {
	if c < 0 {
		return float32(8.1757989156437073336828122976 * math.Exp2(float64(c)/1200))
	}
	ic := uint32(c) + 300
	tab := 6.875 * math.Exp2(float64(ic%1200)/1200) // 440 Hz / 2^6 × 2^(rem/1200)
	return float32(float64(uint32(1)<<(ic/1200&31)) * tab)
}
