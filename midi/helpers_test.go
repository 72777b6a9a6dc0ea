package midi

import (
	"math"

	"github.com/aether-audio/aether/pitch"
)

func keyFreq(k float64) float64 { return pitch.KeyFreq(k) }

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Abs(b) }
