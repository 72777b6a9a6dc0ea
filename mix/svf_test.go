package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// svfCase is one random call of SVFVoices: the voices' blocks between two
// guard blocks, and the eight per-voice slices each off an alignment and
// inside guard bands.
type svfCase struct {
	blocks []float32 // guard block, n voice blocks, guard block
	n      int
	lanes  [8]guarded // ic1, ic2, a1, a2, a3, m0, m1, m2
}

// svfCoefficients returns a voice's a1, a2, a3, m0, m1, m2 as the voice
// package computes them: a lowpass, highpass or bandpass at a random cutoff
// from 1 Hz to the 0.49·rate clamp and a random Q up to 100.
func svfCoefficients(rng *rand.Rand) [6]float32 {
	g := math.Tan(math.Pi * 0.49 * math.Pow(rng.Float64(), 3))
	k := 1 / (math.Sqrt2 / 2 * math.Pow(100*math.Sqrt2, rng.Float64()))
	a1 := 1 / (1 + g*(g+k))
	c := [6]float32{float32(a1), float32(g * a1), float32(g * g * a1)}
	switch rng.IntN(3) {
	case 0:
		c[5] = 1
	case 1:
		c[3], c[4], c[5] = 1, float32(-k), -1
	default:
		c[4] = float32(k)
	}
	return c
}

// newSVFCase fills n voices: signals from sample (one in ten special),
// states ordinary, denormal or special, and coefficients from
// svfCoefficients except for one voice in eight, whose are any sample.
func newSVFCase(n int, off [3]int, rng *rand.Rand) svfCase {
	c := svfCase{blocks: make([]float32, 64*(n+2)), n: n}
	for i := range c.blocks {
		c.blocks[i] = math.Float32frombits(guardBits)
		if i >= 64 && i < 64*(n+1) {
			c.blocks[i] = sample(rng)
		}
	}
	for j := range c.lanes {
		c.lanes[j] = newGuarded(n, off[j%3], rng)
	}
	for v := range n {
		coef := svfCoefficients(rng)
		wild := rng.IntN(8) == 0
		for j, x := range coef {
			if !wild {
				c.lanes[2+j].s()[v] = x
			}
		}
		for j := range 2 {
			switch rng.IntN(4) {
			case 0:
				c.lanes[j].s()[v] = float32(rng.NormFloat64() * 1e-41) // denormal
			case 1, 2:
				c.lanes[j].s()[v] = float32(rng.NormFloat64())
			}
		}
	}
	return c
}

func (c svfCase) clone() svfCase {
	d := c
	d.blocks = append([]float32(nil), c.blocks...)
	for j := range d.lanes {
		d.lanes[j] = c.lanes[j].clone()
	}
	return d
}

func (c svfCase) x() []block.Block {
	x := make([]block.Block, 0, c.n)
	for v := range c.n {
		x = append(x, [64]float32(c.blocks[64*(v+1):]))
	}
	return x
}

// run calls f on the case's voices, copying the blocks out and back (a
// []block.Block cannot alias a float slice with guard blocks).
func (c svfCase) run(f func(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32)) {
	x := c.x()
	l := c.lanes
	f(x, l[0].s(), l[1].s(), l[2].s(), l[3].s(), l[4].s(), l[5].s(), l[6].s(), l[7].s())
	for v := range x {
		copy(c.blocks[64*(v+1):], x[v][:])
	}
}

// sameSVF checks the blocks bit for bit (any NaN matching any NaN) with the
// guard blocks untouched, and each per-voice slice as same does.
func sameSVF(t *testing.T, what string, got, want svfCase) bool {
	t.Helper()
	for i := range got.blocks {
		g, w := got.blocks[i], want.blocks[i]
		if !sameBits(g, w) || (i < 64 || i >= 64*(got.n+1)) && math.Float32bits(g) != guardBits {
			t.Errorf("%s: voice %d sample %d = %v (%#08x), want %v (%#08x)", what, i/64-1, i%64, g, math.Float32bits(g), w, math.Float32bits(w))
			return false
		}
	}
	for j, name := range []string{"ic1", "ic2", "a1", "a2", "a3", "m0", "m1", "m2"} {
		if !same(t, what+" "+name, got.lanes[j], want.lanes[j]) {
			return false
		}
	}
	return true
}

// TestSVFVoices checks every tier against the generic twin for 0..80
// voices and a few larger counts, with the per-voice slices shifted to
// every alignment: the outputs bit for bit, the advanced states, and
// nothing written outside the slices.
func TestSVFVoices(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 14))
		counts := []int{100, 127, 128, 129, 257}
		for n := 0; n <= 80; n++ {
			counts = append(counts, n)
		}
		for _, n := range counts {
			off := [3]int{n % 8, (n / 8) % 8, (n*5 + 3) % 8}
			got := newSVFCase(n, off, rng)
			want := got.clone()
			want.run(svfVoicesGeneric)
			got.run(SVFVoices)
			if !sameSVF(t, fmt.Sprintf("%d voices, offsets %v", n, off), got, want) {
				return
			}
		}
	})
}

// TestSVFVoicesGenericIsTick checks the generic twin (which interleaves
// four voices and calls svfTick) against the loop of SVFVoices' doc
// comment, one voice at a time.
func TestSVFVoicesGenericIsTick(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 15))
	for _, n := range []int{1, 3, 4, 5, 9, 16} {
		c := newSVFCase(n, [3]int{}, rng)
		want := c.clone()
		c.run(svfVoicesGeneric)
		want.run(func(x []block.Block, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32) {
			for v := range x {
				for i := range x[v] {
					s1, s2 := ic1[v], ic2[v]
					v3 := x[v][i] - s2
					t1 := float32(2*a1[v]*s1) + float32(2*a2[v]*v3)
					t2 := ((s2 + s2) + float32(2*a2[v]*s1)) + float32(2*a3[v]*v3)
					x[v][i] = float32(m0[v]*x[v][i]) + float32(m1[v]/2*t1) + float32(m2[v]/2*t2)
					ic1[v], ic2[v] = t1-s1, t2-s2
				}
			}
		})
		if !sameSVF(t, fmt.Sprintf("%d voices", n), c, want) {
			return
		}
	}
}

// TestSVFVoicesFilters checks that the kernel filters, on every tier: a
// lowpass at 1 kHz passes a 100 Hz sine at unit gain and cuts a 10 kHz
// one by about 40 dB (12 dB/octave, 3.3 octaves), measured on the second
// of two blocks.
func TestSVFVoicesFilters(t *testing.T) {
	const rate = 48000.0
	forEachTier(t, func(t *testing.T) {
		for _, tc := range []struct {
			freq     float64
			min, max float64 // bounds of the output/input RMS
		}{{100, 0.97, 1.03}, {10000, 0.007, 0.013}} {
			n := 21 // a vector and a tail on every tier
			x := make([]block.Block, n)
			ic1, ic2 := make([]float32, n), make([]float32, n)
			coef := make([][]float32, 6)
			g := math.Tan(math.Pi * 1000 / rate)
			k := math.Sqrt2
			a1 := 1 / (1 + g*(g+k))
			for j, c := range []float64{a1, g * a1, g * g * a1, 0, 0, 1} {
				coef[j] = make([]float32, n)
				for v := range n {
					coef[j][v] = float32(c)
				}
			}
			var in, out float64
			for blk := range 40 {
				for v := range x {
					for i := range x[v] {
						x[v][i] = float32(math.Sin(2 * math.Pi * tc.freq * float64(64*blk+i) / rate))
						if blk == 39 {
							in += float64(x[v][i] * x[v][i])
						}
					}
				}
				SVFVoices(x, ic1, ic2, coef[0], coef[1], coef[2], coef[3], coef[4], coef[5])
				if blk == 39 {
					for v := range x {
						for _, y := range x[v] {
							out += float64(y * y)
						}
					}
				}
			}
			if r := math.Sqrt(out / in); r < tc.min || r > tc.max {
				t.Errorf("%v Hz through a 1 kHz lowpass: gain %.4f, want %v..%v", tc.freq, r, tc.min, tc.max)
			}
		}
	})
}
