package voice

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/audiotest"
)

// sineRecording returns n samples of a sine with the given period.
func sineRecording(n int, period float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(math.Sin(2 * math.Pi * float64(i) / period))
	}
	return x
}

func TestSampleOctaveAndRateConversion(t *testing.T) {
	// 441 Hz recorded at 44.1 kHz: 100 samples per cycle, looped on whole
	// cycles.
	rec := sineRecording(44100, 100)
	s, err := NewSample(44100, [][]float32{rec}, 441, true, 100, 44100, Cubic)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []float64{441, 882} { // ratio 1, then 2.0
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sampler, Freq: want, Gain: 1, Pan: -1, Sample: s}, 0)
		left, _ := renderBlocks(b, 0, testRate/block.Size, nil)
		if f := audiotest.ZeroCrossingHz(left, testRate); math.Abs(f-want) > 0.01 {
			t.Errorf("ratio %v: measured %.4f Hz, want %v", want/441, f, want)
		}
	}
}

// TestSampleLoopSeamContinuous loops a region holding whole cycles of a
// sine, at a ratio that lands on the seam at every fraction: the output
// must be the sine, with no jump at the seams.
func TestSampleLoopSeamContinuous(t *testing.T) {
	const period = 64.0
	rec := sineRecording(1000, period)
	for _, interp := range []Interp{Linear, Cubic} {
		s, err := NewSample(testRate, [][]float32{rec, rec}, 100, true, 128, 128+5*64, interp)
		if err != nil {
			t.Fatal(err)
		}
		const ratio = 1.37
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sampler, Freq: 100 * ratio, Gain: 1, Pan: -1, Sample: s}, 0)
		left, right := renderBlocks(b, 0, 100, nil) // passes the seam 20 times
		if peak(right) != 0 {
			t.Error("pan -1 leaked into the right channel of a stereo sample")
		}
		// The biggest step a sine of this speed can take, plus the
		// interpolation error at both ends.
		w := 2 * math.Pi * ratio / period
		allowed := 2*math.Sin(w/2) + 2*w*w/8
		if s := maxStep(left); s > allowed {
			t.Errorf("%v: step %v at a loop seam, a continuous sine allows %v", interp, s, allowed)
		}
		if d := residualDB(left, ratio/period); d > -60 {
			t.Errorf("%v: looped sine has THD+N %.1f dB", interp, d)
		}
	}
}

// TestSampleInterpolationErrorBounded plays a sine recording at a ratio
// that visits every fraction and compares with the exact sine: linear
// interpolation's error is at most ω²/8 and cubic's far less.
func TestSampleInterpolationErrorBounded(t *testing.T) {
	const period, ratio = 20.0, 0.7317
	w := 2 * math.Pi / period
	rec := sineRecording(4000, period)
	bounds := map[Interp]float64{
		Linear: w * w / 8,      // 0.0123
		Cubic:  w * w * w / 16, // Catmull-Rom: third-order error term
	}
	for interp, bound := range bounds {
		s, err := NewSample(testRate, [][]float32{rec}, 100, false, 0, 0, interp)
		if err != nil {
			t.Fatal(err)
		}
		b := newTestBank(t, 1)
		start(t, b, 0, Params{Kind: Sampler, Freq: 100 * ratio, Gain: 1, Pan: -1, Sample: s}, 0)
		left, _ := renderBlocks(b, 0, 40, nil)
		var worst float64
		// The first samples read the silence before the recording.
		for i := 4; i < 2500; i++ {
			worst = max(worst, math.Abs(float64(left[i])-math.Sin(w*ratio*float64(i))))
		}
		t.Logf("%v interpolation of a %v-sample cycle at ratio %v: max error %.2e (bound %.2e)", interp, period, ratio, worst, bound)
		if worst > bound {
			t.Errorf("%v: max error %v above %v", interp, worst, bound)
		}
	}
}

func TestOneShotSampleFinishes(t *testing.T) {
	rec := []float32{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}
	s, err := NewSample(testRate, [][]float32{rec}, 100, false, 0, 0, Linear)
	if err != nil {
		t.Fatal(err)
	}
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 1, Pan: -1, Sample: s}, 30)
	left, _ := renderBlocks(b, 0, 2, nil)
	for i, v := range left {
		want := float32(0)
		if i >= 30 && i < 40 {
			want = 0.5
		}
		// The last sample interpolates towards the silence after the end.
		if v != want && !(i == 39 && v == 0.5) {
			t.Errorf("sample %d = %v, want %v", i, v, want)
		}
	}
	if b.Active(0) {
		t.Error("one-shot voice active after its sample ended")
	}
}
