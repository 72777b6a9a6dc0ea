package voice

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// TestSteadySinesAreTheOldFastPath renders held sine voices in one Render
// (several 64-slot windows, with idle and out-of-range slots among them) and
// wants the bits of what the per-voice fast path computed before batching:
// mix.Sine into a block, then mix.PanAddRamp with the constant gains
// sustain × gain × pan gain, voice after voice in slot order, and the same
// phases afterwards.
func TestSteadySinesAreTheOldFastPath(t *testing.T) {
	const voices = 200
	forEachTier(t, func(tier string) {
		rng := rand.New(rand.NewPCG(3, 4))
		b := newTestBank(t, voices)
		var slots []int32
		for s := range voices {
			if s%17 == 5 {
				slots = append(slots, int32(s)) // never started: skipped
				continue
			}
			start(t, b, s, Params{Kind: Sine, Freq: 20 + 10000*rng.Float64(), Gain: rng.Float32(),
				Pan: 2*rng.Float32() - 1, Env: ADSR{Sustain: 0.1 + 0.9*rng.Float32(), Release: 0.1}}, 0)
			slots = append(slots, int32(s))
			if s%29 == 0 {
				slots = append(slots, voices+int32(s), -1) // out of range: skipped
			}
		}
		var l, r block.Block
		b.Render(slots, &l, &r) // the first block starts the voices
		for blk := range 5 {
			var wantL, wantR, sine block.Block
			wantPhase := make([]uint32, voices)
			for _, s := range slots {
				if !b.Active(int(s)) {
					continue
				}
				o, e, out := sineOf(b, int(s)), &b.env[s], &b.out[s]
				gl, gr := e.sustain*(out.gain*out.gl), e.sustain*(out.gain*out.gr)
				wantPhase[s] = mix.Sine(sine[:], o.phase, o.inc)
				mix.PanAddRamp(wantL[:], wantR[:], sine[:], gl, gl, gr, gr)
			}
			var gotL, gotR block.Block
			b.Render(slots, &gotL, &gotR)
			for i := range gotL {
				if math.Float32bits(gotL[i]) != math.Float32bits(wantL[i]) || math.Float32bits(gotR[i]) != math.Float32bits(wantR[i]) {
					t.Fatalf("%s block %d sample %d: (%v, %v), want (%v, %v)", tier, blk, i, gotL[i], gotR[i], wantL[i], wantR[i])
				}
			}
			for s := range voices {
				if b.Active(s) && sineOf(b, s).phase != wantPhase[s] {
					t.Fatalf("%s block %d: voice %d phase %#x, want %#x", tier, blk, s, sineOf(b, s).phase, wantPhase[s])
				}
				if b.Active(s) && b.Level(s) != b.env[s].sustain*b.out[s].gain {
					t.Fatalf("%s block %d: voice %d Level %v, want sustain × gain", tier, blk, s, b.Level(s))
				}
			}
		}
	})
}

// TestBatchedSinesMatchVoicesAlone mixes steady sines with voices leaving
// the batch (gain, pan and frequency changes, note-offs, a filter, an
// attack) across several windows, and checks each block against the sum of
// every voice rendered alone in a twin bank: batching must neither drop nor
// double a voice, nor keep one in the batch through a change.
func TestBatchedSinesMatchVoicesAlone(t *testing.T) {
	const voices, blocks = 150, 12
	build := func() *Bank {
		rng := rand.New(rand.NewPCG(5, 6))
		b := newTestBank(t, voices)
		for s := range voices {
			p := Params{Kind: Sine, Freq: 50 + 5000*rng.Float64(), Gain: 0.1 + rng.Float32(),
				Pan: 2*rng.Float32() - 1, Env: ADSR{Sustain: 0.7, Release: 0.01}}
			switch s % 10 {
			case 3:
				p.Filter = Filter{Type: Lowpass, Cutoff: 1000}
			case 7:
				p.Env = ADSR{Attack: 0.01, Sustain: 1}
			}
			start(t, b, s, p, s%block.Size)
		}
		return b
	}
	change := func(b *Bank, blk int) {
		for s := blk; s < voices; s += 11 {
			switch blk % 4 {
			case 0:
				b.SetGain(s, float32(blk)/blocks)
			case 1:
				b.SetPan(s, -0.5)
			case 2:
				b.SetFreqRatio(s, 1.5)
			case 3:
				b.NoteOff(s, s%block.Size)
			}
		}
	}
	all, alone := build(), build()
	slots := make([]int32, voices)
	for s := range slots {
		slots[s] = int32(s)
	}
	for blk := range blocks {
		change(all, blk)
		change(alone, blk)
		var l, r block.Block
		all.Render(slots, &l, &r)
		var sumL, sumR [block.Size]float64
		for s := range voices {
			var vl, vr block.Block
			alone.Render(slots[s:s+1], &vl, &vr)
			for i := range vl {
				sumL[i] += float64(vl[i])
				sumR[i] += float64(vr[i])
			}
		}
		for i := range l {
			// float32 rounding of a sum of 150 terms of magnitude <= 1.1
			if math.Abs(float64(l[i])-sumL[i]) > 2e-5 || math.Abs(float64(r[i])-sumR[i]) > 2e-5 {
				t.Fatalf("block %d sample %d: (%v, %v), voices alone sum to (%v, %v)", blk, i, l[i], r[i], sumL[i], sumR[i])
			}
		}
	}
}

// TestSteadySineTakesChanges checks, from the sound alone, that a held sine
// voice leaves the batch when a setter changes it: the new gain, pan or
// frequency is heard from the block after the change on.
func TestSteadySineTakesChanges(t *testing.T) {
	peakOf := func(x []float32) float64 {
		var p float64
		for _, v := range x {
			p = max(p, math.Abs(float64(v)))
		}
		return p
	}
	crossings := func(x []float32) int {
		n := 0
		for i := 1; i < len(x); i++ {
			if (x[i-1] < 0) != (x[i] < 0) {
				n++
			}
		}
		return n
	}
	held := Params{Kind: Sine, Freq: 1500, Gain: 0.5, Env: ADSR{Sustain: 0.8, Release: 0.1}}
	const blocks, changeAt = 12, 4 // change before block 4; block 5 on is settled
	cases := []struct {
		name   string
		change func(b *Bank)
		check  func(before, after [2][]float32) string
	}{
		{"gain", func(b *Bank) { b.SetGain(0, 0.25) }, func(before, after [2][]float32) string {
			if got, want := peakOf(after[0]), 0.8*0.25*math.Sqrt(0.5); math.Abs(got-want) > 0.02*want {
				return "left peak " + ftoa(got) + ", want " + ftoa(want)
			}
			return ""
		}},
		{"pan", func(b *Bank) { b.SetPan(0, 1) }, func(before, after [2][]float32) string {
			if l, r := peakOf(after[0]), peakOf(after[1]); l > 1e-6 || math.Abs(r-0.4) > 0.01 {
				return "peaks " + ftoa(l) + ", " + ftoa(r) + " after a pan hard right, want 0, 0.4"
			}
			return ""
		}},
		{"ratio", func(b *Bank) { b.SetFreqRatio(0, 2) }, func(before, after [2][]float32) string {
			if cb, ca := crossings(before[0]), crossings(after[0]); ca < 2*cb-2 {
				return "zero crossings " + itoa(cb) + " before, " + itoa(ca) + " after an octave up"
			}
			return ""
		}},
	}
	for _, c := range cases {
		b := newTestBank(t, 1)
		start(t, b, 0, held, 0)
		left, right := renderBlocks(b, 0, blocks, func(i int) {
			if i == changeAt {
				c.change(b)
			}
		})
		span := func(x []float32, from, to int) []float32 { return x[from*block.Size : to*block.Size] }
		before := [2][]float32{span(left, 1, changeAt), span(right, 1, changeAt)}
		after := [2][]float32{span(left, changeAt+1, changeAt+4), span(right, changeAt+1, changeAt+4)}
		if msg := c.check(before, after); msg != "" {
			t.Errorf("%s: %s", c.name, msg)
		}
	}
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
func itoa(n int) string     { return strconv.Itoa(n) }

// TestSteadySineStolenOrReplaced checks that the control calls take a held
// sine voice out of the batch: Steal fades it out over the next block (to
// 1/64 of its level at the last sample) and finishes it, and a NoteOn at an
// offset, with the same gain and pan, replaces it at once, so the samples
// before the offset are silent.
func TestSteadySineStolenOrReplaced(t *testing.T) {
	held := Params{Kind: Sine, Freq: 1500, Gain: 0.5, Env: ADSR{Sustain: 0.8, Release: 0.5}}
	b := newTestBank(t, 2)
	start(t, b, 0, held, 0)
	start(t, b, 1, held, 0)
	renderBlocks(b, 0, 3, nil)
	renderBlocks(b, 1, 3, nil)

	b.Steal(0)
	left, _ := renderBlocks(b, 0, 1, nil)
	peak := 0.8 * 0.5 * math.Sqrt(0.5)
	if l := math.Abs(float64(left[block.Size-1])); l > 1.01*peak/block.Size || b.Active(0) {
		t.Errorf("stolen: last sample %v, active %v; want at most %v, false", l, b.Active(0), peak/block.Size)
	}

	const offset = 10
	start(t, b, 1, Params{Kind: Sine, Freq: 300, Gain: 0.5, Env: held.Env}, offset)
	left, _ = renderBlocks(b, 1, 1, nil)
	for i, x := range left[:offset] {
		if x != 0 {
			t.Fatalf("replaced at sample %d: sample %d is %v, want silence", offset, i, x)
		}
	}
	if left[offset+5] == 0 {
		t.Errorf("replaced: the new note is silent")
	}
}

// TestSettersReleaseTheHoldOnlyOnChange checks the bookkeeping the steady
// path rests on: a setter that repeats a held voice's value keeps it held,
// one that changes it (even to a NaN) releases the hold.
func TestSettersReleaseTheHoldOnlyOnChange(t *testing.T) {
	held := Params{Kind: Sine, Freq: 1500, Gain: 0.5, Pan: 0.25, Env: ADSR{Sustain: 0.8, Release: 0.1}}
	set := []struct {
		name string
		same func(b *Bank)
		diff func(b *Bank)
	}{
		{"gain", func(b *Bank) { b.SetGain(0, 0.5) }, func(b *Bank) { b.SetGain(0, 0.25) }},
		{"pan", func(b *Bank) { b.SetPan(0, 0.25) }, func(b *Bank) { b.SetPan(0, float32(math.NaN())) }},
		{"ratio", func(b *Bank) { b.SetFreqRatio(0, 1) }, func(b *Bank) { b.SetFreqRatio(0, 1.5) }},
	}
	for _, c := range set {
		b := newTestBank(t, 1)
		start(t, b, 0, held, 0)
		renderBlocks(b, 0, 3, nil)
		if !b.held[0].ok {
			t.Fatalf("%s: a sustained sine is not held", c.name)
		}
		c.same(b)
		if !b.held[0].ok {
			t.Errorf("%s: repeating the value released the hold", c.name)
		}
		c.diff(b)
		if b.held[0].ok {
			t.Errorf("%s: changing the value kept the hold", c.name)
		}
	}
}

// TestHeldSineSilencedStaysSilent: a held sine voice given a NaN gain,
// pan or ratio is silenced, and the steady path must not play it on.
func TestHeldSineSilencedStaysSilent(t *testing.T) {
	nan := float32(math.NaN())
	for name, set := range map[string]func(b *Bank){
		"gain":  func(b *Bank) { b.SetGain(0, nan) },
		"pan":   func(b *Bank) { b.SetPan(0, nan) },
		"ratio": func(b *Bank) { b.SetFreqRatio(0, nan) },
	} {
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sine, Freq: 1000, Gain: 0.5, Env: ADSR{Sustain: 1, Release: 0.1}}, 0)
		left, _ := renderBlocks(b, 0, 8, func(i int) {
			if i == 3 {
				set(b)
			}
		})
		if b.Active(0) || b.Silenced() != 1 {
			t.Errorf("%s: active %v, silenced %d after a NaN", name, b.Active(0), b.Silenced())
		}
		for i, x := range left[4*block.Size:] {
			if x != 0 {
				t.Fatalf("%s: sample %d after the NaN is %v, want silence", name, 4*block.Size+i, x)
			}
		}
	}
}
