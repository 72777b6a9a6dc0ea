package voice

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// response returns the filter's magnitude response at FFT bins 0..n/2 of
// its impulse response (n samples at testRate).
func response(typ FilterType, cutoff, res float32, n int) []float64 {
	var f svfState
	f.start(&Filter{Type: typ, Cutoff: cutoff, Resonance: res}, testRate)
	x := make([]float32, n)
	x[0] = 1
	for i := 0; i < n; i += block.Size {
		filterBlock(&f, (*block.Block)(x[i:]))
	}
	return spectrum(x, false)
}

// filterBlock filters x through channel 0 of f, a batch of one lane, and
// settles f as Render does at the end of a block.
func filterBlock(f *svfState, x *block.Block) {
	var fb filterBatch
	fb.sig[0] = *x
	fb.load(0, f, 0)
	fb.run(1)
	fb.settle(1)
	fb.save(0, f, 0)
	*x = fb.sig[0]
}

// crossing returns the frequency in Hz where m crosses level, searching
// upwards (rising) or downwards from the bottom, interpolating in dB.
func crossing(m []float64, level float64, rising bool, n int) float64 {
	for i := 1; i < len(m); i++ {
		if (m[i-1] < level) == rising && (m[i] >= level) == rising {
			a, b := db(m[i-1]), db(m[i])
			t := (db(level) - a) / (b - a)
			return (float64(i-1) + t) * testRate / float64(n)
		}
	}
	return math.NaN()
}

func TestFilterCutoffWithin2Percent(t *testing.T) {
	const n = 1 << 16 // 0.73 Hz bins
	for _, fc := range []float32{100, 440, 1000, 5000, 12000, 18000} {
		lp := response(Lowpass, fc, 0, n)
		hp := response(Highpass, fc, 0, n)
		bp := response(Bandpass, fc, 0.5, n)
		peakBin := 0
		for i := range bp {
			if bp[i] > bp[peakBin] {
				peakBin = i
			}
		}
		got := map[string]float64{
			"lowpass -3 dB":  crossing(lp, math.Sqrt2/2, false, n),
			"highpass -3 dB": crossing(hp, math.Sqrt2/2, true, n),
			"bandpass peak":  float64(peakBin) * testRate / n,
		}
		for name, f := range got {
			e := math.Abs(f/float64(fc) - 1)
			t.Logf("cutoff %5v Hz: %s at %.1f Hz (%.3f%% off)", fc, name, f, 100*e)
			if !(e <= 0.02) {
				t.Errorf("cutoff %v Hz: %s at %.1f Hz (%.2f%% off)", fc, name, f, 100*e)
			}
		}
		if g := bp[peakBin]; math.Abs(db(g)) > 0.1 {
			t.Errorf("cutoff %v Hz: bandpass peak gain %.2f dB, want 0", fc, db(g))
		}
	}
}

// TestFilterStableUnderRandomSweeps changes type, cutoff and resonance
// every block, with extreme settings half the time, on loud noise.
func TestFilterStableUnderRandomSweeps(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const voices = 16
	b := newTestBank(t, voices)
	slots := make([]int32, voices)
	for i := range voices {
		slots[i] = int32(i)
		start(t, b, i, Params{Kind: Noise, Freq: 1, Gain: 1, Pan: 0, Seed: uint64(i),
			Filter: Filter{Type: FilterType(1 + i%3), Cutoff: 1000, Resonance: 1}}, 0)
	}
	extreme := []float32{0, 1e-30, MinCutoff, 20, 23000, 24000, 1e9, math.MaxFloat32}
	var worst float32
	for blk := range 3000 {
		for i := range voices {
			c := float32(math.Exp(rng.Float64() * math.Log(24000)))
			if rng.IntN(2) == 0 {
				c = extreme[rng.IntN(len(extreme))]
			}
			b.SetCutoff(i, c)
			b.SetResonance(i, []float32{0, 1, rng.Float32()}[rng.IntN(3)])
		}
		var l, r block.Block
		b.Render(slots, &l, &r)
		p := max(peak(l[:]), peak(r[:]))
		if !(p <= 1e4) {
			t.Fatalf("block %d: bus peak %v", blk, p)
		}
		worst = max(worst, p)
	}
	t.Logf("largest bus sample over the sweeps: %v (16 voices, Q up to %d)", worst, MaxQ)
	if b.Silenced() != 0 {
		t.Errorf("%d voices silenced", b.Silenced())
	}
	for i := range voices {
		if !b.Active(i) {
			t.Errorf("voice %d stopped", i)
		}
	}
}

func TestFilterStateFlushedToZero(t *testing.T) {
	var f svfState
	f.start(&Filter{Type: Lowpass, Cutoff: 50, Resonance: 1}, testRate)
	var x block.Block
	x[0] = 1
	for range 48000 / block.Size * 60 { // one minute of ringing decay
		filterBlock(&f, &x)
		x = block.Block{}
	}
	if f.ic1[0] != 0 || f.ic2[0] != 0 {
		t.Errorf("state after a minute of silence: %g %g, want exactly 0", f.ic1[0], f.ic2[0])
	}
}

func TestNonFiniteStateIsSilencedAndCounted(t *testing.T) {
	b := newTestBank(t, 2)
	p := Params{Kind: Saw, Freq: 220, Gain: 1, Filter: Filter{Type: Lowpass, Cutoff: 1000}}
	start(t, b, 0, p, 0)
	start(t, b, 1, p, 0)
	b.filt[0].ic1[0] = float32(math.Inf(1)) // as if the state blew up
	var l, r block.Block
	b.Render([]int32{0, 1}, &l, &r)
	if b.Active(0) || !b.Active(1) || b.Silenced() != 1 {
		t.Errorf("active %v %v, silenced %d; want voice 0 silenced", b.Active(0), b.Active(1), b.Silenced())
	}
	if p := peak(l[:]); !(p > 0 && p < 2) {
		t.Errorf("bus peak %v: the bad voice leaked or the good one is missing", p)
	}
}

func TestNonFiniteSettersSilence(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	set := map[string]func(b *Bank){
		"gain NaN":   func(b *Bank) { b.SetGain(0, nan) },
		"gain Inf":   func(b *Bank) { b.SetGain(0, inf) },
		"gain < 0":   func(b *Bank) { b.SetGain(0, -1) },
		"pan NaN":    func(b *Bank) { b.SetPan(0, nan) },
		"ratio Inf":  func(b *Bank) { b.SetFreqRatio(0, inf) },
		"ratio 0":    func(b *Bank) { b.SetFreqRatio(0, 0) },
		"cutoff NaN": func(b *Bank) { b.SetCutoff(0, nan) },
		"res NaN":    func(b *Bank) { b.SetResonance(0, nan) },
	}
	for name, f := range set {
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sine, Freq: 440, Gain: 1, Filter: Filter{Type: Bandpass, Cutoff: 440}}, 0)
		renderBlocks(b, 0, 1, nil)
		f(b)
		l, r := renderBlocks(b, 0, 1, nil)
		if b.Active(0) || b.Silenced() != 1 || peak(l) != 0 || peak(r) != 0 {
			t.Errorf("%s: active %v, silenced %d, peaks %v %v", name, b.Active(0), b.Silenced(), peak(l), peak(r))
		}
	}
}

// TestGroupedFilteringMatchesAlone renders filtered voices (a stereo sample
// among them, taking two lanes) in one Render, where they are filtered in
// one mix.SVFVoices call, and each voice alone in its own Render: the mixes
// must be identical to the bit. TestFilterBatchingKeepsBits covers full
// 16-lane batches.
func TestGroupedFilteringMatchesAlone(t *testing.T) {
	tbl, smp := testTableAndSample(t)
	rng := rand.New(rand.NewPCG(21, 22))
	const voices, blocks = 11, 30
	params := make([]Params, voices)
	offsets := make([]int, voices)
	for i := range params {
		params[i] = randomParams(rng, tbl, smp)
		params[i].Filter = Filter{Type: FilterType(1 + i%3), Cutoff: 300 + 500*float32(i), Resonance: float32(i) / voices}
		offsets[i] = rng.IntN(block.Size)
	}
	params[3].Kind = Sampler // stereo: two lanes
	together, alone := newTestBank(t, voices), newTestBank(t, voices)
	slots := make([]int32, voices)
	for i := range params {
		slots[i] = int32(i)
		start(t, together, i, params[i], offsets[i])
		start(t, alone, i, params[i], offsets[i])
	}
	for blk := range blocks {
		var l, r, l1, r1 block.Block
		together.Render(slots, &l, &r)
		for _, s := range slots {
			var bl, br block.Block
			alone.Render([]int32{s}, &bl, &br)
			for i := range l1 {
				l1[i] += bl[i]
				r1[i] += br[i]
			}
		}
		if l != l1 || r != r1 {
			t.Fatalf("block %d: grouped filtering differs from filtering each voice alone", blk)
		}
	}
}

// filteredMix starts n filtered voices in two identical banks: saws,
// squares, noise and stereo samples through all three responses, some
// starting late in the block, some with a resonance near the top.
func filteredMix(t *testing.T, n int) (a, b *Bank) {
	_, smp := testTableAndSample(t)
	rng := rand.New(rand.NewPCG(5, 9))
	a, b = newTestBank(t, n), newTestBank(t, n)
	kinds := []Kind{Saw, Square, Noise, Sampler}
	for i := range n {
		p := Params{Kind: kinds[rng.IntN(len(kinds))], Freq: 50 + 2000*rng.Float64(), Gain: 0.3,
			Pan: float32(rng.Float64()*2 - 1), Env: ADSR{Attack: 0.01, Sustain: 0.7, Release: 0.05},
			Filter: Filter{Type: FilterType(1 + rng.IntN(3)), Cutoff: float32(100 + 15000*rng.Float64()),
				Resonance: float32(rng.Float64())}, Seed: uint64(i), PulseWidth: 0.4, Sample: smp}
		off := 0
		if i%5 == 0 {
			off = rng.IntN(block.Size)
		}
		start(t, a, i, p, off)
		start(t, b, i, p, off)
	}
	return a, b
}

// TestFilterBatchingKeepsBits renders filtered voices once with all their
// slots in one Render (32 filter channels per mix.SVFVoices call, the
// leftovers on narrower tiers) and once with one Render per slot into the
// same bus (one channel per call, the generic loop): the buses must match
// to the bit, block after block, through cutoff and resonance changes, on
// every tier.
func TestFilterBatchingKeepsBits(t *testing.T) {
	forEachTier(t, func(tier string) {
		for _, n := range []int{1, 15, 16, 17, 40, 77} {
			a, b := filteredMix(t, n)
			slots := make([]int32, n)
			for i := range slots {
				slots[i] = int32(i)
			}
			loud := false
			for blk := range 12 {
				if blk == 4 {
					for i := range n {
						cut, res := float32(200+300*i), float32(i%4)/4
						a.SetCutoff(i, cut)
						b.SetCutoff(i, cut)
						a.SetResonance(i, res)
						b.SetResonance(i, res)
					}
				}
				var al, ar, bl, br block.Block
				a.Render(slots, &al, &ar)
				for _, s := range slots {
					b.Render([]int32{s}, &bl, &br)
				}
				for i := range al {
					if math.Float32bits(al[i]) != math.Float32bits(bl[i]) || math.Float32bits(ar[i]) != math.Float32bits(br[i]) {
						t.Fatalf("%s, %d voices, block %d sample %d: batched %v %v, one by one %v %v",
							tier, n, blk, i, al[i], ar[i], bl[i], br[i])
					}
					loud = loud || math.Abs(float64(al[i])) > 1e-3
				}
			}
			if !loud {
				t.Fatalf("%s, %d voices: the bus stayed silent, the test proves nothing", tier, n)
			}
		}
	})
}

// TestSettle checks the end-of-block state check value by value: below
// denormalFloor (denormals included) flushed to zero with the sign
// dropped, ordinary and huge values kept, ±Inf and NaN reported, in every
// one of the four state slots of a stereo filter; a mono filter looks at
// its first channel only.
func TestSettle(t *testing.T) {
	for _, tc := range []struct {
		in, want float32
		ok       bool
	}{
		{0, 0, true}, {1e-40, 0, true}, {-1e-40, 0, true}, {9e-16, 0, true}, {-9e-16, 0, true},
		{2e-15, 2e-15, true}, {-0.5, -0.5, true}, {math.MaxFloat32, math.MaxFloat32, true},
		{-math.MaxFloat32, -math.MaxFloat32, true},
		{float32(math.Inf(1)), 0, false}, {float32(math.Inf(-1)), 0, false}, {float32(math.NaN()), 0, false},
	} {
		// A batch of 3 lanes, the value in each lane's each state in
		// turn, the other lanes holding values to keep; and a fourth
		// lane, not in the batch, never looked at.
		for lane := range 4 {
			for st := range 2 {
				var fb filterBatch
				for j := range 4 {
					fb.ic1[j], fb.ic2[j] = 0.25, -3e-15
				}
				p := [2]*float32{&fb.ic1[lane], &fb.ic2[lane]}[st]
				*p = tc.in
				ok := fb.settle(3)
				switch {
				case lane == 3:
					if !ok || math.Float32bits(*p) != math.Float32bits(tc.in) {
						t.Errorf("lane 3 (outside) = %v: settle %v leaves %v", tc.in, ok, *p)
					}
				case ok != tc.ok || ok && math.Float32bits(*p) != math.Float32bits(tc.want):
					t.Errorf("lane %d state %d = %v: settle %v leaves %v, want %v and %v", lane, st, tc.in, ok, *p, tc.ok, tc.want)
				}
				for j := range 3 {
					if j != lane && (fb.ic1[j] != 0.25 || fb.ic2[j] != -3e-15) {
						t.Errorf("lane %d = %v: lane %d's states became %v, %v", lane, tc.in, j, fb.ic1[j], fb.ic2[j])
					}
				}
			}
		}
		for slot := range 4 {
			var f svfState
			p := [4]*float32{&f.ic1[0], &f.ic2[0], &f.ic1[1], &f.ic2[1]}[slot]
			*p = tc.in
			if ok := f.finite(true); ok != tc.ok {
				t.Errorf("slot %d = %v: finite %v, want %v", slot, tc.in, ok, tc.ok)
			}
			if mono := f.finite(false); slot >= 2 && !mono {
				t.Errorf("slot %d = %v: a mono filter's check looks at its second channel", slot, tc.in)
			}
		}
	}
}
