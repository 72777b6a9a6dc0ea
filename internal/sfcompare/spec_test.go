package sfcompare

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	at "github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/sf2"
)

// The SoundFont Spec Implementation Test (../shared/testdata/
// soundfont-spec-test): each check its README describes, measured on a
// render of sf_spec_test.mid with sf_spec_test.sf2 and asserted against
// the renderer's profile.

// specRun is a renderer's render of the spec test, with what the checks
// read beside it.
type specRun struct {
	// dry is the render; wet is the render with reverb and chorus on
	// less the dry one (nil when the renderer has no effects).
	dry, wet [][]float32
	notes    []noteSpan
	events   []midiEvent
	// font is the spec test's font, read for its samples (the sources
	// of the filter checks) and regions.
	font *sf2.Font
	// starts caches the voice starts fittedStart finds, by note-on time.
	startsMu sync.Mutex
	starts   map[float64]int
}

// specResult is one check's outcome: what was measured, and the
// expectations it misses.
type specResult struct {
	measured []string
	fails    []string
	// skipped says why the check could not run on this renderer.
	skipped string
}

func (r *specResult) note(format string, args ...any) {
	r.measured = append(r.measured, fmt.Sprintf(format, args...))
}

// expect records a miss when got is not within tol of want.
func (r *specResult) expect(what string, got, want, tol float64, unit string) {
	if !(math.Abs(got-want) <= tol) {
		r.fails = append(r.fails, fmt.Sprintf("%s %.4g %s, want %.4g ± %.2g", what, got, unit, want, tol))
	}
}

// specCheck is one of the spec test's checks.
type specCheck struct {
	id, what string
	run      func(s *specRun, p profile, r *specResult)
}

var specChecks = []specCheck{
	{"1", "volume envelope: 1 s stages, linear attack, decay and release linear in dB", checkVolumeEnvelope},
	{"2", "modulation envelope to pitch: 1 s stages, 1200 cents", checkModulationEnvelope},
	{"3", "key number to volume decay", checkKeyToDecay},
	{"4", "key number to volume hold", checkKeyToHold},
	{"5", "modulation LFO to volume: 4 Hz, 6 dB", checkModLFO},
	{"6", "vibrato LFO to pitch: 4 Hz", checkVibratoLFO},
	{"7", "mod wheel to vibrato LFO: 50 cents at 4 Hz", checkModWheel},
	{"8", "scale tuning and root key: one pitch", checkScaleTuning},
	{"9", "initial filter cutoff: 20 values", checkFilterCutoff},
	{"10", "filter resonance: 12 values", checkFilterResonance},
	{"11", "initial attenuation: 0.4 dB a dB, 2 dB steps", checkAttenuation},
	{"12", "negative attenuation: one level", checkNegativeAttenuation},
	{"13", "velocity to attenuation curves", checkVelocityCurves},
	{"14", "velocity to filter cutoff", checkVelocityToFilter},
	{"15", "CC1 to filter cutoff", checkCC1ToFilter},
	{"16", "sample offset", checkSampleOffset},
	{"17", "reverb send: generator, CC91, both", checkReverb},
	{"18", "chorus send: generator, CC93, both", checkChorus},
	{"19", "sample interpolation", checkInterpolation},
	{"20", "pitch wheel modulator: default, removed, inverted", checkPitchWheel},
	{"21", "exclusive class", checkExclusiveClass},
	{"22", "panning: mono and stereo samples, generator and CC10", checkPanning},
}

// specFiles returns the spec test's font and MIDI file, or skips.
func specFiles(t *testing.T) (font, mid string) {
	t.Helper()
	dir := testfiles.Dir(t, "soundfont-spec-test")
	return filepath.Join(dir, "sf_spec_test.sf2"), filepath.Join(dir, "sf_spec_test.mid")
}

// renderSpec renders the spec test with dry (and fx, the same renderer
// with reverb and chorus on, when it has them).
func renderSpec(t *testing.T, dry, fx renderer) *specRun {
	t.Helper()
	fontPath, midPath := specFiles(t)
	return renderTest(t, fontPath, midPath, dry, fx)
}

// renderTest renders one of the spec test's MIDI files with its font.
func renderTest(t *testing.T, fontPath, midPath string, dry, fx renderer) *specRun {
	t.Helper()
	mid, err := os.ReadFile(midPath)
	if err != nil {
		t.Fatal(err)
	}
	s := &specRun{font: specFont(t, fontPath)}
	if s.events, err = readEvents(mid); err != nil {
		t.Fatal(err)
	}
	s.notes = notes(s.events)
	s.dry = load(t, dry, fontPath, mid)
	if fx.render != nil {
		w := load(t, fx, fontPath, mid)
		n := min(len(w[0]), len(s.dry[0]))
		s.wet = [][]float32{make([]float32, n), make([]float32, n)}
		for c := range s.wet {
			for i := range s.wet[c] {
				s.wet[c][i] = w[c][i] - s.dry[c][i]
			}
		}
	}
	return s
}

// specFonts holds the spec tests' fonts, read once (they are small).
var specFonts = struct {
	sync.Mutex
	m map[string]*sf2.Font
}{m: map[string]*sf2.Font{}}

func specFont(t *testing.T, path string) *sf2.Font {
	t.Helper()
	specFonts.Lock()
	defer specFonts.Unlock()
	f := specFonts.m[path]
	if f == nil {
		var err error
		if f, err = sf2.ReadFile(path); err != nil {
			t.Fatal(err)
		}
		specFonts.m[path] = f
	}
	return f
}

// runSpec runs every check on s with profile p.
func runSpec(s *specRun, p profile) []specResult { return runChecks(specChecks, s, p) }

func runChecks(checks []specCheck, s *specRun, p profile) []specResult {
	out := make([]specResult, len(checks))
	for i, c := range checks {
		c.run(s, p, &out[i])
	}
	return out
}

// specTable lays the results out, one check a line.
func specTable(res []specResult) string { return checkTable(specChecks, res) }

func checkTable(checks []specCheck, res []specResult) string {
	var b strings.Builder
	for i, c := range checks {
		r := res[i]
		state := "pass"
		switch {
		case r.skipped != "":
			state = "not run: " + r.skipped
		case len(r.fails) > 0:
			state = "FAIL: " + strings.Join(r.fails, "; ")
		}
		fmt.Fprintf(&b, "%-3s %s\n    measured: %s\n    %s\n", c.id, c.what, strings.Join(r.measured, "; "), state)
	}
	return b.String()
}

// ---- measures on the render ----

func sampleAt(sec float64) int { return int(math.Round(sec * rate)) }

// find returns the nth note (from 0) of key on channel ch; the checks
// name the notes the spec test's MIDI file plays.
func (s *specRun) find(ch, key byte, nth int) noteSpan {
	for _, n := range s.notes {
		if n.ch == ch && n.key == key {
			if nth == 0 {
				return n
			}
			nth--
		}
	}
	panic(fmt.Sprintf("the spec test plays no note %d of key %d on channel %d", nth, key, ch+1))
}

// span returns both channels of x from second a to b.
func span(x [][]float32, a, b float64) [][]float32 {
	i, j := max(0, sampleAt(a)), min(len(x[0]), sampleAt(b))
	if j < i {
		j = i
	}
	return [][]float32{x[0][i:j], x[1][i:j]}
}

// level is the dry render's level in dB from second a to b.
func (s *specRun) level(a, b float64) float64 { return at.LevelDB(span(s.dry, a, b)...) }

// onset returns the second at which the dry render first comes within
// 50 dB of its loudest in [sec-5 ms, sec+window].
func (s *specRun) onset(sec, window float64) float64 {
	from, to := sampleAt(sec-0.005), sampleAt(sec+window)
	peak := at.Peak(s.dry[0][from:to], s.dry[1][from:to])
	i := at.Onset(from, to, peak*float32(math.Pow(10, -50.0/20)), s.dry...)
	if i < 0 {
		return math.NaN()
	}
	return float64(i) / rate
}

// envelope tracks the level of the dry render's left channel, a pure
// tone of hz Hz, in windows of 128 samples (2.7 ms), from second a to b.
func (s *specRun) envelope(a, b, hz float64) at.Envelope {
	return at.NewToneEnvelope(rate, sampleAt(a), sampleAt(b), 128, 128, hz, s.dry[0])
}

// toneHz measures the pitch of the dry render's left channel, a pure tone
// near 375 Hz or hint, from second a to b.
func (s *specRun) toneHz(a, b, hint float64) float64 {
	hz, _ := at.PitchNear(s.dry[0][sampleAt(a):sampleAt(b)], rate, hint)
	return hz
}

// track follows the pitch of the dry render's left channel (a pure tone)
// from second a to b; its times are seconds from a.
func (s *specRun) track(a, b float64) at.Track {
	return at.FrequencyTrack(s.dry[0][sampleAt(a):sampleAt(b)], rate, 1e-6)
}

// crossing returns the first time in tr after from at which its value in
// cents (relative to ref Hz) crosses level, interpolated.
func crossing(tr at.Track, ref, from, level float64) float64 {
	c := tr.Cents(ref)
	for i := 1; i < len(c); i++ {
		if tr.T[i-1] < from {
			continue
		}
		if (c[i-1]-level)*(c[i]-level) <= 0 && c[i] != c[i-1] {
			return tr.T[i-1] + (tr.T[i]-tr.T[i-1])*(level-c[i-1])/(c[i]-c[i-1])
		}
	}
	return math.NaN()
}

// oscillation measures a periodic wobble v(t) (a level or a pitch track):
// its rate in Hz from the crossings of its midline, and its midline and
// half the peak-to-peak span.
func oscillation(t, v []float64) (hz, mid, depth float64) {
	lo, hi := slices.Min(v), slices.Max(v)
	mid, depth = (lo+hi)/2, (hi-lo)/2
	var ups []float64
	for i := 1; i < len(v); i++ {
		if v[i-1] < mid && v[i] >= mid {
			ups = append(ups, t[i-1]+(t[i]-t[i-1])*(mid-v[i-1])/(v[i]-v[i-1]))
		}
	}
	if len(ups) < 2 {
		return math.NaN(), mid, depth
	}
	return float64(len(ups)-1) / (ups[len(ups)-1] - ups[0]), mid, depth
}

// envTrack returns an envelope's window times and levels.
func envTrack(e at.Envelope) (t, v []float64) {
	for i, d := range e.DB {
		t = append(t, e.Time(i))
		v = append(v, d)
	}
	return t, v
}

// fluidSynthEffects is the reference with its reverb and chorus on, for
// the checks of their send levels.
var fluidSynthEffects = fluidSynth("fluidsynth-effects", "", "-R", "1", "-C", "1")

// FluidSynth's render of the spec test meets every check as FluidSynth
// reads the spec.
func TestSpecFluidSynth(t *testing.T) {
	needReference(t)
	s := renderSpec(t, reference, fluidSynthEffects)
	res := runSpec(s, fluidProfile)
	t.Log("FluidSynth against its own reading of the spec:\n" + specTable(res))
	writeReport(t, "spec-fluidsynth.txt", specTable(res))
	for i, r := range res {
		for _, f := range r.fails {
			t.Errorf("check %s: %s", specChecks[i].id, f)
		}
	}
}

// fluidDepartures are the checks FluidSynth 2.3.1 fails against the
// spec's reading of package sf2 (SpecRules): the places it departs from
// it, each in the profile.
var fluidDepartures = []string{"1", "3", "5", "8", "10", "12", "13", "14", "20", "21", "22"}

// Against the spec's reading, FluidSynth fails exactly the checks where
// it departs from it: the checks can fail, and catch each departure.
func TestSpecFluidSynthDepartures(t *testing.T) {
	needReference(t)
	s := renderSpec(t, reference, fluidSynthEffects)
	res := runSpec(s, specProfile)
	t.Log("FluidSynth against the spec's reading:\n" + specTable(res))
	writeReport(t, "spec-fluidsynth-vs-spec.txt", specTable(res))
	for i, r := range res {
		if want := slices.Contains(fluidDepartures, specChecks[i].id); want != (len(r.fails) > 0) {
			t.Errorf("check %s: fails %q, want failing %v", specChecks[i].id, r.fails, want)
		}
	}
}

// Linear interpolation fails check 19 (and only it).
func TestSpecDetectsLinearInterpolation(t *testing.T) {
	needReference(t)
	s := renderSpec(t, fluidSynth("fluidsynth-linear", "interp 1\n"), renderer{})
	res := runSpec(s, fluidProfile)
	for i, r := range res {
		if want := specChecks[i].id == "19"; want != (len(r.fails) > 0) {
			t.Errorf("check %s: fails %q, want failing %v", specChecks[i].id, r.fails, want)
		}
	}
}

// Aether's render of the spec test meets every check with FluidSynth's
// reading of the spec (its default profile); the log shows it against
// the spec's.
func TestSpecAether(t *testing.T) {
	needRenderer(t, aether)
	s := renderSpec(t, aether, renderer{})
	res := runSpec(s, fluidProfile)
	t.Log("Aether against FluidSynth's reading of the spec:\n" + specTable(res))
	writeReport(t, "spec-aether.txt", specTable(res))
	spec := runSpec(s, specProfile)
	t.Log("Aether against the spec's reading:\n" + specTable(spec))
	writeReport(t, "spec-aether-vs-spec.txt", specTable(spec))
	for i, r := range res {
		for _, f := range r.fails {
			t.Errorf("check %s: %s", specChecks[i].id, f)
		}
	}
}
