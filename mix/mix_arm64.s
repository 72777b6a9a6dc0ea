//go:build gc && !purego && !noasm

// Hand-written NEON kernels. avo emits amd64 only, so unlike mix_amd64.s
// this file is not generated. The Go assembler has no mnemonics for vector
// FADD and FMUL, so they are WORD-encoded by the macros below (A64
// "FADD/FMUL (vector)", single precision, 4 lanes). Like the amd64 tiers,
// the element-wise kernels, Sine and SVFVoices do their generic twin's
// operations in the same order and never fuse (no FMLA), so they give the
// same bits; the RMS sum of squares adds in 16 partial sums, within RMS's
// tolerance.
//
// Each kernel handles whole groups (16 floats, 4 for interleave and sine,
// 4 voices for SVFVoices); the Go wrappers in mix_arm64.go finish the tail
// with the generic twin.

#include "textflag.h"

// d = n + m, n - m, n * m, (n > m ? all ones : 0), float32(int32 n), on
// four float32 lanes.
#define FADD4S(m, n, d) WORD $(0x4E20D400 | (m<<16) | (n<<5) | d)
#define FSUB4S(m, n, d) WORD $(0x4EA0D400 | (m<<16) | (n<<5) | d)
#define FMUL4S(m, n, d) WORD $(0x6E20DC00 | (m<<16) | (n<<5) | d)
#define FCMGT4S(m, n, d) WORD $(0x6EA0E400 | (m<<16) | (n<<5) | d)
#define SCVTF4S(n, d) WORD $(0x4E21D800 | (n<<5) | d)

// UMAXV Sd, Vn.4S (the largest lane, unsigned); FADDP Vd.4S, Vn.4S, Vm.4S
// (sums of adjacent pairs of n then m); FADDP Sd, Vn.2S (lane 0 + lane 1).
#define UMAXV4S(n, d) WORD $(0x6EB0A800 | (n<<5) | d)
#define FADDP4S(m, n, d) WORD $(0x6E20D400 | (m<<16) | (n<<5) | d)
#define FADDP2S(n, d) WORD $(0x7E30D800 | (n<<5) | d)

DATA lanesF<>+0(SB)/4, $0x00000000
DATA lanesF<>+4(SB)/4, $0x3f800000
DATA lanesF<>+8(SB)/4, $0x40000000
DATA lanesF<>+12(SB)/4, $0x40400000
DATA lanesF<>+16(SB)/4, $0x40800000
DATA lanesF<>+20(SB)/4, $0x40a00000
DATA lanesF<>+24(SB)/4, $0x40c00000
DATA lanesF<>+28(SB)/4, $0x40e00000
DATA lanesF<>+32(SB)/4, $0x41000000
DATA lanesF<>+36(SB)/4, $0x41100000
DATA lanesF<>+40(SB)/4, $0x41200000
DATA lanesF<>+44(SB)/4, $0x41300000
DATA lanesF<>+48(SB)/4, $0x41400000
DATA lanesF<>+52(SB)/4, $0x41500000
DATA lanesF<>+56(SB)/4, $0x41600000
DATA lanesF<>+60(SB)/4, $0x41700000
GLOBL lanesF<>(SB), RODATA|NOPTR, $64

// func addScaledNEON(dst, src []float32, gain float32)
TEXT ·addScaledNEON(SB), NOSPLIT, $0-52
	MOVD  dst_base+0(FP), R0
	MOVD  dst_len+8(FP), R2
	MOVD  src_base+24(FP), R1
	FMOVS gain+48(FP), F0
	VDUP  V0.S[0], V1.S4
	LSR   $4, R2
	CBZ   R2, addScaledDone

addScaledLoop:
	VLD1.P 64(R1), [V2.S4, V3.S4, V4.S4, V5.S4]
	VLD1   (R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	FMUL4S(2, 1, 2)
	FMUL4S(3, 1, 3)
	FMUL4S(4, 1, 4)
	FMUL4S(5, 1, 5)
	FADD4S(2, 6, 6)
	FADD4S(3, 7, 7)
	FADD4S(4, 8, 8)
	FADD4S(5, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R0)
	SUB    $1, R2
	CBNZ   R2, addScaledLoop

addScaledDone:
	RET

// func addNEON(dst, src []float32)
TEXT ·addNEON(SB), NOSPLIT, $0-48
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVD src_base+24(FP), R1
	LSR  $4, R2
	CBZ  R2, addDone

addLoop:
	VLD1.P 64(R1), [V2.S4, V3.S4, V4.S4, V5.S4]
	VLD1   (R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	FADD4S(2, 6, 6)
	FADD4S(3, 7, 7)
	FADD4S(4, 8, 8)
	FADD4S(5, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R0)
	SUB    $1, R2
	CBNZ   R2, addLoop

addDone:
	RET

// func scaleNEON(dst []float32, gain float32)
TEXT ·scaleNEON(SB), NOSPLIT, $0-28
	MOVD  dst_base+0(FP), R0
	MOVD  dst_len+8(FP), R2
	FMOVS gain+24(FP), F0
	VDUP  V0.S[0], V1.S4
	LSR   $4, R2
	CBZ   R2, scaleDone

scaleLoop:
	VLD1   (R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	FMUL4S(1, 6, 6)
	FMUL4S(1, 7, 7)
	FMUL4S(1, 8, 8)
	FMUL4S(1, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R0)
	SUB    $1, R2
	CBNZ   R2, scaleLoop

scaleDone:
	RET

// func addRampNEON(dst, src []float32, g0, step float32)
// dst[i] += (g0 + i*step) * src[i], i from 0; V10-V13 hold i for 16 lanes.
TEXT ·addRampNEON(SB), NOSPLIT, $0-56
	MOVD  dst_base+0(FP), R0
	MOVD  dst_len+8(FP), R2
	MOVD  src_base+24(FP), R1
	FMOVS g0+48(FP), F0
	VDUP  V0.S[0], V16.S4
	FMOVS step+52(FP), F0
	VDUP  V0.S[0], V17.S4
	MOVD  $lanesF<>(SB), R3
	VLD1  (R3), [V10.S4, V11.S4, V12.S4, V13.S4]
	FMOVS $16.0, F0
	VDUP  V0.S[0], V14.S4
	LSR   $4, R2
	CBZ   R2, addRampDone

addRampLoop:
	VLD1.P 64(R1), [V2.S4, V3.S4, V4.S4, V5.S4]
	VLD1   (R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	FMUL4S(17, 10, 18)
	FMUL4S(17, 11, 19)
	FMUL4S(17, 12, 20)
	FMUL4S(17, 13, 21)
	FADD4S(18, 16, 18)
	FADD4S(19, 16, 19)
	FADD4S(20, 16, 20)
	FADD4S(21, 16, 21)
	FMUL4S(2, 18, 2)
	FMUL4S(3, 19, 3)
	FMUL4S(4, 20, 4)
	FMUL4S(5, 21, 5)
	FADD4S(2, 6, 6)
	FADD4S(3, 7, 7)
	FADD4S(4, 8, 8)
	FADD4S(5, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R0)
	FADD4S(14, 10, 10)
	FADD4S(14, 11, 11)
	FADD4S(14, 12, 12)
	FADD4S(14, 13, 13)
	SUB    $1, R2
	CBNZ   R2, addRampLoop

addRampDone:
	RET

// func panAddRampNEON(left, right, src []float32, l0, lstep, r0, rstep float32)
TEXT ·panAddRampNEON(SB), NOSPLIT, $0-88
	MOVD  left_base+0(FP), R0
	MOVD  left_len+8(FP), R2
	MOVD  right_base+24(FP), R4
	MOVD  src_base+48(FP), R1
	FMOVS l0+72(FP), F0
	VDUP  V0.S[0], V16.S4
	FMOVS lstep+76(FP), F0
	VDUP  V0.S[0], V17.S4
	FMOVS r0+80(FP), F0
	VDUP  V0.S[0], V22.S4
	FMOVS rstep+84(FP), F0
	VDUP  V0.S[0], V23.S4
	MOVD  $lanesF<>(SB), R3
	VLD1  (R3), [V10.S4, V11.S4, V12.S4, V13.S4]
	FMOVS $16.0, F0
	VDUP  V0.S[0], V14.S4
	LSR   $4, R2
	CBZ   R2, panDone

panLoop:
	VLD1.P 64(R1), [V2.S4, V3.S4, V4.S4, V5.S4]
	// left: V18-V21 = (l0 + i*lstep) * src, added to V6-V9
	VLD1   (R0), [V6.S4, V7.S4, V8.S4, V9.S4]
	FMUL4S(17, 10, 18)
	FMUL4S(17, 11, 19)
	FMUL4S(17, 12, 20)
	FMUL4S(17, 13, 21)
	FADD4S(18, 16, 18)
	FADD4S(19, 16, 19)
	FADD4S(20, 16, 20)
	FADD4S(21, 16, 21)
	FMUL4S(2, 18, 18)
	FMUL4S(3, 19, 19)
	FMUL4S(4, 20, 20)
	FMUL4S(5, 21, 21)
	FADD4S(18, 6, 6)
	FADD4S(19, 7, 7)
	FADD4S(20, 8, 8)
	FADD4S(21, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R0)
	// right: the same with r0 and rstep
	VLD1   (R4), [V6.S4, V7.S4, V8.S4, V9.S4]
	FMUL4S(23, 10, 18)
	FMUL4S(23, 11, 19)
	FMUL4S(23, 12, 20)
	FMUL4S(23, 13, 21)
	FADD4S(18, 22, 18)
	FADD4S(19, 22, 19)
	FADD4S(20, 22, 20)
	FADD4S(21, 22, 21)
	FMUL4S(2, 18, 18)
	FMUL4S(3, 19, 19)
	FMUL4S(4, 20, 20)
	FMUL4S(5, 21, 21)
	FADD4S(18, 6, 6)
	FADD4S(19, 7, 7)
	FADD4S(20, 8, 8)
	FADD4S(21, 9, 9)
	VST1.P [V6.S4, V7.S4, V8.S4, V9.S4], 64(R4)
	FADD4S(14, 10, 10)
	FADD4S(14, 11, 11)
	FADD4S(14, 12, 12)
	FADD4S(14, 13, 13)
	SUB    $1, R2
	CBNZ   R2, panLoop

panDone:
	RET

// func interleaveNEON(dst, left, right []float32)
// VST2 stores two registers lane by lane interleaved: l0 r0 l1 r1 ...
TEXT ·interleaveNEON(SB), NOSPLIT, $0-72
	MOVD dst_base+0(FP), R0
	MOVD left_base+24(FP), R1
	MOVD left_len+32(FP), R2
	MOVD right_base+48(FP), R3
	LSR  $2, R2
	CBZ  R2, interleaveDone

interleaveLoop:
	VLD1.P 16(R1), [V2.S4]
	VLD1.P 16(R3), [V3.S4]
	VST2.P [V2.S4, V3.S4], 32(R0)
	SUB    $1, R2
	CBNZ   R2, interleaveLoop

interleaveDone:
	RET

// func sineNEON(dst []float32, phase, inc uint32)
// sinCycle of osc_generic.go on four lanes, operation for operation.
TEXT ·sineNEON(SB), NOSPLIT, $0-32
	MOVD dst_base+0(FP), R0
	MOVD dst_len+8(FP), R2
	MOVWU phase+24(FP), R3
	MOVWU inc+28(FP), R4
	// V0: the lanes' phases phase + j*inc; V1: the step 4*inc.
	VDUP  R3, V0.S4
	VEOR  V16.B16, V16.B16, V16.B16
	VMOV  R4, V16.S[1]
	ADDW  R4, R4, R5
	VMOV  R5, V16.S[2]
	ADDW  R4, R5, R5
	VMOV  R5, V16.S[3]
	VADD  V16.S4, V0.S4, V0.S4
	LSLW  $2, R4, R5
	VDUP  R5, V1.S4
	MOVW  $0x2f800000, R5 // 2^-32
	VDUP  R5, V2.S4
	MOVW  $0x7fffffff, R5
	VDUP  R5, V3.S4
	MOVW  $0x3e800000, R5 // 0.25
	VDUP  R5, V4.S4
	MOVW  $0x3f000000, R5 // 0.5
	VDUP  R5, V5.S4
	// V6-V10: float32 sinA9, sinA7, ..., sinA1
	MOVW  $0x421e2596, R5
	VDUP  R5, V6.S4
	MOVW  $0xc299197d, R5
	VDUP  R5, V7.S4
	MOVW  $0x42a333b6, R5
	VDUP  R5, V8.S4
	MOVW  $0xc2255dda, R5
	VDUP  R5, V9.S4
	MOVW  $0x40c90fda, R5
	VDUP  R5, V10.S4
	LSR   $2, R2
	CBZ   R2, sineDone

sineLoop:
	SCVTF4S(0, 16)
	FMUL4S(2, 16, 16)                   // x
	VAND  V3.B16, V16.B16, V17.B16      // |x|
	VEOR  V17.B16, V16.B16, V18.B16     // the sign of x
	VORR  V5.B16, V18.B16, V18.B16      // ±0.5
	FSUB4S(16, 18, 18)                  // ±0.5 - x
	FCMGT4S(4, 17, 19)                  // |x| > 0.25
	VBSL  V16.B16, V18.B16, V19.B16     // x, folded where |x| > 0.25
	FMUL4S(19, 19, 20)                  // x2
	FMUL4S(6, 20, 21)
	FADD4S(7, 21, 21)
	FMUL4S(20, 21, 21)
	FADD4S(8, 21, 21)
	FMUL4S(20, 21, 21)
	FADD4S(9, 21, 21)
	FMUL4S(20, 21, 21)
	FADD4S(10, 21, 21)
	FMUL4S(19, 21, 21)
	VST1.P [V21.S4], 16(R0)
	VADD  V1.S4, V0.S4, V0.S4
	SUB   $1, R2
	CBNZ  R2, sineLoop

sineDone:
	RET

// func peakNEON(x []float32) float32
// The largest |x[i]| as an unsigned integer: for floats with the sign
// cleared the integer order is the float order and every NaN sorts above
// +Inf, so a NaN shows in the result.
TEXT ·peakNEON(SB), NOSPLIT, $0-28
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R2
	MOVW  $0x7fffffff, R5
	VDUP  R5, V1.S4
	VEOR  V6.B16, V6.B16, V6.B16
	VEOR  V7.B16, V7.B16, V7.B16
	VEOR  V8.B16, V8.B16, V8.B16
	VEOR  V9.B16, V9.B16, V9.B16
	LSR   $4, R2
	CBZ   R2, peakReduce

peakLoop:
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]
	VAND   V1.B16, V2.B16, V2.B16
	VAND   V1.B16, V3.B16, V3.B16
	VAND   V1.B16, V4.B16, V4.B16
	VAND   V1.B16, V5.B16, V5.B16
	VUMAX  V2.S4, V6.S4, V6.S4
	VUMAX  V3.S4, V7.S4, V7.S4
	VUMAX  V4.S4, V8.S4, V8.S4
	VUMAX  V5.S4, V9.S4, V9.S4
	SUB    $1, R2
	CBNZ   R2, peakLoop

peakReduce:
	VUMAX V7.S4, V6.S4, V6.S4
	VUMAX V9.S4, V8.S4, V8.S4
	VUMAX V8.S4, V6.S4, V6.S4
	UMAXV4S(6, 6)
	FMOVS F6, ret+24(FP)
	RET

// func sumSquaresNEON(x []float32) float32
// The sum of x[i]*x[i] in 16 partial sums (four registers of four lanes).
TEXT ·sumSquaresNEON(SB), NOSPLIT, $0-28
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R2
	VEOR  V6.B16, V6.B16, V6.B16
	VEOR  V7.B16, V7.B16, V7.B16
	VEOR  V8.B16, V8.B16, V8.B16
	VEOR  V9.B16, V9.B16, V9.B16
	LSR   $4, R2
	CBZ   R2, sumSquaresReduce

sumSquaresLoop:
	VLD1.P 64(R0), [V2.S4, V3.S4, V4.S4, V5.S4]
	FMUL4S(2, 2, 2)
	FMUL4S(3, 3, 3)
	FMUL4S(4, 4, 4)
	FMUL4S(5, 5, 5)
	FADD4S(2, 6, 6)
	FADD4S(3, 7, 7)
	FADD4S(4, 8, 8)
	FADD4S(5, 9, 9)
	SUB    $1, R2
	CBNZ   R2, sumSquaresLoop

sumSquaresReduce:
	FADD4S(7, 6, 6)
	FADD4S(9, 8, 8)
	FADD4S(8, 6, 6)
	FADDP4S(6, 6, 6)
	FADDP2S(6, 6)
	FMOVS F6, ret+24(FP)
	RET

// SVFVoices: one voice per lane, so a group of 4 voices runs 4 filters in
// parallel, its states and coefficients in registers for the whole block.
// Group A uses the registers below and group B (the second 4 of 8 voices)
// the same numbers + 16, so one macro, SVFTICK, describes the step of
// either group or of both:
//
//	V0, V1    ic1, ic2
//	V2-V7     the svfScaled coefficients 2a1, 2a2, 2a3, m0, m1/2, m2/2
//	V8-V11    a 4x4 tile: 4 samples of 4 voices, as rows, then as columns
//	V12-V15   the transpose's and the step's temporaries
#define SVF_S1 0
#define SVF_S2 1
#define SVF_B1 2
#define SVF_B2 3
#define SVF_B3 4
#define SVF_M0 5
#define SVF_H1 6
#define SVF_H2 7
#define SVF_T1 12
#define SVF_T2 13
#define SVF_V3 14
#define SVF_P 15

// ONEGROUP emits op on group A's registers; TWOGROUPS on A's then B's, so
// the two groups' independent chains alternate instruction by instruction.
#define ONEGROUP(op, m, n, d) op(m, n, d)
#define TWOGROUPS(op, m, n, d) op(m, n, d); op((m+16), (n+16), (d+16))

// SVFTICK is svfTick on the column of inputs in register x, which gets the
// outputs: GROUPS (ONEGROUP or TWOGROUPS) emits each operation. What waits
// only on the last sample's states comes first, so it overlaps the chain
// through this sample's input; the operations are svfTick's, unfused.
#define SVFTICK(GROUPS, x) \
	GROUPS(FMUL4S, SVF_S1, SVF_B1, SVF_T1); /* t1 = 2a1*ic1 */     \
	GROUPS(FADD4S, SVF_S2, SVF_S2, SVF_T2); /* t2 = ic2 + ic2 */   \
	GROUPS(FMUL4S, SVF_S1, SVF_B2, SVF_P);  \
	GROUPS(FADD4S, SVF_P, SVF_T2, SVF_T2);  /* t2 += 2a2*ic1 */    \
	GROUPS(FSUB4S, SVF_S2, x, SVF_V3);      /* v3 = v0 - ic2 */    \
	GROUPS(FMUL4S, SVF_V3, SVF_B2, SVF_P);  \
	GROUPS(FADD4S, SVF_P, SVF_T1, SVF_T1);  /* t1 += 2a2*v3 */     \
	GROUPS(FMUL4S, SVF_V3, SVF_B3, SVF_V3); \
	GROUPS(FADD4S, SVF_V3, SVF_T2, SVF_T2); /* t2 += 2a3*v3 */     \
	GROUPS(FMUL4S, SVF_M0, x, x);           /* y = m0*v0 */        \
	GROUPS(FMUL4S, SVF_T1, SVF_H1, SVF_P);  \
	GROUPS(FADD4S, SVF_P, x, x);            /* y += m1/2*t1 */     \
	GROUPS(FMUL4S, SVF_T2, SVF_H2, SVF_P);  \
	GROUPS(FADD4S, SVF_P, x, x);            /* y += m2/2*t2 */     \
	GROUPS(FSUB4S, SVF_S1, SVF_T1, SVF_S1); /* ic1 = t1 - ic1 */   \
	GROUPS(FSUB4S, SVF_S2, SVF_T2, SVF_S2)  /* ic2 = t2 - ic2 */

// TRANSPOSE4 transposes the 4x4 matrix in r0-r3 (rows in, columns out,
// or the reverse) through t0-t3: TRN1/TRN2 on 32-bit lanes pair up
// rows 0,1 and 2,3, then on 64-bit halves join the pairs.
#define TRANSPOSE4(r0, r1, r2, r3, t0, t1, t2, t3) \
	VTRN1 r1.S4, r0.S4, t0.S4; \
	VTRN2 r1.S4, r0.S4, t1.S4; \
	VTRN1 r3.S4, r2.S4, t2.S4; \
	VTRN2 r3.S4, r2.S4, t3.S4; \
	VTRN1 t2.D2, t0.D2, r0.D2; \
	VTRN1 t3.D2, t1.D2, r1.D2; \
	VTRN2 t2.D2, t0.D2, r2.D2; \
	VTRN2 t3.D2, t1.D2, r3.D2

// SVFLOAD loads the 4 voices' states and coefficients at byte offset off
// of the slices in R1-R8 into s1, s2, c0-c5; SVFSTORE stores the states.
#define SVFLOAD(off, s1, s2, c0, c1, c2, c3, c4, c5) \
	FMOVQ off(R1), s1; \
	FMOVQ off(R2), s2; \
	FMOVQ off(R3), c0; \
	FMOVQ off(R4), c1; \
	FMOVQ off(R5), c2; \
	FMOVQ off(R6), c3; \
	FMOVQ off(R7), c4; \
	FMOVQ off(R8), c5
#define SVFSTORE(off, s1, s2) \
	FMOVQ s1, off(R1); \
	FMOVQ s2, off(R2)

// SVFSCALE makes a1, a2, a3, m1, m2 the svfScaled coefficients, as svfScaled
// does: doubled by adding, halved by multiplying with the 0.5 in V8 (V24
// for group B).
#define SVFSCALE(GROUPS) \
	GROUPS(FADD4S, SVF_B1, SVF_B1, SVF_B1); \
	GROUPS(FADD4S, SVF_B2, SVF_B2, SVF_B2); \
	GROUPS(FADD4S, SVF_B3, SVF_B3, SVF_B3); \
	GROUPS(FMUL4S, 8, SVF_H1, SVF_H1); \
	GROUPS(FMUL4S, 8, SVF_H2, SVF_H2)

// func svfVoicesNEON(x [][64]float32, ic1, ic2, a1, a2, a3, m0, m1, m2 []float32)
// Groups of 8 voices (A and B interleaved) while 8 are left, then one of 4.
// A group walks its block in 16 tiles of 4 samples: 4 row loads per 4
// voices (voice blocks are 256 bytes apart), a transpose to columns (one
// sample of the 4 voices each), 4 filter steps, the transpose back and 4
// row stores.
TEXT ·svfVoicesNEON(SB), NOSPLIT, $0-216
	MOVD  x_base+0(FP), R0
	MOVD  x_len+8(FP), R9
	MOVD  ic1_base+24(FP), R1
	MOVD  ic2_base+48(FP), R2
	MOVD  a1_base+72(FP), R3
	MOVD  a2_base+96(FP), R4
	MOVD  a3_base+120(FP), R5
	MOVD  m0_base+144(FP), R6
	MOVD  m1_base+168(FP), R7
	MOVD  m2_base+192(FP), R8
	MOVW  $0x3f000000, R12 // 0.5

svfEight:
	CMP   $8, R9
	BLT   svfFour
	SVFLOAD(0, F0, F1, F2, F3, F4, F5, F6, F7)
	SVFLOAD(16, F16, F17, F18, F19, F20, F21, F22, F23)
	VDUP  R12, V8.S4
	VDUP  R12, V24.S4
	SVFSCALE(TWOGROUPS)
	MOVD  R0, R10
	MOVD  $16, R11

svfEightTile:
	FMOVQ (R10), F8
	FMOVQ 256(R10), F9
	FMOVQ 512(R10), F10
	FMOVQ 768(R10), F11
	FMOVQ 1024(R10), F24
	FMOVQ 1280(R10), F25
	FMOVQ 1536(R10), F26
	FMOVQ 1792(R10), F27
	TRANSPOSE4(V8, V9, V10, V11, V12, V13, V14, V15)
	TRANSPOSE4(V24, V25, V26, V27, V28, V29, V30, V31)
	SVFTICK(TWOGROUPS, 8)
	SVFTICK(TWOGROUPS, 9)
	SVFTICK(TWOGROUPS, 10)
	SVFTICK(TWOGROUPS, 11)
	TRANSPOSE4(V8, V9, V10, V11, V12, V13, V14, V15)
	TRANSPOSE4(V24, V25, V26, V27, V28, V29, V30, V31)
	FMOVQ F8, (R10)
	FMOVQ F9, 256(R10)
	FMOVQ F10, 512(R10)
	FMOVQ F11, 768(R10)
	FMOVQ F24, 1024(R10)
	FMOVQ F25, 1280(R10)
	FMOVQ F26, 1536(R10)
	FMOVQ F27, 1792(R10)
	ADD   $16, R10
	SUB   $1, R11
	CBNZ  R11, svfEightTile

	SVFSTORE(0, F0, F1)
	SVFSTORE(16, F16, F17)
	ADD   $32, R1
	ADD   $32, R2
	ADD   $32, R3
	ADD   $32, R4
	ADD   $32, R5
	ADD   $32, R6
	ADD   $32, R7
	ADD   $32, R8
	ADD   $2048, R0
	SUB   $8, R9
	B     svfEight

svfFour:
	CBZ   R9, svfDone
	SVFLOAD(0, F0, F1, F2, F3, F4, F5, F6, F7)
	VDUP  R12, V8.S4
	SVFSCALE(ONEGROUP)
	MOVD  $16, R11

svfFourTile:
	FMOVQ (R0), F8
	FMOVQ 256(R0), F9
	FMOVQ 512(R0), F10
	FMOVQ 768(R0), F11
	TRANSPOSE4(V8, V9, V10, V11, V12, V13, V14, V15)
	SVFTICK(ONEGROUP, 8)
	SVFTICK(ONEGROUP, 9)
	SVFTICK(ONEGROUP, 10)
	SVFTICK(ONEGROUP, 11)
	TRANSPOSE4(V8, V9, V10, V11, V12, V13, V14, V15)
	FMOVQ F8, (R0)
	FMOVQ F9, 256(R0)
	FMOVQ F10, 512(R0)
	FMOVQ F11, 768(R0)
	ADD   $16, R0
	SUB   $1, R11
	CBNZ  R11, svfFourTile
	SVFSTORE(0, F0, F1)

svfDone:
	RET
