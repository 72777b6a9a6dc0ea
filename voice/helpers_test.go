package voice

import (
	"math"
	"math/cmplx"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
	"gonum.org/v1/gonum/dsp/fourier"
)

const testRate = 48000

// forEachTier runs f with the mix kernels forced to each tier this machine
// has, slowest first ("generic" is always one), then restores the best.
func forEachTier(t testing.TB, f func(tier string)) {
	t.Helper()
	defer mix.SetTier("best")
	for _, tier := range mix.Tiers() {
		if err := mix.SetTier(tier); err != nil {
			t.Fatal(err)
		}
		f(tier)
	}
}

// newTestBank returns a bank at testRate or fails the test.
func newTestBank(t testing.TB, capacity int) *Bank {
	t.Helper()
	b, err := NewBank(capacity, testRate)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sineOf returns the oscillator of the sine voice in slot.
func sineOf(b *Bank, slot int) *sineVoice {
	return &b.src[Sine].(*sines).v[b.slots[slot].idx]
}

// start starts a voice in slot or fails the test.
func start(t testing.TB, b *Bank, slot int, p Params, offset int) {
	t.Helper()
	if err := b.NoteOn(slot, &p, offset); err != nil {
		t.Fatal(err)
	}
}

// renderBlocks renders slot alone for blocks blocks and returns both
// channels; before(i) runs ahead of block i when not nil.
func renderBlocks(b *Bank, slot int, blocks int, before func(i int)) (left, right []float32) {
	left = make([]float32, 0, blocks*block.Size)
	right = make([]float32, 0, blocks*block.Size)
	slots := []int32{int32(slot)}
	for i := range blocks {
		if before != nil {
			before(i)
		}
		var l, r block.Block
		b.Render(slots, &l, &r)
		left = append(left, l[:]...)
		right = append(right, r[:]...)
	}
	return left, right
}

// spectrum returns the magnitude spectrum of x (unnormalised FFT), after a
// Blackman-Harris window when window is set.
func spectrum(x []float32, window bool) []float64 {
	n := len(x)
	seq := make([]float64, n)
	for i, v := range x {
		w := 1.0
		if window {
			p := 2 * math.Pi * float64(i) / float64(n)
			w = 0.35875 - 0.48829*math.Cos(p) + 0.14128*math.Cos(2*p) - 0.01168*math.Cos(3*p)
		}
		seq[i] = float64(v) * w
	}
	c := fourier.NewFFT(n).Coefficients(nil, seq)
	m := make([]float64, len(c))
	for i, v := range c {
		m[i] = cmplx.Abs(v)
	}
	return m
}

// db converts an amplitude ratio to decibels.
func db(r float64) float64 { return 20 * math.Log10(r) }

// residualDB fits a sine of frequency f (cycles per sample) plus DC to x by
// least squares and returns the power of what is left relative to the
// fitted sine, in dB: THD+N.
func residualDB(x []float32, f float64) float64 {
	// Normal equations for [sin, cos, 1].
	var a [3][4]float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * f * float64(i))
		basis := [3]float64{s, c, 1}
		for r := range 3 {
			for k := range 3 {
				a[r][k] += basis[r] * basis[k]
			}
			a[r][3] += basis[r] * float64(v)
		}
	}
	coef := solve3(a)
	var sig, res float64
	for i, v := range x {
		s, c := math.Sincos(2 * math.Pi * f * float64(i))
		fit := coef[0]*s + coef[1]*c
		sig += fit * fit
		d := float64(v) - fit - coef[2]
		res += d * d
	}
	return 10 * math.Log10(res/sig)
}

// solve3 solves a 3×3 system given as an augmented matrix (Gauss-Jordan).
func solve3(a [3][4]float64) [3]float64 {
	for c := range 3 {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		for r := range 3 {
			if r != c {
				m := a[r][c] / a[c][c]
				for k := c; k < 4; k++ {
					a[r][k] -= m * a[c][k]
				}
			}
		}
	}
	return [3]float64{a[0][3] / a[0][0], a[1][3] / a[1][1], a[2][3] / a[2][2]}
}
