package sfcompare

import (
	"math"
	"path/filepath"
	"testing"

	at "github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
)

// The filter NRPN test beside the spec test (filter_NRPN_test.mid and
// .sf2): white noise through the lowpass, its cutoff and resonance moved
// by the Sound Blaster AWE32's NRPNs (tests 1, 3, 5), and by CC1 and CC2
// through the font's own modulators that emulate them (tests 2, 4, 6).
// The NRPNs are not part of the SoundFont spec and FluidSynth 2.3.1
// ignores them: their checks only report the cutoff they measure. The
// modulators' are asserted. The MIDI file plays bank 1, which the font
// lacks: the presets of bank 0 play.
var nrpnChecks = []specCheck{
	{"N1", "AWE32 cutoff NRPN, a sweep (outside the spec)", checkNRPNIgnored(0, 0)},
	{"N2", "CC1 to cutoff emulating it: a sweep from 100 Hz to 8 kHz", checkCC1Sweep},
	{"N3", "AWE32 cutoff NRPN, 11 steps (outside the spec)", checkNRPNIgnored(2, 0)},
	{"N4", "CC1 to cutoff emulating it: 11 steps", checkCC1Steps},
	{"N5", "AWE32 resonance NRPN, 11 sweeps (outside the spec)", checkNRPNResonance},
	{"N6", "CC2 to resonance emulating it: 0 to 19.84 dB", checkCC2Resonance},
}

// nrpnResidual: the default CC1-to-vibrato modulator moves the noise's
// pitch while CC1 is up (50 cents at 127), so the render is the font's
// noise filtered only approximately: a fit is kept up to this relative
// residual, and the checks take medians.
const nrpnResidual = 0.05

// nrpnFit fits the filter of note n (preset program of bank 0) between
// seconds a and b after its start.
func (s *specRun) nrpnFit(n noteSpan, program uint16, a, b float64) (at.Filter, error) {
	reg := region(s.font.Preset(0, program), n.key)
	src := sampleSource(s.font, reg)
	start, ok := s.fittedStart(n, src)
	if !ok {
		return at.Filter{}, at.ErrFit
	}
	f, res, err := fitFilterAt(s.dry[0], start, src, a, b)
	if err == nil && res > nrpnResidual {
		err = at.ErrFit
	}
	return f, err
}

// fittedStart returns the frame at which note n's voice starts playing
// src: the start, among the 128 frames before the note's coarse onset and
// a few after, whose filter fit over the note's first 20 ms leaves the
// least residual. (A note here may start before the last one's release
// has died away, so its first non-zero frame is not its start.)
func (s *specRun) fittedStart(n noteSpan, src func(int) float32) (int, bool) {
	s.startsMu.Lock()
	defer s.startsMu.Unlock()
	if s.starts == nil {
		s.starts = map[float64]int{}
	}
	if at, ok := s.starts[n.on]; ok {
		return at, at >= 0
	}
	best, bestRes := -1, math.Inf(1)
	if on := s.onset(n.on, 0.1); !math.IsNaN(on) {
		coarse := sampleAt(on)
		for c := coarse - 128; c <= coarse+8; c++ {
			if _, res, err := fitFilterAt(s.dry[0], c, src, 0.005, 0.025); err == nil && res < bestRes {
				best, bestRes = c, res
			}
		}
	}
	s.starts[n.on] = best
	return best, best >= 0
}

// ccSteps returns the controller cc's events on channel 0 during n.
func (s *specRun) ccSteps(n noteSpan, cc byte) []midiEvent {
	var out []midiEvent
	for _, e := range s.events {
		if e.channel() == 0 && e.kind() == 0xB0 && e.data1 == cc && e.sec > n.on && e.sec < n.off {
			out = append(out, e)
		}
	}
	return out
}

// checkNRPNIgnored reports the cutoffs measured through the note(s) of an
// NRPN test (the nth note of key 60 on, preset program).
func checkNRPNIgnored(nth int, program uint16) func(*specRun, profile, *specResult) {
	return func(s *specRun, p profile, r *specResult) {
		n := s.find(0, 60, nth)
		lo, hi := math.Inf(1), 0.0
		for t := 0.3; t+0.1 < n.off-n.on; t += 0.25 {
			f, err := s.nrpnFit(n, program, t, t+0.1)
			if err != nil {
				continue
			}
			hz, _ := f.Design(rate)
			lo, hi = math.Min(lo, hz), math.Max(hi, hz)
		}
		r.note("cutoff %.0f to %.0f Hz", lo, hi)
		r.skipped = "AWE32 NRPNs are outside the SoundFont spec"
	}
}

// checkNRPNResonance reports the resonance of test 5's eleven notes (the
// resonance NRPN at 0 to 127, the cutoff swept by CC1): the median gain at
// the cutoff of the filters fitted between CC1 steps.
func checkNRPNResonance(s *specRun, p profile, r *specResult) {
	line := ""
	for k := 0; k < 11; k++ {
		line += fmtf(" %.2f", s.medianResonance(s.find(0, 60, 4+k), 1))
	}
	r.note("gain at the cutoff%s dB", line)
	r.skipped = "AWE32 NRPNs are outside the SoundFont spec"
}

// medianResonance returns the median gain at the cutoff of note n's
// filters (preset program), fitted between its CC1 steps where the cutoff
// lies between 200 Hz and 8 kHz.
func (s *specRun) medianResonance(n noteSpan, program uint16) float64 {
	steps := s.ccSteps(n, 1)
	var qs []float64
	for i := 0; i+1 < len(steps); i++ {
		f, err := s.nrpnFit(n, program, steps[i].sec+0.003-n.on, steps[i+1].sec-0.001-n.on)
		if err != nil {
			continue
		}
		if hz, _ := f.Design(rate); hz >= 200 && hz <= 8000 {
			qs = append(qs, f.GainDB(hz, rate))
		}
	}
	return at.Median(qs)
}

// Test N2: CC1 sweeps up and down through a modulator of 7646 cents from
// 100 Hz (resonance 24 dB): the fitted cutoff between CC1 steps.
func checkCC1Sweep(s *specRun, p profile, r *specResult) {
	n := s.find(0, 60, 1)
	steps := s.ccSteps(n, 1)
	worst, fitted := 0.0, 0
	for i := 0; i+1 < len(steps); i++ {
		want := absCentsHz(4335 + 7646*p.norm7(int(steps[i].data2)))
		f, err := s.nrpnFit(n, 1, steps[i].sec+0.003-n.on, steps[i+1].sec-0.001-n.on)
		if err != nil {
			continue
		}
		hz, _ := f.Design(rate)
		fitted++
		worst = math.Max(worst, math.Abs(at.Cents(want, hz)))
		r.expect(fmtf("cutoff at CC1 %d", steps[i].data2), hz, want, 0.03*want, "Hz")
	}
	r.note("%d CC1 steps fitted, at worst %.1f cents off", fitted, worst)
	if fitted < 150 {
		r.fails = append(r.fails, fmtf("only %d CC1 steps fitted", fitted))
	}
}

// Test N4: CC1 at 0, 13, 25 ... 127 for 1.5 s each: the README's cutoffs
// (100, 157, 237 ... 8000 Hz) under the profile's reading of CC1.
func checkCC1Steps(s *specRun, p profile, r *specResult) {
	n := s.find(0, 60, 3)
	// The CC1 value at the note-on, then its steps.
	steps := append([]midiEvent{{sec: n.on, status: 0xB0, data1: 1, data2: byte(s.lastCC(n.on, 1))}}, s.ccSteps(n, 1)...)
	line := ""
	for i, e := range steps {
		end := n.off
		if i+1 < len(steps) {
			end = steps[i+1].sec
		}
		want := absCentsHz(4335 + 7646*p.norm7(int(e.data2)))
		var hzs []float64
		for a := e.sec + 0.05; a+0.02 < end-0.02; a += 0.05 {
			if f, err := s.nrpnFit(n, 1, a-n.on, a+0.02-n.on); err == nil {
				hz, _ := f.Design(rate)
				hzs = append(hzs, hz)
			}
		}
		if len(hzs) < 5 {
			r.fails = append(r.fails, fmtf("CC1 %d: %d windows fitted", e.data2, len(hzs)))
			continue
		}
		hz := at.Median(hzs)
		line += fmtf(" %.0f", hz)
		r.expect(fmtf("cutoff at CC1 %d", e.data2), hz, want, 0.02*want, "Hz")
	}
	r.note("cutoffs%s Hz", line)
}

// Test N6: CC2 at 0, 13 ... 127 through a modulator of 200 cB to the
// resonance, one note each while CC1 sweeps the cutoff: the fitted
// filter's resonance, the median over the CC1 steps between 200 Hz and
// 8 kHz, as the gain at its cutoff (the profile's reading of Q).
func checkCC2Resonance(s *specRun, p profile, r *specResult) {
	line := ""
	for k := 0; k < 11; k++ {
		n := s.find(0, 60, 15+k)
		cc2 := s.lastCC(n.on, 2)
		got := s.medianResonance(n, 2)
		line += fmtf(" %.2f", got)
		r.expect(fmtf("resonance at CC2 %d", cc2), got, p.cutoffGainDB(200*p.norm7(cc2)), 0.3, "dB")
	}
	r.note("gain at the cutoff%s dB", line)
}

// lastCC returns the value controller cc of channel 0 holds at second t.
func (s *specRun) lastCC(t float64, cc byte) int {
	v := 0
	for _, e := range s.events {
		if e.sec > t {
			break
		}
		if e.channel() == 0 && e.kind() == 0xB0 && e.data1 == cc {
			v = int(e.data2)
		}
	}
	return v
}

func renderNRPN(t *testing.T, r renderer) *specRun {
	t.Helper()
	dir := testfiles.Dir(t, "soundfont-spec-test")
	return renderTest(t, filepath.Join(dir, "filter_NRPN_test.sf2"), filepath.Join(dir, "filter_NRPN_test.mid"), r, renderer{})
}

// FluidSynth's render of the filter NRPN test meets the modulator checks.
func TestFilterNRPNFluidSynth(t *testing.T) {
	needReference(t)
	s := renderNRPN(t, reference)
	res := runChecks(nrpnChecks, s, fluidProfile)
	t.Log("FluidSynth:\n" + checkTable(nrpnChecks, res))
	writeReport(t, "nrpn-fluidsynth.txt", checkTable(nrpnChecks, res))
	for i, r := range res {
		for _, f := range r.fails {
			t.Errorf("check %s: %s", nrpnChecks[i].id, f)
		}
	}
}

// Aether's render of the filter NRPN test meets the modulator checks.
func TestFilterNRPNAether(t *testing.T) {
	needRenderer(t, aether)
	s := renderNRPN(t, aether)
	res := runChecks(nrpnChecks, s, fluidProfile)
	t.Log("Aether:\n" + checkTable(nrpnChecks, res))
	writeReport(t, "nrpn-aether.txt", checkTable(nrpnChecks, res))
	for i, r := range res {
		for _, f := range r.fails {
			t.Errorf("check %s: %s", nrpnChecks[i].id, f)
		}
	}
}
