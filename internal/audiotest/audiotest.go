// Package audiotest measures rendered audio for tests: levels and
// envelopes, onsets and the lag between two renders, pitch, spectra
// (centroid, 1/3-octave bands, the level of one tone), decay slopes and
// level crossings, and the response of a two-pole filter fitted to its
// input and output.
//
// Every function takes float32 samples at a sample rate in Hz, works in
// float64 and allocates its own results: it is made to judge renders, not
// to run on a render path. Levels are in dB relative to full scale: a
// full-scale square wave is 0 dB, a full-scale sine -3.01 dB.
package audiotest

import (
	"math"
	"slices"
)

// PowerDB converts a mean square to dB (10 log10), with silence at -400 dB
// rather than -Inf so that differences of silent windows stay finite.
func PowerDB(ms float64) float64 {
	if ms <= 1e-40 {
		return -400
	}
	return 10 * math.Log10(ms)
}

// AmpDB converts an amplitude ratio to dB (20 log10), with 0 at -400 dB.
func AmpDB(a float64) float64 {
	if a <= 1e-20 {
		return -400
	}
	return 20 * math.Log10(a)
}

// MeanSquare returns the mean of x² over every channel (0 for no samples).
func MeanSquare(chans ...[]float32) float64 {
	var sum float64
	n := 0
	for _, x := range chans {
		for _, v := range x {
			sum += float64(v) * float64(v)
		}
		n += len(x)
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// LevelDB is the level of the channels in dB: PowerDB of their MeanSquare.
func LevelDB(chans ...[]float32) float64 { return PowerDB(MeanSquare(chans...)) }

// Peak returns the largest absolute sample of the channels.
func Peak(chans ...[]float32) float32 {
	var p float32
	for _, x := range chans {
		for _, v := range x {
			if v < 0 {
				v = -v
			}
			if v > p {
				p = v
			}
		}
	}
	return p
}

// Cents returns the interval from frequency a to b in cents.
func Cents(a, b float64) float64 { return 1200 * math.Log2(b/a) }

// Median returns the median of v (NaN for none); v is not modified.
func Median(v []float64) float64 { return Quantile(v, 0.5) }

// Quantile returns the q-quantile of v (0 <= q <= 1), interpolating
// linearly between order statistics; NaN for an empty v. v is not
// modified.
func Quantile(v []float64, q float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	slices.Sort(s)
	pos := q * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	f := pos - float64(i)
	return s[i]*(1-f) + s[i+1]*f
}
