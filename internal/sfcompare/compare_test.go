package sfcompare

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	at "github.com/aether-audio/aether/internal/audiotest"
)

// The acceptance the comparison holds every probe note to, after one
// global gain calibration and with each note's onset found in both
// renders.
const (
	maxEnvMedian   = 0.5   // dB: median |difference| of the level envelope
	maxEnvP95      = 1.5   // dB: 95th percentile of it
	maxPitchCents  = 1.0   // cents
	maxCentroidPct = 3.0   // %: spectral centroid of the held part
	maxReleasePct  = 5.0   // %: time to fall 40 dB after the note-off
	minReleaseSec  = 0.005 // s: or within this, the envelope's resolution
	minPassShare   = 0.98  // of the probe notes
)

// Measurement settings.
const (
	envWindow = rate / 100 // 10 ms level windows
	// envFloor: windows more than this below the note's loudest are left
	// out of the envelope comparison (both renders near silence).
	envFloor = 60.0
	// onsetBelow: a note starts where it first comes within this of its
	// peak.
	onsetBelow = 50.0
	// maxLag bounds the search for a note's onset in the other render,
	// in samples on either side of the threshold crossing.
	maxLag = 64
	// pitchSkip: the pitch of a steady probe is measured from this long
	// after its onset (past the attack) to its note-off.
	pitchSkip = 0.3
	// minClarity: a note is pitched when its autocorrelation at the
	// period measured reaches this in the reference render.
	minClarity = 0.9
	// releaseDrop: the release time is the time to fall this far below
	// the level of the last 50 ms before the note-off.
	releaseDrop = 40.0
)

// noteResult is what the comparison measured of one probe note.
type noteResult struct {
	probe
	// silent: the reference render does not sound the note.
	silent bool
	// onR, onC: the note's onset in each render (samples); lag = onC-onR.
	onR, onC int
	// levelR, levelC: mean level of the held part (dB), before
	// calibration.
	levelR, levelC float64
	// env: the level of each 10 ms window of each channel in both renders
	// (dB), from the onset to the end of the note's window; peak: the
	// loudest window of the reference.
	envR, envC []float64
	peak       float64
	// envMedian, envP95: of |C - gain - R| over the windows compared.
	envMedian, envP95 float64
	// pitchR: the reference's pitch (Hz; NaN when not pitched);
	// pitchDiff: C against R, cents.
	pitchR, pitchDiff float64
	// centroidR: the reference's spectral centroid (Hz); centroidDiff:
	// C against R (%).
	centroidR, centroidDiff float64
	// releaseR, releaseC: seconds from the note-off to a 40 dB fall
	// (NaN: not measured, see releaseNote).
	releaseR, releaseC float64
	releaseNote        string
	// silenceR, silenceC: the level between the all-sound-off that ends
	// the note's window and the next note-on, in dB from the note's
	// loudest window (FluidSynth stops every voice at CC120).
	silenceR, silenceC float64
	// why lists the tolerances the note misses.
	why []string
}

// pitched reports whether the pitch comparison applies to the note.
func (n *noteResult) pitched() bool { return !math.IsNaN(n.pitchR) }

// comparison is the outcome over a probe set.
type comparison struct {
	notes []noteResult
	// gain: the calibration, the median over notes of levelC - levelR.
	gain float64
}

// compareProbes renders the probe files with both renderers and measures
// every probe; cand's audio is calibrated by one gain.
func compareProbes(t *testing.T, ref, cand renderer, font string, short bool) *comparison {
	t.Helper()
	needRenderer(t, ref)
	needRenderer(t, cand)
	ps := probeSet(short)
	files := schedule(ps, releaseTimes(t, font, ps))
	return compareRenders(t, ps, len(files), func(t *testing.T, i int) ([][]float32, [][]float32) {
		return load(t, ref, font, files[i]), load(t, cand, font, files[i])
	})
}

// compareRenders measures the probes of each file, given a function that
// returns both renders of file i. Files are measured in parallel
// subtests, each dropping its audio when done.
func compareRenders(t *testing.T, ps []probe, files int, audio func(t *testing.T, i int) (r, c [][]float32)) *comparison {
	t.Helper()
	cmp := &comparison{notes: make([]noteResult, len(ps))}
	done := make([]bool, files)
	t.Run("files", func(t *testing.T) {
		for f := 0; f < files; f++ {
			t.Run(fmt.Sprint(f), func(t *testing.T) {
				t.Parallel()
				r, c := audio(t, f)
				for i, p := range ps {
					if p.file == f {
						cmp.notes[i] = measure(p, r, c)
					}
				}
				done[f] = true
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	if slices.Contains(done, false) {
		t.Skip("a renderer skipped (see the subtests)")
	}
	cmp.finish()
	return cmp
}

// measure finds p's onset in both renders and measures what does not
// depend on the calibration.
func measure(p probe, r, c [][]float32) noteResult {
	n := noteResult{probe: p, pitchR: math.NaN(), pitchDiff: math.NaN(), centroidDiff: math.NaN(),
		releaseR: math.NaN(), releaseC: math.NaN()}
	from, end := int(p.on*rate)-rate/200, int(p.end*rate)
	onR, okR := onset(r, from, end)
	onC, okC := onset(c, from, end)
	if !okR {
		n.silent = true
		if okC {
			n.why = append(n.why, "sounds where the reference is silent")
		}
		return n
	}
	if !okC {
		n.why = append(n.why, "silent")
		return n
	}
	// The threshold crossing can differ by a sample or two between
	// renders; the onset is where the start of the note matches best.
	onC, _ = at.Align(r, c, onR, onC, maxLag, 2048)
	n.onR, n.onC = onR, onC
	lag := onC - onR
	hold := int((p.off - p.on) * rate)
	length := end - int(p.on*rate)
	window := func(x [][]float32, start, n int) [][]float32 {
		n = min(n, len(x[0])-start)
		return [][]float32{x[0][start : start+n], x[1][start : start+n]}
	}
	heldR, heldC := window(r, onR, hold), window(c, onC, hold)
	n.levelR, n.levelC = at.LevelDB(heldR...), at.LevelDB(heldC...)

	// Envelope: each channel in 10 ms windows over the note's window.
	envLen := length - (onR - int(p.on*rate))
	for ch := 0; ch < 2; ch++ {
		er := at.NewEnvelope(rate, onR, onR+envLen, envWindow, envWindow, r[ch])
		ec := at.NewEnvelope(rate, onC, onC+envLen, envWindow, envWindow, c[ch])
		k := min(len(er.DB), len(ec.DB))
		n.envR = append(n.envR, er.DB[:k]...)
		n.envC = append(n.envC, ec.DB[:k]...)
	}
	n.peak = slices.Max(n.envR)

	// Pitch: steady probes over the held part past the attack; sweeps in
	// 100 ms windows, the median difference.
	mono := func(x [][]float32, start, n int) []float32 {
		m := make([]float32, n)
		for i := range m {
			m[i] = (x[0][start+i] + x[1][start+i]) / 2
		}
		return m
	}
	if p.sweep == steady {
		skip := int(pitchSkip * rate)
		mr, mc := mono(r, onR+skip, hold-skip), mono(c, onC+skip, hold-skip)
		if hz, clarity := at.Pitch(mr, rate, 20, 8000); clarity >= minClarity {
			pr, _ := at.PitchNear(mr, rate, hz)
			pc, cc := at.PitchNear(mc, rate, hz)
			n.pitchR = pr
			if cc < minClarity/2 {
				n.pitchDiff = math.Inf(1)
			} else {
				n.pitchDiff = at.Cents(pr, pc)
			}
		}
	} else {
		var diffs []float64
		w := rate / 10
		for s := rate / 4; s+w <= hold-rate/20; s += w {
			mr, mc := mono(r, onR+s, w), mono(c, onC+s, w)
			hz, clarity := at.Pitch(mr, rate, 20, 8000)
			if clarity < minClarity {
				continue
			}
			pr, _ := at.PitchNear(mr, rate, hz)
			pc, _ := at.PitchNear(mc, rate, hz)
			if math.IsNaN(n.pitchR) {
				n.pitchR = pr
			}
			diffs = append(diffs, math.Abs(at.Cents(pr, pc)))
		}
		if len(diffs) > 0 {
			n.pitchDiff = at.Median(diffs)
		}
	}

	// Spectral centroid of the held part.
	sr := at.PowerSpectrum(rate, 4096, heldR...)
	sc := at.PowerSpectrum(rate, 4096, heldC...)
	n.centroidR = sr.Centroid(20, 20000)
	n.centroidDiff = 100 * (sc.Centroid(20, 20000)/n.centroidR - 1)

	// Release: from the note-off to a 40 dB fall below the level of the
	// last 50 ms held, in 10 ms windows every 2.5 ms.
	n.releaseR, n.releaseC, n.releaseNote = releases(r, c, onR, onC, hold, envLen, n.peak)

	// After the all-sound-off, until the next note's setup.
	gap := func(x [][]float32, from int) float64 {
		a, b := from+rate/100, from+rate*9/100
		if b > len(x[0]) {
			return -400
		}
		return at.LevelDB(x[0][a:b], x[1][a:b])
	}
	n.silenceR, n.silenceC = gap(r, end)-n.peak, gap(c, end+lag)-n.peak
	return n
}

// onset returns the first sample in [from, end) within onsetBelow dB of
// the loudest sample there, and whether the span sounds at all.
func onset(x [][]float32, from, end int) (int, bool) {
	end = min(end, len(x[0]))
	from = max(from, 0)
	peak := at.Peak(x[0][from:end], x[1][from:end])
	if peak < 1e-6 { // -120 dBFS: nothing sounds
		return 0, false
	}
	i := at.Onset(from, end, peak*float32(math.Pow(10, -onsetBelow/20)), x...)
	return i, i >= 0
}

// releases measures the release time of a note in both renders: the
// seconds from the note-off (hold samples after the onset) to the level
// falling releaseDrop below the last 50 ms held. It is not measured when
// the reference has already fallen 50 dB below its peak by the note-off
// (the note ended by itself), and it is NaN in a render that does not
// fall that far before the end of the note's window.
func releases(r, c [][]float32, onR, onC, hold, length int, peak float64) (float64, float64, string) {
	one := func(x [][]float32, on int) (float64, float64) {
		e := at.NewEnvelope(rate, on, on+length, envWindow, envWindow/4, x...)
		off := float64(on+hold) / rate
		var held []float64
		for i := range e.DB {
			if t := e.Time(i); t > off-0.05+0.005 && t <= off-0.005 {
				held = append(held, e.DB[i])
			}
		}
		level := 0.0
		for _, v := range held {
			level += v / float64(len(held))
		}
		return e.FallTime(off, level-releaseDrop) - off, level
	}
	rr, level := one(r, onR)
	if level < peak-50 {
		return math.NaN(), math.NaN(), "ended before its note-off"
	}
	rc, _ := one(c, onC)
	note := ""
	if math.IsNaN(rr) {
		note = "release longer than its window"
	}
	return rr, rc, note
}

// finish calibrates the gain and applies the tolerances.
func (cmp *comparison) finish() {
	var diffs []float64
	for i := range cmp.notes {
		n := &cmp.notes[i]
		if !n.silent && len(n.why) == 0 && n.levelR > -100 && n.levelC > -100 {
			diffs = append(diffs, n.levelC-n.levelR)
		}
	}
	cmp.gain = at.Median(diffs)
	if math.IsNaN(cmp.gain) {
		cmp.gain = 0
	}
	for i := range cmp.notes {
		n := &cmp.notes[i]
		if n.silent || len(n.why) > 0 {
			continue
		}
		var d []float64
		for w := range n.envR {
			c := n.envC[w] - cmp.gain
			if math.Max(n.envR[w], c) >= n.peak-envFloor {
				d = append(d, math.Abs(c-n.envR[w]))
			}
		}
		n.envMedian, n.envP95 = at.Median(d), at.Quantile(d, 0.95)
		if n.envMedian > maxEnvMedian {
			n.why = append(n.why, fmt.Sprintf("envelope median %.2f dB", n.envMedian))
		}
		if n.envP95 > maxEnvP95 {
			n.why = append(n.why, fmt.Sprintf("envelope p95 %.2f dB", n.envP95))
		}
		if n.pitched() && !(math.Abs(n.pitchDiff) <= maxPitchCents) {
			n.why = append(n.why, fmt.Sprintf("pitch %+.2f cents", n.pitchDiff))
		}
		if !(math.Abs(n.centroidDiff) <= maxCentroidPct) {
			n.why = append(n.why, fmt.Sprintf("centroid %+.1f %%", n.centroidDiff))
		}
		if n.silenceC > n.silenceR+20 && n.silenceC > -100 {
			n.why = append(n.why, fmt.Sprintf("sounds %.0f dB below its peak after all-sound-off (CC120)", -n.silenceC))
		}
		switch {
		case n.releaseNote == "ended before its note-off":
		case math.IsNaN(n.releaseR) && math.IsNaN(n.releaseC):
		case math.IsNaN(n.releaseR) || math.IsNaN(n.releaseC):
			n.why = append(n.why, fmt.Sprintf("release %.3f s against %.3f s", n.releaseC, n.releaseR))
		default:
			d := n.releaseC - n.releaseR
			if math.Abs(d) > minReleaseSec && math.Abs(d) > maxReleasePct/100*n.releaseR {
				n.why = append(n.why, fmt.Sprintf("release %.3f s against %.3f s (%+.1f %%)", n.releaseC, n.releaseR, 100*d/n.releaseR))
			}
		}
	}
}

// passed returns how many notes meet every tolerance, of how many were
// compared (notes silent in the reference are left out).
func (cmp *comparison) passed() (pass, total int) {
	for _, n := range cmp.notes {
		if n.silent && len(n.why) == 0 {
			continue
		}
		total++
		if len(n.why) == 0 {
			pass++
		}
	}
	return pass, total
}

// summary describes the comparison in a few lines: the pass rate, the
// calibration, the lags, and each metric's median and 95th percentile
// over the notes.
func (cmp *comparison) summary() string {
	var b strings.Builder
	pass, total := cmp.passed()
	fmt.Fprintf(&b, "%d of %d notes within every tolerance (%.1f %%); gain calibration %+.2f dB\n",
		pass, total, 100*float64(pass)/float64(max(total, 1)), cmp.gain)
	var lags, envMed, envP95, pitch, centroid, release []float64
	for _, n := range cmp.notes {
		if n.silent {
			continue
		}
		lags = append(lags, float64(n.onC-n.onR))
		envMed = append(envMed, n.envMedian)
		envP95 = append(envP95, n.envP95)
		if n.pitched() {
			pitch = append(pitch, math.Abs(n.pitchDiff))
		}
		centroid = append(centroid, math.Abs(n.centroidDiff))
		if !math.IsNaN(n.releaseR) && !math.IsNaN(n.releaseC) {
			release = append(release, 100*math.Abs(n.releaseC/n.releaseR-1))
		}
	}
	row := func(name string, v []float64, unit string) {
		fmt.Fprintf(&b, "  %-24s median %7.3f  p95 %7.3f  max %7.3f %s (%d notes)\n", name,
			at.Median(v), at.Quantile(v, 0.95), at.Quantile(v, 1), unit, len(v))
	}
	row("onset lag", lags, "samples")
	row("envelope median |diff|", envMed, "dB")
	row("envelope p95 |diff|", envP95, "dB")
	row("|pitch diff|", pitch, "cents")
	row("|centroid diff|", centroid, "%")
	row("|release diff|", release, "%")
	return b.String()
}

// failures lists the notes outside the tolerances, one a line.
func (cmp *comparison) failures() []string {
	var out []string
	for _, n := range cmp.notes {
		if len(n.why) > 0 {
			out = append(out, fmt.Sprintf("%s: %s", n.probe, strings.Join(n.why, ", ")))
		}
	}
	return out
}
