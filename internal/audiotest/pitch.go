package audiotest

import "math"

// Pitch estimates the fundamental frequency of x in Hz, searching periods
// between rate/maxHz and rate/minHz, and returns it with its clarity (see
// PitchNear). x should be the steady part of a tone, at least two of its
// longest periods long.
//
// The period is found on the normalised autocorrelation of a short
// window (the first maximum within 10 % of the highest), then refined
// by PitchNear.
func Pitch(x []float32, rate int, minHz, maxHz float64) (hz, clarity float64) {
	lo := int(math.Floor(float64(rate) / maxHz))
	hi := int(math.Ceil(float64(rate) / minHz))
	w := min(len(x), max(4*hi, 4096))
	if lo < 1 || hi > w/2 {
		return math.NaN(), 0
	}
	nacf := autocorrelation(x[:w], hi+1)
	best := -1.0
	for t := lo; t <= hi; t++ {
		best = math.Max(best, nacf[t])
	}
	if best <= 0 {
		return math.NaN(), 0
	}
	for t := max(lo, 1); t <= hi; t++ {
		if nacf[t] >= 0.9*best && nacf[t] >= nacf[t-1] && (t == hi || nacf[t] >= nacf[t+1]) {
			return PitchNear(x, rate, float64(rate)/float64(t))
		}
	}
	return math.NaN(), 0
}

// autocorrelation returns the normalised autocorrelation of x at lags
// 0..n-1: Σ x[i]x[i+τ] over the overlap, divided by the root of the
// product of both parts' energies.
func autocorrelation(x []float32, n int) []float64 {
	size := 1
	for size < 2*len(x) {
		size <<= 1
	}
	buf := make([]complex128, size)
	for i, v := range x {
		buf[i] = complex(float64(v), 0)
	}
	fft(buf)
	for i := range buf {
		buf[i] = complex(sq(buf[i]), 0)
	}
	// The inverse transform of a real, even spectrum is the forward one
	// divided by the size.
	fft(buf)
	pre := make([]float64, len(x)+1)
	for i, v := range x {
		pre[i+1] = pre[i] + float64(v)*float64(v)
	}
	out := make([]float64, n)
	for t := 0; t < n && t < len(x); t++ {
		e := math.Sqrt((pre[len(x)-t] - pre[0]) * (pre[len(x)] - pre[t]))
		if e > 0 {
			out[t] = real(buf[t]) / float64(size) / e
		}
	}
	return out
}

// pitchMaxLag bounds the lags PitchNear correlates over: 0.1 s holds
// enough periods for a few thousandths of a cent, yet is short enough
// that tones whose timbre evolves (decays, beating layers) still correlate
// well with themselves.
const pitchMaxLag = 0.1

// PitchNear measures the fundamental frequency of x near hz (within about
// a semitone of it at first) and returns it with its clarity: the
// normalised autocorrelation at one period (1 for a perfectly periodic
// signal, near 0 for noise). It finds the autocorrelation maximum near one
// period, then near 2, 4, 8, ... periods (up to 0.1 s or half of x), each
// time predicted from the last, and interpolates the last maximum, every
// correlation taken over all of x that the longest lag leaves. Two signals
// measured with the same hz and length use the same multiple of the
// period, so their difference in cents is exact even for tones whose
// partials are not harmonic.
func PitchNear(x []float32, rate int, hz float64) (float64, float64) {
	period := float64(rate) / hz
	if !(period >= 2) {
		return math.NaN(), 0
	}
	// The autocorrelation's peaks are as narrow as the highest partials
	// make them, too narrow to interpolate finely: measure on a copy
	// lowpassed to the first few partials, which keeps every peak where
	// it is (an LTI filter of a periodic signal is periodic). The
	// filter's start-up transient is skipped.
	fc := math.Min(6*hz, 0.4*float64(rate))
	skip := int(4 * float64(rate) / fc)
	if len(x)-skip < len(x)*3/4 {
		skip = len(x) / 4
	}
	x = lowpass(x, fc, rate)[skip:]
	maxLag := math.Min(pitchMaxLag*float64(rate), float64(len(x)/2))
	if period*1.06+2 > maxLag {
		return math.NaN(), 0
	}
	w := len(x) - int(maxLag) - 8
	// The first search spans ±1 semitone, but stops short of the
	// neighbouring periods' peaks.
	near := max(1, int(period/2)-1)
	reach := min(max(2, int(math.Ceil(0.06*period))), near)
	clarity := 0.0
	for m := 1; float64(m)*period+float64(reach)+1 < maxLag; m *= 2 {
		lag, c := peakNear(x, w, float64(m)*period, reach)
		if math.IsNaN(lag) {
			if m == 1 {
				return math.NaN(), 0
			}
			break
		}
		period = lag / float64(m)
		if m == 1 {
			clarity = c
		}
		reach = min(4, near)
	}
	return float64(rate) / period, clarity
}

// peakNear returns the lag, interpolated to a fraction of a sample, of
// the largest normalised correlation of x[:w] with x[τ:τ+w] for integer τ
// within reach of around, and that correlation; NaN if the maximum lies on
// the edge of the search (no peak found).
func peakNear(x []float32, w int, around float64, reach int) (float64, float64) {
	c0 := int(math.Round(around))
	lo, hi := max(1, c0-reach), c0+reach
	if hi+1+w > len(x) {
		return math.NaN(), 0
	}
	var e0 float64
	for _, v := range x[:w] {
		e0 += float64(v) * float64(v)
	}
	corr := func(t int) float64 {
		var c, e float64
		y := x[t : t+w]
		for i, v := range x[:w] {
			c += float64(v) * float64(y[i])
			e += float64(y[i]) * float64(y[i])
		}
		if e == 0 || e0 == 0 {
			return 0
		}
		return c / math.Sqrt(e0*e)
	}
	vals := make([]float64, hi-lo+3)
	for t := lo - 1; t <= hi+1; t++ {
		if t < 0 {
			continue
		}
		vals[t-lo+1] = corr(t)
	}
	best := lo
	for t := lo; t <= hi; t++ {
		if vals[t-lo+1] > vals[best-lo+1] {
			best = t
		}
	}
	if best == lo && lo > 1 || best == hi {
		return math.NaN(), 0
	}
	a, b, c := vals[best-lo], vals[best-lo+1], vals[best-lo+2]
	// Interpolate the peak as a cosine through the three points (exact
	// for a sinusoid, and a parabola's limit for broad peaks).
	if b > 0 {
		if cw := (a + c) / (2 * b); cw > -1 && cw < 1 {
			w := math.Acos(cw)
			d := math.Atan2(c-a, 2*b*math.Sin(w)) / w
			return float64(best) + d, b / math.Cos(w*d)
		}
	}
	d := 0.0
	if den := a - 2*b + c; den < 0 {
		d = 0.5 * (a - c) / den
	}
	return float64(best) + d, b - 0.25*(a-c)*d
}

// Track is the frequency of a pure tone period by period: Hz[i] is
// 1/period of the period centred at T[i] seconds.
type Track struct {
	T, Hz []float64
}

// FrequencyTrack measures the frequency of a pure tone period by period,
// between successive upward zero crossings located to a fraction of a
// sample; times are in seconds from sample 0 of x. A crossing whose step
// is below floor ends the track there (silence gives no track), and it
// starts again at the next clean crossing.
func FrequencyTrack(x []float32, rate int, floor float32) Track {
	var tr Track
	prev := math.NaN()
	for i := 1; i < len(x); i++ {
		a, b := x[i-1], x[i]
		if !(a < 0 && b >= 0) {
			continue
		}
		if b-a < floor {
			prev = math.NaN()
			continue
		}
		at := float64(i-1) + float64(-a)/float64(b-a)
		if !math.IsNaN(prev) {
			tr.T = append(tr.T, (at+prev)/2/float64(rate))
			tr.Hz = append(tr.Hz, float64(rate)/(at-prev))
		}
		prev = at
	}
	return tr
}

// MeanCents returns the mean pitch in cents relative to ref Hz over the
// periods centred in [t0, t1], each weighted by its duration (a time
// average, so a vibrato symmetric in cents averages to its centre), and
// the number of periods; NaN and 0 for none.
func (tr Track) MeanCents(t0, t1, ref float64) (float64, int) {
	var sum, dur float64
	n := 0
	for i, t := range tr.T {
		if t >= t0 && t <= t1 {
			d := 1 / tr.Hz[i]
			sum += Cents(ref, tr.Hz[i]) * d
			dur += d
			n++
		}
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return sum / dur, n
}

// Cents returns the track in cents relative to ref Hz.
func (tr Track) Cents(ref float64) []float64 {
	c := make([]float64, len(tr.Hz))
	for i, hz := range tr.Hz {
		c[i] = Cents(ref, hz)
	}
	return c
}

// lowpass returns x through a two-pole Butterworth lowpass at fc Hz.
func lowpass(x []float32, fc float64, rate int) []float32 {
	w := 2 * math.Pi * fc / float64(rate)
	alpha := math.Sin(w) / math.Sqrt2
	a0 := 1 + alpha
	b := (1 - math.Cos(w)) / a0
	a1, a2 := -2*math.Cos(w)/a0, (1-alpha)/a0
	y := make([]float32, len(x))
	var x1, x2, y1, y2 float64
	for i, v := range x {
		in := float64(v)
		out := b/2*in + b*x1 + b/2*x2 - a1*y1 - a2*y2
		x2, x1, y2, y1 = x1, in, y1, out
		y[i] = float32(out)
	}
	return y
}

// ZeroCrossingHz measures the frequency of x, sampled at rate, from its
// first and last upward zero crossings, each located by linear
// interpolation: for a pure tone, exact to a few parts per million, and
// cheap. It returns NaN when x crosses upwards fewer than twice.
func ZeroCrossingHz(x []float32, rate float64) float64 {
	first, last, n := -1.0, -1.0, 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			t := float64(i-1) + float64(-x[i-1])/float64(x[i]-x[i-1])
			if first < 0 {
				first = t
			}
			last = t
			n++
		}
	}
	if n < 2 {
		return math.NaN()
	}
	return float64(n-1) * rate / (last - first)
}
