package main

import (
	"fmt"
	"math"
	"sort"

	. "github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/gotypes"
	. "github.com/mmcloughlin/avo/operand"
	"github.com/mmcloughlin/avo/reg"
)

// tier is one instruction set: the kernels are written once against its
// methods, which emit the SSE2 two-operand forms or the VEX/EVEX
// three-operand forms. All operands are registers (SSE2 memory operands
// would have to be 16-byte aligned, and the slices are not).
type tier struct {
	name string // suffix of the Go function names
	w    int    // float32 lanes per vector
	vex  bool   // three-operand VEX/EVEX forms (AVX2, AVX-512)
	z    bool   // 512-bit vectors and opmask registers (AVX-512F)
}

var (
	sse2   = tier{"SSE2", 4, false, false}
	avx2   = tier{"AVX2", 8, true, false}
	avx512 = tier{"AVX512", 16, true, true}
)

// Read-only tables, each 16 lanes wide so every tier loads its first w.
var (
	consts = map[uint32]Mem{} // a value repeated in every lane, by its bits
	lanesF Mem                // 0, 1, ..., 15 as float32
	lanesI Mem                // 0, 1, ..., 15 as int32
	zipLo  Mem                // VPERMT2PS indices of the low half of zip(l, r)
	zipHi  Mem                // ... and of the high half
	// evenLanes and oddLanes are the VPERMI2PS indices of the even and the
	// odd floats of two vectors taken as one of 32.
	evenLanes, oddLanes Mem
	// lanesBlock is 0, 64, ..., 960 as int32: the float index of sample 0
	// of voice j in voice-major 64-sample blocks, for the AVX2 gather.
	lanesBlock Mem
	// lanesQ is 0, 1, ..., 7 as 64-bit integers.
	lanesQ Mem
)

func makeConstants() {
	bits := []uint32{0x7fffffff, 0x2f800000, 0x33800000, 0x3b800000,
		float32bits(0.25), float32bits(0.5), float32bits(4), float32bits(8), float32bits(16),
		float32bits(1), float32bits(3), float32bits(1.0 / 64), 0, 1, 2, 3, 0xffffffff}
	for _, c := range []float64{sinA1, sinA3, sinA5, sinA7, sinA9} {
		bits = append(bits, float32bits(float32(c)))
	}
	sort.Slice(bits, func(i, j int) bool { return bits[i] < bits[j] })
	for _, b := range bits {
		consts[b] = table(fmt.Sprintf("const%08x", b), func(int) uint32 { return b })
	}
	lanesF = table("lanesF", func(i int) uint32 { return float32bits(float32(i)) })
	lanesI = table("lanesI", func(i int) uint32 { return uint32(i) })
	zipLo = table("zipLo", func(i int) uint32 { return uint32(i/2 + i%2*16) })
	zipHi = table("zipHi", func(i int) uint32 { return uint32(8 + i/2 + i%2*16) })
	evenLanes = table("evenLanes", func(i int) uint32 { return uint32(2 * i) })
	oddLanes = table("oddLanes", func(i int) uint32 { return uint32(2*i + 1) })
	lanesBlock = table("lanesBlock", func(i int) uint32 { return uint32(64 * i) })
	lanesQ = table("lanesQ", func(i int) uint32 { return uint32(i/2) * uint32(1-i%2) })
}

func table(name string, lane func(int) uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < 16; i++ {
		DATA(4*i, U32(lane(i)))
	}
	return m
}

func float32bits(f float32) uint32 { return math.Float32bits(f) }

func (t tier) text(kernel, sig, doc string) {
	hoisted = map[uint32]reg.VecVirtual{}
	TEXT(kernel+t.name, NOSPLIT, sig)
	Pragma("noescape")
	Doc(fmt.Sprintf("%s%s computes %s", kernel, t.name, doc))
}

func (t tier) ret() {
	if t.vex {
		VZEROUPPER() // avoid the SSE/AVX transition penalty in the caller
	}
	RET()
}

func sliceParam(name string) (base, n reg.GPVirtual) {
	return basePtr(name), loadGP(Param(name).Len(), GP64())
}

func basePtr(name string) reg.GPVirtual { return loadGP(Param(name).Base(), GP64()) }

func loadGP(c gotypes.Component, r reg.GPVirtual) reg.GPVirtual {
	Load(c, r)
	return r
}

// paramAddr is the stack address of a scalar parameter or result.
func paramAddr(c gotypes.Component) Mem {
	b, err := c.Resolve()
	if err != nil {
		panic(err)
	}
	return b.Addr
}

// floatParam broadcasts a float32 parameter to a whole vector. VEX tiers
// broadcast straight from the argument slot: avo's Load would emit the
// legacy-SSE MOVSS, and on Intel cores each legacy-SSE instruction after a
// VEX one has dirtied the upper register halves costs a state transition
// of hundreds of nanoseconds.
func (t tier) floatParam(name string) reg.VecVirtual {
	return t.bcastMem(paramAddr(Param(name)))
}

// storeFloatResult stores lane 0 of x as the function's float32 result,
// with VMOVSS on VEX tiers for the reason floatParam gives.
func (t tier) storeFloatResult(x reg.VecVirtual) {
	ret := paramAddr(ReturnIndex(0))
	if t.vex {
		VMOVSS(x, ret)
		return
	}
	MOVSS(x, ret)
}

func at(base, i reg.GPVirtual, disp int) Mem {
	return Mem{Base: base, Index: i, Scale: 1, Disp: disp}
}

// forEach emits a loop over n float32 elements (n a multiple of t.w) that
// calls body with the byte offset i of a vector, a displacement d and the
// vector's place j in an unrolled iteration; a one-vector loop finishes.
func (t tier) forEach(n reg.GPVirtual, u int, body func(i reg.GPVirtual, d, j int)) {
	vb := 4 * t.w
	i := GP64()
	XORQ(i, i)
	SHLQ(U8(2), n)
	if u > 1 {
		last := GP64() // the last offset where u vectors still fit
		MOVQ(n, last)
		SUBQ(U32(u*vb), last)
		Label("unrolled")
		CMPQ(i, last)
		JG(LabelRef("single"))
		for j := 0; j < u; j++ {
			body(i, j*vb, j)
		}
		ADDQ(U32(u*vb), i)
		JMP(LabelRef("unrolled"))
	}
	Label("single")
	CMPQ(i, n)
	JGE(LabelRef("done"))
	body(i, 0, 0)
	ADDQ(U32(vb), i)
	JMP(LabelRef("single"))
	Label("done")
}

func (t tier) vec() reg.VecVirtual {
	switch {
	case t.z:
		return ZMM()
	case t.vex:
		return YMM()
	}
	return XMM()
}

func (t tier) load(m Mem) reg.VecVirtual {
	v := t.vec()
	if t.vex {
		VMOVUPS(m, v)
	} else {
		MOVUPS(m, v)
	}
	return v
}

// operand returns m as the second operand of a commutative operation:
// itself where VEX allows unaligned memory operands, loaded otherwise.
func (t tier) operand(m Mem) Op {
	if t.vex {
		return m
	}
	return t.load(m)
}

// hoisted holds the constants of the current function kept in registers.
var hoisted map[uint32]reg.VecVirtual

// hoist loads constants into registers before a loop, on AVX-512 only:
// its 32 registers have room, AVX2's 16 do not.
func (t tier) hoist(bits ...uint32) {
	if t.z {
		for _, b := range bits {
			hoisted[b] = t.load(consts[b])
		}
	}
}

// constant returns the vector constant with lanes of bits as an operand.
func (t tier) constant(bits uint32) Op {
	if r, ok := hoisted[bits]; ok {
		return r
	}
	return t.operand(consts[bits])
}

func (t tier) store(v reg.VecVirtual, m Mem) {
	if t.vex {
		VMOVUPS(v, m)
	} else {
		MOVUPS(v, m)
	}
}

func (t tier) zero() reg.VecVirtual {
	v := t.vec()
	switch {
	case t.z:
		VPXORD(v, v, v)
	case t.vex:
		VXORPS(v, v, v)
	default:
		XORPS(v, v)
	}
	return v
}

// bcastI broadcasts a 32-bit general register to a whole vector.
func (t tier) bcastI(r reg.GPVirtual) reg.VecVirtual {
	if t.z {
		v := t.vec()
		VPBROADCASTD(r, v)
		return v
	}
	x := XMM()
	if !t.vex {
		MOVD(r, x)
		PSHUFL(U8(0), x, x)
		return x
	}
	VMOVD(r, x)
	v := t.vec()
	VPBROADCASTD(x, v)
	return v
}

// phases loads the phase and inc parameters and returns the lane phases
// phase + j*inc and the per-vector step w*inc, all wrapping mod 2^32.
func (t tier) phases() (ph, step reg.VecVirtual) {
	phase := loadGP(Param("phase"), GP32())
	inc := loadGP(Param("inc"), GP32())
	return t.phaseVectors(phase, inc)
}

// phaseVectors returns the lane phases phase + j*inc and the per-vector
// step w*inc, all wrapping mod 2^32, leaving both registers as they are.
func (t tier) phaseVectors(phase, inc reg.GPVirtual) (ph, step reg.VecVirtual) {
	ph = t.bcastI(phase)
	incv := t.bcastI(inc)
	if t.vex {
		l := t.load(lanesI)
		VPMULLD(incv, l, l)
		VPADDD(l, ph, ph)
	} else { // SSE2 has no PMULLD: sum inc shifted into lanes 1.., 2.., 3
		s := XMM()
		for _, b := range []int{4, 8, 12} {
			MOVO(incv, s)
			PSLLDQ(U8(b), s)
			PADDL(s, ph)
		}
	}
	stepr := GP32()
	MOVL(inc, stepr)
	SHLL(U8(map[int]int{4: 2, 8: 3, 16: 4}[t.w]), stepr)
	return ph, t.bcastI(stepr)
}

// phaseVectorsMem is phaseVectors for a phase and step read from memory
// (VEX tiers): broadcasting straight from memory and shifting the step in
// a vector keeps the work off the general-to-vector moves.
func (t tier) phaseVectorsMem(phase, inc Mem) (ph, step reg.VecVirtual) {
	ph, incv := t.vec(), t.vec()
	VPBROADCASTD(phase, ph)
	VPBROADCASTD(inc, incv)
	l := t.vec()
	VPMULLD(lanesI, incv, l)
	VPADDD(l, ph, ph)
	step = t.vec()
	VPSLLD(U8(map[int]int{8: 3, 16: 4}[t.w]), incv, step)
	return ph, step
}

// bcastMem broadcasts the float32 at m to a whole vector.
func (t tier) bcastMem(m Mem) reg.VecVirtual {
	v := t.vec()
	if !t.vex {
		MOVSS(m, v)
		SHUFPS(U8(0), v, v)
		return v
	}
	VBROADCASTSS(m, v)
	return v
}

// bin emits d = a op b with the two-operand SSE form sse (d = d op b) or the
// three-operand form vex (written b, a, d in Go assembly).
func (t tier) bin(sse func(mx, x Op), vex func(...Op), a, b, d Op) {
	if t.vex {
		vex(b, a, d)
		return
	}
	if d != a {
		if d == b {
			panic("bin: destination aliases the second operand")
		}
		MOVAPS(a, d)
	}
	sse(b, d)
}

func (t tier) mul(a, b, d Op)   { t.bin(MULPS, VMULPS, a, b, d) }
func (t tier) add(a, b, d Op)   { t.bin(ADDPS, VADDPS, a, b, d) }
func (t tier) sub(a, b, d Op)   { t.bin(SUBPS, VSUBPS, a, b, d) }
func (t tier) paddd(a, b, d Op) { t.bin(PADDL, VPADDD, a, b, d) }

// subInto emits s = a - s, through a (which it clobbers) on SSE2, whose
// two-operand subtract cannot write its second operand.
func (t tier) subInto(a, s Op) {
	if t.vex {
		t.sub(a, s, s)
		return
	}
	t.sub(a, s, a)
	MOVAPS(a, s)
}

func (t tier) and(a, b, d Op) {
	if t.z {
		VPANDD(b, a, d)
		return
	}
	t.bin(ANDPS, VANDPS, a, b, d)
}

func (t tier) or(a, b, d Op) {
	if t.z {
		VPORD(b, a, d)
		return
	}
	t.bin(ORPS, VORPS, a, b, d)
}

// andn emits d = ^a & b.
func (t tier) andn(a, b, d Op) {
	if t.z {
		VPANDND(b, a, d)
		return
	}
	t.bin(ANDNPS, VANDNPS, a, b, d)
}

func (t tier) cvt(a, d Op) {
	if t.vex {
		VCVTDQ2PS(a, d)
	} else {
		CVTPL2PS(a, d)
	}
}

// imax emits d = max(a, b) as signed 32-bit integers.
func (t tier) imax(a, b, d Op) {
	if t.vex {
		VPMAXSD(b, a, d)
		return
	}
	m := XMM() // SSE2 has no PMAXSD: blend by a > b
	MOVO(a, m)
	PCMPGTL(b, m)
	s := XMM()
	MOVO(m, s)
	PAND(a, s)
	PANDN(b, m)
	POR(s, m)
	MOVO(m, d)
}

// selectGreater emits x = a > b ? y : x, lane by lane, for floats.
func (t tier) selectGreater(a, b, y, x reg.VecVirtual) {
	const lt = 1 // the LT_OS predicate: b < a
	switch {
	case t.z:
		k := K()
		VCMPPS(U8(lt), a, b, k)
		VBLENDMPS(y, x, k, x)
	case t.vex:
		m := t.vec()
		VCMPPS(U8(lt), a, b, m)
		VBLENDVPS(m, y, x, x)
	default:
		m := XMM()
		MOVAPS(b, m)
		CMPPS(a, m, U8(lt))
		ANDPS(m, y)
		ANDNPS(x, m)
		ORPS(y, m)
		MOVAPS(m, x)
	}
}

// zip returns the interleaving of l and r: l0 r0 l1 r1 ... in lo, the
// second half in hi.
func (t tier) zip(l, r reg.VecVirtual) (lo, hi reg.VecVirtual) {
	lo, hi = t.vec(), t.vec()
	switch {
	case t.z:
		VMOVUPS(l, lo)
		VPERMT2PS(r, t.load(zipLo), lo)
		VMOVUPS(l, hi)
		VPERMT2PS(r, t.load(zipHi), hi)
	case t.vex: // unpack works within 128-bit lanes; put the halves in order
		a, b := t.vec(), t.vec()
		VUNPCKLPS(r, l, a)
		VUNPCKHPS(r, l, b)
		VPERM2F128(U8(0x20), b, a, lo)
		VPERM2F128(U8(0x31), b, a, hi)
	default:
		MOVAPS(l, lo)
		UNPCKLPS(r, lo)
		MOVAPS(l, hi)
		UNPCKHPS(r, hi)
	}
	return lo, hi
}

// gather loads the float32s at m (a vector-indexed operand) into a vector.
func (t tier) gather(m Mem) reg.VecVirtual {
	v := t.vec()
	if t.z {
		k := K()
		KXNORW(k, k, k) // all lanes; the gather clears the mask as it goes
		VGATHERDPS(m, k, v)
		return v
	}
	mask := t.vec()
	VPCMPEQD(mask, mask, mask)
	VGATHERDPS(mask, m, v)
	return v
}

// reduce folds the lanes of v with op into lane 0 of an XMM register.
func (t tier) reduce(v reg.VecVirtual, op func(a, b, d Op)) reg.VecVirtual {
	x := v
	if t.z {
		y := YMM()
		VEXTRACTF64X4(U8(1), v, y)
		op(v.AsY(), y, y)
		v = y
	}
	if t.vex {
		x = XMM()
		VEXTRACTF128(U8(1), v, x)
		op(v.AsX(), x, x)
	}
	s := XMM()
	for _, imm := range []uint8{0x4e, 0xb1} { // swap halves, then pairs
		if t.vex {
			VPSHUFD(U8(imm), x, s)
		} else {
			PSHUFL(U8(imm), x, s)
		}
		op(x, s, x)
	}
	return x
}

// column loads one float32 from each of w voice-major 64-sample blocks,
// the first at p and each next 256 bytes on: a gather on AVX2, four scalar
// loads merged on SSE2, which cannot gather.
func (t tier) column(p reg.GPVirtual) reg.VecVirtual {
	if t.vex {
		return t.gather(Mem{Base: p, Index: t.load(lanesBlock), Scale: 4})
	}
	r := make([]reg.VecVirtual, 4)
	for j := range r {
		r[j] = XMM()
		MOVSS(Mem{Base: p, Disp: 256 * j}, r[j])
	}
	UNPCKLPS(r[1], r[0]) // x0 x1 . .
	UNPCKLPS(r[3], r[2]) // x2 x3 . .
	MOVLHPS(r[2], r[0])  // x0 x1 x2 x3
	return r[0]
}

// storeColumn stores the lanes of v where column loaded them from: one
// extract per lane on AVX2, and on SSE2 (no extract) a store of lane 0
// after each rotation of the vector.
func (t tier) storeColumn(v reg.VecVirtual, p reg.GPVirtual) {
	if t.vex {
		hi := XMM()
		VEXTRACTF128(U8(1), v, hi)
		for j := range 4 {
			VEXTRACTPS(U8(j), v.AsX(), Mem{Base: p, Disp: 256 * j})
			VEXTRACTPS(U8(j), hi, Mem{Base: p, Disp: 256 * (4 + j)})
		}
		return
	}
	for j := range 4 {
		if j > 0 {
			SHUFPS(U8(0x39), v, v) // rotate lanes down by one
		}
		MOVSS(v, Mem{Base: p, Disp: 256 * j})
	}
}
