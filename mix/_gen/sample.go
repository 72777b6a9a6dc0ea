package main

import (
	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// windowStep is the largest step (32.32 frames) at which an AVX-512 row's
// four points all lie in a window of 32 frames from the frame before its
// first position: the last point is at most 15·step + 1 + 2 frames past
// that first position, and 15·1.75 + 3 < 31.
const windowStep = 0x1c0000000 // 1.75

// SampleVoices follows sampleRow in sample_generic.go operation for
// operation (VEX tiers only: SSE2 cannot gather). Each row's positions are
// made in 64-bit lanes, the row's start plus the lane's index times the
// step; their high and low halves are the frame indexes and fractions.
//
// Points are then fetched one of two ways, which give the same values. A
// gather per point, its indexes clamped into the row's source, always
// works; but on AVX-512 a row whose 32-frame window (from the frame
// before its first position) lies inside its source, read at a step of
// at most windowStep, loads the window with two plain loads and picks
// each point out of it with one two-table permute, four times cheaper.
// That is the usual row: a voice read near its root pitch, away from the
// ends of its source. The voice's interpolation is tested once per
// voice: a cubic and a linear copy of the row loop follow.
func sampleVoices(t tier) {
	t.text("sampleVoices", "func(dst [][64]float32, src [][]float32, pos []uint64, step []uint64, cubic []bool) bool",
		"the loop of sampleVoicesGeneric for the len(dst) voices.")
	dst, n := sliceParam("dst")
	src, pos, step, cubic := basePtr("src"), basePtr("pos"), basePtr("step"), basePtr("cubic")
	v := GP64()
	XORQ(v, v)
	Label("voice")
	CMPQ(v, n)
	JGE(LabelRef("done"))
	prefetchVoice(v, n, src, pos)

	// off holds lane·step for the 64-bit lanes of a vector, adv the step
	// from one such vector to the next (lanes·step).
	s := t.vec()
	VPBROADCASTQ(Mem{Base: step, Index: v, Scale: 8}, s)
	off, hi := t.vec(), t.vec()
	VPMULUDQ(lanesQ, s, off) // lane·(step mod 2^32)
	VPSRLQ(U8(32), s, hi)
	VPMULUDQ(lanesQ, hi, hi) // lane·(step >> 32)
	VPSLLQ(U8(32), hi, hi)
	VPADDQ(hi, off, off)
	adv := t.vec()
	VPSLLQ(U8(map[int]int{8: 2, 16: 3}[t.w]), s, adv)
	var offs, advs Op = off, adv
	if !t.z {
		// AVX2's 16 registers cannot also hold these through the row:
		// they wait on the stack.
		offm, advm := AllocLocal(32), AllocLocal(32)
		VMOVDQU(off, offm)
		VMOVDQU(adv, advm)
		offs, advs = offm, advm
	}
	// window is 1 when the voice's step allows the window path.
	window := GP64()
	XORQ(window, window)
	if t.z {
		limit := GP64()
		MOVQ(U64(windowStep), limit)
		CMPQ(Mem{Base: step, Index: v, Scale: 8}, limit)
		SETLS(window.As8())
	}

	if t.z {
		t.wholeVoice(v, dst, src, pos, step, cubic, window, off, adv)
	}
	flag := GP32()
	MOVBLZX(Mem{Base: cubic, Index: v, Scale: 1}, flag)
	TESTL(flag, flag)
	JZ(LabelRef("linear"))
	t.sampleRows(v, dst, src, pos, window, offs, advs, true)
	JMP(LabelRef("next"))
	Label("linear")
	t.sampleRows(v, dst, src, pos, window, offs, advs, false)
	Label("next")
	INCQ(v)
	JMP(LabelRef("voice"))
	ok := GP8()
	Label("done")
	MOVB(U8(1), ok)
	Store(ok, ReturnIndex(0))
	t.ret()
	Label("badsource")
	MOVB(U8(0), ok)
	Store(ok, ReturnIndex(0))
	t.ret()
}

// checkSource jumps to badsource unless length, a source's, is 1 to
// 2^31-1 frames, as the frames' 32-bit indexes and the clamp need.
func checkSource(length reg.GPVirtual) {
	c := GP64()
	LEAQ(Mem{Base: length, Disp: -1}, c)
	CMPQ(c, U32(1<<31-2))
	JA(LabelRef("badsource"))
}

// wholeVoice reads AVX-512 voice v on its own path when its four rows are
// one read: the same source (base and length) and each row's position 16
// steps past the row before's, all four windows inside the source, at a
// step that allows the window path. That is a voice's usual block, away
// from a loop seam; the rows then need neither their sources, their
// positions nor their window checks one by one. It computes what the rows
// would, to the bit; any other voice goes on to the row loops.
func (t tier) wholeVoice(v, dst, src, pos, step, cubic, window reg.GPVirtual, off, adv reg.VecVirtual) {
	TESTQ(window, window)
	JZ(LabelRef("rows"))
	r := GP64() // row 0, 4v
	MOVQ(v, r)
	SHLQ(U8(2), r)
	h := GP64() // row 0's slice header
	LEAQ(Mem{Base: r, Index: r, Scale: 2}, h)
	SHLQ(U8(3), h)
	ADDQ(src, h)
	base, length := GP64(), GP64()
	MOVQ(Mem{Base: h}, base)
	MOVQ(Mem{Base: h, Disp: 8}, length)
	checkSource(length)
	for q := 1; q < 4; q++ {
		CMPQ(base, Mem{Base: h, Disp: 24 * q})
		JNE(LabelRef("rows"))
		CMPQ(length, Mem{Base: h, Disp: 24*q + 8})
		JNE(LabelRef("rows"))
	}
	// Row 0's window starts at or after the source's start: its first
	// frame, a signed 32-bit index, is at least 1. Its position is then
	// under 2^63, so the rows' positions, 16 steps of at most windowStep
	// apart, grow without wrapping.
	first := GP32()
	MOVL(Mem{Base: pos, Index: r, Scale: 8, Disp: 4}, first)
	TESTL(first, first)
	JLE(LabelRef("rows"))
	p, st := GP64(), GP64() // row q's position; 16 steps
	MOVQ(Mem{Base: pos, Index: r, Scale: 8}, p)
	MOVQ(Mem{Base: step, Index: v, Scale: 8}, st)
	SHLQ(U8(4), st)
	// Row 3's window, 32 frames from the frame before its first, ends
	// inside the source; the rows before start no later.
	at := GP64()
	LEAQ(Mem{Base: st, Index: st, Scale: 2}, at)
	ADDQ(p, at)
	SHRQ(U8(32), at)
	ADDQ(U8(31), at)
	CMPQ(at, length)
	JA(LabelRef("rows"))
	MOVQ(p, at)
	for q := 1; q < 4; q++ {
		ADDQ(st, at)
		CMPQ(at, Mem{Base: pos, Index: r, Scale: 8, Disp: 8 * q})
		JNE(LabelRef("rows"))
	}

	o := GP64() // the voice's block in dst
	MOVQ(v, o)
	SHLQ(U8(8), o)
	ADDQ(dst, o)
	CMPB(Mem{Base: cubic, Index: v, Scale: 1}, U8(0))
	JE(LabelRef("wholelinear"))
	t.wholeRows(o, base, p, st, off, adv, true)
	Label("wholelinear")
	t.wholeRows(o, base, p, st, off, adv, false)
	Label("rows")
}

// wholeRows emits wholeVoice's four rows, row 0 at position p, then jumps
// to the next voice.
func (t tier) wholeRows(o, base, p, st reg.GPVirtual, off, adv reg.VecVirtual, cubic bool) {
	qa := t.vec()
	VPBROADCASTQ(p, qa)
	VPADDQ(off, qa, qa)
	w := GP64()
	for q := range 4 {
		qb := t.vec()
		VPADDQ(adv, qa, qb)
		j, f := t.splitPositions(qa, qb)
		frac := t.fraction(f)
		// The window: 32 frames from the frame before the row's first.
		MOVQ(p, w)
		SHRQ(U8(32), w)
		lo, hi := ZMM(), ZMM()
		VMOVUPS(Mem{Base: base, Index: w, Scale: 4, Disp: -4}, lo)
		VMOVUPS(Mem{Base: base, Index: w, Scale: 4, Disp: 60}, hi)
		x := t.windowPoints(j, lo, hi, cubic)
		t.store(t.interpolate(x, frac, cubic), Mem{Base: o, Disp: 64 * q})
		if q < 3 {
			next := t.vec()
			VPADDQ(adv, qb, next)
			qa = next
			ADDQ(st, p)
		}
	}
	JMP(LabelRef("next"))
}

// prefetchAhead is how many voices ahead prefetchVoice looks, and
// prefetchLines how many cache lines it asks for: a block's 64 samples
// reach 64·step + 3 frames, 5 lines at steps up to 1.2.
const prefetchAhead, prefetchLines = 4, 5

// prefetchVoice asks for the frames voice v+prefetchAhead's first row
// starts at, if there is such a voice. A voice reads its own part of a
// large sample pool, which a block later has left the cache: with many
// voices the kernel would otherwise wait on each voice's first points.
// A prefetch never faults, so positions outside the source are harmless.
func prefetchVoice(v, n, src, pos reg.GPVirtual) {
	u := GP64()
	LEAQ(Mem{Base: v, Disp: prefetchAhead}, u)
	CMPQ(u, n)
	JGE(LabelRef("prefetched"))
	SHLQ(U8(2), u) // its first row, 4u
	frame := GP64()
	MOVL(Mem{Base: pos, Index: u, Scale: 8, Disp: 4}, frame.As32())
	MOVLQSX(frame.As32(), frame)
	LEAQ(Mem{Base: u, Index: u, Scale: 2}, u)
	SHLQ(U8(3), u) // 24 bytes per slice header
	ADDQ(src, u)
	MOVQ(Mem{Base: u}, u)
	LEAQ(Mem{Base: u, Index: frame, Scale: 4, Disp: -4}, u)
	for k := range prefetchLines {
		PREFETCHT0(Mem{Base: u, Disp: 64 * k})
	}
	Label("prefetched")
}

// sampleRows emits the loop over voice v's four rows.
func (t tier) sampleRows(v, dst, src, pos, window reg.GPVirtual, off, adv Op, cubic bool) {
	kind := map[bool]string{true: "cubic", false: "linear"}[cubic]
	r := GP64() // the row, 4v..4v+3
	MOVQ(v, r)
	SHLQ(U8(2), r)
	o := GP64() // the row's first sample in dst
	MOVQ(v, o)
	SHLQ(U8(8), o)
	ADDQ(dst, o)
	Label("row" + kind)

	// The row's source: its base and its length.
	h := GP64()
	LEAQ(Mem{Base: r, Index: r, Scale: 2}, h)
	SHLQ(U8(3), h) // 24 bytes per slice header
	ADDQ(src, h)
	base, length := GP64(), GP64()
	MOVQ(Mem{Base: h}, base)
	MOVQ(Mem{Base: h, Disp: 8}, length)
	checkSource(length)

	// A part is one vector of output lanes: AVX2 takes two per row. qa
	// holds the positions of its first half of lanes, qb of the second;
	// the next part's first half follows qb by adv.
	qa := t.vec()
	VPBROADCASTQ(Mem{Base: pos, Index: r, Scale: 8}, qa)
	VPADDQ(off, qa, qa)
	for part := 0; part < 16/t.w; part++ {
		qb := t.vec()
		VPADDQ(adv, qa, qb)
		next := qa
		if part+1 < 16/t.w {
			next = t.vec()
			VPADDQ(adv, qb, next)
		}
		j, f := t.splitPositions(qa, qb)
		frac := t.fraction(f)
		x := [4]reg.VecVirtual{t.vec(), t.vec(), t.vec(), t.vec()}
		points := pointsOf(cubic)
		if t.z {
			t.windowOrGather(kind, r, pos, base, length, window, j, x, points)
		} else {
			t.gatherPoints(base, length, j, x, points)
		}
		t.store(t.interpolate(x, frac, cubic), Mem{Base: o, Disp: 4 * t.w * part})
		qa = next
	}
	INCQ(r)
	ADDQ(U8(64), o)
	TESTQ(U32(3), r)
	JNZ(LabelRef("row" + kind))
}

// windowOrGather fetches an AVX-512 row's points (x[k] is the frame at
// j+k-1 for k in points) from its window when the voice's step allows and
// the window lies inside the source, by gathers otherwise.
func (t tier) windowOrGather(kind string, r, pos, base, length, window reg.GPVirtual, j reg.VecVirtual, x [4]reg.VecVirtual, points []int) {
	gather, done := "gather"+kind, "points"+kind
	TESTQ(window, window)
	JZ(LabelRef(gather))
	// w0 is the frame before the row's first position: a signed 32-bit
	// index as the lanes have it, widened, so that 0 <= w0 and
	// w0+32 <= len(source) compare in 64 bits without overflow.
	w0 := GP64()
	MOVL(Mem{Base: pos, Index: r, Scale: 8, Disp: 4}, w0.As32())
	MOVLQSX(w0.As32(), w0)
	DECQ(w0)
	JS(LabelRef(gather))
	end := GP64()
	LEAQ(Mem{Base: w0, Disp: 32}, end)
	CMPQ(end, length)
	JG(LabelRef(gather))
	lo, hi := ZMM(), ZMM()
	VMOVUPS(Mem{Base: base, Index: w0, Scale: 4}, lo)
	VMOVUPS(Mem{Base: base, Index: w0, Scale: 4, Disp: 64}, hi)
	t.pickPoints(j, lo, hi, x, points)
	JMP(LabelRef(done))
	Label(gather)
	t.gatherPoints(base, length, j, x, points)
	Label(done)
}

// pickPoints sets x[k], for k in points, to the frames at j+k-1 from the
// window lo, hi: 32 frames from the frame before j's first lane.
func (t tier) pickPoints(j, lo, hi reg.VecVirtual, x [4]reg.VecVirtual, points []int) {
	// rel is each lane's first point (j-1) in the window: j - (w0+1),
	// where w0+1 is j's first lane.
	rel := t.vec()
	VPBROADCASTD(j.AsX(), rel)
	VPSUBD(rel, j, rel)
	for _, k := range points {
		if k == 0 {
			VMOVDQA32(rel, x[k])
		} else {
			VPADDD(t.constant(uint32(k)), rel, x[k])
		}
		VPERMI2PS(hi, lo, x[k])
	}
}

// windowPoints returns a row's points picked from its window lo, hi
// (pickPoints).
func (t tier) windowPoints(j, lo, hi reg.VecVirtual, cubic bool) [4]reg.VecVirtual {
	x := [4]reg.VecVirtual{t.vec(), t.vec(), t.vec(), t.vec()}
	t.pickPoints(j, lo, hi, x, pointsOf(cubic))
	return x
}

// pointsOf returns which of x0..x3 an interpolation reads.
func pointsOf(cubic bool) []int {
	if cubic {
		return []int{0, 1, 2, 3}
	}
	return []int{1, 2}
}

// fraction returns the fractions f (the positions' low halves) at their
// top 8 bits, as floats.
func (t tier) fraction(f reg.VecVirtual) reg.VecVirtual {
	frac := t.vec()
	VPSRLD(U8(24), f, frac)
	t.cvt(frac, frac)
	t.mul(frac, t.constant(0x3b800000), frac) // 2^-8
	return frac
}

// interpolate returns the row's samples from its points x at fractions
// frac.
func (t tier) interpolate(x [4]reg.VecVirtual, frac reg.VecVirtual, cubic bool) reg.VecVirtual {
	if cubic {
		return t.catmullRom(x[0], x[1], x[2], x[3], frac)
	}
	y := t.vec()
	t.sub(x[2], x[1], y)
	t.mul(frac, y, y)
	t.add(x[1], y, y)
	return y
}

// gatherPoints gathers x[k], the frames at j+k-1 clamped to the source,
// for k in points.
func (t tier) gatherPoints(base, length reg.GPVirtual, j reg.VecVirtual, x [4]reg.VecVirtual, points []int) {
	last := GP32()
	MOVL(length.As32(), last)
	DECL(last)
	lastv := t.bcastI(last)
	for _, k := range points {
		c := t.vec()
		if k == 1 {
			VPMAXSD(t.constant(0), j, c)
		} else {
			VPADDD(t.constant(uint32(int32(k-1))), j, c)
			VPMAXSD(t.constant(0), c, c)
		}
		VPMINSD(lastv, c, c)
		// A gather merges into its destination, which is then an
		// input: zeroing it ends that dependency (and, for the register
		// allocator, the register's life before the gather).
		if t.z {
			VPXORD(x[k], x[k], x[k])
			m := K()
			KXNORW(m, m, m) // all lanes; the gather clears the mask as it goes
			VGATHERDPS(Mem{Base: base, Index: c, Scale: 4}, m, x[k])
			continue
		}
		VXORPS(x[k], x[k], x[k])
		mask := t.vec()
		VPCMPEQD(mask, mask, mask)
		VGATHERDPS(mask, Mem{Base: base, Index: c, Scale: 4}, x[k])
	}
}

// splitPositions returns the high and the low halves of the 64-bit lanes
// of qa and then qb, in lane order: the frame indexes and the fractions.
func (t tier) splitPositions(qa, qb reg.VecVirtual) (hi, lo reg.VecVirtual) {
	hi, lo = t.vec(), t.vec()
	if t.z {
		VMOVUPS(oddLanes, hi)
		VPERMI2D(qb, qa, hi)
		VMOVUPS(evenLanes, lo)
		VPERMI2D(qb, qa, lo)
		return hi, lo
	}
	// Within each 128-bit half: qa's two, then qb's two; VPERMPD then puts
	// the 64-bit quarters in lane order.
	VSHUFPS(U8(0xdd), qb, qa, hi)
	VPERMPD(U8(0xd8), hi, hi)
	VSHUFPS(U8(0x88), qb, qa, lo)
	VPERMPD(U8(0xd8), lo, lo)
	return hi, lo
}

// catmullRom returns x1 + (t/2)·(c + t·((t-1)·a - m)) with the d, a, c, m
// of sampleRow, in its order.
func (t tier) catmullRom(x0, x1, x2, x3, frac reg.VecVirtual) reg.VecVirtual {
	d, a, e := t.vec(), t.vec(), t.vec()
	t.sub(x1, x2, d) // d = x1 - x2
	t.sub(x3, x0, a) // x3 - x0
	t.mul(d, t.constant(float32bits(3)), e)
	t.add(a, e, a) // a
	c := t.vec()
	t.sub(x2, x0, c)
	t.add(d, d, d) // 2d
	t.add(c, d, d) // m
	u := t.vec()
	t.sub(frac, t.constant(float32bits(1)), u) // t - 1
	t.mul(u, a, u)
	t.sub(u, d, u) // (t-1)·a - m
	t.mul(frac, u, u)
	t.add(c, u, u) // w
	h := t.vec()
	t.mul(frac, t.constant(float32bits(0.5)), h)
	t.mul(h, u, u)
	t.add(x1, u, u)
	return u
}
