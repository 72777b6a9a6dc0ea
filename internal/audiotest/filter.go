package audiotest

import (
	"errors"
	"math"
	"math/cmplx"
)

// Filter is a linear time-invariant filter with a two-pole recursion,
// y[n] = Σ B[k] x[n-k] - A[0] y[n-1] - A[1] y[n-2], as fitted by
// FitFilter: a biquad, or any two-pole filter (state-variable filters
// included) with a numerator of up to len(B) taps.
type Filter struct {
	B []float64
	A [2]float64
}

// Response returns the filter's complex gain at f Hz.
func (f Filter) Response(hz float64, rate int) complex128 {
	w := 2 * math.Pi * hz / float64(rate)
	z1 := cmplx.Exp(complex(0, -w))
	var num complex128
	zk := complex(1, 0)
	for _, b := range f.B {
		num += complex(b, 0) * zk
		zk *= z1
	}
	den := 1 + complex(f.A[0], 0)*z1 + complex(f.A[1], 0)*z1*z1
	return num / den
}

// GainDB returns the filter's gain at hz relative to its gain at 0 Hz, in
// dB.
func (f Filter) GainDB(hz float64, rate int) float64 {
	return AmpDB(cmplx.Abs(f.Response(hz, rate)) / cmplx.Abs(f.Response(0, rate)))
}

// Cutoff returns the lowest frequency at which the gain, relative to
// 0 Hz, has fallen to -drop dB, searching from 1 Hz to the Nyquist
// frequency; NaN if it never does. (A lowpass filter without resonance
// has its cutoff at drop = 3.01.)
func (f Filter) Cutoff(rate int, drop float64) float64 {
	nyq := float64(rate) / 2
	// Step in 1/200 octave, then bisect the crossing.
	prev := 1.0
	for hz := 1.0; hz < nyq; hz *= math.Pow(2, 1.0/200) {
		if f.GainDB(hz, rate) <= -drop {
			lo, hi := prev, hz
			for i := 0; i < 60; i++ {
				mid := math.Sqrt(lo * hi)
				if f.GainDB(mid, rate) <= -drop {
					hi = mid
				} else {
					lo = mid
				}
			}
			return math.Sqrt(lo * hi)
		}
		prev = hz
	}
	return math.NaN()
}

// Peak returns the frequency of the filter's largest gain between 1 Hz
// and the Nyquist frequency and that gain in dB relative to 0 Hz.
func (f Filter) Peak(rate int) (hz, db float64) {
	nyq := float64(rate) / 2
	hz, db = 1, f.GainDB(1, rate)
	step := math.Pow(2, 1.0/400)
	for h := 1.0; h < nyq; h *= step {
		if g := f.GainDB(h, rate); g > db {
			hz, db = h, g
		}
	}
	// Golden-section search around the best grid point.
	lo, hi := hz/step, math.Min(hz*step, nyq)
	for i := 0; i < 60; i++ {
		a, b := lo+(hi-lo)*0.382, lo+(hi-lo)*0.618
		if f.GainDB(a, rate) > f.GainDB(b, rate) {
			hi = b
		} else {
			lo = a
		}
	}
	hz = (lo + hi) / 2
	return hz, f.GainDB(hz, rate)
}

// Design returns the frequency and resonance of the analog two-pole
// prototype whose bilinear transform has the filter's poles: the design
// cutoff f0 and Q of a cookbook biquad, or of a trapezoidal state-variable
// filter, exactly (cos ω0 = -A1/(1+A2), Q = sin ω0 (1+A2) / 2(1-A2)).
// Unlike the -3 dB point or the peak, it does not depend on the numerator
// (gain, zeros, a delay). NaN for poles no such prototype has.
func (f Filter) Design(rate int) (hz, q float64) {
	c := -f.A[0] / (1 + f.A[1])
	if !(c > -1 && c < 1) || f.A[1] >= 1 {
		return math.NaN(), math.NaN()
	}
	w := math.Acos(c)
	alpha := (1 - f.A[1]) / (1 + f.A[1])
	return w * float64(rate) / (2 * math.Pi), math.Sin(w) / (2 * alpha)
}

// ErrFit is returned by FitFilter when the input cannot determine a
// filter: too short, silent, or not rich enough in frequencies.
var ErrFit = errors.New("audiotest: the signals do not determine a filter")

// FitFilter finds the two-pole filter with taps numerator taps that turns
// x into y, by least squares over every n from taps (or 2) to len(x)-1:
// y[n] = Σ_{k<taps} B[k] x[n-k] - A[0] y[n-1] - A[1] y[n-2]. x and y
// must be aligned (y[n] the output for input x[n]) and equally long.
// It returns the filter and the RMS of the residual relative to the RMS
// of y: near the float32 rounding of y (1e-7) when y really is such a
// filter's output of x.
func FitFilter(x, y []float32, taps int) (Filter, float64, error) {
	p := taps + 2
	start := max(taps-1, 2)
	n := len(y) - start
	if len(x) != len(y) || n < 4*p {
		return Filter{}, 0, ErrFit
	}
	// Columns of the least-squares system, solved by Householder QR (the
	// normal equations would square its condition number, which is large
	// for low cutoffs).
	a := make([][]float64, p)
	for j := range a {
		a[j] = make([]float64, n)
	}
	rhs := make([]float64, n)
	var ey float64
	for i := 0; i < n; i++ {
		at := start + i
		for k := 0; k < taps; k++ {
			a[k][i] = float64(x[at-k])
		}
		a[taps][i] = -float64(y[at-1])
		a[taps+1][i] = -float64(y[at-2])
		rhs[i] = float64(y[at])
		ey += rhs[i] * rhs[i]
	}
	if ey == 0 {
		return Filter{}, 0, ErrFit
	}
	coef, err := leastSquares(a, rhs)
	if err != nil {
		return Filter{}, 0, err
	}
	f := Filter{B: coef[:taps], A: [2]float64{coef[taps], coef[taps+1]}}
	var res float64
	for i := 0; i < n; i++ {
		at := start + i
		e := float64(y[at])
		for k := 0; k < taps; k++ {
			e -= f.B[k] * float64(x[at-k])
		}
		e += f.A[0]*float64(y[at-1]) + f.A[1]*float64(y[at-2])
		res += e * e
	}
	return f, math.Sqrt(res / ey), nil
}

// leastSquares solves min |A c - b| for the columns a of A by Householder
// QR; a and b are overwritten.
func leastSquares(a [][]float64, b []float64) ([]float64, error) {
	p, n := len(a), len(b)
	diag := make([]float64, p)
	for j := 0; j < p; j++ {
		col := a[j]
		var norm float64
		for i := j; i < n; i++ {
			norm += col[i] * col[i]
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			return nil, ErrFit
		}
		if col[j] > 0 {
			norm = -norm
		}
		// v = col[j:] - norm e_j, stored in col[j:]; H = I - 2vv'/v'v.
		col[j] -= norm
		var vv float64
		for i := j; i < n; i++ {
			vv += col[i] * col[i]
		}
		apply := func(c []float64) {
			var d float64
			for i := j; i < n; i++ {
				d += col[i] * c[i]
			}
			d = 2 * d / vv
			for i := j; i < n; i++ {
				c[i] -= d * col[i]
			}
		}
		for k := j + 1; k < p; k++ {
			apply(a[k])
		}
		apply(b)
		diag[j] = norm
	}
	// Back substitution: R c = Q'b, R's diagonal in diag, above it in a.
	c := make([]float64, p)
	for j := p - 1; j >= 0; j-- {
		s := b[j]
		for k := j + 1; k < p; k++ {
			s -= a[k][j] * c[k]
		}
		if math.Abs(diag[j]) < 1e-300 {
			return nil, ErrFit
		}
		c[j] = s / diag[j]
	}
	// A rank-deficient system shows as a tiny diagonal relative to the
	// largest.
	big := 0.0
	for _, d := range diag {
		big = math.Max(big, math.Abs(d))
	}
	for _, d := range diag {
		if math.Abs(d) < 1e-12*big {
			return nil, ErrFit
		}
	}
	return c, nil
}
