package sf2

import (
	"math"
	"testing"
)

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.9g, want %.9g (±%g)", what, got, want, tol)
	}
}

func TestUnits(t *testing.T) {
	near(t, "TimecentsToSeconds(0)", TimecentsToSeconds(0), 1, 0)
	near(t, "TimecentsToSeconds(1200)", TimecentsToSeconds(1200), 2, 1e-15)
	near(t, "TimecentsToSeconds(-1200)", TimecentsToSeconds(-1200), 0.5, 1e-15)
	near(t, "TimecentsToSeconds(-12000)", TimecentsToSeconds(-12000), 1.0/1024, 1e-15)
	near(t, "TimecentsToSeconds(-7973)", TimecentsToSeconds(-7973), 0.01, 1e-5) // 10 ms
	near(t, "TimecentsToSeconds(-32768)", TimecentsToSeconds(-32768), 0, 0)
	near(t, "TimecentsToSeconds(-40000)", TimecentsToSeconds(-40000), 0, 0)

	near(t, "AbsCentsToHz(6900)", AbsCentsToHz(6900), 440, 0.02)
	near(t, "AbsCentsToHz(0)", AbsCentsToHz(0), 8.176, 1e-12)
	near(t, "AbsCentsToHz(13500)", AbsCentsToHz(13500), 19912, 1)
	near(t, "AbsCentsToHz(1500)", AbsCentsToHz(1500), 19.45, 0.01)
	near(t, "AbsCentsToHz(0) vs FluidSynth's 8.1758 Hz, in cents", 1200*math.Log2(AbsCentsToHz(0)/8.1757989156437), 0.0426, 0.0005)

	near(t, "CentsToRatio(1200)", CentsToRatio(1200), 2, 1e-15)
	near(t, "CentsToRatio(-1200)", CentsToRatio(-1200), 0.5, 1e-15)
	near(t, "CentsToRatio(100)", CentsToRatio(100), math.Pow(2, 1.0/12), 1e-15)

	near(t, "CentibelsToGain(0)", CentibelsToGain(0), 1, 0)
	near(t, "CentibelsToGain(200)", CentibelsToGain(200), 0.1, 1e-15)
	near(t, "CentibelsToGain(60)", CentibelsToGain(60), 0.501187, 1e-6)
	near(t, "CentibelsToGain(960)", CentibelsToGain(960), 1.58489e-5, 1e-9)
	near(t, "CentibelsToGain(-200)", CentibelsToGain(-200), 10, 1e-12)
}

func TestCurves(t *testing.T) {
	lin, linNeg, linBi := Source(0x0081), Source(0x0181), Source(0x0281)
	cav, vex := Source(0x0481), Source(0x0881)
	sw, swNeg, swBi := Source(0x0C81), Source(0x0D81), Source(0x0E81)
	cavBi, vexBiNeg := Source(0x0681), Source(0x0B81)
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"linear 0", lin.Map(Normalize7(0)), 0},
		{"linear 127", lin.Map(Normalize7(127)), 1},
		{"linear 64", lin.Map(Normalize7(64)), 64.0 / 127},
		{"linear negative 127", linNeg.Map(Normalize7(127)), 0},
		{"linear negative 0", linNeg.Map(Normalize7(0)), 1},
		{"linear bipolar 0", linBi.Map(0), -1},
		{"linear bipolar 1", linBi.Map(1), 1},
		{"linear bipolar 1/2", linBi.Map(0.5), 0},
		{"concave 0", cav.Map(0), 0},
		{"concave 1", cav.Map(1), 1},
		{"concave 1/2", cav.Map(0.5), -(40.0 / 96) * math.Log10(0.5)},
		{"concave 126/127", cav.Map(Normalize7(126)), 0.8765849},
		{"convex 1/2", vex.Map(0.5), 1 + (40.0/96)*math.Log10(0.5)},
		{"convex 0", vex.Map(0), 0},
		{"convex 1", vex.Map(1), 1},
		{"convex 1/127", vex.Map(Normalize7(1)), 1 - 0.8765849},
		{"switch 63", sw.Map(Normalize7(63)), 0},
		{"switch 64", sw.Map(Normalize7(64)), 1},
		{"switch negative 64", swNeg.Map(Normalize7(64)), 0},
		{"switch bipolar 0", swBi.Map(0), -1},
		{"switch bipolar 1", swBi.Map(1), 1},
		{"concave bipolar 3/4", cavBi.Map(0.75), -(40.0 / 96) * math.Log10(0.5)},
		{"concave bipolar 1/4", cavBi.Map(0.25), (40.0 / 96) * math.Log10(0.5)},
		{"concave bipolar 1/2", cavBi.Map(0.5), 0},
		{"convex bipolar negative 0", vexBiNeg.Map(0), 1},
		{"convex bipolar negative 1", vexBiNeg.Map(1), -1},
		{"undefined curve", Source(0x1081).Map(0.7), 0},
		{"clamped input", lin.Map(1.5), 1},
	}
	for _, c := range cases {
		near(t, c.name, c.got, c.want, 1e-6)
	}
	// The default velocity-to-attenuation modulator (960 cB, concave,
	// negative): 127 to 111 is 2.34 dB (the SoundFont spec test's 13 A).
	vel2att := SpecDefaultModulators[0]
	att := func(v int) float64 { return float64(vel2att.Amount) * vel2att.Src.Map(Normalize7(v)) }
	near(t, "attenuation at velocity 127", att(127), 0, 0)
	near(t, "velocity 111 vs 127, dB", (att(111)-att(127))/10, 2.34, 0.005)
	// The default pitch bend: full bend at sensitivity 2 is 200 cents.
	pb := SpecDefaultModulators[9]
	near(t, "full bend, 2 semitones", float64(pb.Amount)*pb.Src.Map(Normalize14(16383))*pb.AmtSrc.Map(Normalize7(2)), 200, 1e-9)
	near(t, "no bend", float64(pb.Amount)*pb.Src.Map(Normalize14(8192))*pb.AmtSrc.Map(Normalize7(2)), 0, 0.8)
}

// TestCurvesFluidSynth: FluidSynth's normalisation and tables.
func TestCurvesFluidSynth(t *testing.T) {
	cav, sw, cavBi := Source(0x0481), Source(0x0C81), Source(0x0681)
	tab126 := -(40.0 / 96) * math.Log10(1.0/127)
	cases := []struct {
		name string
		got  float64
		want float64
	}{
		{"concave at 127/128: table 126 + 0.0078 of the step", cav.MapFluidSynth(NormalizeFluidSynth(127, false)), tab126 + (1-tab126)/128},
		{"concave at 1 (beyond 7-bit)", cav.MapFluidSynth(1), 1},
		{"concave at 64/128: table 63.5", cav.MapFluidSynth(0.5), (fluidTable(CurveConcave, 63) + fluidTable(CurveConcave, 64)) / 2},
		{"concave table is the spec curve at the points", fluidTable(CurveConcave, 90), concave(90.0 / 127)},
		{"convex table is the spec curve at the points", fluidTable(CurveConvex, 30), convex(30.0 / 127)},
		{"switch at 64/128", sw.MapFluidSynth(NormalizeFluidSynth(64, false)), 1},
		{"switch at 63/128", sw.MapFluidSynth(NormalizeFluidSynth(63, false)), 0},
		{"negative switch at 64/128", Source(0x0D81).MapFluidSynth(NormalizeFluidSynth(64, false)), 0},
		{"negative switch at 63/128", Source(0x0D81).MapFluidSynth(NormalizeFluidSynth(63, false)), 1},
		{"negative bipolar switch at 64/128", Source(0x0F81).MapFluidSynth(NormalizeFluidSynth(64, false)), -1},
		{"negative bipolar switch at 63/128", Source(0x0F81).MapFluidSynth(NormalizeFluidSynth(63, false)), 1},
		{"concave bipolar at exactly 1/2", cavBi.MapFluidSynth(0.5), 0},
		{"linear bipolar CC64 centre", Source(0x0281).MapFluidSynth(NormalizeFluidSynth(64, false)), 0},
		{"pitch wheel full up", Source(0x020E).MapFluidSynth(NormalizeFluidSynth(16383, true)), 2*16383.0/16384 - 1},
	}
	for _, c := range cases {
		near(t, c.name, c.got, c.want, 1e-9)
	}
	// FluidSynth's default bend at sensitivity 2: 198.4 cents.
	pb := FluidSynthDefaultModulators[9]
	bend := float64(pb.Amount) * pb.Src.MapFluidSynth(NormalizeFluidSynth(16383, true)) * pb.AmtSrc.MapFluidSynth(NormalizeFluidSynth(2, false))
	near(t, "FluidSynth full bend, 2 semitones", bend, 198.41, 0.01)
}
