package mix

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/aether-audio/aether/block"
)

// sampleCase is one random call of SampleVoices: the voices' blocks
// between two guard blocks; each row's source inside NaN guard bands, at
// an offset; the positions, steps and flags inside slices of decoys, so a
// read of the wrong entry shows.
type sampleCase struct {
	blocks     []float32 // guard block, n voice blocks, guard block
	n          int
	src        [][]float32
	pos, step  []uint64 // decoy, the call's entries, decoy
	cubic      []bool
	posAt, stp int // where the call's entries start in pos and step
}

// sampleSources are a few sources shared by a case's rows (rows of real
// voices share sources too): each 1 to 300 frames of sample values (one in
// ten special) inside guard bands, off an alignment.
func sampleSources(rng *rand.Rand) [][]float32 {
	var s [][]float32
	for range 1 + rng.IntN(6) {
		n := 1 + rng.IntN(300)
		switch rng.IntN(4) {
		case 0:
			n = 1 + rng.IntN(4)
		case 1:
			n = 30 + rng.IntN(5) // about one 32-frame window
		}
		s = append(s, newGuarded(n, rng.IntN(8), rng).s())
	}
	return s
}

// samplePosition returns a row's start in 32.32 frames for a source of
// frames frames: mostly inside it, sometimes before or past it, or any.
func samplePosition(rng *rand.Rand, frames int) uint64 {
	p := rng.Uint64N(uint64(frames)<<32 + 1)
	switch rng.IntN(12) {
	case 3: // the window path's edges: a window at 0, or ending with the source
		p = 1<<32 + rng.Uint64N(1<<32)
	case 4:
		p = uint64(frames-31)<<32 + rng.Uint64N(2<<32) - 1<<32
	case 0:
		p -= rng.Uint64N(40 << 32) // before the start: negative
	case 1:
		p += rng.Uint64N(40 << 32) // past the end
	case 2:
		p = rng.Uint64()
	}
	return p
}

// sampleStep returns a step in 32.32 frames: mostly an audio ratio
// (1/8 to 8), sometimes 0, tiny, exactly 1, or very large.
func sampleStep(rng *rand.Rand) uint64 {
	switch rng.IntN(12) {
	case 10: // either side of the largest step of the AVX-512 window path
		return 0x1c0000000 + rng.Uint64N(3) - 1
	case 11:
		return 0x1c0000000 - rng.Uint64N(1<<28)
	case 0:
		return 0
	case 1:
		return rng.Uint64N(1 << 20)
	case 2:
		return 1 << 32
	case 3:
		return rng.Uint64N(1 << 44)
	}
	return uint64(math.Exp2(rng.Float64()*6-3) * (1 << 32))
}

// wholeVoice returns the sources of a voice whose rows are one read (the
// AVX-512 kernel's whole-voice path): one source, each row's position 16
// steps past the row before's, set in pos; or, one time in four, such a
// voice with one row's source or position off (another source of the same
// length, the same source cut short inside the row, or a position a 256th
// of a frame or a few frames away), which takes the row-by-row path.
func wholeVoice(rng *rand.Rand, srcs [][]float32, pos []uint64, step uint64) [][]float32 {
	s := srcs[rng.IntN(len(srcs))]
	p := samplePosition(rng, len(s))
	if rng.IntN(4) == 0 { // row 3's window at the source's end
		p = uint64(len(s)-31)<<32 + rng.Uint64N(2<<32) - 1<<32 - 48*step
	}
	src := [][]float32{s, s, s, s}
	for q := range pos {
		pos[q] = p + uint64(16*q)*step
	}
	if rng.IntN(4) == 0 {
		q := 1 + rng.IntN(3)
		switch short := int(int32(pos[q]>>32)) + 1 + rng.IntN(16); {
		case rng.IntN(2) == 0:
			src[q] = newGuarded(len(s), rng.IntN(8), rng).s()
		case short >= 1 && short < len(s) && rng.IntN(2) == 0:
			src[q] = s[:short] // the same frames, ending inside the row
		default:
			off := uint64(1) << 24 << (8 * rng.IntN(2)) * (1 + rng.Uint64N(3))
			if rng.IntN(2) == 0 {
				off = -off
			}
			pos[q] += off
		}
	}
	return src
}

func newSampleCase(n int, rng *rand.Rand) sampleCase {
	c := sampleCase{blocks: make([]float32, 64*(n+2)), n: n}
	for i := range c.blocks {
		c.blocks[i] = math.Float32frombits(guardBits)
		if i >= 64 && i < 64*(n+1) {
			c.blocks[i] = sample(rng)
		}
	}
	srcs := sampleSources(rng)
	c.posAt, c.stp = rng.IntN(5), rng.IntN(5)
	c.pos = make([]uint64, c.posAt+4*n+3)
	c.step = make([]uint64, c.stp+n+3)
	c.cubic = make([]bool, n+2)
	for i := range c.pos {
		c.pos[i] = rng.Uint64()
	}
	for i := range c.step {
		c.step[i] = rng.Uint64()
	}
	for v := range n {
		step := sampleStep(rng)
		c.step[c.stp+v] = step
		c.cubic[1+v] = rng.IntN(4) != 0
		if rng.IntN(2) == 0 {
			c.src = append(c.src, wholeVoice(rng, srcs, c.pos[c.posAt+4*v:][:4], step)...)
			continue
		}
		for q := range 4 {
			s := srcs[rng.IntN(len(srcs))]
			c.src = append(c.src, s)
			c.pos[c.posAt+4*v+q] = samplePosition(rng, len(s))
		}
	}
	c.cubic[0], c.cubic[n+1] = rng.IntN(2) == 0, rng.IntN(2) == 0
	return c
}

func (c sampleCase) clone() sampleCase {
	d := c
	d.blocks = slices.Clone(c.blocks)
	return d
}

// run calls f on the case's voices, copying the blocks out and back.
func (c sampleCase) run(f func(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool)) {
	x := make([]block.Block, 0, c.n)
	for v := range c.n {
		x = append(x, [64]float32(c.blocks[64*(v+1):]))
	}
	f(x, c.src, c.pos[c.posAt:c.posAt+4*c.n], c.step[c.stp:c.stp+c.n], c.cubic[1:1+c.n])
	for v := range x {
		copy(c.blocks[64*(v+1):], x[v][:])
	}
}

// TestSampleVoices runs SampleVoices on every tier against its generic
// twin: 0 to 40 voices, and a few hundred, each row with its own source of
// 1 to 300 frames between NaN guard bands (a read outside a source would
// bring a NaN in), special values in the data, positions before, inside
// and past the sources and at the edges of the AVX-512 window path, steps
// from 0 to 2^12 frames and either side of that path's largest, cubic and
// linear voices. Bit-exact, guard blocks untouched, the inputs unchanged.
func TestSampleVoices(t *testing.T) {
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 12))
		sizes := []int{}
		for n := 0; n <= 40; n++ {
			sizes = append(sizes, n)
		}
		sizes = append(sizes, 99, 256)
		for _, n := range sizes {
			for rep := range 20 {
				got := newSampleCase(n, rng)
				want := got.clone()
				pos, step := slices.Clone(got.pos), slices.Clone(got.step)
				want.run(func(dst []block.Block, src [][]float32, pos, step []uint64, cubic []bool) {
					if !sampleVoicesGeneric(dst, src, pos, step, cubic) {
						t.Fatal("the twin found a bad source")
					}
				})
				got.run(SampleVoices)
				what := fmt.Sprintf("n=%d rep=%d", n, rep)
				for i := range got.blocks {
					g, w := got.blocks[i], want.blocks[i]
					if !sameBits(g, w) || (i < 64 || i >= 64*(n+1)) && math.Float32bits(g) != guardBits {
						v, j := i/64-1, i%64
						t.Fatalf("%s: voice %d sample %d = %v (%#08x), want %v (%#08x); step %#x, row pos %#x",
							what, v, j, g, math.Float32bits(g), w, math.Float32bits(w),
							got.step[got.stp+max(v, 0)], got.pos[got.posAt+4*max(v, 0)+j/16])
					}
				}
				if !slices.Equal(pos, got.pos) || !slices.Equal(step, got.step) {
					t.Fatalf("%s: positions or steps changed", what)
				}
			}
		}
	})
}

// TestSampleVoicesReads checks the twin itself against the definition on
// ordinary values: exact frames at whole positions, the clamp at each end
// repeating the end frame, and the linear and cubic midpoints.
func TestSampleVoicesReads(t *testing.T) {
	s := []float32{1, 2, 4, 8, 16}
	dst := make([]block.Block, 1)
	const one = 1 << 32
	// Row 0 whole frames from -2; row 1 halves from 0; row 2 the last
	// frames and beyond; row 3 stands still at 1.25.
	minus2 := int64(-2 * one)
	pos := []uint64{uint64(minus2), 0, 3 * one, one + one/4}
	for _, cubic := range []bool{false, true} {
		for q, p := range pos {
			st := uint64(one)
			switch q {
			case 1:
				st = one / 2
			case 3:
				st = 0
			}
			sampleRow((*[rowLen]float32)(dst[0][16*q:]), s, p, st, cubic)
		}
		row := func(q int) []float32 { return dst[0][16*q : 16*q+16] }
		for i, want := range []float32{1, 1, 1, 2, 4, 8, 16, 16} {
			if got := row(0)[i]; got != want {
				t.Errorf("cubic %v: whole frame %d from -2: %v, want %v", cubic, i, got, want)
			}
		}
		if got := row(2)[3]; got != 16 {
			t.Errorf("cubic %v: past the end: %v, want the last frame 16", cubic, got)
		}
		// Between 2 and 4 (frames 1 and 2): linear 3; Catmull-Rom with
		// neighbours 1 and 8: (-1 + 9·2 + 9·4 - 8)/16.
		mid := row(1)[3] // position 1.5
		want := float32(3)
		if cubic {
			want = 45.0 / 16
		}
		if mid != want {
			t.Errorf("cubic %v: midpoint of frames 1 and 2: %v, want %v", cubic, mid, want)
		}
		for _, x := range row(3) {
			if x != row(3)[0] {
				t.Errorf("cubic %v: a zero step moved: %v", cubic, row(3))
				break
			}
		}
	}
}

// TestSampleVoicesBadSourcePanics checks the documented panic on every
// tier: a source of 0 frames, or of 2^31 (a slice header only: nothing
// may read it), at any row of the call, of a voice read on the AVX-512
// whole-voice path (four rows of one source) or row by row.
func TestSampleVoicesBadSourcePanics(t *testing.T) {
	data := make([]float32, 300)
	huge := unsafe.Slice(&data[0], 1<<31)
	forEachTier(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for rep := range 200 {
			n := 1 + rng.IntN(5)
			src := make([][]float32, 4*n)
			pos, step, cubic := make([]uint64, 4*n), make([]uint64, n), make([]bool, n)
			for v := range n {
				step[v], cubic[v] = 1<<32, rng.IntN(2) == 0
				for q := range 4 {
					src[4*v+q], pos[4*v+q] = data, uint64(100+16*q)<<32
				}
			}
			bad := rng.IntN(4 * n)
			src[bad] = [][]float32{{}, huge, huge[:0]}[rng.IntN(3)]
			if rng.IntN(2) == 0 { // the whole voice's four rows alike
				for q := range 4 {
					src[bad&^3+q] = src[bad]
				}
			}
			func() {
				defer func() {
					if r := recover(); r != "mix: sample source of 0 or 2^31 frames or more" {
						t.Fatalf("rep %d, row %d of %d, %d frames: recovered %v, want the bad source panic", rep, bad, 4*n, len(src[bad]), r)
					}
				}()
				SampleVoices(make([]block.Block, n), src, pos, step, cubic)
			}()
		}
	})
}
