package mix

import (
	"math"
	"strconv"
	"testing"

	"github.com/aether-audio/aether/block"
)

// Benchmarks are named Kernel/tier/samples for benchstat: one 64-sample
// block, and a chunk of 256 blocks. Besides the tiers, AddScaled and
// PanAddRamp run a plain range loop ("range") and a 4-way unrolled Go loop
// ("unrolled"), the best pure Go, so the payoff of the assembly shows.
// b.SetBytes counts 4 bytes per output sample.

const blockLen = 64

var benchSizes = []int{blockLen, 256 * blockLen}

// benchTiers runs bench once per tier and size, then once per size for each
// pure-Go loop named in loops, passing that name (empty for the tiers).
func benchTiers(b *testing.B, loops []string, bench func(b *testing.B, n int, loop string)) {
	defer SetTier("best")
	sizes := func(name, loop string) {
		for _, n := range benchSizes {
			b.Run(name+"/"+strconv.Itoa(n), func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				bench(b, n, loop)
			})
		}
	}
	for _, name := range Tiers() {
		if err := SetTier(name); err != nil {
			b.Fatal(err)
		}
		sizes(name, "")
	}
	for _, loop := range loops {
		sizes(loop, loop)
	}
}

func benchSlices(n, k int) [][]float32 {
	s := make([][]float32, k)
	for i := range s {
		s[i] = make([]float32, n)
		for j := range s[i] {
			s[i][j] = float32(j%97)*0.01 - 0.5
		}
	}
	return s
}

func addScaledRange(dst, src []float32, g float32) {
	for i := range dst {
		dst[i] += g * src[i]
	}
}

func addScaledUnrolled(dst, src []float32, g float32) {
	src = src[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, s := dst[i:i+4:i+4], src[i:i+4:i+4]
		d[0] += g * s[0]
		d[1] += g * s[1]
		d[2] += g * s[2]
		d[3] += g * s[3]
	}
	for ; i < len(dst); i++ {
		dst[i] += g * src[i]
	}
}

func BenchmarkAddScaled(b *testing.B) {
	benchTiers(b, []string{"range", "unrolled"}, func(b *testing.B, n int, loop string) {
		s := benchSlices(n, 2)
		f := map[string]func([]float32, []float32, float32){
			"": AddScaled, "range": addScaledRange, "unrolled": addScaledUnrolled}[loop]
		for b.Loop() {
			f(s[0], s[1], 0.999)
		}
	})
}

func panAddRampRange(left, right, src []float32, l0, l1, r0, r1 float32) {
	lstep := (l1 - l0) / float32(len(left))
	rstep := (r1 - r0) / float32(len(left))
	for i := range left {
		fi := float32(i)
		left[i] += (l0 + fi*lstep) * src[i]
		right[i] += (r0 + fi*rstep) * src[i]
	}
}

func panAddRampUnrolled(left, right, src []float32, l0, l1, r0, r1 float32) {
	n := len(left)
	right, src = right[:n], src[:n]
	lstep := (l1 - l0) / float32(n)
	rstep := (r1 - r0) / float32(n)
	i := 0
	for ; i+4 <= n; i += 4 {
		l, r, s := left[i:i+4:i+4], right[i:i+4:i+4], src[i:i+4:i+4]
		f := float32(i)
		l[0] += (l0 + f*lstep) * s[0]
		r[0] += (r0 + f*rstep) * s[0]
		l[1] += (l0 + (f+1)*lstep) * s[1]
		r[1] += (r0 + (f+1)*rstep) * s[1]
		l[2] += (l0 + (f+2)*lstep) * s[2]
		r[2] += (r0 + (f+2)*rstep) * s[2]
		l[3] += (l0 + (f+3)*lstep) * s[3]
		r[3] += (r0 + (f+3)*rstep) * s[3]
	}
	for ; i < n; i++ {
		left[i] += (l0 + float32(i)*lstep) * src[i]
		right[i] += (r0 + float32(i)*rstep) * src[i]
	}
}

func BenchmarkPanAddRamp(b *testing.B) {
	benchTiers(b, []string{"range", "unrolled"}, func(b *testing.B, n int, loop string) {
		s := benchSlices(n, 3)
		f := map[string]func(l, r, s []float32, l0, l1, r0, r1 float32){
			"": PanAddRamp, "range": panAddRampRange, "unrolled": panAddRampUnrolled}[loop]
		for b.Loop() {
			f(s[0], s[1], s[2], 0.5, 0.25, 0.5, 0.75)
		}
	})
}

func BenchmarkAddRamp(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 2)
		for b.Loop() {
			AddRamp(s[0], s[1], 0.5, 0.25)
		}
	})
}

// BenchmarkAddBuses sums 8 buses, a chunk reduction of the scheduler.
func BenchmarkAddBuses(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 9)
		for b.Loop() {
			AddBuses(s[0], s[1:])
		}
	})
}

func BenchmarkScale(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 1)
		for b.Loop() {
			Scale(s[0], -1) // exact: the values never decay into subnormals
		}
	})
}

var sinkF float32

func BenchmarkPeak(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 1)
		for b.Loop() {
			sinkF = Peak(s[0])
		}
	})
}

func BenchmarkRMS(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 1)
		for b.Loop() {
			sinkF = RMS(s[0])
		}
	})
}

func BenchmarkInterleave(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		s := benchSlices(n, 2)
		dst := make([]float32, 2*n)
		for b.Loop() {
			Interleave(dst, s[0], s[1])
		}
	})
}

var sinkPhase uint32

func BenchmarkSine(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		dst := make([]float32, n)
		phase := uint32(0)
		for b.Loop() {
			phase = Sine(dst, phase, 39370533) // 440 Hz at 48 kHz
		}
		sinkPhase = phase
	})
}

func BenchmarkWavetable(b *testing.B) {
	benchTiers(b, nil, func(b *testing.B, n int, _ string) {
		table := NewTable(benchSlices(1<<11, 1)[0])
		dst := make([]float32, n)
		phase := uint32(0)
		for b.Loop() {
			phase = Wavetable(dst, &table, phase, 39370533)
		}
		sinkPhase = phase
	})
}

// BenchmarkSineVoice is the cost of one sine voice per 64-sample block as
// the voice package renders it: Sine into a scratch block, then PanAddRamp
// into the stereo bus.
func BenchmarkSineVoice(b *testing.B) {
	defer SetTier("best")
	for _, name := range Tiers() {
		if err := SetTier(name); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/64", func(b *testing.B) {
			s := benchSlices(blockLen, 3)
			b.SetBytes(4 * blockLen)
			b.ReportAllocs()
			phase := uint32(0)
			for b.Loop() {
				phase = Sine(s[2], phase, 39370533)
				PanAddRamp(s[0], s[1], s[2], 0.5, 0.5, 0.25, 0.25)
			}
			sinkPhase = phase
		})
	}
}

// BenchmarkSineVoices adds 256 steady sine voices (the engine's chunk) into
// a stereo block in one SineVoices call per tier, and reports the cost per
// voice beside BenchmarkSineVoice's Sine + PanAddRamp per voice.
func BenchmarkSineVoices(b *testing.B) {
	const voices = 256
	defer SetTier("best")
	for _, name := range Tiers() {
		if err := SetTier(name); err != nil {
			b.Fatal(err)
		}
		b.Run(name+"/"+strconv.Itoa(voices), func(b *testing.B) {
			var left, right [blockLen]float32
			phases, incs := make([]uint32, voices), make([]uint32, voices)
			gl, gr := make([]float32, voices), make([]float32, voices)
			for v := range voices { // 220 to 880 Hz at 48 kHz, panned across
				incs[v] = uint32(220 * (1 + 3*float64(v)/voices) / 48000 * (1 << 32))
				gl[v], gr[v] = 0.5*float32(voices-v)/voices, 0.5*float32(v)/voices
			}
			b.ReportAllocs()
			for b.Loop() {
				SineVoices(&left, &right, phases, incs, gl, gr)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/voices, "ns/voice")
		})
	}
}

// BenchmarkSVFVoices filters 16 and 256 voices' 64-sample blocks with a
// 2 kHz lowpass in one SVFVoices call per tier and reports the cost per
// voice; generic is the pure-Go loop (four voices interleaved) that the
// voice package ran before.
func BenchmarkSVFVoices(b *testing.B) {
	defer SetTier("best")
	for _, name := range Tiers() {
		if err := SetTier(name); err != nil {
			b.Fatal(err)
		}
		for _, voices := range []int{16, 256} {
			b.Run(name+"/"+strconv.Itoa(voices), func(b *testing.B) {
				x := make([][blockLen]float32, voices)
				s := make([][]float32, 8) // ic1, ic2, a1, a2, a3, m0, m1, m2
				g := math.Tan(math.Pi * 2000 / 48000)
				a1 := 1 / (1 + g*(g+math.Sqrt2))
				for j, c := range []float64{0, 0, a1, g * a1, g * g * a1, 0, 0, 1} {
					s[j] = make([]float32, voices)
					for v := range voices {
						s[j][v] = float32(c)
					}
				}
				for v := range x {
					for i := range x[v] {
						x[v][i] = float32(math.Sin(float64(v + i)))
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					SVFVoices(x, s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7])
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(voices), "ns/voice")
			})
		}
	}
}

// BenchmarkSampleVoices reads 16 voices' 64-sample blocks (a batch of the
// voice package) from a 48000-frame recording in one SampleVoices call per
// tier and reports the cost per voice: cubic and linear, at playback
// ratios from 0.71 to 1.41 (half an octave either side of the root).
func BenchmarkSampleVoices(b *testing.B) {
	const voices = 16
	defer SetTier("best")
	data := make([]float32, 48000)
	for i := range data {
		data[i] = float32(math.Sin(float64(i) * 0.05))
	}
	for _, name := range Tiers() {
		if err := SetTier(name); err != nil {
			b.Fatal(err)
		}
		for _, interp := range []string{"cubic", "linear"} {
			b.Run(name+"/"+interp, func(b *testing.B) {
				dst := make([]block.Block, voices)
				src := make([][]float32, 4*voices)
				pos, step := make([]uint64, 4*voices), make([]uint64, voices)
				cubic := make([]bool, voices)
				for v := range voices {
					step[v] = uint64(math.Exp2(float64(v)/voices-0.5) * (1 << 32))
					cubic[v] = interp == "cubic"
					for q := range 4 {
						src[4*v+q] = data
						pos[4*v+q] = uint64(1000*v)<<32 + uint64(16*q)*step[v]
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					SampleVoices(dst, src, pos, step, cubic)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/voices, "ns/voice")
			})
		}
	}
}
