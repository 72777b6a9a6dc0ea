package voice

import (
	"math"
	"math/cmplx"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// The reference voice: every kind written for clarity, one sample at a time
// in float64, from the definitions rather than from the bank's code (sines
// from math.Sin, band-limited waves by adding their harmonics, the filter
// from Simper's equations, interpolation with explicit wrapping). The bank
// must match it on random parameters within the tolerances of
// TestBankMatchesReference.

// refOsc returns the source's value at voice sample t, or ok = false once a
// one-shot sample has ended.
func refOsc(p *Params, rate float64, t int) (l, r float64, ok bool) {
	// The oscillators run on the bank's 32-bit fixed-point phase grid: the
	// frequency is the nearest multiple of rate/2^32.
	inc := uint32(math.Round(p.Freq / rate * (1 << 32)))
	phase := float64(uint32(t)*inc) / (1 << 32)
	harmonics := 1 << min(int(math.Log2(float64(uint32(1<<31)/inc))), numLevels-1)
	saw := func(x float64) float64 { // band-limited rising saw 2x-1
		var s float64
		for k := 1; k <= harmonics; k++ {
			s -= 2 / math.Pi * math.Sin(2*math.Pi*float64(k)*x) / float64(k)
		}
		return s
	}
	switch p.Kind {
	case Sine:
		v := math.Sin(2 * math.Pi * phase)
		return v, v, true
	case Saw:
		v := saw(phase)
		return v, v, true
	case Square:
		pw := float64(p.PulseWidth)
		if pw == 0 {
			pw = 0.5
		}
		pw = float64(uint32(math.Round(pw*(1<<32)))) / (1 << 32)
		v := saw(phase-pw) - saw(phase)
		return v, v, true
	case Triangle:
		var v float64
		for k := 1; k <= harmonics; k += 2 {
			sign := 1.0
			if k%4 == 3 {
				sign = -1
			}
			v += sign * 8 / (math.Pi * math.Pi) * math.Sin(2*math.Pi*float64(k)*phase) / float64(k*k)
		}
		return v, v, true
	case Wavetable:
		v := refWavetable(testCycle, harmonics, phase)
		return v, v, true
	case Noise:
		v := float64(refNoise(p.Seed, t))
		return v, v, true
	}
	return refSample(p, rate, t)
}

// refWavetable sums the cycle's harmonics 1..harmonics (a plain DFT).
func refWavetable(cycle []float32, harmonics int, x float64) float64 {
	n := len(cycle)
	var v float64
	for k := 1; k <= harmonics && 2*k < n; k++ {
		var c complex128
		for i, s := range cycle {
			c += complex(float64(s), 0) * cmplx.Exp(complex(0, -2*math.Pi*float64(k*i)/float64(n)))
		}
		c /= complex(float64(n), 0)
		v += 2 * real(c*cmplx.Exp(complex(0, 2*math.Pi*float64(k)*x)))
	}
	return v
}

// refNoise is sample t of the noise: half of SplitMix64's output number
// t/2 (high half for even t), as an int32 over 2^31.
func refNoise(seed uint64, t int) float32 {
	z := seed + uint64(t/2+1)*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	z ^= z >> 31
	half := uint32(z >> 32)
	if t%2 == 1 {
		half = uint32(z)
	}
	return float32(int32(half)) / (1 << 31)
}

// refSample reads the recording at voice sample t.
func refSample(p *Params, rate float64, t int) (l, r float64, ok bool) {
	s := p.Sample
	step := math.Round(p.Freq/s.RootFreq*s.rate/rate*(1<<32)) / (1 << 32)
	pos := float64(t) * step
	end := s.n
	read := func(ch []float32, j int) float64 { // ch without the guards
		if j < 0 {
			if s.loop && s.loopLo == 0 {
				return float64(ch[end-1])
			}
			return 0
		}
		if j >= end {
			if !s.loop {
				return 0
			}
			j = s.loopLo + (j-s.loopLo)%(end-s.loopLo)
		}
		return float64(ch[j])
	}
	if pos >= float64(end) {
		if !s.loop {
			return 0, 0, false
		}
		span := float64(end - s.loopLo)
		pos = float64(s.loopLo) + math.Mod(pos-float64(s.loopLo), span)
	}
	j := int(pos)
	f := pos - float64(j)
	interp := func(ch []float32) float64 {
		x0, x1, x2, x3 := read(ch, j-1), read(ch, j), read(ch, j+1), read(ch, j+2)
		if s.interp == Linear {
			return x1 + f*(x2-x1)
		}
		// Catmull-Rom: the cubic through x1, x2 with slopes (x2-x0)/2
		// and (x3-x1)/2.
		m1, m2 := (x2-x0)/2, (x3-x1)/2
		return (2*f*f*f-3*f*f+1)*x1 + (f*f*f-2*f*f+f)*m1 + (-2*f*f*f+3*f*f)*x2 + (f*f*f-f*f)*m2
	}
	l = interp(s.ch[0][guardBefore:])
	r = l
	if len(s.ch) == 2 {
		r = interp(s.ch[1][guardBefore:])
	}
	return l, r, true
}

// refFilter is Simper's trapezoidal SVF in float64, one sample at a time.
type refFilter struct {
	typ      FilterType
	g, k     float64
	ic1, ic2 float64
}

func newRefFilter(f Filter, rate float64) *refFilter {
	fc := min(max(float64(f.Cutoff), MinCutoff), 0.49*rate)
	q := math.Sqrt2 / 2 * math.Pow(MaxQ*math.Sqrt2, float64(f.Resonance))
	return &refFilter{typ: f.Type, g: math.Tan(math.Pi * fc / rate), k: 1 / q}
}

func (f *refFilter) step(v0 float64) float64 {
	if f.typ == FilterNone {
		return v0
	}
	a1 := 1 / (1 + f.g*(f.g+f.k))
	a2 := f.g * a1
	a3 := f.g * a2
	v3 := v0 - f.ic2
	v1 := a1*f.ic1 + a2*v3
	v2 := f.ic2 + a2*f.ic1 + a3*v3
	f.ic1 = 2*v1 - f.ic1
	f.ic2 = 2*v2 - f.ic2
	switch f.typ {
	case Lowpass:
		return v2
	case Highpass:
		return v0 - f.k*v1 - v2
	}
	return f.k * v1
}

// refRender renders n samples of a voice started at offset and released at
// voice sample off (-1: never), returning left and right.
func refRender(p Params, rate float64, offset, off, n int) (left, right []float64) {
	left, right = make([]float64, n), make([]float64, n)
	env := refEnvelope(p.Env, rate, n, off)
	fl, fr := newRefFilter(p.Filter, rate), newRefFilter(p.Filter, rate)
	gl := float64(p.Gain) * math.Cos((float64(p.Pan)+1)*math.Pi/4)
	gr := float64(p.Gain) * math.Sin((float64(p.Pan)+1)*math.Pi/4)
	for i := offset; i < n; i++ {
		t := i - offset
		l, r, ok := refOsc(&p, rate, t)
		if !ok {
			break
		}
		l, r = fl.step(l), fr.step(r)
		if p.Kind == Sampler && len(p.Sample.ch) == 2 {
			left[i], right[i] = env[t]*gl*l, env[t]*gr*r
		} else {
			left[i], right[i] = env[t]*gl*l, env[t]*gr*l
		}
	}
	return left, right
}

// Tolerances of the bank against the reference, as the largest error over
// the reference's peak (times the filter's resonant gain, which multiplies
// every error). Sines, noise and samples differ by float32 rounding. The
// table kinds also differ by the linear interpolation of their 8192-point
// tables: negligible for smooth waves (triangle, the test wavetable), but up
// to 0.35% of the peak on the steep band-limited edge of a saw or pulse
// below 70 Hz, where up to 512 harmonics are read at 16 points per cycle of
// the highest. That error is a few samples at each edge; its spectrum stays
// 106 dB below the fundamental (TestBandLimitedAliasRejection at 38 Hz).
var refTolerance = map[Kind]float64{
	Sine: 2e-6, Noise: 2e-6, Sampler: 2e-6,
	Triangle: 1e-4, Wavetable: 1e-4,
	Saw: 5e-3, Square: 5e-3,
}

func TestBankMatchesReference(t *testing.T) {
	tbl, smp := testTableAndSample(t)
	mono, err := NewSample(testRate/2, [][]float32{sineRecording(3000, 37)}, 500, false, 0, 0, Linear)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	const blocks = 24
	worst := map[Kind]float64{}
	for trial := range 300 {
		p := randomParams(rng, tbl, smp)
		if p.Kind == Sampler && rng.IntN(2) == 0 {
			p.Sample = mono
		}
		offset, off := rng.IntN(block.Size), rng.IntN(blocks*block.Size)
		b := newTestBank(t, 1)
		start(t, b, 0, p, offset)
		left, right := renderBlocks(b, 0, blocks, func(i int) {
			if (offset+off)/block.Size == i {
				b.NoteOff(0, (offset+off)%block.Size)
			}
		})
		wl, wr := refRender(p, testRate, offset, off, blocks*block.Size)
		var errMax, ref float64
		for i := range wl {
			errMax = max(errMax, math.Abs(float64(left[i])-wl[i]), math.Abs(float64(right[i])-wr[i]))
			ref = max(ref, math.Abs(wl[i]), math.Abs(wr[i]))
		}
		// The filter's gain at resonance scales the errors too.
		scale := max(ref, float64(p.Gain)) * (1 + float64(p.Filter.Type)*MaxQ*float64(p.Filter.Resonance))
		rel := errMax / scale
		worst[p.Kind] = max(worst[p.Kind], rel)
		if rel > refTolerance[p.Kind] || math.IsNaN(rel) {
			t.Errorf("trial %d %v %.1f Hz filter %+v: error %.3g of the peak, tolerance %.3g",
				trial, p.Kind, p.Freq, p.Filter, rel, refTolerance[p.Kind])
		}
	}
	for k, w := range worst {
		t.Logf("%-9v worst error %.2e (tolerance %.0e)", k, w, refTolerance[k])
	}
}

// TestNoiseBitExact checks the noise source sample for sample: with unit
// gain, hard left and no envelope or filter the bank adds exactly the
// generator's values.
func TestNoiseBitExact(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Noise, Freq: 1, Gain: 1, Pan: -1, Seed: 42}, 3) // odd: starts on a high half, ends blocks on low ones
	left, _ := renderBlocks(b, 0, 20, nil)
	for i := 3; i < len(left); i++ {
		if want := refNoise(42, i-3); left[i] != want {
			t.Fatalf("sample %d: %v, want %v", i, left[i], want)
		}
	}
}
