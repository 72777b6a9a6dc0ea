package audiotest

import (
	"math"
	"math/bits"
	"sync"
)

// twiddles caches exp(-2πik/n), k < n/2, per FFT size n.
var twiddles sync.Map // int -> []complex128

func twiddle(n int) []complex128 {
	if w, ok := twiddles.Load(n); ok {
		return w.([]complex128)
	}
	w := make([]complex128, n/2)
	for k := range w {
		s, c := math.Sincos(-2 * math.Pi * float64(k) / float64(n))
		w[k] = complex(c, s)
	}
	twiddles.Store(n, w)
	return w
}

// fft replaces x by its discrete Fourier transform, X[k] = Σ x[j]
// exp(-2πijk/n); len(x) must be a power of two.
func fft(x []complex128) {
	n := len(x)
	if n&(n-1) != 0 {
		panic("audiotest: FFT size not a power of two")
	}
	if n < 2 {
		return
	}
	shift := 64 - bits.Len(uint(n-1))
	for i := range x {
		j := int(bits.Reverse64(uint64(i)) >> shift)
		if j > i {
			x[i], x[j] = x[j], x[i]
		}
	}
	w := twiddle(n)
	for size := 2; size <= n; size <<= 1 {
		half, step := size/2, n/size
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				t := w[k*step] * x[start+k+half]
				u := x[start+k]
				x[start+k] = u + t
				x[start+k+half] = u - t
			}
		}
	}
}

// hann returns the periodic Hann window of length n and the sum of its
// squares.
func hann(n int) ([]float64, float64) {
	w := make([]float64, n)
	var sq float64
	for i := range w {
		w[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n))
		sq += w[i] * w[i]
	}
	return w, sq
}
