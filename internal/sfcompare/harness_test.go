package sfcompare

import (
	"math"
	"slices"
	"strings"
	"testing"

	at "github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
)

// The harness's own tests: FluidSynth against itself and against
// variants of itself that must, or must not, differ. They use the short
// probe set.

func needReference(t *testing.T) {
	t.Helper()
	fluidSynthCmd(t)
	needFile(t, fluidR3, "fluid-soundfont-gm")
}

// The reference compared with itself: every note within every tolerance,
// no lag, no gain.
func TestHarnessSameRender(t *testing.T) {
	needReference(t)
	cmp := compareProbes(t, reference, reference, fluidR3, true)
	t.Log("\n" + cmp.summary())
	for _, f := range cmp.failures() {
		t.Error(f)
	}
	if cmp.gain != 0 {
		t.Errorf("gain calibration %+.3f dB, want 0", cmp.gain)
	}
	pitched := 0
	for _, n := range cmp.notes {
		if n.onC != n.onR {
			t.Errorf("%s: onsets %d and %d in the same render", n.probe, n.onR, n.onC)
		}
		if n.pitched() {
			pitched++
		}
	}
	if pitched < 12 {
		t.Errorf("only %d notes measured as pitched", pitched)
	}
}

// A copy of the reference 37 samples later and 6 dB quieter: the onsets
// and the calibration absorb both, and every note passes.
func TestHarnessShiftedScaledCopy(t *testing.T) {
	needReference(t)
	const shift = 37
	ps := probeSet(true)
	files := schedule(ps, releaseTimes(t, fluidR3, ps))
	cmp := compareRenders(t, ps, len(files), func(t *testing.T, i int) ([][]float32, [][]float32) {
		r := load(t, reference, fluidR3, files[i])
		c := make([][]float32, 2)
		for ch := range c {
			c[ch] = make([]float32, len(r[ch])+shift)
			for j, v := range r[ch] {
				c[ch][j+shift] = v / 2
			}
		}
		return r, c
	})
	t.Log("\n" + cmp.summary())
	for _, f := range cmp.failures() {
		t.Error(f)
	}
	if want := -20 * math.Log10(2); math.Abs(cmp.gain-want) > 0.001 {
		t.Errorf("gain calibration %+.4f dB, want %+.4f", cmp.gain, want)
	}
	for _, n := range cmp.notes {
		if !n.silent && n.onC-n.onR != shift {
			t.Errorf("%s: lag %d samples, want %d", n.probe, n.onC-n.onR, shift)
		}
	}
}

// FluidSynth at twice the gain: the calibration measures +6.02 dB and
// every note passes.
func TestHarnessGain(t *testing.T) {
	needReference(t)
	louder := fluidSynth("fluidsynth-gain-0.4", "", "-g", "0.4")
	cmp := compareProbes(t, reference, louder, fluidR3, true)
	t.Log("\n" + cmp.summary())
	for _, f := range cmp.failures() {
		t.Error(f)
	}
	if want := 20 * math.Log10(2); math.Abs(cmp.gain-want) > 0.01 {
		t.Errorf("gain calibration %+.3f dB, want %+.3f", cmp.gain, want)
	}
}

// Every probe played with the pitch wheel 124 steps above its centre,
// 12700 cents x 124/8192 x 2/128 = 3.004 cents higher: FluidSynth
// truncates each voice's pitch to whole cents (fluid_ct2hz_real), so every
// steady pitched note must measure 3 cents higher (4 where its pitch's
// fraction of a cent exceeds 0.996; in between for a note of several
// voices that moved differently), and fail on pitch.
func TestHarnessDetectsThreeCents(t *testing.T) {
	needReference(t)
	ps := probeSet(true)
	rel := releaseTimes(t, fluidR3, ps)
	files := schedule(ps, rel)
	bent := scheduleBent(ps, rel, 8192+124)
	cmp := compareRenders(t, ps, len(files), func(t *testing.T, i int) ([][]float32, [][]float32) {
		return load(t, reference, fluidR3, files[i]), load(t, reference, fluidR3, bent[i])
	})
	t.Log("\n" + cmp.summary())
	count := 0
	for _, n := range cmp.notes {
		if !n.pitched() || n.sweep != steady {
			continue
		}
		count++
		if !(n.pitchDiff >= 2.95 && n.pitchDiff <= 4.1) {
			t.Errorf("%s: measured %+.3f cents, want +3 to +4", n.probe, n.pitchDiff)
		}
		if len(n.why) == 0 || !slices.ContainsFunc(n.why, func(s string) bool { return strings.HasPrefix(s, "pitch") }) {
			t.Errorf("%s: fails %q, want the pitch among them", n.probe, n.why)
		}
	}
	if count < 12 {
		t.Errorf("only %d steady pitched notes", count)
	}
}

// Another General MIDI font: most notes must fail.
func TestHarnessDetectsAnotherFont(t *testing.T) {
	needReference(t)
	other := testfiles.Dir(t, "soundfonts") + "/sf_GMbank.sf2"
	ps := probeSet(true)
	files := schedule(ps, releaseTimes(t, fluidR3, ps))
	cmp := compareRenders(t, ps, len(files), func(t *testing.T, i int) ([][]float32, [][]float32) {
		return load(t, reference, fluidR3, files[i]), load(t, reference, other, files[i])
	})
	t.Log("\n" + cmp.summary())
	if pass, total := cmp.passed(); pass*4 > total {
		t.Errorf("%d of %d notes pass with another font, want under a quarter", pass, total)
	}
}

// Linear interpolation instead of FluidSynth's 4-point default: the
// images above the played band raise the spectral centroid of notes
// played far below their sample's pitch. The harness must catch some.
func TestHarnessDetectsLinearInterpolation(t *testing.T) {
	needReference(t)
	linear := fluidSynth("fluidsynth-linear", "interp 1\n")
	cmp := compareProbes(t, reference, linear, fluidR3, true)
	t.Log("\n" + cmp.summary())
	fails := cmp.failures()
	for _, f := range fails {
		t.Log(f)
	}
	if len(fails) < 3 {
		t.Errorf("%d notes fail with linear interpolation, want 3 or more", len(fails))
	}
	if math.Abs(cmp.gain) > 0.2 {
		t.Errorf("gain calibration %+.2f dB, want 0 ± 0.2", cmp.gain)
	}
}

// A copy of the reference whose notes keep sounding after the all-sound-off
// that ends their windows (the 90 ms before it, repeated after it): the
// notes still sounding there fail for it, and only those.
func TestHarnessDetectsSoundAfterAllSoundOff(t *testing.T) {
	needReference(t)
	ps := probeSet(true)
	files := schedule(ps, releaseTimes(t, fluidR3, ps))
	copied := map[int]float64{} // the level copied after each note's end, dBFS
	cmp := compareRenders(t, ps, len(files), func(t *testing.T, f int) ([][]float32, [][]float32) {
		r := load(t, reference, fluidR3, files[f])
		c := [][]float32{slices.Clone(r[0]), slices.Clone(r[1])}
		for i, p := range ps {
			if p.file != f {
				continue
			}
			end, n := int(p.end*rate), rate*9/100
			for ch := range c {
				copy(c[ch][end:end+n], r[ch][end-n:end])
			}
			copied[i] = at.LevelDB(r[0][end-n:end], r[1][end-n:end])
		}
		return r, c
	})
	sounding := 0
	for i, n := range cmp.notes {
		flagged := slices.ContainsFunc(n.why, func(s string) bool { return strings.Contains(s, "CC120") })
		// Still sounding: within 100 dB of its loudest at its end.
		want := !n.silent && copied[i]-n.peak > -100
		if want {
			sounding++
		}
		if flagged != want {
			t.Errorf("%s: flagged %v (%q), sounding at its end %v", n.probe, flagged, n.why, want)
		}
	}
	if sounding < 3 {
		t.Errorf("only %d notes still sound at the end of their window: the test shows little", sounding)
	}
}
