package voice

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/audiotest"
)

// dcSoundFont returns a recipe whose sample is a loop of 1.0, so the
// output is the voice's level ramp times its pan gain; the spec's bypass
// leaves the filter out.
func dcSoundFont() *SoundFont {
	ones := make([]float32, 16)
	for i := range ones {
		ones[i] = 1
	}
	sf := testSoundFont()
	pool, at := sfPool(ones)
	sf.Data, sf.Start, sf.End, sf.LoopStart, sf.LoopEnd = pool, at[0], at[0]+16, at[0], at[0]+16
	sf.FilterBypass = true
	return sf
}

// centre is FluidSynth's gain of each channel at pan 0.
var centre = float64(fluidPan(0, true))

// blockLevels renders the voice of recipe sf alone for blocks blocks from
// sample 0 and returns the level of the left channel at the end of each
// block, over the pan gain: where the block's straight ramp, through its
// first and last samples, reaches at 64; before(i) runs ahead of block i.
func blockLevels(t *testing.T, sf *SoundFont, blocks int, before func(b *Bank, i int)) (levels []float64, b *Bank) {
	t.Helper()
	b = newTestBank(t, 1)
	start(t, b, 0, sfParams(sf), 0)
	left, _ := renderBlocks(b, 0, blocks, func(i int) {
		if before != nil {
			before(b, i)
		}
	})
	levels = make([]float64, blocks)
	for i := range levels {
		s0, s63 := float64(left[i*block.Size]), float64(left[i*block.Size+block.Size-1])
		levels[i] = (s0 + (s63-s0)*block.Size/(block.Size-1)) / centre
	}
	return levels, b
}

// refVolEnv is the volume envelope's level at the end of each block, from
// the SoundFont rules as FluidSynth applies them: silent through the
// delay, a straight line in amplitude through the attack, the peak held,
// then straight lines in dB on a range cB scale through the decay (to the
// sustain) and the release (from note-off block off until the noise floor
// ends the voice: MinAttenuation is 0).
func refVolEnv(e Envelope, rangeCB float64, off, blocks int) []float64 {
	lv := make([]float64, blocks)
	val := 0.0
	fromDB := func(v float64) float64 { return math.Pow(10, -rangeCB*(1-v)/200) }
	for b := range lv {
		k := b - e.Delay // attack blocks start at k = 0
		switch {
		case b >= off:
			val -= 1 / float64(e.Release)
			if val < noiseFloor {
				return lv // silent from here: the voice has ended
			}
			lv[b] = fromDB(val)
		case k < 0:
		case k < e.Attack:
			val = float64(k+1) / float64(e.Attack)
			lv[b] = val
		case k < e.Attack+e.Hold:
			lv[b] = 1
		default:
			val = max(1-float64(k-e.Attack-e.Hold+1)/float64(e.Decay), float64(e.Sustain))
			lv[b] = fromDB(val)
		}
	}
	return lv
}

// TestSoundFontEnvelopeSegments renders the volume envelope on a constant
// signal and measures its level at each block's end against the rules:
// exact to the block (the delay's last silent block, the attack reaching
// its peak, the hold, the release's end), within 1e-6 of the level in the
// attack and within 0.05 dB through the decay, sustain and release; with
// FluidSynth's 96 dB range and the spec's 100 dB.
func TestSoundFontEnvelopeSegments(t *testing.T) {
	env := Envelope{Delay: 3, Attack: 5, Hold: 4, Decay: 40, Sustain: 0.6, Release: 20}
	const off, blocks = 45, 70
	for _, rangeCB := range []float32{960, 1000} {
		sf := dcSoundFont()
		sf.VolEnv, sf.EnvRange = env, rangeCB
		got, b := blockLevels(t, sf, blocks, func(b *Bank, i int) {
			if i == off {
				b.NoteOff(0, 0)
			}
		})
		want := refVolEnv(env, float64(rangeCB), off, blocks)
		for i := range got {
			g, w := got[i], want[i]
			var bad bool
			switch {
			case w == 0 || i < env.Delay+env.Attack+env.Hold:
				bad = math.Abs(g-w) > 1e-6
			default:
				bad = math.Abs(db(g)-db(w)) > 0.05
			}
			if bad {
				t.Errorf("range %v cB, block %d: level %.7f (%.3f dB), want %.7f (%.3f dB)", rangeCB, i, g, db(g), w, db(w))
			}
		}
		// The decay's slope, from its first block to its last.
		d0, d1 := env.Delay+env.Attack+env.Hold, env.Delay+env.Attack+env.Hold+15
		slope := (db(got[d1]) - db(got[d0])) / float64(d1-d0)
		if want := -float64(rangeCB) / 10 / float64(env.Decay); math.Abs(slope-want) > 0.05 {
			t.Errorf("range %v cB: decay slope %.4f dB a block, want %.4f", rangeCB, slope, want)
		}
		if b.Active(0) {
			t.Errorf("range %v cB: still active after its release", rangeCB)
		}
		t.Logf("range %v cB: attack peak at block %d, decay %.4f dB a block, sustain %.3f dB", rangeCB,
			env.Delay+env.Attack-1, slope, db(got[off-1]))
	}
}

// TestSoundFontNoteOffTiming checks when a note-off takes effect, as
// FluidSynth takes it, at a block's start: from the block it falls on
// when at its sample 0, from the next otherwise, and never before
// MinNoteLength frames; a second note-off changes nothing.
func TestSoundFontNoteOffTiming(t *testing.T) {
	for _, tc := range []struct {
		offAt, offset, minLength int
		release                  int // the first block of the release
	}{
		{10, 0, 0, 10},
		{10, 1, 0, 11},
		{10, 63, 0, 11},
		{2, 5, 20 * block.Size, 20},
		{2, 0, 20*block.Size + 1, 21},
		{30, 5, 20 * block.Size, 31},
	} {
		sf := dcSoundFont()
		sf.VolEnv.Release = 50
		sf.MinNoteLength = tc.minLength
		got, _ := blockLevels(t, sf, 40, func(b *Bank, i int) {
			if i == tc.offAt || i == tc.offAt+3 {
				b.NoteOff(0, tc.offset)
			}
			if i == tc.offAt && !b.Releasing(0) {
				t.Errorf("%+v: not Releasing after NoteOff", tc)
			}
		})
		first := -1
		for i, g := range got {
			if g < 0.999 {
				first = i
				break
			}
		}
		if first != tc.release {
			t.Errorf("%+v: release from block %d, want %d", tc, first, tc.release)
		}
		if step := db(got[first+5]) - db(got[first+4]); math.Abs(step+96.0/50) > 0.01 {
			t.Errorf("%+v: release %.4f dB a block, want %.4f (a second note-off restarted it?)", tc, step, -96.0/50)
		}
	}
}

// TestSoundFontAttackRelease releases a voice in its attack: FluidSynth
// moves the envelope to the same level on its dB scale first, so the level
// goes on falling from where it was, with no jump.
func TestSoundFontAttackRelease(t *testing.T) {
	sf := dcSoundFont()
	sf.VolEnv = Envelope{Attack: 10, Release: 30, Sustain: 1}
	got, _ := blockLevels(t, sf, 20, func(b *Bank, i int) {
		if i == 4 {
			b.NoteOff(0, 0)
		}
	})
	// Block 3 ended the attack's fourth step at 0.4; the release takes 96
	// dB × 1/30 off each block from there.
	for k := range 5 {
		want := 0.4 * math.Pow(10, -96.0/30*float64(k+1)/20)
		if g := got[4+k]; math.Abs(db(g)-db(want)) > 0.05 {
			t.Errorf("release block %d: %.3f dB, want %.3f", k, db(g), db(want))
		}
	}
}

// TestSoundFontNoiseFloor checks FluidSynth's cut-off: past its attack, a
// voice ends once its envelope's value times the amplitude of its lowest
// possible attenuation (MinAttenuation) falls below the noise floor
// (2e-7 / 0.2): here, with 110 dB, when the decay gets below 0.316, at
// its 14th block; with no attenuation it sounds on until the envelope
// reaches 0.
func TestSoundFontNoiseFloor(t *testing.T) {
	for _, minAtt := range []float32{1100, 0} {
		sf := dcSoundFont()
		sf.VolEnv = Envelope{Attack: 1, Decay: 20, Sustain: 0, Release: 1}
		sf.MinAttenuation = minAtt
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		ended := -1
		for i := range 30 {
			renderBlocks(b, 0, 1, nil)
			if !b.Active(0) && ended < 0 {
				ended = i
			}
		}
		want := 14 // after the attack's block 0, the decay's 14th block
		if minAtt == 0 {
			want = 20 // the decay reaching 0: the envelope's end
		}
		if ended != want {
			t.Errorf("MinAttenuation %v cB: ended at block %d, want %d", minAtt, ended, want)
		}
	}
}

// sfFrequency renders the voice of sf for blocks blocks and measures its
// frequency over the blocks from skip on; before as in renderBlocks.
func sfFrequency(t *testing.T, sf *SoundFont, skip, blocks int, before func(b *Bank, i int)) float64 {
	t.Helper()
	b := newTestBank(t, 1)
	start(t, b, 0, sfParams(sf), 0)
	left, _ := renderBlocks(b, 0, blocks, func(i int) {
		if before != nil {
			before(b, i)
		}
	})
	return audiotest.ZeroCrossingHz(left[skip*block.Size:], testRate)
}

// cents returns the interval from b to a in cents.
func cents(a, b float64) float64 { return 1200 * math.Log2(a/b) }

// TestSoundFontPitch measures pitch on rendered audio, within 0.1 cent of
// the note's: a one-shot recording at 44.1 kHz of a sine 37 cents below
// A4 whose root key 69 carries the pitch correction +37 cents, played on
// other keys (scale tuning 100), retuned by the pitch wheel through
// SetSoundFontLive, and by the bank's frequency ratio; at 48 kHz.
func TestSoundFontPitch(t *testing.T) {
	const sampleRate = 44100
	rec := 440 * math.Exp2(-37.0/1200) // the recording's true pitch
	pool, at := sfPool(sineCycles(3*sampleRate, sampleRate/rec))
	base := func(key float64) *SoundFont {
		sf := testSoundFont()
		sf.Data, sf.Start, sf.End, sf.LoopMode = pool, at[0], at[0]+3*sampleRate, LoopNone
		// RootHz as the instrument computes it: root key × 100 less the
		// correction, in Hz, times the output rate over the sample's.
		sf.RootHz = ct2hz(6900-37) * testRate / sampleRate
		sf.Live.Pitch = key * 100
		sf.FilterBypass = true
		return sf
	}
	keyHz := func(key float64) float64 { return 440 * math.Exp2((key-69)/12) }
	for _, key := range []float64{69, 60, 57.5, 81, 45} {
		got := sfFrequency(t, base(key), 2, 300, nil)
		if c := cents(got, keyHz(key)); math.Abs(c) > 0.1 {
			t.Errorf("key %v: %.4f Hz, want %.4f (%+.3f cents)", key, got, keyHz(key), c)
		}
	}
	// The pitch wheel: +200 cents from block 20 on, through the live
	// controls as an instrument recomputes them.
	bend := base(64)
	got := sfFrequency(t, bend, 30, 330, func(b *Bank, i int) {
		if i == 20 {
			lv := bend.Live
			lv.Pitch += 200
			b.SetSoundFontLive(0, &lv)
		}
	})
	if c := cents(got, keyHz(66)); math.Abs(c) > 0.1 {
		t.Errorf("bent 2 semitones up: %.4f Hz, want %.4f (%+.3f cents)", got, keyHz(66), c)
	}
	// The bank's ratio (a note's own retuning) multiplies the rate.
	got = sfFrequency(t, base(64), 2, 300, func(b *Bank, i int) { b.SetFreqRatio(0, 1.5) })
	if c := cents(got, 1.5*keyHz(64)); math.Abs(c) > 0.1 {
		t.Errorf("ratio 1.5: %.4f Hz, want %.4f (%+.3f cents)", got, 1.5*keyHz(64), c)
	}
}

func TestSoundFontRecipeErrors(t *testing.T) {
	for name, mod := range map[string]func(sf *SoundFont){
		"SoundFont.Start..End":           func(sf *SoundFont) { sf.End = len(sf.Data) + 1 },
		"SoundFont.LoopStart..LoopEnd":   func(sf *SoundFont) { sf.LoopStart = -1 },
		"SoundFont.LoopMode":             func(sf *SoundFont) { sf.LoopMode = 4 },
		"SoundFont.Interp":               func(sf *SoundFont) { sf.Interp = 2 },
		"SoundFont.RootHz":               func(sf *SoundFont) { sf.RootHz = math.NaN() },
		"SoundFont.EnvRange":             func(sf *SoundFont) { sf.EnvRange = 0 },
		"SoundFont.MinAttenuation":       func(sf *SoundFont) { sf.MinAttenuation = float32(math.Inf(1)) },
		"SoundFont.FilterQOffset":        func(sf *SoundFont) { sf.FilterQOffset = float32(math.NaN()) },
		"SoundFont.ExclusiveRelease":     func(sf *SoundFont) { sf.ExclusiveRelease = -1 },
		"SoundFont.MinNoteLength":        func(sf *SoundFont) { sf.MinNoteLength = -1 },
		"SoundFont.VolEnv":               func(sf *SoundFont) { sf.VolEnv.Decay = -3 },
		"SoundFont.ModEnv.Sustain":       func(sf *SoundFont) { sf.ModEnv.Sustain = 1.5 },
		"SoundFont.ModLFO":               func(sf *SoundFont) { sf.ModLFO.Incr = 3 },
		"SoundFont.VibLFO":               func(sf *SoundFont) { sf.VibLFO.Delay = -1 },
		"SoundFont.Live":                 func(sf *SoundFont) { sf.Live.Pitch = math.Inf(-1) },
		"SoundFont.Live (attenuation)":   func(sf *SoundFont) { sf.Live.Attenuation = float32(math.NaN()) },
		"SoundFont.Start..End (reverse)": func(sf *SoundFont) { sf.Start, sf.End = sf.End, sf.Start },
	} {
		sf := testSoundFont()
		mod(sf)
		b := newTestBank(t, 1)
		p := sfParams(sf)
		err := b.NoteOn(0, &p, 0)
		field, _, _ := cutSpace(name)
		if !errors.Is(err, ErrParams) || err == nil || !contains(err.Error(), field) {
			t.Errorf("%s: error %v, want ErrParams naming %s", name, err, field)
		}
		if b.Active(0) {
			t.Errorf("%s: the voice started", name)
		}
	}
	b := newTestBank(t, 1)
	if err := b.NoteOn(0, &Params{Kind: SoundFontSampler, Gain: 1}, 0); !errors.Is(err, ErrParams) {
		t.Errorf("no recipe: %v, want ErrParams", err)
	}
}

func cutSpace(s string) (before, after string, found bool) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func contains(s, sub string) bool {
	return len(sub) <= len(s) && (s[:len(sub)] == sub || contains(s[1:], sub))
}

// refRead is FluidSynth's sample reading (fluid_rvoice_dsp_interpolate_4th_order
// and _linear), written from its rules in float64 for the reads test: the
// frame before the start is the start frame repeated, and after looping
// the frame before the loop start is the loop's last; past a loop end the
// loop starts over, past a one-shot's end its last frame repeats; a
// position wraps by whole loop lengths as it passes the loop end, but at
// a block's end only as FluidSynth does (endBlock).
type refRead struct {
	x                  []float32
	start, end, ls, le int
	p, step            int64 // 32.32
	looped             bool
}

// wrap moves the position back by whole loops while it is past the loop
// end.
func (r *refRead) wrap() {
	for r.p >= int64(r.le)<<32 {
		r.p -= int64(r.le-r.ls) << 32
		r.looped = true
	}
}

// endBlock ends a block of 64 samples: FluidSynth takes the position
// back a loop then only if the block's last sample fell on one of the
// loop's last two frames, and by one loop only.
func (r *refRead) endBlock(looping bool) {
	if looping && r.p >= int64(r.le)<<32 && (r.p-r.step)>>32 >= int64(r.le-2) {
		r.p -= int64(r.le-r.ls) << 32
		r.looped = true
	}
}

// next returns the sample at the current position and advances; ok is
// false once a voice that does not loop has passed its end.
func (r *refRead) next(looping, cubic bool) (y float64, ok bool) {
	if looping {
		r.wrap()
	}
	j := int(r.p >> 32)
	if !looping && j > r.end-1 {
		return 0, false
	}
	t := float64(uint32(r.p)>>24) / 256 // the row of FluidSynth's 256-row coefficient tables
	at := func(k int) float64 {
		switch {
		case looping && k >= r.le:
			k = r.ls + (k-r.le)%(r.le-r.ls)
		case !looping && k >= r.end:
			k = r.end - 1
		case k == j-1 && j == r.ls && r.looped:
			k = r.le - 1
		case k == j-1 && j == r.start && !r.looped:
			k = r.start
		}
		return float64(r.x[k])
	}
	x0, x1, x2, x3 := at(j-1), at(j), at(j+1), at(j+2)
	r.p += r.step
	if !cubic {
		return x1 + t*(x2-x1), true
	}
	return (-0.5*t+t*t-0.5*t*t*t)*x0 + (1-2.5*t*t+1.5*t*t*t)*x1 + (0.5*t+2*t*t-1.5*t*t*t)*x2 + 0.5*t*t*(t-1)*x3, true
}

// TestSoundFontReads renders voices over random sample data against
// refRead: loops from 2 frames (shorter than a row) to 5000, with and
// without a lead-in before the loop, in loop modes 1, 3 (released
// mid-note, then played on to the end) and 0, at playback ratios from
// 0.3 to 16 and, for loops of up to 16 frames, up to 203 (read a whole
// number of loop turns less: the same frames); cubic and linear; a voice
// starting inside its loop, and one starting past it. Within 3e-5 of the
// reference (float32 rounding, and the release's level, which the voice
// interpolates between whole centibels), every sample from the second
// block on (the first holds the attack's ramp).
func TestSoundFontReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	type readCase struct {
		head, loop, tail int
		mode             LoopMode
		ratio            float64
		off              int // the block of the note-off, -1 none
		startAt          int // where the voice starts, from the lead-in's start
		cubic            bool
	}
	var cases []readCase
	for _, loop := range []int{2, 3, 9, 16, 37, 64, 200, 244, 245, 246, 1000, 5000} {
		for _, head := range []int{0, 5, 300} {
			for _, ratio := range []float64{0.3, 0.97, 1, 1.6, 3.3, 7.9, 13.7, 15.99, 40, 203} {
				if ratio > maxLoopStep && (loop > maxLoopStep || head > 0) {
					continue // the cap applies: not FluidSynth's pitch
				}
				c := readCase{head: head, loop: loop, tail: 50, mode: LoopContinuous, ratio: ratio, off: -1, cubic: rng.IntN(4) != 0}
				cases = append(cases, c)
				c.mode, c.off = LoopUntilRelease, 10
				cases = append(cases, c)
			}
		}
	}
	cases = append(cases,
		readCase{head: 100, loop: 30, tail: 400, mode: LoopNone, ratio: 0.77, off: -1, cubic: true},
		readCase{head: 100, loop: 30, tail: 4000, mode: LoopNone, ratio: 2.5, off: -1, cubic: false},
		readCase{head: 100, loop: 300, tail: 40, mode: LoopContinuous, ratio: 1.3, off: -1, startAt: 250, cubic: true},
		readCase{head: 100, loop: 30, tail: 40, mode: LoopContinuous, ratio: 1.3, off: -1, startAt: 150, cubic: true},
		readCase{head: 100, loop: 30, tail: 40, mode: LoopUntilRelease, ratio: 0.6, off: 5, startAt: 120, cubic: true},
	)
	const blocks = 40
	var worstAll float64
	for _, c := range cases {
		x := make([]float32, c.head+c.loop+c.tail)
		for i := range x {
			x[i] = 2*rng.Float32() - 1
		}
		pool, at := sfPool(x)
		sf := testSoundFont()
		sf.Data, sf.Start, sf.End = pool, at[0]+c.startAt, at[0]+len(x)
		sf.LoopStart, sf.LoopEnd, sf.LoopMode = at[0]+c.head, at[0]+c.head+c.loop, c.mode
		sf.Interp = Linear
		if c.cubic {
			sf.Interp = Cubic
		}
		sf.RootHz = 440 / c.ratio
		sf.FilterBypass = true
		sf.VolEnv.Release = 1000
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		left, _ := renderBlocks(b, 0, blocks, func(i int) {
			if i == c.off {
				b.NoteOff(0, 0)
			}
		})
		ref := refRead{x: pool, start: sf.Start, end: sf.End, ls: sf.LoopStart, le: sf.LoopEnd,
			p: int64(sf.Start) << 32, step: int64(ct2hz(sf.Live.Pitch) / sf.RootHz * frac32)}
		if c.mode != LoopNone && sf.Start >= sf.LoopEnd {
			ref.p = int64(sf.LoopStart) << 32
		}
		var worst float64
		what := fmt.Sprintf("%+v", c)
		for i := range blocks * block.Size {
			looping := c.mode == LoopContinuous || c.mode == LoopUntilRelease && (c.off < 0 || i < c.off*block.Size)
			y, ok := ref.next(looping, c.cubic)
			got := float64(left[i]) / centre
			if blk := i / block.Size; c.off >= 0 && blk >= c.off {
				// The release's ramp: 96 dB × 1/1000 a block from full level.
				level := func(b int) float64 { return math.Pow(10, -96*float64(b-c.off+1)/1000/20) }
				e0, e1 := level(blk-1), level(blk)
				y *= e0 + float64(i%block.Size)*(e1-e0)/block.Size
			}
			if !ok {
				if got != 0 || b.Active(0) {
					t.Errorf("%s: sample %d after the end: %v, active %v", what, i, got, b.Active(0))
				}
				break
			}
			if i >= block.Size {
				worst = max(worst, math.Abs(got-y))
			}
			if i%block.Size == block.Size-1 {
				ref.endBlock(looping)
			}
		}
		if worst > 3e-5 {
			t.Errorf("%s: off the reference by %.3g", what, worst)
		}
		worstAll = max(worstAll, worst)
	}
	t.Logf("%d cases, worst error %.3g", len(cases), worstAll)
}

// TestSoundFontSteadySustain checks the shortcuts of a voice whose
// envelopes stand still (sustain, or the volume envelope's hold) with no
// LFO modulation (its level, pitch and cutoff are not computed again) and
// of one whose modulation envelope sustains while its level decays (its
// pitch and cutoff are held): the same bytes as a voice that never takes
// them (a cutoff modulation too small to move the cutoff keeps them off),
// through changes of attenuation, frequency ratio, pitch and vibrato depth
// and a note-off.
func TestSoundFontSteadySustain(t *testing.T) {
	render := func(tiny float32, hold, decay int) (out []float32, steadyBlocks, heldBlocks, steadyHold int) {
		sf := testSoundFont()
		sf.VolEnv = Envelope{Attack: 2, Hold: hold, Decay: decay, Sustain: 0.5, Release: 20}
		sf.ModEnv = Envelope{Attack: 1, Decay: 2, Sustain: 0.3, Release: 20}
		sf.ModLFO, sf.VibLFO = LFO{Incr: 0.03}, LFO{Incr: 0.05}
		sf.Live.FilterFc, sf.Live.FilterQ, sf.Live.ModEnvToPitch, sf.Live.ModLFOToFc = 8000, 50, 30, tiny
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		live := sf.Live
		o := &b.src[SoundFontSampler].(*sfVoices).v[b.slots[0].idx]
		left, _ := renderBlocks(b, 0, 90, func(i int) {
			if o.steady {
				steadyBlocks++
				if o.vol.section == sfHold {
					steadyHold++
				}
			}
			if o.held {
				heldBlocks++
			}
			switch i {
			case 20:
				live.Attenuation = 60
			case 30:
				b.SetFreqRatio(0, 1.5)
			case 40:
				live.VibLFOToPitch = 50
			case 45:
				live.Pitch += 100
			case 50:
				live.VibLFOToPitch = 0
			case 60:
				b.NoteOff(0, 0)
			}
			if i == 20 || i == 40 || i == 45 || i == 50 {
				b.SetSoundFontLive(0, &live)
			}
		})
		return left, steadyBlocks, heldBlocks, steadyHold
	}
	for _, c := range []struct{ hold, decay int }{{1, 3}, {1, 70}, {15, 3}} {
		hold, decay := c.hold, c.decay
		got, steady, held, inHold := render(0, hold, decay)
		want, never, neverHeld, _ := render(1e-30, hold, decay)
		if never != 0 || neverHeld != 0 || held < 40 || decay == 3 && steady < 30 || decay == 70 && held-steady < 20 ||
			hold == 15 && inHold < 8 {
			t.Fatalf("hold %d, decay %d: blocks steady %d (%d in the hold), held %d with no modulation; %d and %d with a tiny one",
				hold, decay, steady, inHold, held, never, neverHeld)
		}
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("hold %d, decay %d: sample %d (block %d): %v with the shortcuts, %v without", hold, decay, i, i/block.Size, got[i], want[i])
			}
		}
		if p := blockPeaks(got); !(p[25] < 0.6*p[15] && p[80] < 0.5*p[55]) {
			t.Fatalf("hold %d, decay %d: block peaks %.3g %.3g %.3g %.3g: the attenuation or the release did not reach the sound", hold, decay, p[15], p[25], p[55], p[80])
		}
	}
}

// TestSoundFontHeldWithoutModDepth: a voice whose modulation envelope
// reaches neither its pitch nor its cutoff holds them while that envelope
// still decays, and the envelope goes on moving underneath: a depth set
// mid-decay (block 30) finds it where it would be, to the bit, against a
// render that never holds (a cutoff LFO depth far under a cent).
func TestSoundFontHeldWithoutModDepth(t *testing.T) {
	render := func(tiny float32) (out []float32, held int) {
		sf := testSoundFont()
		sf.ModEnv = Envelope{Attack: 10 * block.Size, Decay: 50 * block.Size, Sustain: 0.3, Release: block.Size}
		sf.Live.FilterFc, sf.Live.ModLFOToFc = 6000, tiny
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		live := sf.Live
		o := &b.src[SoundFontSampler].(*sfVoices).v[b.slots[0].idx]
		left, _ := renderBlocks(b, 0, 80, func(i int) {
			if o.held && o.mod.section != sfSustain {
				held++
			}
			if i == 30 {
				live.ModEnvToPitch, live.ModEnvToFc = 200, 1500
				b.SetSoundFontLive(0, &live)
			}
		})
		return left, held
	}
	got, held := render(0)
	want, heldAlways := render(1e-30)
	if held < 25 || heldAlways != 0 {
		t.Fatalf("blocks held before the modulation envelope sustains: %d with no depth, %d with a tiny LFO depth; want >= 25 and 0", held, heldAlways)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("sample %d (block %d): %v holding, %v not", i, i/block.Size, got[i], want[i])
		}
	}
}

// TestSoundFontLFOReplay: while no depth reads the LFOs they stand still,
// and a depth set later (here to the level and the pitch, with a note-off
// in the volume envelope's attack, which reads the modulation LFO) finds
// them where stepping every block would have left them: the render is the
// same to the bit as one whose LFOs step throughout (a cutoff depth far
// under a cent keeps them read). Both LFOs have delays, one past the
// block where they are first read.
func TestSoundFontLFOReplay(t *testing.T) {
	render := func(tiny float32, depths bool) (out []float32, lagged bool) {
		sf := testSoundFont()
		sf.VolEnv = Envelope{Attack: 120 * block.Size, Release: 30 * block.Size, Sustain: 1}
		sf.ModLFO, sf.VibLFO = LFO{Incr: 0.037, Delay: 5 * block.Size}, LFO{Incr: 0.053, Delay: 40 * block.Size}
		sf.Live.ModLFOToFc = tiny
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		live := sf.Live
		o := &b.src[SoundFontSampler].(*sfVoices).v[b.slots[0].idx]
		left, _ := renderBlocks(b, 0, 90, func(i int) {
			if i == 33 {
				lagged = o.lfoAt < o.ticks
				if depths {
					live.ModLFOToVol, live.VibLFOToPitch = 40, 60
					b.SetSoundFontLive(0, &live)
				}
				b.NoteOff(0, 0)
			}
		})
		return left, lagged
	}
	got, lagged := render(0, true)
	want, laggedAlways := render(1e-30, true)
	if !lagged || laggedAlways {
		t.Fatalf("LFOs behind when first read: %v with no depth, %v with a tiny one; want true and false", lagged, laggedAlways)
	}
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("sample %d (block %d): %v with the LFOs standing still, %v stepping", i, i/block.Size, got[i], want[i])
		}
	}
	// The depths reach the sound: the note with them left at 0 differs
	// from block 33 on.
	still, _ := render(0, false)
	if p, q := blockPeaks(got), blockPeaks(still); p[32] != q[32] || p[60] == q[60] {
		t.Fatalf("block peaks with the depths and without: %v and %v before them, %v and %v after", p[32], q[32], p[60], q[60])
	}
}

// TestSoundFontOutputShortcut: prepare, output's common case for a
// filtered SoundFont voice, adds the same bits and leaves the same state
// as output, and declines (changing nothing) whenever a gain, a pan or
// the voice's state differs from the last block's.
func TestSoundFontOutputShortcut(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(b *Bank, lv *SoundFontLive)
		take   bool
	}{
		{"held", func(*Bank, *SoundFontLive) {}, true},
		{"gain", func(b *Bank, _ *SoundFontLive) { b.SetGain(0, 0.5) }, false},
		{"pan", func(b *Bank, _ *SoundFontLive) { b.SetPan(0, -0.2) }, false},
		{"voice pan", func(b *Bank, lv *SoundFontLive) { lv.Pan = -150; b.SetSoundFontLive(0, lv) }, false},
		{"steal", func(b *Bank, _ *SoundFontLive) { b.Steal(0) }, false},
	} {
		// Two banks, the same voice, decaying, so that each block ramps.
		var banks [2]*Bank
		for k := range banks {
			sf := testSoundFont()
			sf.VolEnv = Envelope{Attack: 1, Decay: 200, Sustain: 0.1, Release: 20}
			sf.Live.Pan, sf.Live.FilterFc, sf.Live.FilterQ = 120, 9000, 30
			p := sfParams(sf)
			p.Pan, p.Gain = 0.3, 0.8
			b := newTestBank(t, 1)
			start(t, b, 0, p, 0)
			renderBlocks(b, 0, 5, nil)
			lv := sf.Live
			tc.change(b, &lv)
			banks[k] = b
		}
		var buses [2][2]block.Block
		var outs [2]outState
		for k, b := range banks {
			var sc scratch
			sc.left, sc.right = &buses[k][0], &buses[k][1]
			sc.alignLanes()
			for i := range sc.lane(0) {
				sc.lane(0)[i] = float32(math.Sin(float64(i) / 3))
			}
			v := voiceBuf{idx: b.slots[0].idx, end: block.Size, kind: SoundFontSampler, filtered: true}
			sc.deferring = true
			if k == 0 {
				before := b.out[0]
				b.prepare(&b.sf.v[v.idx], &v, &sc, 0)
				if took := v.prepared; took != tc.take || sc.prepared != map[bool]int{true: 1}[took] {
					t.Fatalf("%s: prepare took the block: %v (%d counted), want %v", tc.name, took, sc.prepared, tc.take)
				} else if !took {
					if b.out[0] != before {
						t.Fatalf("%s: prepare declined but changed the state", tc.name)
					}
					continue
				}
				sc.pend = 1 // as filterAndOutput adds it
			} else {
				b.output(&v, &sc)
			}
			sc.flush()
			outs[k] = b.out[0]
		}
		if !tc.take {
			continue
		}
		if outs[0] != outs[1] {
			t.Errorf("%s: state %+v by the shortcut, %+v by output", tc.name, outs[0], outs[1])
		}
		for ch := range 2 {
			for i := range block.Size {
				if math.Float32bits(buses[0][ch][i]) != math.Float32bits(buses[1][ch][i]) {
					t.Fatalf("%s: channel %d sample %d: %v by the shortcut, %v by output", tc.name, ch, i, buses[0][ch][i], buses[1][ch][i])
				}
			}
		}
		if p := blockPeaks(buses[0][0][:]); p[0] == 0 {
			t.Errorf("%s: nothing added", tc.name)
		}
	}
}

// TestSoundFontIgnoresSynthFilterSetters checks that SetCutoff and
// SetResonance leave a SoundFont voice's lowpass as its recipe sets it
// (the same bytes as a voice left alone), and that a NaN cutoff still
// silences it, as it does any filtered voice.
func TestSoundFontIgnoresSynthFilterSetters(t *testing.T) {
	render := func(set func(b *Bank)) []float32 {
		sf := testSoundFont()
		sf.Live.FilterFc, sf.Live.FilterQ = 6000, 60
		b := newTestBank(t, 1)
		start(t, b, 0, sfParams(sf), 0)
		left, _ := renderBlocks(b, 0, 40, func(i int) {
			if i == 10 {
				set(b)
			}
		})
		return left
	}
	want := render(func(*Bank) {})
	got := render(func(b *Bank) { b.SetCutoff(0, 200); b.SetResonance(0, 1) })
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("sample %d: %v after SetCutoff and SetResonance, %v without", i, got[i], want[i])
		}
	}
	if p := blockPeaks(want); !(p[20] > 0.01) {
		t.Fatalf("block 20's peak %.3g: the voice is not sounding", p[20])
	}
	silenced := render(func(b *Bank) { b.SetCutoff(0, float32(math.NaN())) })
	if p := blockPeaks(silenced); p[20] != 0 {
		t.Fatalf("block 20's peak %.3g after a NaN cutoff, want silence", p[20])
	}
}

// TestSoundFontVoicesSumAlone: many filtered SoundFont voices in one bank
// (more than a batch and a filter group; looped and not; starting inside
// a block; held, decaying, released, stolen; their gain, pan and voice pan
// changed on the way) add to the bus exactly what each adds alone, summed
// in slot order: batches, filter groups and the adds prepared for a whole
// group change no bit. (Filtered voices reach the bus in slot order, a
// group at a time; an unfiltered one reaches it as soon as it is read,
// ahead of filtered ones before it that wait for their group, so a mix of
// both sums in another, as fixed, order.)
func TestSoundFontVoicesSumAlone(t *testing.T) {
	const voices, blocks = 75, 48
	params := func(i int) (Params, int) {
		sf := testSoundFont()
		sf.Live.Pitch = 6000 + 37*float64(i)
		sf.Live.Pan = float32(i%9*100 - 400)
		sf.VolEnv = Envelope{Attack: 1 + i%3, Hold: i % 5 * 3, Decay: i % 4 * 10, Sustain: 0.3 + 0.1*float32(i%6), Release: 5 + i%7}
		if i%3 != 0 {
			sf.Live.FilterFc, sf.Live.FilterQ = 5000+float32(40*i), float32(i%4*40)
		}
		if i%4 == 1 {
			sf.LoopMode = LoopNone
		}
		p := sfParams(sf)
		p.Gain, p.Pan = 0.2+0.01*float32(i), float32(i%5)*0.3-0.6
		return p, i * 7 % block.Size
	}
	// change plays voice i's events before block k, in slot slot of b.
	change := func(b *Bank, slot, i, k int) {
		switch {
		case k == 12 && i%7 == 0:
			b.SetGain(slot, 0.5)
		case k == 16 && i%5 == 0:
			b.SetPan(slot, -0.3)
		case k == 20 && i%13 == 0:
			lv := b.src[SoundFontSampler].(*sfVoices).v[b.slots[slot].idx].live
			lv.Pan = 250
			b.SetSoundFontLive(slot, &lv)
		case k == 24 && i%11 == 0:
			b.Steal(slot)
		case k == 18+i%20:
			b.NoteOff(slot, i%3*20)
		}
	}
	b := newTestBank(t, voices)
	slots := make([]int32, voices)
	for i := range voices {
		p, off := params(i)
		start(t, b, i, p, off)
		slots[i] = int32(i)
	}
	var left, right [blocks]block.Block
	for k := range blocks {
		for i := range voices {
			change(b, i, i, k)
		}
		b.Render(slots, &left[k], &right[k])
	}
	var sumL, sumR [blocks]block.Block
	for i := range voices {
		a := newTestBank(t, 1)
		p, off := params(i)
		start(t, a, 0, p, off)
		for k := range blocks {
			change(a, 0, i, k)
			var l, r block.Block
			a.Render([]int32{0}, &l, &r)
			for j := range l {
				sumL[k][j] += l[j]
				sumR[k][j] += r[j]
			}
		}
	}
	for k := range blocks {
		for j := range block.Size {
			if math.Float32bits(left[k][j]) != math.Float32bits(sumL[k][j]) || math.Float32bits(right[k][j]) != math.Float32bits(sumR[k][j]) {
				t.Fatalf("block %d sample %d: %v, %v together; %v, %v summed alone", k, j, left[k][j], right[k][j], sumL[k][j], sumR[k][j])
			}
		}
	}
	if p := blockPeaks(left[5][:]); p[0] < 0.5 {
		t.Fatalf("block 5 peaks at %.3g: the voices are not sounding", p[0])
	}
}
