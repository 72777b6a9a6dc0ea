// Command _gen writes mix_amd64.s and mix_stubs_amd64.go with avo:
//
//	cd mix/_gen && go run .
//
// With no arguments it runs as if given the ones mix needs,
// "-out ../mix_amd64.s -stubs ../mix_stubs_amd64.go -pkg mix", so the
// generated header (which records them) is the same either way.
//
// It lives in its own module so avo never becomes a dependency of the
// library. Every kernel is emitted three times, for SSE2 (4 lanes), AVX2 (8
// lanes) and AVX-512F (16 lanes), from one description written against the
// small vector ISA in isa.go. Each kernel handles only whole vectors; the Go
// wrappers in mix_amd64.go finish the tail with the generic twin, so the
// assembly never needs a scalar or masked tail loop.
//
// Element-wise kernels and the oscillators do exactly the operations of
// their generic twin, in the same order and never fused, so they are
// bit-exact with it.
package main

import (
	"fmt"
	"os"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// unroll is how many vectors the streaming kernels handle per loop
// iteration: four independent chains hide the 3-cycle add latency of Zen 4
// and a 64-sample block is then one iteration on AVX-512, two on AVX2.
const unroll = 4

// defaultArgs are the flags that write the files of package mix.
var defaultArgs = []string{"-out", "../mix_amd64.s", "-stubs", "../mix_stubs_amd64.go", "-pkg", "mix"}

func main() {
	if len(os.Args) == 1 {
		os.Args = append(os.Args, defaultArgs...)
	}
	ConstraintExpr("gc,!purego,!noasm")
	makeConstants()
	for _, t := range []tier{sse2, avx2, avx512} {
		addScaled(t)
		addRamp(t)
		panAddRamp(t)
		add(t)
		scale(t)
		peak(t)
		sumSquares(t)
		interleave(t)
		sine(t)
		sineVoices(t)
		svfVoices(t)
		if t.z { // the bus and the ramps' indexes take 12 of the 16 registers of the narrower tiers
			panAddRampVoices(t)
		}
		if t.vex { // SSE2 has no gather: Wavetable and SampleVoices stay generic there
			wavetable(t)
			sampleVoices(t)
		}
	}
	Generate()
}

func addScaled(t tier) {
	t.text("addScaled", "func(dst, src []float32, gain float32)",
		"dst[i] += gain*src[i] for whole vectors of dst.")
	dst, n := sliceParam("dst")
	src := basePtr("src")
	g := t.floatParam("gain")
	t.forEach(n, unroll, func(i reg.GPVirtual, d, _ int) {
		s, x := t.vec(), t.vec()
		t.mul(g, t.operand(at(src, i, d)), s)
		t.add(s, t.operand(at(dst, i, d)), x)
		t.store(x, at(dst, i, d))
	})
	t.ret()
}

func addRamp(t tier) {
	t.text("addRamp", "func(dst, src []float32, g0, step float32)",
		"dst[i] += (g0 + i*step)*src[i] for whole vectors of dst, i from 0.")
	dst, n := sliceParam("dst")
	src := basePtr("src")
	g0 := t.floatParam("g0")
	step := t.floatParam("step")
	idx := t.load(lanesF)
	w := t.load(consts[float32bits(float32(t.w))])
	t.forEach(n, 1, func(i reg.GPVirtual, d, _ int) {
		g := t.vec()
		t.mul(idx, step, g)
		t.add(g, g0, g)
		s, x := t.vec(), t.vec()
		t.mul(g, t.operand(at(src, i, d)), s)
		t.add(s, t.operand(at(dst, i, d)), x)
		t.store(x, at(dst, i, d))
		t.add(idx, w, idx)
	})
	t.ret()
}

func panAddRamp(t tier) {
	t.text("panAddRamp", "func(left, right, src []float32, l0, lstep, r0, rstep float32)",
		"left[i] += (l0 + i*lstep)*src[i] and right[i] += (r0 + i*rstep)*src[i] for whole vectors.")
	left, n := sliceParam("left")
	right := basePtr("right")
	src := basePtr("src")
	l0 := t.floatParam("l0")
	lstep := t.floatParam("lstep")
	r0 := t.floatParam("r0")
	rstep := t.floatParam("rstep")
	idx := t.load(lanesF)
	w := t.load(consts[float32bits(float32(t.w))])
	t.forEach(n, 1, func(i reg.GPVirtual, d, _ int) {
		s := t.load(at(src, i, d))
		for _, ch := range []struct {
			p        reg.GPVirtual
			g0, step reg.VecVirtual
		}{{left, l0, lstep}, {right, r0, rstep}} {
			g := t.vec()
			t.mul(idx, ch.step, g)
			t.add(g, ch.g0, g)
			t.mul(g, s, g)
			x := t.vec()
			t.add(g, t.operand(at(ch.p, i, d)), x)
			t.store(x, at(ch.p, i, d))
		}
		t.add(idx, w, idx)
	})
	t.ret()
}

// panAddRampVoices is panAddRamp for many mono voices of 64 samples, one
// after the other, with the bus (both channels of the block) in registers
// across them: each voice's samples and its two ramps are computed as
// panAddRamp computes them, from the steps rampStep gives a 64-sample
// block ((g1 - g0) / 64, exact), so the bits are those of one panAddRamp
// call per voice.
func panAddRampVoices(t tier) {
	t.text("panAddRampVoices", "func(left, right *[64]float32, src [][64]float32, lane []int32, g [][4]float32)",
		"the loop of panAddRampVoicesGeneric for len(lane) voices.")
	left := loadGP(Param("left"), GP64())
	right := loadGP(Param("right"), GP64())
	src := basePtr("src")
	lane, n := sliceParam("lane")
	g := basePtr("g")
	const vecs = 64 / 16
	bus := make([]reg.VecVirtual, 2*vecs) // left vectors, then right
	for j := range bus {
		base := left
		if j >= vecs {
			base = right
		}
		bus[j] = t.load(Mem{Base: base, Disp: (j % vecs) * 64})
	}
	// idx[j] holds the sample indexes of vector j as floats.
	idx := make([]reg.VecVirtual, vecs)
	idx[0] = t.load(lanesF)
	for j := 1; j < vecs; j++ {
		idx[j] = t.vec()
		t.add(idx[j-1], t.constant(float32bits(16)), idx[j])
	}
	inv := t.load(consts[float32bits(1.0/64)])
	v := GP64()
	XORQ(v, v)
	Label("voice")
	CMPQ(v, n)
	JGE(LabelRef("done"))
	x := GP64() // the voice's samples: src + 256·lane[v]
	MOVLQSX(Mem{Base: lane, Index: v, Scale: 4}, x)
	SHLQ(U8(8), x)
	ADDQ(src, x)
	gv := GP64() // its gains, g[v]
	MOVQ(v, gv)
	SHLQ(U8(4), gv)
	ADDQ(g, gv)
	var g0, step [2]reg.VecVirtual // left, right
	for c := range 2 {
		g0[c] = t.bcastMem(Mem{Base: gv, Disp: 8 * c})
		g1 := t.bcastMem(Mem{Base: gv, Disp: 8*c + 4})
		step[c] = t.vec()
		t.sub(g1, g0[c], step[c])
		t.mul(step[c], inv, step[c])
	}
	for j := range vecs {
		s := t.load(Mem{Base: x, Disp: 64 * j})
		for c := range 2 {
			r := t.vec()
			t.mul(idx[j], step[c], r)
			t.add(r, g0[c], r)
			t.mul(r, s, r)
			t.add(bus[c*vecs+j], r, bus[c*vecs+j])
		}
	}
	INCQ(v)
	JMP(LabelRef("voice"))
	Label("done")
	for j := range bus {
		base := left
		if j >= vecs {
			base = right
		}
		t.store(bus[j], Mem{Base: base, Disp: (j % vecs) * 64})
	}
	t.ret()
}

func add(t tier) {
	t.text("add", "func(dst, src []float32)", "dst[i] += src[i] for whole vectors of dst.")
	dst, n := sliceParam("dst")
	src := basePtr("src")
	t.forEach(n, unroll, func(i reg.GPVirtual, d, _ int) {
		x := t.load(at(dst, i, d))
		t.add(x, t.operand(at(src, i, d)), x)
		t.store(x, at(dst, i, d))
	})
	t.ret()
}

func scale(t tier) {
	t.text("scale", "func(dst []float32, gain float32)", "dst[i] *= gain for whole vectors of dst.")
	dst, n := sliceParam("dst")
	g := t.floatParam("gain")
	t.forEach(n, unroll, func(i reg.GPVirtual, d, _ int) {
		x := t.vec()
		t.mul(g, t.operand(at(dst, i, d)), x)
		t.store(x, at(dst, i, d))
	})
	t.ret()
}

// peak takes the maximum of |x| as signed integers: for non-negative floats
// the integer order is the float order, and every NaN (exponent all ones,
// mantissa non-zero) sorts above +Inf, so a NaN anywhere shows in the result
// without a separate unordered compare.
func peak(t tier) {
	t.text("peak", "func(x []float32) float32",
		"the largest |x[i]| over whole vectors of x, as integer bits: any NaN gives a NaN.")
	x, n := sliceParam("x")
	abs := t.load(consts[0x7fffffff])
	acc := make([]reg.VecVirtual, unroll)
	for j := range acc {
		acc[j] = t.zero()
	}
	t.forEach(n, unroll, func(i reg.GPVirtual, d, j int) {
		v := t.load(at(x, i, d))
		t.and(v, abs, v)
		t.imax(acc[j], v, acc[j])
	})
	for j := 1; j < unroll; j++ {
		t.imax(acc[0], acc[j], acc[0])
	}
	t.storeFloatResult(t.reduce(acc[0], t.imax))
	t.ret()
}

func sumSquares(t tier) {
	t.text("sumSquares", "func(x []float32) float32",
		"the sum of x[i]*x[i] over whole vectors of x, in unroll*lanes partial sums.")
	x, n := sliceParam("x")
	acc := make([]reg.VecVirtual, unroll)
	for j := range acc {
		acc[j] = t.zero()
	}
	t.forEach(n, unroll, func(i reg.GPVirtual, d, j int) {
		v := t.load(at(x, i, d))
		t.mul(v, v, v)
		t.add(acc[j], v, acc[j])
	})
	for j := 1; j < unroll; j++ {
		t.add(acc[0], acc[j], acc[0])
	}
	t.storeFloatResult(t.reduce(acc[0], t.add))
	t.ret()
}

func interleave(t tier) {
	t.text("interleave", "func(dst, left, right []float32)",
		"dst[2i], dst[2i+1] = left[i], right[i] for whole vectors of left.")
	dst := basePtr("dst")
	left, n := sliceParam("left")
	right := basePtr("right")
	t.forEach(n, unroll, func(i reg.GPVirtual, d, _ int) {
		l := t.load(at(left, i, d))
		r := t.load(at(right, i, d))
		lo, hi := t.zip(l, r)
		out := Mem{Base: dst, Index: i, Scale: 2, Disp: 2 * d}
		t.store(lo, out)
		t.store(hi, out.Offset(4*t.w))
	})
	t.ret()
}

// Sine follows sinCycle in osc_generic.go operation for operation.
func sine(t tier) {
	t.text("sine", "func(dst []float32, phase, inc uint32)",
		"dst[i] = sinCycle(float32(int32(phase+i*inc)) / 2^32) for whole vectors of dst.")
	dst, n := sliceParam("dst")
	ph, step := t.phases()
	t.hoist(sineCoefficients()...)
	c := t.sineConstants()
	t.forEach(n, 1, func(i reg.GPVirtual, d, _ int) {
		p := t.sinOf(ph, c)
		t.store(p, at(dst, i, d))
		t.paddd(ph, step, ph)
	})
	t.ret()
}

// sineVoicesVectors is how many vectors of each channel SineVoices keeps in
// registers while it runs every voice over them: the whole 64-sample block
// on AVX-512 (4+4 of its 32 registers), a quarter on AVX2 and an eighth on
// SSE2, whose 16 registers must also hold the constants and the voice.
var sineVoicesVectors = map[int]int{4: 2, 8: 2, 16: 4}

// SineVoices follows sineVoicesGeneric: the block is cut into passes of
// sineVoicesVectors vectors per channel; each pass loads that part of the
// bus into registers, adds every voice into it in slice order (computing
// the voice's sine there, from its phase advanced to the pass's first
// sample) and stores it back. The last pass writes the advanced phases.
func sineVoices(t tier) {
	t.text("sineVoices", "func(left, right *[64]float32, phases, incs []uint32, gl, gr []float32)",
		"the loop of sineVoicesGeneric for len(phases) voices.")
	left := loadGP(Param("left"), GP64())
	right := loadGP(Param("right"), GP64())
	phases, n := sliceParam("phases")
	incs, gl, gr := basePtr("incs"), basePtr("gl"), basePtr("gr")
	t.hoist(sineCoefficients()...)
	c := t.sineConstants()
	vecs := sineVoicesVectors[t.w]
	passes := 64 / (vecs * t.w)
	for k := range passes {
		bus := make([]reg.VecVirtual, 2*vecs) // left vectors, then right
		for j := range bus {
			base := left
			if j >= vecs {
				base = right
			}
			bus[j] = t.load(Mem{Base: base, Disp: (k*vecs + j%vecs) * 4 * t.w})
		}
		v := GP64()
		XORQ(v, v)
		loop, done := fmt.Sprintf("voices%d", k), fmt.Sprintf("pass%d", k)
		Label(loop)
		CMPQ(v, n)
		JGE(LabelRef(done))
		phase, inc := GP32(), GP32()
		MOVL(Mem{Base: phases, Index: v, Scale: 4}, phase)
		MOVL(Mem{Base: incs, Index: v, Scale: 4}, inc)
		p := phase
		if off := k * vecs * t.w; off > 0 { // the phase of the pass's first sample
			p = GP32()
			IMUL3L(U32(off), inc, p)
			ADDL(phase, p)
		}
		var ph, step reg.VecVirtual
		if t.z { // one pass, from memory: no moves from general registers
			ph, step = t.phaseVectorsMem(Mem{Base: phases, Index: v, Scale: 4}, Mem{Base: incs, Index: v, Scale: 4})
		} else {
			ph, step = t.phaseVectors(p, inc)
		}
		l := t.bcastMem(Mem{Base: gl, Index: v, Scale: 4})
		r := t.bcastMem(Mem{Base: gr, Index: v, Scale: 4})
		for j := range vecs {
			s := t.sinOf(ph, c)
			g := t.vec()
			t.mul(l, s, g)
			t.add(bus[j], g, bus[j])
			t.mul(s, r, s)
			t.add(bus[vecs+j], s, bus[vecs+j])
			if j < vecs-1 {
				t.paddd(ph, step, ph)
			}
		}
		if k == passes-1 { // phases[v] += 64*inc
			SHLL(U8(6), inc)
			ADDL(phase, inc)
			MOVL(inc, Mem{Base: phases, Index: v, Scale: 4})
		}
		INCQ(v)
		JMP(LabelRef(loop))
		Label(done)
		for j := range bus {
			base := left
			if j >= vecs {
				base = right
			}
			t.store(bus[j], Mem{Base: base, Disp: (k*vecs + j%vecs) * 4 * t.w})
		}
	}
	t.ret()
}

// sineConsts are the vectors sinOf needs besides the coefficients.
type sineConsts struct{ scale, abs, quarter, half reg.VecVirtual }

func (t tier) sineConstants() sineConsts {
	return sineConsts{
		scale:   t.load(consts[0x2f800000]), // 2^-32
		abs:     t.load(consts[0x7fffffff]),
		quarter: t.load(consts[float32bits(0.25)]),
		half:    t.load(consts[float32bits(0.5)]),
	}
}

// sinOf returns sinCycle(float32(int32(ph)) / 2^32) lane by lane.
func (t tier) sinOf(ph reg.VecVirtual, c sineConsts) reg.VecVirtual {
	x := t.vec()
	t.cvt(ph, x)
	t.mul(x, c.scale, x)
	// Fold into [-0.25, 0.25]: x = ±0.5 - x where |x| > 0.25.
	t.fold(x, c.abs, c.quarter, c.half)
	x2 := t.vec()
	t.mul(x, x, x2)
	p := t.vec()
	cs := sineCoefficients()
	t.mul(x2, t.constant(cs[0]), p)
	for _, b := range cs[1:] {
		t.add(p, t.constant(b), p)
		if b != cs[len(cs)-1] {
			t.mul(p, x2, p)
		}
	}
	t.mul(p, x, p)
	return p
}

// fold emits x = copysign(0.5, x) - x where |x| > quarter, with abs the
// mask of all bits but the sign and half the vector of 0.5.
func (t tier) fold(x, abs, quarter, half reg.VecVirtual) {
	a, h := t.vec(), t.vec()
	t.and(x, abs, a)
	if t.z { // one ternary-logic op and a masked subtract instead of four
		k := K()
		VCMPPS(U8(1), a, quarter, k) // quarter < |x|
		VMOVUPS(x, h)
		VPTERNLOGD(U8(0xba), half, abs, h) // h = (x &^ abs) | half
		VSUBPS(x, h, k, x)
		return
	}
	t.andn(abs, x, h) // the sign of x
	t.or(h, half, h)
	t.sub(h, x, h)
	t.selectGreater(a, quarter, h, x)
}

// Wavetable follows wavetableGeneric operation for operation. Each lane's
// sample and slope sit side by side in the table, so one 8-byte gather per
// lane fetches both (an element of a gather costs about a cycle on Zen 4
// whatever its width: half as many elements as gathering samples and next
// samples apart), and two permutes split the pairs into samples and slopes.
func wavetable(t tier) {
	t.text("wavetable", "func(dst []float32, pairs [][2]float32, k, phase, inc uint32)",
		"dst[n] = y[i] + frac*d[i] for whole vectors of dst, with i and frac from the phase and the pairs (y[i], d[i]) of a Table, as in wavetableGeneric.")
	dst, n := sliceParam("dst")
	pairs := basePtr("pairs")
	kr := loadGP(Param("k"), GP32())
	kx := XMM()
	VMOVD(kr, kx)
	shift := GP32()
	MOVL(U32(32), shift)
	SUBL(kr, shift)
	sx := XMM()
	VMOVD(shift, sx)
	ph, step := t.phases()
	scale := t.load(consts[0x33800000]) // 2^-24
	var even, odd reg.VecVirtual
	if t.z {
		even, odd = t.load(evenLanes), t.load(oddLanes)
	}
	t.forEach(n, 1, func(i reg.GPVirtual, d, _ int) {
		idx := t.vec()
		VPSRLD(sx, ph, idx)
		f := t.vec()
		VPSLLD(kx, ph, f)
		VPSRLD(U8(8), f, f)
		t.cvt(f, f)
		t.mul(f, scale, f)
		y, slope := t.gatherPairs(pairs, idx, even, odd)
		t.mul(slope, f, slope)
		t.add(y, slope, y)
		t.store(y, at(dst, i, d))
		t.paddd(ph, step, ph)
	})
	t.ret()
}

// gatherPairs loads the 8-byte pairs at base + 8*idx[j] for each lane j
// and returns their first and second floats as two vectors, in lane
// order. even and odd are the AVX-512 permutations that pick them.
func (t tier) gatherPairs(base reg.GPVirtual, idx, even, odd reg.VecVirtual) (first, second reg.VecVirtual) {
	if t.z {
		hi := YMM()
		VEXTRACTI64X4(U8(1), idx, hi)
		g := [2]reg.VecVirtual{ZMM(), ZMM()}
		for j, ix := range []reg.Register{idx.AsY(), hi} {
			k := K()
			KXNORB(k, k, k) // all eight lanes; the gather clears the mask
			VPGATHERDQ(Mem{Base: base, Index: ix, Scale: 8}, k, g[j])
		}
		first, second = ZMM(), ZMM()
		VMOVUPS(even, first)
		VPERMI2PS(g[1], g[0], first)
		VMOVUPS(odd, second)
		VPERMI2PS(g[1], g[0], second)
		return first, second
	}
	hi := XMM()
	VEXTRACTI128(U8(1), idx, hi)
	g := [2]reg.VecVirtual{YMM(), YMM()}
	for j, ix := range []reg.Register{idx.AsX(), hi} {
		mask := YMM()
		VPCMPEQD(mask, mask, mask)
		VPGATHERDQ(mask, Mem{Base: base, Index: ix, Scale: 8}, g[j])
	}
	// Within each 128-bit half: g0's two pairs, then g1's; VPERMPD then
	// puts the 64-bit quarters in lane order.
	first, second = YMM(), YMM()
	VSHUFPS(U8(0x88), g[1], g[0], first)
	VPERMPD(U8(0xd8), first, first)
	VSHUFPS(U8(0xdd), g[1], g[0], second)
	VPERMPD(U8(0xd8), second, second)
	return first, second
}

// SVFVoices follows svfTick in svf_generic.go operation for operation, one
// voice per lane: each group of w voices keeps its state and coefficients
// in registers while it walks the block; AVX-512 first takes pairs of
// groups (svfPair). The recursion is serial per
// voice, so the lanes are what runs in parallel. AVX-512 transposes 16x16
// tiles (16 voices by 16 samples) in registers, as its gathers and
// scatters cost more than the filter; AVX2 gathers each sample's column of
// voices (64 floats apart) and stores it lane by lane, SSE2 loads and
// stores it lane by lane.
func svfVoices(t tier) {
	t.text("svfVoices", "func(x [][64]float32, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32)",
		"the loop of svfVoicesGeneric for whole vectors of voices.")
	x, n := sliceParam("x")
	ic1, ic2 := basePtr("ic1"), basePtr("ic2")
	coef := []reg.GPVirtual{basePtr("a1"), basePtr("a2"), basePtr("a3"), basePtr("m0"), basePtr("m1"), basePtr("m2")}
	v := GP64() // the group's first voice
	XORQ(v, v)
	if t.z {
		Label("pair")
		u := GP64()
		LEAQ(Mem{Base: v, Disp: 2 * t.w}, u)
		CMPQ(u, n)
		JGT(LabelRef("group"))
		t.svfPair(x, v, ic1, ic2, coef)
		ADDQ(U8(2*t.w), v)
		JMP(LabelRef("pair"))
	}
	Label("group")
	CMPQ(v, n)
	JGE(LabelRef("done"))
	lane := func(base reg.GPVirtual) Mem { return Mem{Base: base, Index: v, Scale: 4} }
	f := svfRegs{s1: t.load(lane(ic1)), s2: t.load(lane(ic2))}
	for j, c := range t.svfCoefficients(coef, lane) {
		f.c[j] = c
	}
	p := GP64() // sample i of the group's first voice
	MOVQ(v, p)
	SHLQ(U8(8), p)
	ADDQ(x, p)
	i := GP64()
	if t.z {
		MOVQ(U32(4), i) // tiles of 16 samples
		Label("tile")
		tile := make([]reg.VecVirtual, 16)
		for j := range tile {
			tile[j] = t.load(Mem{Base: p, Disp: 256 * j})
		}
		tile = transpose16(tile)
		for j, c := range tile {
			tile[j] = t.svfStep(c, f)
		}
		tile = transpose16(tile)
		for j := range tile {
			t.store(tile[j], Mem{Base: p, Disp: 256 * j})
		}
		ADDQ(U8(64), p)
		DECQ(i)
		JNZ(LabelRef("tile"))
	} else {
		MOVQ(U32(64), i)
		Label("sample")
		t.storeColumn(t.svfStep(t.column(p), f), p)
		ADDQ(U8(4), p)
		DECQ(i)
		JNZ(LabelRef("sample"))
	}
	t.store(f.s1, lane(ic1))
	t.store(f.s2, lane(ic2))
	ADDQ(U8(t.w), v)
	JMP(LabelRef("group"))
	Label("done")
	t.ret()
}

// svfCoefficients loads a group's coefficients (at(b) is its first
// voice's in array b) and scales them as svfScaled does.
func (t tier) svfCoefficients(coef []reg.GPVirtual, at func(reg.GPVirtual) Mem) [6]reg.VecVirtual {
	var c [6]reg.VecVirtual
	for j, b := range coef {
		c[j] = t.load(at(b))
	}
	for _, j := range []int{0, 1, 2} { // 2·a1, 2·a2, 2·a3
		t.add(c[j], c[j], c[j])
	}
	for _, j := range []int{4, 5} { // m1/2, m2/2
		t.mul(c[j], t.constant(float32bits(0.5)), c[j])
	}
	return c
}

// svfPair filters AVX-512 voices v..v+31 as two groups of 16 whose
// recursions interleave: one group's chain from sample to sample is bound
// by the latency of its operations, and the other's fills the wait. Both
// groups' tiles would need more than 32 registers, so each tile is stored
// back transposed where it was read (sample j of the 16 voices in voice
// j's row), filtered there and transposed back; the output mix's
// coefficients are read from memory (m0 from its array, m1/2 and m2/2
// from a stack scratch).
func (t tier) svfPair(x, v, ic1, ic2 reg.GPVirtual, coef []reg.GPVirtual) {
	scratch := AllocLocal(4*64 + 64)
	s := GP64() // the scratch's first 64-byte boundary
	LEAQ(scratch, s)
	ADDQ(U8(63), s)
	ANDQ(I8(-64), s)
	var f [2]svfRegs
	at := func(g int) func(reg.GPVirtual) Mem {
		return func(b reg.GPVirtual) Mem { return Mem{Base: b, Index: v, Scale: 4, Disp: 64 * g} }
	}
	for g := range f {
		f[g].s1, f[g].s2 = t.load(at(g)(ic1)), t.load(at(g)(ic2))
		for k, c := range t.svfCoefficients(coef, at(g)) {
			switch k {
			case 3:
				f[g].c[k] = at(g)(coef[k])
			case 4, 5:
				m := Mem{Base: s, Disp: 64 * (2*g + k - 4)}
				t.store(c, m)
				f[g].c[k] = m
			default:
				f[g].c[k] = c
			}
		}
	}
	p := GP64() // sample i of voice v
	MOVQ(v, p)
	SHLQ(U8(8), p)
	ADDQ(x, p)
	row := func(g, j int) Mem { return Mem{Base: p, Disp: 16*256*g + 256*j} }
	transposeTile := func(g int) {
		tile := make([]reg.VecVirtual, 16)
		for j := range tile {
			tile[j] = t.load(row(g, j))
		}
		for j, r := range transpose16(tile) {
			t.store(r, row(g, j))
		}
	}
	i := GP64()
	MOVQ(U32(4), i) // tiles of 16 samples
	Label("pairtile")
	transposeTile(0)
	transposeTile(1)
	for j := range 16 {
		for g := range f {
			t.store(t.svfStep(t.load(row(g, j)), f[g]), row(g, j))
		}
	}
	transposeTile(0)
	transposeTile(1)
	ADDQ(U8(64), p)
	DECQ(i)
	JNZ(LabelRef("pairtile"))
	for g := range f {
		t.store(f[g].s1, at(g)(ic1))
		t.store(f[g].s2, at(g)(ic2))
	}
}

// svfRegs are a group's filter states, in registers, and its svfScaled
// coefficients 2·a1, 2·a2, 2·a3, m0, m1/2, m2/2, each in a register or,
// where registers run short, in memory.
type svfRegs struct {
	s1, s2 reg.VecVirtual
	c      [6]Op
}

// svfStep advances the filters in f by one sample, the inputs in x, and
// returns the outputs in a new register: an AVX2 gather merges into its
// destination, so reusing x would chain each gather to the last sample.
// Each coefficient is a multiply's second operand, the one that may be in
// memory.
func (t tier) svfStep(x reg.VecVirtual, f svfRegs) reg.VecVirtual {
	c := f.c
	// What waits only on the last sample's states comes first, so it
	// overlaps the chain through this sample's input.
	t1, p, t2 := t.vec(), t.vec(), t.vec()
	t.mul(f.s1, c[0], t1) // 2a1*ic1
	t.add(f.s2, f.s2, t2) // (ic2 + ic2) + 2a2*ic1
	t.mul(f.s1, c[1], p)
	t.add(t2, p, t2)
	v3 := t.vec()
	t.sub(x, f.s2, v3) // v3 = v0 - ic2
	t.mul(v3, c[1], p) // t1 = 2a1*ic1 + 2a2*v3
	t.add(t1, p, t1)
	t.mul(v3, c[2], p) // t2 += 2a3*v3
	t.add(t2, p, t2)
	y := t.vec()
	t.mul(x, c[3], y) // y = m0*v0 + m1/2*t1 + m2/2*t2
	t.mul(t1, c[4], p)
	t.add(y, p, y)
	t.mul(t2, c[5], p)
	t.add(y, p, y)
	t.subInto(t1, f.s1) // ic1 = t1 - ic1
	t.subInto(t2, f.s2) // ic2 = t2 - ic2
	return y
}

// transpose16 returns the transpose of the 16x16 matrix whose rows are r,
// in four rounds of two-operand shuffles that leave their inputs as they
// are (no index register to copy before each, as a permute needs):
// interleaving the floats of row pairs, then the float pairs of those,
// which leaves each 128-bit lane holding four rows of one column; then
// two rounds of picking lanes across rows four and eight apart.
func transpose16(r []reg.VecVirtual) []reg.VecVirtual {
	t := make([]reg.VecVirtual, 16)
	for k := 0; k < 16; k += 2 {
		t[k], t[k+1] = ZMM(), ZMM()
		VUNPCKLPS(r[k+1], r[k], t[k])
		VUNPCKHPS(r[k+1], r[k], t[k+1])
	}
	u := make([]reg.VecVirtual, 16)
	for k := 0; k < 16; k += 4 {
		for j := range 2 {
			lo, hi := ZMM(), ZMM()
			VUNPCKLPD(t[k+j+2], t[k+j], lo)
			VUNPCKHPD(t[k+j+2], t[k+j], hi)
			u[k+2*j], u[k+2*j+1] = lo, hi
		}
	}
	// u[4g+c]'s lane L holds column 4L+c of rows 4g..4g+3.
	pick := func(a, b reg.VecVirtual) (even, odd reg.VecVirtual) {
		even, odd = ZMM(), ZMM()
		VSHUFF32X4(U8(0x88), b, a, even) // lanes 0 and 2 of a, then of b
		VSHUFF32X4(U8(0xdd), b, a, odd)  // lanes 1 and 3
		return even, odd
	}
	v := make([]reg.VecVirtual, 16)
	for h := 0; h < 16; h += 8 {
		for c := range 4 {
			v[h+c], v[h+c+4] = pick(u[h+c], u[h+c+4])
		}
	}
	w := make([]reg.VecVirtual, 16)
	for c := range 8 {
		w[c], w[c+8] = pick(v[c], v[c+8])
	}
	return w
}

// sineCoefficients returns the bits of the float32 coefficients in the
// order Horner's rule uses them, from x^9 down.
func sineCoefficients() []uint32 {
	var c []uint32
	for _, a := range []float64{sinA9, sinA7, sinA5, sinA3, sinA1} {
		c = append(c, float32bits(float32(a)))
	}
	return c
}

// The coefficients of sin(2πx), the same constants as osc_generic.go.
const (
	sinA1 = 6.2831850051879883
	sinA3 = -41.341651916503906
	sinA5 = 81.600997924804688
	sinA7 = -76.549781799316406
	sinA9 = 39.536705017089844
)
