package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// guardedU32 is a slice of phases or steps inside guard bands of guardBits.
type guardedU32 struct {
	buf    []uint32
	lo, hi int
}

func newGuardedU32(n, off int, value func() uint32) guardedU32 {
	g := guardedU32{buf: make([]uint32, n+off+2*guardLen), lo: guardLen + off, hi: guardLen + off + n}
	for i := range g.buf {
		g.buf[i] = guardBits
		if i >= g.lo && i < g.hi {
			g.buf[i] = value()
		}
	}
	return g
}

func (g guardedU32) s() []uint32 { return g.buf[g.lo:g.hi] }

func (g guardedU32) clone() guardedU32 {
	c := g
	c.buf = append([]uint32(nil), g.buf...)
	return c
}

// sameU32 checks got against want word for word, guard bands included.
func sameU32(t *testing.T, what string, got, want guardedU32) bool {
	t.Helper()
	for i := range got.buf {
		if got.buf[i] != want.buf[i] {
			t.Errorf("%s: word %d (slice %d..%d) = %#x, want %#x", what, i, got.lo, got.hi, got.buf[i], want.buf[i])
			return false
		}
	}
	return true
}

// sineVoicesCase is one random call of SineVoices: a bus and voices, each
// slice shifted off an alignment and inside guard bands.
type sineVoicesCase struct {
	left, right  guarded
	phases, incs guardedU32
	gl, gr       guarded
}

func newSineVoicesCase(n int, off [3]int, rng *rand.Rand) sineVoicesCase {
	// Audio-rate steps mostly, wild ones (any uint32) for some voices.
	inc := func() uint32 {
		if rng.IntN(4) == 0 {
			return rng.Uint32()
		}
		return rng.Uint32() >> 12
	}
	return sineVoicesCase{
		left:   newGuarded(64, off[0], rng),
		right:  newGuarded(64, off[1], rng),
		phases: newGuardedU32(n, off[2], rng.Uint32),
		incs:   newGuardedU32(n, (off[2]+3)%8, inc),
		gl:     newGuarded(n, off[1], rng),
		gr:     newGuarded(n, off[0], rng),
	}
}

func (c sineVoicesCase) clone() sineVoicesCase {
	return sineVoicesCase{c.left.clone(), c.right.clone(), c.phases.clone(), c.incs.clone(), c.gl.clone(), c.gr.clone()}
}

func (c sineVoicesCase) run(f func(left, right *block.Block, phases, incs []uint32, gl, gr []float32)) {
	f((*block.Block)(c.left.s()), (*block.Block)(c.right.s()), c.phases.s(), c.incs.s(), c.gl.s(), c.gr.s())
}

// TestSineVoices checks every tier against the generic twin for 0..300
// voices: the bus bit for bit, the advanced phases word for word, and
// nothing written outside the slices (inputs included). Gains and bus
// values are random with one in ten special (±0, denormals, ±Inf, NaN,
// huge).
func TestSineVoices(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 12))
		for n := 0; n <= 300; n++ {
			off := [3]int{n % 8, (n / 8) % 8, (n*5 + 3) % 8}
			got := newSineVoicesCase(n, off, rng)
			want := got.clone()
			want.run(sineVoicesGeneric)
			got.run(SineVoices)
			what := fmt.Sprintf("%d voices, offsets %v", n, off)
			ok := same(t, what+" left", got.left, want.left) &&
				same(t, what+" right", got.right, want.right) &&
				sameU32(t, what+" phases", got.phases, want.phases) &&
				sameU32(t, what+" incs", got.incs, want.incs) &&
				same(t, what+" gl", got.gl, want.gl) &&
				same(t, what+" gr", got.gr, want.gr)
			if !ok {
				return
			}
		}
	})
}

// TestSineVoicesIsSineAndPan checks the contract against the two kernels
// it replaces: for finite, non-zero gains SineVoices gives the bits of Sine
// into a block and PanAddRamp with constant gains, voice after voice, and
// the phases Sine returns.
func TestSineVoicesIsSineAndPan(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 13))
		for _, n := range []int{1, 2, 7, 64, 257} {
			var left, right, wantL, wantR, block [64]float32
			for i := range left {
				left[i] = float32(rng.NormFloat64())
				right[i] = float32(rng.NormFloat64())
			}
			wantL, wantR = left, right
			phases, incs := make([]uint32, n), make([]uint32, n)
			gl, gr := make([]float32, n), make([]float32, n)
			wantPhases := make([]uint32, n)
			for v := range n {
				phases[v], incs[v] = rng.Uint32(), rng.Uint32()>>10
				gl[v], gr[v] = float32(rng.Float64()+0.01), float32(-rng.Float64()-0.01)
				wantPhases[v] = Sine(block[:], phases[v], incs[v])
				PanAddRamp(wantL[:], wantR[:], block[:], gl[v], gl[v], gr[v], gr[v])
			}
			SineVoices(&left, &right, phases, incs, gl, gr)
			for i := range left {
				if math.Float32bits(left[i]) != math.Float32bits(wantL[i]) || math.Float32bits(right[i]) != math.Float32bits(wantR[i]) {
					t.Fatalf("%d voices, sample %d: (%v, %v), want (%v, %v)", n, i, left[i], right[i], wantL[i], wantR[i])
				}
			}
			for v := range n {
				if phases[v] != wantPhases[v] {
					t.Fatalf("%d voices: phase %d = %#x, want %#x", n, v, phases[v], wantPhases[v])
				}
			}
		}
	})
}

// TestSineVoicesLengthsPanic checks the documented panic when incs, gl or gr
// is not as long as phases, before any tier reads past them.
func TestSineVoicesLengthsPanic(t *testing.T) {
	var l, r [64]float32
	p, short := make([]uint32, 4), make([]uint32, 3)
	g, gshort := make([]float32, 4), make([]float32, 3)
	for name, f := range map[string]func(){
		"incs": func() { SineVoices(&l, &r, p, short, g, g) },
		"gl":   func() { SineVoices(&l, &r, p, p, gshort, g) },
		"gr":   func() { SineVoices(&l, &r, p, p, g, gshort) },
	} {
		func() {
			defer func() {
				if r := recover(); r != "mix: slice lengths differ" {
					t.Errorf("short %s: recovered %v, want the length panic", name, r)
				}
			}()
			f()
		}()
	}
}
