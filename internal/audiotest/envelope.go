package audiotest

import "math"

// Envelope is a level track: DB[i] is the level in dB (PowerDB of the mean
// square over every channel) of the window that starts at sample
// Start + i×Hop and is Window samples long.
type Envelope struct {
	Rate               int
	Start, Window, Hop int
	DB                 []float64
}

// NewEnvelope measures the level of the channels from sample start to end
// in windows of window samples every hop samples (the last window ends at
// or before end).
func NewEnvelope(rate, start, end, window, hop int, chans ...[]float32) Envelope {
	e := Envelope{Rate: rate, Start: start, Window: window, Hop: hop}
	if end > len(chans[0]) {
		end = len(chans[0])
	}
	// Prefix sums of the squares make each window O(1).
	n := end - start
	if n < window {
		return e
	}
	pre := make([]float64, n+1)
	for _, x := range chans {
		for i := 0; i < n; i++ {
			v := float64(x[start+i])
			pre[i+1] += v * v
		}
	}
	for i := 1; i <= n; i++ {
		pre[i] += pre[i-1]
	}
	for at := 0; at+window <= n; at += hop {
		ms := (pre[at+window] - pre[at]) / float64(window*len(chans))
		e.DB = append(e.DB, PowerDB(ms))
	}
	return e
}

// NewToneEnvelope measures the level of x, a pure tone of hz Hz, like
// NewEnvelope but free of the ripple a window that holds no whole number
// of periods gives: each sample's amplitude comes from the sample and its
// neighbours, A² = x[n]² + ((x[n+1]-x[n-1]) / 2 sin ω)², exact for a
// steady sinusoid of angular frequency ω, and the windows average A²/2.
func NewToneEnvelope(rate, start, end, window, hop int, hz float64, x []float32) Envelope {
	e := Envelope{Rate: rate, Start: start, Window: window, Hop: hop}
	start, end = max(start, 1), min(end, len(x)-1)
	e.Start = start
	n := end - start
	if n < window {
		return e
	}
	k := 1 / (2 * math.Sin(2*math.Pi*hz/float64(rate)))
	pre := make([]float64, n+1)
	for i := 0; i < n; i++ {
		at := start + i
		d := float64(x[at+1]-x[at-1]) * k
		v := float64(x[at])
		pre[i+1] = pre[i] + (v*v+d*d)/2
	}
	for at := 0; at+window <= n; at += hop {
		e.DB = append(e.DB, PowerDB((pre[at+window]-pre[at])/float64(window)))
	}
	return e
}

// Time returns the centre of window i in seconds from sample 0.
func (e Envelope) Time(i int) float64 {
	return (float64(e.Start+i*e.Hop) + float64(e.Window)/2) / float64(e.Rate)
}

// Max returns the largest level in the envelope (-400 dB when empty).
func (e Envelope) Max() float64 {
	m := -400.0
	for _, v := range e.DB {
		m = math.Max(m, v)
	}
	return m
}

// At returns the level at time t seconds, interpolated linearly between
// window centres (held at the ends).
func (e Envelope) At(t float64) float64 {
	if len(e.DB) == 0 {
		return -400
	}
	pos := (t*float64(e.Rate) - float64(e.Start) - float64(e.Window)/2) / float64(e.Hop)
	if pos <= 0 {
		return e.DB[0]
	}
	i := int(pos)
	if i >= len(e.DB)-1 {
		return e.DB[len(e.DB)-1]
	}
	f := pos - float64(i)
	return e.DB[i]*(1-f) + e.DB[i+1]*f
}

// FallTime returns the first time (in seconds) after from at which the
// level falls below level dB, interpolated between window centres; NaN if
// it never does.
func (e Envelope) FallTime(from, level float64) float64 {
	prevT, prevV := math.NaN(), math.NaN()
	for i, v := range e.DB {
		t := e.Time(i)
		if t < from {
			continue
		}
		if v < level {
			if math.IsNaN(prevT) {
				return t
			}
			return prevT + (t-prevT)*(prevV-level)/(prevV-v)
		}
		prevT, prevV = t, v
	}
	return math.NaN()
}

// RiseTime returns the first time (in seconds) after from at which the
// level reaches level dB, interpolated between window centres; NaN if it
// never does.
func (e Envelope) RiseTime(from, level float64) float64 {
	prevT, prevV := math.NaN(), math.NaN()
	for i, v := range e.DB {
		t := e.Time(i)
		if t < from {
			continue
		}
		if v >= level {
			if math.IsNaN(prevT) {
				return t
			}
			return prevT + (t-prevT)*(level-prevV)/(v-prevV)
		}
		prevT, prevV = t, v
	}
	return math.NaN()
}

// Slope fits a straight line to the levels whose window centres lie in
// [t0, t1] seconds and returns its slope in dB per second and the RMS
// deviation of the levels from it; NaN when fewer than 3 windows fall in
// the span.
func (e Envelope) Slope(t0, t1 float64) (dbPerSec, rms float64) {
	var ts, vs []float64
	for i, v := range e.DB {
		if t := e.Time(i); t >= t0 && t <= t1 {
			ts = append(ts, t)
			vs = append(vs, v)
		}
	}
	return LineFit(ts, vs)
}

// LineFit fits y = a + b x by least squares and returns the slope b and
// the RMS residual; NaN for fewer than 3 points.
func LineFit(x, y []float64) (slope, rms float64) {
	n := float64(len(x))
	if len(x) < 3 {
		return math.NaN(), math.NaN()
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxx, sxy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
	}
	slope = sxy / sxx
	var res float64
	for i := range x {
		d := y[i] - (my + slope*(x[i]-mx))
		res += d * d
	}
	return slope, math.Sqrt(res / n)
}
