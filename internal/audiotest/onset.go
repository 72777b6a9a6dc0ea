package audiotest

import "math"

// Onset returns the first sample in [from, to) at which any channel's
// magnitude reaches threshold, or -1 if none does.
func Onset(from, to int, threshold float32, chans ...[]float32) int {
	to = min(to, len(chans[0]))
	for i := max(from, 0); i < to; i++ {
		for _, x := range chans {
			if x[i] >= threshold || -x[i] >= threshold {
				return i
			}
		}
	}
	return -1
}

// Align finds where the window of ref that starts at refAt recurs in x:
// the start s in [guess-maxShift, guess+maxShift] that maximises the
// normalised cross-correlation of ref[refAt:refAt+window] with
// x[s:s+window], summed over the channel pairs. It returns s and that
// correlation (1 for an exact, scaled copy); s = guess and correlation 0
// when no shift fits inside x.
func Align(ref, x [][]float32, refAt, guess, maxShift, window int) (int, float64) {
	best, bestC := guess, 0.0
	if refAt < 0 || refAt+window > len(ref[0]) {
		return best, 0
	}
	var er float64
	for c := range ref {
		for _, v := range ref[c][refAt : refAt+window] {
			er += float64(v) * float64(v)
		}
	}
	first := true
	for s := guess - maxShift; s <= guess+maxShift; s++ {
		if s < 0 || s+window > len(x[0]) {
			continue
		}
		var cross, ex float64
		for c := range ref {
			r, y := ref[c][refAt:refAt+window], x[c][s:s+window]
			for i := range r {
				cross += float64(r[i]) * float64(y[i])
				ex += float64(y[i]) * float64(y[i])
			}
		}
		if er == 0 || ex == 0 {
			continue
		}
		if c := cross / math.Sqrt(er*ex); first || c > bestC {
			best, bestC, first = s, c, false
		}
	}
	return best, bestC
}
