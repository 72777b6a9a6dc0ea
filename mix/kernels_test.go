package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// guardLen is the NaN guard band before and after each test slice.
const guardLen = 16

// guardBits is the guard value: a quiet NaN with a payload no kernel makes,
// compared bit for bit.
const guardBits = 0x7fc0dead

// special holds the values the kernels must get right besides ordinary
// ones: signed zeros, denormals, infinities, NaN and numbers whose squares
// or products overflow.
var special = []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, math.SmallestNonzeroFloat32,
	float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), 3e38, -3e38, 1e20, -1}

// sample returns a random value, special one time in ten.
func sample(rng *rand.Rand) float32 {
	if rng.IntN(10) == 0 {
		return special[rng.IntN(len(special))]
	}
	return float32(rng.NormFloat64())
}

// guarded is a test slice inside a buffer with NaN guard bands.
type guarded struct {
	buf    []float32
	lo, hi int
}

// newGuarded returns n random samples starting off floats past the guard.
func newGuarded(n, off int, rng *rand.Rand) guarded {
	g := guarded{buf: make([]float32, n+off+2*guardLen), lo: guardLen + off, hi: guardLen + off + n}
	for i := range g.buf {
		g.buf[i] = math.Float32frombits(guardBits)
		if i >= g.lo && i < g.hi {
			g.buf[i] = sample(rng)
		}
	}
	return g
}

func (g guarded) s() []float32 { return g.buf[g.lo:g.hi] }

func (g guarded) clone() guarded {
	c := g
	c.buf = append([]float32(nil), g.buf...)
	return c
}

// sameBits reports whether a and b are the same float32, any NaN matching
// any NaN (the sign and payload of a NaN result may differ by tier).
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

// same checks got against want: the slice bit-exact (sameBits), the guard
// bands untouched to the bit.
func same(t *testing.T, what string, got, want guarded) bool {
	t.Helper()
	for i := range got.buf {
		g, w := got.buf[i], want.buf[i]
		if i < got.lo || i >= got.hi {
			if math.Float32bits(g) != guardBits {
				t.Errorf("%s: guard band overwritten at %d (slice %d..%d): %v", what, i, got.lo, got.hi, g)
				return false
			}
			continue
		}
		if !sameBits(g, w) {
			t.Errorf("%s: element %d = %v (%#08x), want %v (%#08x)", what, i-got.lo, g, math.Float32bits(g), w, math.Float32bits(w))
			return false
		}
	}
	return true
}

// forShapes calls f for every length 0..1024 with start offsets 0..7 for
// each of the operands, every offset pair for each length up to 72 and a
// rotation of them above, until f reports a failure.
func forShapes(f func(n int, off [3]int) bool) {
	for n := 0; n <= 1024; n++ {
		for a := 0; a < 8; a++ {
			bs := []int{(a + n) % 8}
			if n <= 72 {
				bs = []int{0, 1, 2, 3, 4, 5, 6, 7}
			}
			for _, b := range bs {
				if !f(n, [3]int{a, b, (a*3 + b + n/8) % 8}) {
					return
				}
			}
		}
	}
}

func gainPair(rng *rand.Rand) (float32, float32) {
	return sample(rng), sample(rng)
}

func TestAddScaled(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 1))
		forShapes(func(n int, off [3]int) bool {
			dst, src := newGuarded(n, off[0], rng), newGuarded(n, off[1], rng)
			g := sample(rng)
			want := dst.clone()
			addScaledGeneric(want.s(), src.s(), g)
			AddScaled(dst.s(), src.s(), g)
			return same(t, fmt.Sprintf("n=%d off=%v g=%v", n, off, g), dst, want)
		})
	})
}

func TestAddRamp(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		forShapes(func(n int, off [3]int) bool {
			dst, src := newGuarded(n, off[0], rng), newGuarded(n, off[1], rng)
			g0, g1 := gainPair(rng)
			want := dst.clone()
			addRampGeneric(want.s(), src.s(), g0, g1)
			AddRamp(dst.s(), src.s(), g0, g1)
			return same(t, fmt.Sprintf("n=%d off=%v g=%v..%v", n, off, g0, g1), dst, want)
		})
	})
}

func TestPanAddRamp(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 3))
		forShapes(func(n int, off [3]int) bool {
			l, r, src := newGuarded(n, off[0], rng), newGuarded(n, off[1], rng), newGuarded(n, off[2], rng)
			l0, l1 := gainPair(rng)
			r0, r1 := gainPair(rng)
			wl, wr := l.clone(), r.clone()
			panAddRampGeneric(wl.s(), wr.s(), src.s(), l0, l1, r0, r1)
			PanAddRamp(l.s(), r.s(), src.s(), l0, l1, r0, r1)
			what := fmt.Sprintf("n=%d off=%v gains=%v..%v %v..%v", n, off, l0, l1, r0, r1)
			return same(t, "left "+what, l, wl) && same(t, "right "+what, r, wr)
		})
	})
}

func TestAddBuses(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 4))
		forShapes(func(n int, off [3]int) bool {
			dst := newGuarded(n, off[0], rng)
			buses := make([][]float32, rng.IntN(5))
			for k := range buses {
				buses[k] = newGuarded(n, (off[1]+k*off[2])%8, rng).s()
			}
			want := dst.clone()
			addBusesGeneric(want.s(), buses)
			AddBuses(dst.s(), buses)
			return same(t, fmt.Sprintf("n=%d off=%v buses=%d", n, off, len(buses)), dst, want)
		})
	})
}

func TestScale(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 5))
		forShapes(func(n int, off [3]int) bool {
			dst := newGuarded(n, off[0], rng)
			g := sample(rng)
			want := dst.clone()
			scaleGeneric(want.s(), g)
			Scale(dst.s(), g)
			return same(t, fmt.Sprintf("n=%d off=%v g=%v", n, off, g), dst, want)
		})
	})
}

func TestInterleave(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 6))
		forShapes(func(n int, off [3]int) bool {
			dst, l, r := newGuarded(2*n, off[0], rng), newGuarded(n, off[1], rng), newGuarded(n, off[2], rng)
			want := dst.clone()
			interleaveGeneric(want.s(), l.s(), r.s())
			Interleave(dst.s(), l.s(), r.s())
			return same(t, fmt.Sprintf("n=%d off=%v", n, off), dst, want)
		})
	})
}

// TestPeak wants the exact generic result: a maximum is exact in any order.
func TestPeak(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 7))
		forShapes(func(n int, off [3]int) bool {
			x := newGuarded(n, off[0], rng)
			if rng.IntN(2) == 0 { // half the time no NaN, so the maximum shows
				for i := x.lo; i < x.hi; i++ {
					if x.buf[i] != x.buf[i] {
						x.buf[i] = float32(i)
					}
				}
			}
			got, want := Peak(x.s()), peakGeneric(x.s())
			if !sameBits(got, want) {
				t.Errorf("n=%d off=%d: Peak = %v, want %v", n, off[0], got, want)
				return false
			}
			return true
		})
	})
}

// TestRMS allows the relative 1e-5 the RMS doc comment states: the tiers
// sum in vector lanes, in another order than the generic twin.
func TestRMS(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 8))
		forShapes(func(n int, off [3]int) bool {
			x := newGuarded(n, off[0], rng)
			if rng.IntN(4) != 0 { // mostly finite, so the tolerance is tested
				for i := x.lo; i < x.hi; i++ {
					if v := x.buf[i]; v != v || math.IsInf(float64(v), 0) || math.Abs(float64(v)) > 1e19 {
						x.buf[i] = -2.5
					}
				}
			}
			got, want := RMS(x.s()), rmsGeneric(x.s())
			ok := sameBits(got, want)
			if !ok && !math.IsInf(float64(want), 0) && want == want {
				ok = math.Abs(float64(got-want)) <= 1e-5*float64(want)
			}
			if !ok {
				t.Errorf("n=%d off=%d: RMS = %v, want %v", n, off[0], got, want)
			}
			return ok
		})
	})
}

func TestSine(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 9))
		forShapes(func(n int, off [3]int) bool {
			dst := newGuarded(n, off[0], rng)
			phase, inc := rng.Uint32(), rng.Uint32()
			if off[1] < 4 { // audio rates too, not only wild steps
				inc >>= 12
			}
			want := dst.clone()
			wp := sineGeneric(want.s(), phase, inc)
			gp := Sine(dst.s(), phase, inc)
			what := fmt.Sprintf("n=%d off=%d phase=%#x inc=%#x", n, off[0], phase, inc)
			if gp != wp {
				t.Errorf("%s: returned phase %#x, want %#x", what, gp, wp)
				return false
			}
			return same(t, what, dst, want)
		})
	})
}

func TestWavetable(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 10))
		forShapes(func(n int, off [3]int) bool {
			// The pairs sit between guard bands, so a read past
			// either end shows; their values need not be a cycle's.
			k := uint(1 + (n+off[1])%12)
			pairs := newGuarded(2<<k, off[2], rng)
			table := Table{pairs: asPairs(pairs.s()), bits: k}
			dst := newGuarded(n, off[0], rng)
			phase, inc := rng.Uint32(), rng.Uint32()>>(off[1]*3)
			want := dst.clone()
			wp := wavetableGeneric(want.s(), table.pairs, k, phase, inc)
			gp := Wavetable(dst.s(), &table, phase, inc)
			what := fmt.Sprintf("n=%d off=%v k=%d phase=%#x inc=%#x", n, off, k, phase, inc)
			if gp != wp {
				t.Errorf("%s: returned phase %#x, want %#x", what, gp, wp)
				return false
			}
			return same(t, what, dst, want)
		})
	})
}

// asPairs views s (of even length) as a Table's pairs, so they can lie
// between a guarded slice's guard bands.
func asPairs(s []float32) [][2]float32 {
	return unsafe.Slice((*[2]float32)(unsafe.Pointer(unsafe.SliceData(s))), len(s)/2)
}

// TestWavetableFullTable reads a table of 2^24 samples, the largest
// allowed, near its end, where a wrong index scale would fault or misread.
func TestWavetableFullTable(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 64 MiB")
	}
	cycle := make([]float32, 1<<24)
	for i := range cycle {
		cycle[i] = float32(i % 1000)
	}
	table := NewTable(cycle)
	forEachTier(t, func(t *testing.T) {
		dst, want := make([]float32, 64), make([]float32, 64)
		phase, inc := uint32(0xffffff00), uint32(0x101)
		wavetableGeneric(want, table.pairs, 24, phase, inc)
		Wavetable(dst, &table, phase, inc)
		for i := range dst {
			if !sameBits(dst[i], want[i]) {
				t.Fatalf("dst[%d] = %v, want %v", i, dst[i], want[i])
			}
		}
	})
}

// TestMismatchedLengthsPanic checks the documented panic on slices of
// different lengths, which must come before any tier touches memory.
func TestMismatchedLengthsPanic(t *testing.T) {
	a, b := make([]float32, 64), make([]float32, 63)
	for name, f := range map[string]func(){
		"AddScaled":  func() { AddScaled(a, b, 1) },
		"AddRamp":    func() { AddRamp(a, b, 0, 1) },
		"PanAddRamp": func() { PanAddRamp(a, a, b, 0, 1, 0, 1) },
		"AddBuses":   func() { AddBuses(a, [][]float32{a, b}) },
		"Interleave": func() { Interleave(a, b, b) },
	} {
		func() {
			defer func() {
				if r := recover(); r != "mix: slice lengths differ" {
					t.Errorf("%s: recovered %v, want the length panic", name, r)
				}
			}()
			f()
		}()
	}
}

// TestRampStep checks that the reciprocal shortcut gives the division's
// bits for every power-of-two length and every kind of gain, since the
// generic twins use it too and would not catch a difference.
func TestRampStep(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 11))
	for n := 0; n <= 1<<25; n = max(2*n, n+1) {
		for range 2000 {
			g0, g1 := sample(rng), sample(rng)
			if rng.IntN(4) == 0 { // a tiny difference: denormal steps
				g1 = math.Nextafter32(g0, g1)
			}
			got, want := rampStep(g0, g1, n), (g1-g0)/float32(n)
			if !sameBits(got, want) {
				t.Fatalf("rampStep(%v, %v, %d) = %v, want %v", g0, g1, n, got, want)
			}
		}
	}
}
