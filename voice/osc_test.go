package voice

import (
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"

	"math"
	"testing"
)

// aliasRejection renders one second of a voice at an integer frequency, so
// every harmonic and every alias falls on an FFT bin, and returns the
// fundamental's level over the strongest component that is not a harmonic
// below half the sample rate, in dB.
func aliasRejection(t *testing.T, p Params) float64 {
	t.Helper()
	b := newTestBank(t, 1)
	p.Gain, p.Pan = 1, -1
	start(t, b, 0, p, 0)
	left, _ := renderBlocks(b, 0, testRate/block.Size, nil)
	m := spectrum(left, true)
	f := int(p.Freq)
	// The window's main lobe spreads a component over ±4 bins.
	const lobe = 4
	harmonic := make([]bool, len(m))
	for k := f; k < testRate/2; k += f {
		for i := max(k-lobe, 0); i <= min(k+lobe, len(m)-1); i++ {
			harmonic[i] = true
		}
	}
	var worst float64
	for i := lobe + 1; i < len(m); i++ { // skip DC
		if !harmonic[i] {
			worst = max(worst, m[i])
		}
	}
	return db(m[f] / worst)
}

func TestBandLimitedAliasRejection(t *testing.T) {
	for _, kind := range []Kind{Saw, Square, Triangle} {
		for _, f := range []float64{38, 101, 440, 1000, 3001, 5000, 7919, 11025} {
			r := aliasRejection(t, Params{Kind: kind, Freq: f})
			t.Logf("%-8v %5.0f Hz: strongest alias %.1f dB below the fundamental", kind, f, r)
			if r < 50 {
				t.Errorf("%v at %v Hz: alias only %.1f dB below the fundamental, want >= 50", kind, f, r)
			}
		}
	}
}

// TestNaiveSawAliases shows the measurement can fail: a saw computed
// sample by sample from the phase, with no band limit, aliases badly.
func TestNaiveSawAliases(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Saw, Freq: 5000, Gain: 1, Pan: -1}, 0)
	// Swap in a one-level table holding a naive saw: every harmonic the
	// table resolves, far above half the sample rate at 5 kHz.
	naive := new(Table)
	lvl := make([]float32, tableLen)
	for i := range lvl {
		lvl[i] = 2*float32(i)/tableLen - 1
	}
	for j := range naive.levels {
		naive.levels[j] = mix.NewTable(lvl)
	}
	o := &b.src[Saw].(*bandLimited).v[b.slots[0].idx]
	o.table = naive
	o.retune(1) // picks the level from the new table
	left, _ := renderBlocks(b, 0, testRate/block.Size, nil)
	m := spectrum(left, true)
	// 25 kHz, the fifth harmonic, folds to 23 kHz at 1/5 of the fundamental.
	if r := db(m[5000] / m[23000]); r > 20 {
		t.Errorf("naive saw alias at 23 kHz is %.1f dB down; the measurement cannot see aliasing", r)
	}
}

func TestSquarePulseWidth(t *testing.T) {
	for _, pw := range []float32{0.1, 0.25, 0.5, 0.8} {
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Square, Freq: 100, Gain: 1, Pan: -1, PulseWidth: pw}, 0)
		left, _ := renderBlocks(b, 0, 30, nil)
		// The pulse is zero-mean: its high part sits at 2(1-pw), its
		// low part at -2pw. Count the samples above the midpoint.
		high := 0
		for _, v := range left {
			if v > 1-2*pw {
				high++
			}
		}
		if got := float32(high) / float32(len(left)); math.Abs(float64(got-pw)) > 0.01 {
			t.Errorf("pulse width %v: high for %.3f of the time", pw, got)
		}
	}
}

func TestNoiseDeterministicZeroMeanFlat(t *testing.T) {
	render := func(seed uint64) []float32 {
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Noise, Freq: 1, Gain: 1, Pan: -1, Seed: seed}, 0)
		left, _ := renderBlocks(b, 0, 4096, nil) // 2^18 samples
		return left
	}
	a, a2, c := render(1), render(1), render(2)
	same, diff := true, 0
	for i := range a {
		same = same && a[i] == a2[i]
		if a[i] != c[i] {
			diff++
		}
	}
	if !same {
		t.Error("same seed gave different noise")
	}
	if diff < len(a)*99/100 {
		t.Errorf("seeds 1 and 2 agree on %d of %d samples", len(a)-diff, len(a))
	}
	var sum float64
	for _, v := range a {
		sum += float64(v)
	}
	// Uniform on [-1, 1) has σ = 1/√3; allow 4 standard errors.
	mean, bound := sum/float64(len(a)), 4/math.Sqrt(3*float64(len(a)))
	if math.Abs(mean) > bound {
		t.Errorf("mean %.5f, want within ±%.5f", mean, bound)
	}
	// Welch: average 256 periodograms of 1024 samples, then compare 16
	// equal bands (DC bin left out): each must be within 0.3 dB of their
	// average. The estimate's own spread is about 0.05 dB.
	const seg, bands = 1024, 16
	power := make([]float64, seg/2+1)
	for s := 0; s+seg <= len(a); s += seg {
		for i, m := range spectrum(a[s:s+seg], false) {
			power[i] += m * m
		}
	}
	var band, count [bands]float64
	for i := 1; i <= seg/2-1; i++ {
		k := (i - 1) * bands / (seg/2 - 1)
		band[k] += power[i]
		count[k]++
	}
	for k := range band { // bands hold 31 or 32 bins: compare means
		band[k] /= count[k]
	}
	var avg float64
	for _, p := range band {
		avg += p / bands
	}
	var spread float64
	for i, p := range band {
		d := 10 * math.Log10(p/avg)
		spread = max(spread, math.Abs(d))
		if math.Abs(d) > 0.3 {
			t.Errorf("band %d is %.2f dB from the average, want within 0.3", i, d)
		}
	}
	t.Logf("mean %.2e; bands within ±%.3f dB of their average", mean, spread)
}
