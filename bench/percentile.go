package bench

// Percentiles in parts per million, so ranks are computed in exact integer
// arithmetic: 0.999*n in floating point can land a hair above an integer and
// round the rank up by one.
const (
	P50  = 500_000
	P99  = 990_000
	P999 = 999_000
	Max  = 1_000_000
)

// Percentile returns the nearest-rank percentile of sorted (ascending): the
// smallest value such that at least ppm/1e6 of the values are at or below
// it, that is sorted[ceil(ppm*n/1e6)-1]. Nearest rank never invents a value
// that was not measured, which matters for tail latency. It returns 0 for an
// empty slice; ppm is clamped to 1..1e6.
func Percentile(sorted []int64, ppm int) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	ppm = min(max(ppm, 1), Max)
	rank := (int64(ppm)*int64(n) + Max - 1) / Max // ceil(ppm*n/1e6), >= 1
	return sorted[rank-1]
}
