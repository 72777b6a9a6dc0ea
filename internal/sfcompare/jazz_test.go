package sfcompare

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	at "github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
)

// The whole-file comparison on the jazz-soft MIDI corpus: 1/3-octave band
// levels of each file's render, after one gain calibration.
const (
	// bandRange: bands more than this below a file's loudest band are
	// left out (they hold nothing audible next to it).
	bandRange = 40.0
	// maxBandMedian and maxBandMax bound each file's median and largest
	// |difference| over its bands, in dB.
	maxBandMedian = 0.5
	maxBandMax    = 1.5
)

// jazzSkipped are the corpus files the comparison leaves out: the GS,
// XG, GM2 and Microsoft GS sound lists (80 minutes together, mostly the
// GM sounds again under other banks). test-all-gm-sounds.mid and
// test-all-gm-percussion.mid stay.
var jazzSkipped = []string{"test-all-gs-sounds.mid", "test-all-xg-sounds.mid",
	"test-all-gm2-sounds.mid", "test-all-microsoft-gs-wavetable-synth-sounds.mid"}

// jazzShort is the short run's selection: scales, chords on every
// channel, velocities, bends, the sustain pedal.
var jazzShort = []string{"test-c-major-scale.mid", "test-multichannel-chords-0.mid",
	"test-multichannel-chords-3.mid", "test-2-tracks-type-1.mid", "test-note-on-velocity.mid",
	"test-rpn-00-00-pitch-bend-range.mid", "test-control-40-damper.mid"}

// jazzFiles returns the corpus files that play (docs/midi.md's table),
// less jazzSkipped; in the short run, jazzShort.
func jazzFiles(t *testing.T, short bool) []string {
	t.Helper()
	dir := testfiles.Dir(t, "midi-jazz-soft")
	var out []string
	for name, outcome := range testfiles.CorpusOutcomes(t, "../../docs/midi.md") {
		if outcome != "plays" || slices.Contains(jazzSkipped, name) || short && !slices.Contains(jazzShort, name) {
			continue
		}
		out = append(out, filepath.Join(dir, name))
	}
	sort.Strings(out)
	return out
}

// jazzDepartures are the files where Aether departs from FluidSynth on
// purpose or for want of a feature, with the reason; the band test
// reports them and asserts every other file.
var jazzDepartures = map[string]string{
	"test-control-54-portamento-control.mid":      "portamento (CC5, 65, 84): FluidSynth glides, Aether does not implement it",
	"test-sysex-gs-40-1x-15-drum-part-change.mid": "a GS System Exclusive makes a channel a drum part in FluidSynth; Aether's MIDI reader ignores GS messages",
	"test-2-tracks-type-2.mid":                    "a format 2 file: Aether plays its tracks one after the other (docs/midi.md), FluidSynth plays them at once",
}

// bandResult is one file's band comparison.
type bandResult struct {
	name           string
	levelR, levelC float64   // wideband level, dB
	fc             []float64 // band centres, Hz
	bandR, bandC   []float64 // band levels, dB
	median, max    float64   // of |C - gain - R| over the bands compared
	// unplayed: the reference rendered no sound (FluidSynth refuses some
	// files that Aether plays): nothing to compare.
	unplayed bool
}

// compareBands renders every file with both renderers (and fonts) and
// compares their 1/3-octave band levels after one gain (the median over
// files of the wideband level difference).
func compareBands(t *testing.T, ref, cand renderer, refFont, candFont string, files []string) ([]bandResult, float64) {
	t.Helper()
	needRenderer(t, ref)
	needRenderer(t, cand)
	fc := at.ThirdOctaves(25, 20000)
	res := make([]bandResult, len(files))
	done := make([]bool, len(files))
	t.Run("files", func(t *testing.T) {
		for i, path := range files {
			t.Run(filepath.Base(path), func(t *testing.T) {
				t.Parallel()
				mid, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				r, c := load(t, ref, refFont, mid), load(t, cand, candFont, mid)
				// FluidSynth stops at the last event, cutting release
				// tails: compare the length both rendered.
				n := min(len(r[0]), len(c[0]))
				r, c = [][]float32{r[0][:n], r[1][:n]}, [][]float32{c[0][:n], c[1][:n]}
				b := bandResult{name: filepath.Base(path), fc: fc, levelR: at.LevelDB(r...), levelC: at.LevelDB(c...)}
				b.bandR = at.PowerSpectrum(rate, 16384, r...).BandLevels(fc)
				b.bandC = at.PowerSpectrum(rate, 16384, c...).BandLevels(fc)
				res[i], done[i] = b, true
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	if slices.Contains(done, false) {
		t.Skip("a renderer skipped (see the subtests)")
	}
	var d []float64
	for _, b := range res {
		if b.levelR > -100 && b.levelC > -100 {
			d = append(d, b.levelC-b.levelR)
		}
	}
	gain := at.Median(d)
	for i := range res {
		b := &res[i]
		if b.unplayed = b.levelR <= -100; b.unplayed {
			continue
		}
		top := slices.Max(b.bandR)
		var diffs []float64
		for k := range fc {
			if b.bandR[k] >= top-bandRange {
				diffs = append(diffs, math.Abs(b.bandC[k]-gain-b.bandR[k]))
			}
		}
		b.median, b.max = at.Median(diffs), at.Quantile(diffs, 1)
	}
	return res, gain
}

// bandReport describes the band comparison, the files outside the
// tolerances marked, and returns how many there are: the files of
// excused (a reason by name) are listed with their figures and reason
// but not counted, nor the files the reference did not play.
func bandReport(res []bandResult, gain float64, excused map[string]string) (string, int) {
	var b strings.Builder
	bad, compared := 0, 0
	var meds, maxs []float64
	var notes []string
	for _, r := range res {
		if r.unplayed {
			notes = append(notes, fmt.Sprintf("  %s: not compared, the reference rendered no sound\n", r.name))
			continue
		}
		out := r.median > maxBandMedian || r.max > maxBandMax
		if why, ok := excused[r.name]; ok {
			notes = append(notes, fmt.Sprintf("  %s: not counted (%s): median %.2f dB, largest %.2f dB\n", r.name, why, r.median, r.max))
			continue
		}
		compared++
		meds = append(meds, r.median)
		maxs = append(maxs, r.max)
		if out {
			bad++
		}
	}
	fmt.Fprintf(&b, "%d of %d files within the band tolerances; gain calibration %+.2f dB\n", compared-bad, compared, gain)
	if compared > 0 {
		fmt.Fprintf(&b, "  per-file median |band diff|: median %.3f, max %.3f dB\n", at.Median(meds), at.Quantile(meds, 1))
		fmt.Fprintf(&b, "  per-file largest |band diff|: median %.3f, max %.3f dB\n", at.Median(maxs), at.Quantile(maxs, 1))
	}
	for _, r := range res {
		if _, ok := excused[r.name]; ok || r.unplayed {
			continue
		}
		if r.median > maxBandMedian || r.max > maxBandMax {
			worst := 0
			for k := range r.fc {
				if math.Abs(r.bandC[k]-gain-r.bandR[k]) > math.Abs(r.bandC[worst]-gain-r.bandR[worst]) && r.bandR[k] >= slices.Max(r.bandR)-bandRange {
					worst = k
				}
			}
			fmt.Fprintf(&b, "  %s: median %.2f dB, largest %.2f dB (the %.0f Hz band: %+.2f dB)\n", r.name, r.median, r.max,
				r.fc[worst], r.bandC[worst]-gain-r.bandR[worst])
		}
	}
	for _, n := range notes {
		b.WriteString(n)
	}
	return b.String(), bad
}

// Aether's renders of the jazz-soft files against FluidSynth's, on
// 1/3-octave band levels: every file within the tolerances but the
// departures listed (jazzDepartures) and the files FluidSynth plays no
// sound of.
func TestAetherJazzSoftBands(t *testing.T) {
	needReference(t)
	res, gain := compareBands(t, reference, aether, fluidR3, fluidR3, jazzFiles(t, testing.Short()))
	rep, bad := bandReport(res, gain, jazzDepartures)
	t.Log("\n" + rep)
	writeReport(t, "bands-aether.txt", rep)
	if bad > 0 {
		t.Errorf("%d files outside the band tolerances", bad)
	}
}

// The band comparison tells fonts apart: FluidSynth playing another
// General MIDI font fails most files.
func TestHarnessBandsDetectAnotherFont(t *testing.T) {
	needReference(t)
	other := testfiles.Dir(t, "soundfonts") + "/sf_GMbank.sf2"
	res, gain := compareBands(t, reference, reference, fluidR3, other, jazzFiles(t, true))
	rep, bad := bandReport(res, gain, nil)
	t.Log("\n" + rep)
	if bad*2 < len(res) {
		t.Errorf("%d of %d files outside the band tolerances with another font, want most", bad, len(res))
	}
}
