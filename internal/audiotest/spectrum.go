package audiotest

import "math"

// Spectrum is a one-sided power spectrum: Power[k] is the mean square
// carried by the frequencies of bin k (k Hz × Rate/Size), so that the
// bins sum to the signal's mean square.
type Spectrum struct {
	Rate, Size int
	Power      []float64
}

// PowerSpectrum estimates the power spectrum of the channels by Welch's
// method: Hann-windowed frames of size samples (a power of two) with
// half-frame hops, averaged over frames and channels. A signal shorter
// than size is measured with the largest power of two that fits (at
// least 64 samples); one shorter than that gives an all-zero spectrum.
func PowerSpectrum(rate, size int, chans ...[]float32) Spectrum {
	n := len(chans[0])
	for size > 64 && size > n {
		size /= 2
	}
	s := Spectrum{Rate: rate, Size: size, Power: make([]float64, size/2+1)}
	if n < size {
		return s
	}
	w, wsq := hann(size)
	buf := make([]complex128, size)
	frames := 0
	// Two real channels share one complex FFT: a in the real part, b in
	// the imaginary part, separated by the transform's symmetry.
	for c := 0; c < len(chans); c += 2 {
		a := chans[c]
		var b []float32
		if c+1 < len(chans) {
			b = chans[c+1]
		}
		for start := 0; start+size <= n; start += size / 2 {
			for i := range buf {
				re := float64(a[start+i]) * w[i]
				im := 0.0
				if b != nil {
					im = float64(b[start+i]) * w[i]
				}
				buf[i] = complex(re, im)
			}
			fft(buf)
			for k := 0; k <= size/2; k++ {
				z, zc := buf[k], conj(buf[(size-k)%size])
				pa := sq((z + zc) / 2)
				pb := sq((z - zc) / 2)
				if b == nil {
					pb = 0
				}
				s.Power[k] += pa + pb
			}
			frames++
			if b != nil {
				frames++
			}
		}
	}
	norm := 1 / (float64(frames) * float64(size) * wsq)
	for k := range s.Power {
		f := 2.0
		if k == 0 || k == size/2 {
			f = 1
		}
		s.Power[k] *= f * norm
	}
	return s
}

func conj(z complex128) complex128 { return complex(real(z), -imag(z)) }
func sq(z complex128) float64      { return real(z)*real(z) + imag(z)*imag(z) }

// Freq returns the centre frequency of bin k in Hz.
func (s Spectrum) Freq(k int) float64 { return float64(k) * float64(s.Rate) / float64(s.Size) }

// Centroid returns the spectral centroid in Hz between lo and hi: the
// mean frequency weighted by magnitude (the square root of each bin's
// power). NaN when the band holds no power.
func (s Spectrum) Centroid(lo, hi float64) float64 {
	var num, den float64
	for k, p := range s.Power {
		f := s.Freq(k)
		if f < lo || f > hi {
			continue
		}
		m := math.Sqrt(p)
		num += f * m
		den += m
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}

// Band returns the mean square carried by the bins whose centre lies in
// [lo, hi).
func (s Spectrum) Band(lo, hi float64) float64 {
	var sum float64
	for k, p := range s.Power {
		if f := s.Freq(k); f >= lo && f < hi {
			sum += p
		}
	}
	return sum
}

// ThirdOctaves returns the centre frequencies of the 1/3-octave bands
// (base 2, 1000 Hz × 2^(i/3)) from the band holding lo Hz to the band
// holding hi Hz.
func ThirdOctaves(lo, hi float64) []float64 {
	var fc []float64
	for i := int(math.Round(3 * math.Log2(lo/1000))); ; i++ {
		f := 1000 * math.Pow(2, float64(i)/3)
		if f > hi*math.Pow(2, 1.0/6) {
			return fc
		}
		fc = append(fc, f)
	}
}

// BandLevels returns the level in dB of each 1/3-octave band centred on
// the frequencies fc (edges fc × 2^(±1/6)).
func (s Spectrum) BandLevels(fc []float64) []float64 {
	out := make([]float64, len(fc))
	for i, f := range fc {
		out[i] = PowerDB(s.Band(f*math.Pow(2, -1.0/6), f*math.Pow(2, 1.0/6)))
	}
	return out
}

// ToneAmplitudes returns the amplitude of each sinusoid at the
// frequencies hz that together best fit x in the least-squares sense (a
// full-scale sine at one of them gives 1 for it). Fitting the tones
// together keeps each one's measure free of the others' leakage, however
// few cycles x holds; a frequency's amplitude is NaN when x cannot tell it
// from the others.
func ToneAmplitudes(x []float32, rate int, hz ...float64) []float64 {
	cols := make([][]float64, 2*len(hz))
	for j := range cols {
		cols[j] = make([]float64, len(x))
	}
	for k, f := range hz {
		w := 2 * math.Pi * f / float64(rate)
		for i := range x {
			s, c := math.Sincos(w * float64(i))
			cols[2*k][i], cols[2*k+1][i] = c, s
		}
	}
	b := make([]float64, len(x))
	for i, v := range x {
		b[i] = float64(v)
	}
	out := make([]float64, len(hz))
	coef, err := leastSquares(cols, b)
	for k := range hz {
		if err != nil {
			out[k] = math.NaN()
			continue
		}
		out[k] = math.Hypot(coef[2*k], coef[2*k+1])
	}
	return out
}
