package mix

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/aether-audio/aether/block"
)

// FuzzKernels feeds arbitrary bytes, read as float32 samples, gains,
// phases and sample positions, to the best tier and to the generic twins and wants the same
// bits (RMS within its stated tolerance).
func FuzzKernels(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(make([]byte, 4*70), uint8(3))
	seed := make([]byte, 4*131)
	for i := range seed {
		seed[i] = byte(i * 37)
	}
	f.Add(seed, uint8(17))
	svf := make([]byte, 4*2*72*5) // five filter voices
	for i := range svf {
		svf[i] = byte(i * 59)
	}
	f.Add(svf, uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, off uint8) {
		if err := SetTier("best"); err != nil {
			t.Fatal(err)
		}
		x := make([]float32, len(raw)/4)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
		// Split x into a source and a destination at an offset into the
		// buffer, plus up to four scalars taken from its front.
		var p [4]float32
		copy(p[:], x)
		n := len(x) / 2
		o := int(off) % 8
		if o > n {
			o = n
		}
		src, dst := x[o:n], x[n:n+n-o]
		bits := func(v float32) uint32 { return math.Float32bits(v) }
		check := func(name string, got, want []float32) {
			t.Helper()
			for i := range got {
				if !sameBits(got[i], want[i]) {
					t.Fatalf("%s: element %d of %d = %#08x, want %#08x", name, i, len(got), bits(got[i]), bits(want[i]))
				}
			}
		}
		run := func(name string, best, generic func(d []float32)) {
			t.Helper()
			g, w := append([]float32(nil), dst...), append([]float32(nil), dst...)
			best(g)
			generic(w)
			check(name, g, w)
		}
		run("AddScaled", func(d []float32) { AddScaled(d, src, p[0]) }, func(d []float32) { addScaledGeneric(d, src, p[0]) })
		run("AddRamp", func(d []float32) { AddRamp(d, src, p[0], p[1]) }, func(d []float32) { addRampGeneric(d, src, p[0], p[1]) })
		run("AddBuses", func(d []float32) { AddBuses(d, [][]float32{src, src}) }, func(d []float32) { addBusesGeneric(d, [][]float32{src, src}) })
		run("Scale", func(d []float32) { Scale(d, p[2]) }, func(d []float32) { scaleGeneric(d, p[2]) })
		run("Sine", func(d []float32) { Sine(d, bits(p[0]), bits(p[1])) }, func(d []float32) { sineGeneric(d, bits(p[0]), bits(p[1])) })
		if len(dst) >= 64 && len(src) >= 3 {
			// len(src)/3 voices whose phases, steps and gains are the
			// fuzzer's floats: ordinary, special, anything.
			voices := len(src) / 3
			ph, in := make([]uint32, voices), make([]uint32, voices)
			for v := range voices {
				ph[v], in[v] = bits(src[3*v]), bits(src[3*v+1])
			}
			gains := src[2*voices : 3*voices]
			wph := append([]uint32(nil), ph...)
			gl, gr := [64]float32(dst), [64]float32(dst[len(dst)-64:])
			wl, wr := gl, gr
			SineVoices(&gl, &gr, ph, in, gains, src[:voices])
			sineVoicesGeneric(&wl, &wr, wph, in, gains, src[:voices])
			check("SineVoices left", gl[:], wl[:])
			check("SineVoices right", gr[:], wr[:])
			for v := range ph {
				if ph[v] != wph[v] {
					t.Fatalf("SineVoices phase %d = %#x, want %#x", v, ph[v], wph[v])
				}
			}
		}
		if voices := len(src) / 72; voices > 0 {
			// voices blocks, states and coefficients, all the fuzzer's
			// floats: the kernel on them must match its twin.
			x := make([]block.Block, voices)
			for v := range x {
				x[v] = [64]float32(src[64*v:])
			}
			lanes := src[64*voices : 72*voices]
			wx := append([]block.Block(nil), x...)
			gs, ws := append([]float32(nil), lanes[:2*voices]...), append([]float32(nil), lanes[:2*voices]...)
			c := func(j int) []float32 { return lanes[j*voices : (j+1)*voices] }
			SVFVoices(x, gs[:voices], gs[voices:], c(2), c(3), c(4), c(5), c(6), c(7))
			svfVoicesGeneric(wx, ws[:voices], ws[voices:], c(2), c(3), c(4), c(5), c(6), c(7))
			for v := range x {
				check("SVFVoices", x[v][:], wx[v][:])
			}
			check("SVFVoices state", gs, ws)
		}
		if len(raw) >= 16 && len(x) >= 1 {
			// 1..4 voices whose rows read stretches of the fuzzer's floats
			// from positions and steps that are its bytes: any position,
			// any step, any value, and the twin's bits.
			voices := 1 + int(off)%4
			word := func(i int) uint64 { return binary.LittleEndian.Uint64(raw[(8*i)%(len(raw)-7):]) }
			srcs := make([][]float32, 4*voices)
			pos := make([]uint64, 4*voices)
			for r := range srcs {
				from := (r * 7) % len(x)
				srcs[r] = x[from : from+1+(r*13)%(len(x)-from)]
				pos[r] = word(r)
			}
			step, cubic := make([]uint64, voices), make([]bool, voices)
			for v := range step {
				step[v], cubic[v] = word(4*voices+v), (int(off)>>v)&1 == 1
			}
			g, w := make([]block.Block, voices), make([]block.Block, voices)
			SampleVoices(g, srcs, pos, step, cubic)
			if !sampleVoicesGeneric(w, srcs, pos, step, cubic) {
				t.Fatal("the twin found a bad source")
			}
			for v := range g {
				check("SampleVoices", g[v][:], w[v][:])
			}
		}
		if voices := len(src) / 68; voices > 0 {
			// voices blocks and gains, all the fuzzer's floats, each
			// voice reading the block its index picks from the bytes.
			x := make([]block.Block, voices)
			lane, g := make([]int32, voices), make([][4]float32, voices)
			for v := range x {
				x[v] = [64]float32(src[64*v:])
				g[v] = [4]float32(src[64*voices+4*v:])
				lane[v] = int32(int(raw[v%len(raw)]) % voices)
			}
			var gl, gr, wl, wr block.Block
			if len(dst) >= 64 {
				gl, gr = [64]float32(dst), [64]float32(dst[len(dst)-64:])
				wl, wr = gl, gr
			}
			PanAddRampVoices(&gl, &gr, x, lane, g)
			panAddRampVoicesGeneric(&wl, &wr, x, lane, g)
			check("PanAddRampVoices left", gl[:], wl[:])
			check("PanAddRampVoices right", gr[:], wr[:])
		}
		gl, gr := append([]float32(nil), dst...), append([]float32(nil), src...)
		wl, wr := append([]float32(nil), dst...), append([]float32(nil), src...)
		PanAddRamp(gl, gr, src, p[0], p[1], p[2], p[3])
		panAddRampGeneric(wl, wr, src, p[0], p[1], p[2], p[3])
		check("PanAddRamp left", gl, wl)
		check("PanAddRamp right", gr, wr)
		gi, wi := make([]float32, 2*len(src)), make([]float32, 2*len(src))
		Interleave(gi, src, dst)
		interleaveGeneric(wi, src, dst)
		check("Interleave", gi, wi)
		if got, want := Peak(src), peakGeneric(src); !sameBits(got, want) {
			t.Fatalf("Peak = %v, want %v", got, want)
		}
		got, want := RMS(src), rmsGeneric(src)
		finite := !math.IsInf(float64(want), 0) && want == want
		if !sameBits(got, want) && !(finite && math.Abs(float64(got-want)) <= 1e-5*float64(want)) {
			t.Fatalf("RMS = %v, want %v", got, want)
		}
		if k := uint(1 + int(off)%10); len(x) >= 2<<k {
			table := Table{pairs: asPairs(x[:2<<k]), bits: k}
			g, w := append([]float32(nil), dst...), append([]float32(nil), dst...)
			gp := Wavetable(g, &table, bits(p[1]), bits(p[2]))
			wp := wavetableGeneric(w, table.pairs, k, bits(p[1]), bits(p[2]))
			if gp != wp {
				t.Fatalf("Wavetable phase %#x, want %#x", gp, wp)
			}
			check("Wavetable", g, w)
		}
	})
}
