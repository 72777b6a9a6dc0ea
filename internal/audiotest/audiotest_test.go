package audiotest

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

const rate = 48000

func sine(n int, hz, amp float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(amp * math.Sin(2*math.Pi*hz*float64(i)/rate))
	}
	return x
}

func noise(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.Float64()*2 - 1)
	}
	return x
}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.9g, want %.9g ± %g", what, got, want, tol)
	}
}

func TestLevels(t *testing.T) {
	x := sine(48000, 1000, 1)
	near(t, "LevelDB(full-scale sine)", LevelDB(x), -3.0103, 0.001)
	near(t, "LevelDB(two channels)", LevelDB(x, make([]float32, len(x))), -6.0206, 0.001)
	near(t, "Peak", float64(Peak(x, []float32{-1.5})), 1.5, 0)
	near(t, "PowerDB(0)", PowerDB(0), -400, 0)
	near(t, "Cents(440, 880)", Cents(440, 880), 1200, 1e-9)
	near(t, "Median", Median([]float64{5, 1, 3, 2, 4}), 3, 0)
	near(t, "Quantile(0.95)", Quantile([]float64{0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}, 0.95), 95, 1e-9)
	if !math.IsNaN(Median(nil)) {
		t.Error("Median(nil) is not NaN")
	}
}

func TestSpectrumOfASine(t *testing.T) {
	x := sine(rate, 1000, 1)
	s := PowerSpectrum(rate, 4096, x)
	near(t, "total power", s.Band(0, rate), 0.5, 0.005)
	near(t, "power near 1 kHz", s.Band(950, 1050), 0.5, 0.005)
	near(t, "centroid", s.Centroid(20, 20000), 1000, 15)
	// Two channels at once (the shared-FFT path) give each channel's
	// spectrum, averaged.
	y := sine(rate, 5000, 0.5)
	s2 := PowerSpectrum(rate, 4096, x, y)
	near(t, "stereo power at 1 kHz", s2.Band(950, 1050), 0.25, 0.003)
	near(t, "stereo power at 5 kHz", s2.Band(4950, 5050), 0.0625, 0.001)
	three := PowerSpectrum(rate, 4096, x, y, x)
	near(t, "three channels at 1 kHz", three.Band(950, 1050), 1.0/3, 0.003)
}

func TestSpectrumOfNoise(t *testing.T) {
	x := noise(4*rate, 1)
	s := PowerSpectrum(rate, 2048, x)
	near(t, "total power of uniform noise", s.Band(0, rate), 1.0/3, 0.01)
	// White noise: flat magnitude, centroid at half the band.
	near(t, "centroid", s.Centroid(0, 24000), 12000, 120)
	// A short signal falls back to a smaller frame.
	if short := PowerSpectrum(rate, 4096, x[:1000]); short.Size != 512 {
		t.Errorf("1000 samples measured with %d-sample frames, want 512", short.Size)
	}
}

func TestThirdOctaveBands(t *testing.T) {
	fc := ThirdOctaves(25, 20000)
	if len(fc) != 30 {
		t.Fatalf("%d bands from 25 Hz to 20 kHz, want 30", len(fc))
	}
	near(t, "first band", fc[0], 24.80, 0.01)
	near(t, "1 kHz band", fc[16], 1000, 1e-9)
	s := PowerSpectrum(rate, 16384, sine(4*rate, 1000, 1))
	lv := s.BandLevels(fc)
	near(t, "1 kHz band level", lv[16], -3.01, 0.02)
	for i, l := range lv {
		if i != 16 && l > -40 {
			t.Errorf("band %.0f Hz holds %.1f dB of a 1 kHz sine", fc[i], l)
		}
	}
}

func TestToneAmplitudeOfOne(t *testing.T) {
	a, b := sine(rate, 375, 0.3), sine(rate, 750, 0.1)
	for i := range a {
		a[i] += b[i]
	}
	near(t, "375 Hz", ToneAmplitudes(a, rate, 375)[0], 0.3, 1e-6)
	near(t, "750 Hz", ToneAmplitudes(a, rate, 750)[0], 0.1, 1e-6)
	near(t, "1 kHz", ToneAmplitudes(a, rate, 1000)[0], 0, 1e-4)
}

// Tones fitted together: no leakage between them, even over a few cycles.
func TestToneAmplitudes(t *testing.T) {
	a, b := sine(480, 375, 0.5), sine(480, 750, 0.001)
	for i := range a {
		a[i] += b[i]
	}
	got := ToneAmplitudes(a, rate, 375, 750)
	near(t, "375 Hz of 3.75 cycles", got[0], 0.5, 1e-6)
	near(t, "750 Hz beside it, 54 dB down", got[1], 0.001, 1e-6)
	if one := ToneAmplitudes(a, rate, 750)[0]; math.Abs(one-0.001) < 1e-4 {
		t.Errorf("the single-tone fit is as clean (%g): the test shows nothing", one)
	}
}

func TestEnvelopeOfAnExponentialDecay(t *testing.T) {
	// A 1 kHz tone at 0 dB for 0.5 s, then falling 60 dB per second.
	x := sine(2*rate, 1000, 1)
	for i := rate / 2; i < len(x); i++ {
		x[i] *= float32(math.Pow(10, -60*(float64(i)/rate-0.5)/20))
	}
	e := NewEnvelope(rate, 0, len(x), 480, 240, x)
	near(t, "level before the decay", e.At(0.25), -3.01, 0.01)
	slope, rms := e.Slope(0.6, 1.9)
	near(t, "decay slope dB/s", slope, -60, 0.05)
	near(t, "decay line RMS deviation", rms, 0, 0.05)
	// -3.01 - 30 dB is reached 0.5 s into the decay.
	near(t, "time to fall 30 dB", e.FallTime(0.3, -33.01), 1.0, 0.002)
	near(t, "time to rise back", e.RiseTime(0, -3.02), e.Time(0), 1e-9)
	if !math.IsNaN(e.FallTime(0, -200)) {
		t.Error("FallTime below the whole envelope is not NaN")
	}
	near(t, "Max", e.Max(), -3.01, 0.01)
	// Windows and hops that do not divide the length.
	e2 := NewEnvelope(rate, 100, 1100, 300, 250, x)
	if len(e2.DB) != 3 {
		t.Errorf("%d windows of 300 every 250 in 1000 samples, want 3", len(e2.DB))
	}
	near(t, "Time of window 1", e2.Time(1), (100+250+150)/float64(rate), 1e-12)
}

// A tone whose period is not a whole number of samples: windows of 128
// samples ripple; the tone envelope does not.
func TestToneEnvelope(t *testing.T) {
	x := sine(rate, 369.97, 0.5)
	plain := NewEnvelope(rate, 0, len(x), 128, 128, x)
	tone := NewToneEnvelope(rate, 0, len(x), 128, 128, 369.97, x)
	ripple := func(e Envelope) float64 {
		lo, hi := 400.0, -400.0
		for _, v := range e.DB {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		return hi - lo
	}
	if r := ripple(plain); r < 0.05 {
		t.Errorf("plain windows ripple %.3f dB: the test shows nothing", r)
	}
	near(t, "tone envelope ripple", ripple(tone), 0, 1e-4)
	near(t, "tone envelope level", tone.DB[10], 20*math.Log10(0.5)-3.0103, 1e-4)
}

func TestOnsetAndAlign(t *testing.T) {
	src := noise(20000, 2)
	delayed := make([]float32, 30000)
	for i, v := range src {
		delayed[1234+i] = 0.5 * v
	}
	if got := Onset(0, len(delayed), 0.01, delayed); got < 1234 || got > 1236 {
		t.Errorf("Onset = %d, want 1234 (or a sample after)", got)
	}
	if got := Onset(0, 1000, 0.01, delayed); got != -1 {
		t.Errorf("Onset in silence = %d, want -1", got)
	}
	at, c := Align([][]float32{src}, [][]float32{delayed}, 500, 1700, 64, 2048)
	if at != 1734 || c < 0.9999 {
		t.Errorf("Align = %d (correlation %.6f), want 1734 (1)", at, c)
	}
}

func TestPitchOfASine(t *testing.T) {
	for _, hz := range []float64{27.5, 261.6256, 375, 440.3, 4186, 12000} {
		x := sine(rate/2, hz, 0.5)
		got, clarity := Pitch(x, rate, 20, 15000)
		near(t, "cents off a sine of "+ftoa(hz), Cents(hz, got), 0, 0.005)
		if clarity < 0.999 {
			t.Errorf("clarity of a sine of %g Hz = %.4f, want 1", hz, clarity)
		}
	}
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// A tone rich in harmonics, and two tones half a cent apart measured with
// the same hint, as the comparison of two renders does.
func TestPitchOfHarmonicTones(t *testing.T) {
	saw := func(hz float64) []float32 {
		x := make([]float32, rate/2)
		for i := range x {
			for h := 1.0; h*hz < 20000; h++ {
				x[i] += float32(0.3 / h * math.Sin(2*math.Pi*h*hz*float64(i)/rate))
			}
		}
		return x
	}
	a, b := saw(97.3), saw(97.3*math.Pow(2, 0.5/1200))
	got, clarity := Pitch(a, rate, 20, 5000)
	near(t, "cents off a sawtooth", Cents(97.3, got), 0, 0.005)
	if clarity < 0.99 {
		t.Errorf("clarity of a sawtooth = %.4f", clarity)
	}
	pa, _ := PitchNear(a, rate, got)
	pb, _ := PitchNear(b, rate, got)
	near(t, "measured difference, cents", Cents(pa, pb), 0.5, 0.005)
	// A missing fundamental: harmonics 2 to 6 of 100 Hz still give 100 Hz.
	x := make([]float32, rate/2)
	for i := range x {
		for h := 2.0; h <= 6; h++ {
			x[i] += float32(0.1 * math.Sin(2*math.Pi*h*100*float64(i)/rate))
		}
	}
	got, _ = Pitch(x, rate, 50, 2000)
	near(t, "missing fundamental, Hz", got, 100, 0.01)
}

func TestPitchOfNoiseIsUnclear(t *testing.T) {
	_, clarity := Pitch(noise(rate/2, 3), rate, 20, 5000)
	if clarity > 0.5 {
		t.Errorf("clarity of white noise = %.3f, want < 0.5", clarity)
	}
	if hz, _ := Pitch(make([]float32, 100), rate, 20, 5000); !math.IsNaN(hz) {
		t.Errorf("pitch of a too-short signal = %g, want NaN", hz)
	}
}

// A sine with a 4 Hz vibrato of ±50 cents: the zero-crossing track
// follows it period by period.
func TestFrequencyTrack(t *testing.T) {
	x := make([]float32, rate)
	phase := 0.0
	inst := func(tt float64) float64 { return 375 * math.Pow(2, 50*math.Sin(2*math.Pi*4*tt)/1200) }
	for i := range x {
		x[i] = float32(0.5 * math.Sin(phase))
		phase += 2 * math.Pi * inst(float64(i)/rate) / rate
	}
	tr := FrequencyTrack(x, rate, 1e-3)
	if len(tr.T) < 370 {
		t.Fatalf("%d periods tracked in 1 s of 375 Hz", len(tr.T))
	}
	worst := 0.0
	for i, c := range tr.Cents(375) {
		worst = math.Max(worst, math.Abs(c-Cents(375, inst(tr.T[i]))))
	}
	if worst > 0.5 {
		t.Errorf("track is %.3f cents off the vibrato at worst", worst)
	}
	mean, n := tr.MeanCents(0.25, 0.75, 375)
	near(t, "mean over two whole vibrato cycles, cents", mean, 0, 0.05)
	if n < 180 {
		t.Errorf("%d periods in 0.5 s", n)
	}
	if tr := FrequencyTrack(make([]float32, 1000), rate, 1e-3); len(tr.T) != 0 {
		t.Error("silence has a frequency track")
	}
}

// rbj returns the coefficients of the cookbook lowpass biquad (b0, b1,
// b2, a1, a2) at fc Hz with resonance q.
func rbj(fc, q float64) Filter {
	w := 2 * math.Pi * fc / rate
	alpha := math.Sin(w) / (2 * q)
	a0 := 1 + alpha
	b := (1 - math.Cos(w)) / a0
	return Filter{B: []float64{b / 2, b, b / 2}, A: [2]float64{-2 * math.Cos(w) / a0, (1 - alpha) / a0}}
}

func run(f Filter, x []float32) []float32 {
	y := make([]float32, len(x))
	var x1, x2, y1, y2 float64
	for i, v := range x {
		in := float64(v)
		out := f.B[0]*in + f.B[1]*x1 + f.B[2]*x2 - f.A[0]*y1 - f.A[1]*y2
		x2, x1, y2, y1 = x1, in, y1, out
		y[i] = float32(out)
	}
	return y
}

// Fitting a filter to noise and its output recovers the cutoff and the
// resonance, from 20 Hz to 20 kHz, from 0.4 s of float32 samples.
func TestFitFilter(t *testing.T) {
	x := noise(20000, 4)
	for _, c := range []struct{ fc, qdb float64 }{
		{20, -3.01}, {50, -3.01}, {1000, -3.01}, {4000, 0}, {4000, 20}, {4000, 92.99}, {19914, -3.01},
	} {
		q := math.Pow(10, c.qdb/20)
		want := rbj(c.fc, q)
		y := run(want, x)
		f, res, err := FitFilter(x, y, 3)
		if err != nil {
			t.Fatalf("fc %g: %v", c.fc, err)
		}
		if res > 1e-5 {
			t.Errorf("fc %g Q %g dB: relative residual %.3g", c.fc, c.qdb, res)
		}
		if c.qdb < 0 {
			got := f.Cutoff(rate, 3.0103)
			near(t, "fitted cutoff / true cutoff - 1 at "+ftoa(c.fc), got/c.fc-1, 0, 0.001)
			continue
		}
		_, peak := f.Peak(rate)
		_, truePeak := want.Peak(rate)
		near(t, "fitted peak dB at Q "+ftoa(c.qdb), peak, truePeak, 0.05)
		near(t, "gain at fc = Q", f.GainDB(c.fc, rate), c.qdb, 0.05)
		hz, q := f.Design(rate)
		near(t, "design frequency / fc - 1", hz/c.fc-1, 0, 1e-5)
		near(t, "design Q in dB", 20*math.Log10(q), c.qdb, 0.01)
	}
	// The same filter one sample late needs a longer numerator; a plain
	// gain is a filter too; silence and misaligned lengths are refused.
	y := run(rbj(1000, 0.7071), x)
	late := append([]float32{0}, y[:len(y)-1]...)
	if f, res, err := FitFilter(x, late, 4); err != nil || res > 1e-5 || math.Abs(f.Cutoff(rate, 3.0103)/1000-1) > 0.001 {
		t.Errorf("one sample late, 4 taps: cutoff %v, residual %.3g, %v", f.Cutoff(rate, 3.0103), res, err)
	}
	if _, res, _ := FitFilter(x, late, 3); res < 1e-3 {
		t.Errorf("one sample late, 3 taps: residual %.3g, want a poor fit", res)
	}
	if _, _, err := FitFilter(x, make([]float32, len(x)), 3); err == nil {
		t.Error("silence fitted")
	}
	if _, _, err := FitFilter(x, y[:100], 3); err == nil {
		t.Error("unequal lengths fitted")
	}
}

func TestZeroCrossingHz(t *testing.T) {
	const rate = 48000
	x := make([]float32, rate/2)
	for i := range x {
		x[i] = float32(math.Sin(2*math.Pi*441.3*float64(i)/rate + 0.3))
	}
	if f := ZeroCrossingHz(x, rate); math.Abs(f/441.3-1) > 1e-5 {
		t.Errorf("a 441.3 Hz sine measures %v Hz", f)
	}
	if f := ZeroCrossingHz(x[:100], rate); !math.IsNaN(f) {
		t.Errorf("100 samples of a 441.3 Hz sine (one upward crossing) measure %v Hz, want NaN", f)
	}
}
