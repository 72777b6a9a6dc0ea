package pitch

import (
	"math"
	"testing"
)

func TestKeyFreq(t *testing.T) {
	for _, tc := range []struct{ key, hz float64 }{
		{69, 440}, {81, 880}, {57, 220}, {60, 261.6255653005986}, {0, 8.175798915643707}, {69.5, 452.8929841231365},
	} {
		if got := KeyFreq(tc.key); math.Abs(got-tc.hz) > 1e-9*tc.hz {
			t.Errorf("KeyFreq(%v) = %v, want %v", tc.key, got, tc.hz)
		}
	}
	if r := Ratio(1200); r != 2 {
		t.Errorf("Ratio(1200) = %v", r)
	}
	if r := Ratio(-700); math.Abs(r-math.Exp2(-7.0/12)) > 1e-15 {
		t.Errorf("Ratio(-700) = %v", r)
	}
}
