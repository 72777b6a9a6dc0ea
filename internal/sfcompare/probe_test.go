package sfcompare

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/aether-audio/aether/sf2"
)

// sweep is the controller a probe moves while its note is held.
type sweep uint8

const (
	steady sweep = iota
	sweepBend
	sweepModWheel
	sweepVolume
	sweepExpression
	sweepPan
)

var sweepNames = [...]string{"", "pitch bend", "CC1", "CC7", "CC11", "CC10"}

// A probe is one note played alone, and its place in a probe file.
type probe struct {
	ch, program, key, vel byte
	sweep                 sweep
	// file is the probe file that plays it; on, off and end are seconds
	// in that file: the note-on, the note-off, and the all-sound-off
	// (CC120) that ends its window.
	file         int
	on, off, end float64
}

func (p probe) String() string {
	if p.ch == drumChannel {
		return fmt.Sprintf("drum key %d vel %d", p.key, p.vel)
	}
	s := fmt.Sprintf("program %d key %d vel %d", p.program, p.key, p.vel)
	if p.sweep != steady {
		s += " " + sweepNames[p.sweep] + " sweep"
	}
	return s
}

const (
	drumChannel = 9
	// holdSteady and holdSweep are how long a probe's key is held:
	// long enough for attack, decay and sustain, and for a sweep's
	// controller to travel out and back.
	holdSteady = 1.5
	holdSweep  = 2.0
	// minGap and maxGap bound the time from a probe's note-off to the
	// end of its window: long enough to see its release fall 40 dB when
	// that takes under about 4 s (a release generator of up to 8 s).
	minGap, maxGap = 1.0, 4.5
	// setup is how long before its note-on a probe sets up its channel,
	// and rest the silence between one probe's window and the next setup.
	setup, rest = 0.1, 0.1
	// probesPerFile keeps each rendered file near 2 minutes (46 MB of
	// float32 stereo), so memory stays small and files render in
	// parallel.
	probesPerFile = 40
)

// probeSet returns the probes, unscheduled: one note at a time for every
// General MIDI program at low, middle and high keys, soft and loud; every
// GM drum key on channel 10; and sweeps of pitch bend, modulation wheel,
// volume, expression and pan on sustained sounds. The short set (-short)
// keeps one key and velocity of every eighth program, eight drums and one
// program's sweeps.
func probeSet(short bool) []probe {
	var ps []probe
	programs, keys, vels := 128, []byte{40, 60, 80}, []byte{60, 127}
	drums := []byte{}
	for k := byte(35); k <= 81; k++ {
		drums = append(drums, k)
	}
	sweepPrograms := []byte{19, 48} // church organ, string ensemble
	step := 1
	if short {
		step, keys, vels = 8, []byte{60}, []byte{127}
		drums = []byte{36, 38, 42, 46, 49, 51, 56, 70}
		sweepPrograms = sweepPrograms[:1]
	}
	for p := 0; p < programs; p += step {
		for _, k := range keys {
			for _, v := range vels {
				ps = append(ps, probe{program: byte(p), key: k, vel: v})
			}
		}
	}
	for _, k := range drums {
		for _, v := range vels {
			ps = append(ps, probe{ch: drumChannel, key: k, vel: v})
		}
	}
	for _, p := range sweepPrograms {
		for s := sweepBend; s <= sweepPan; s++ {
			ps = append(ps, probe{program: p, key: 60, vel: 100, sweep: s})
		}
	}
	return ps
}

// blockTime rounds t up to a multiple of 4 ms: three 64-frame blocks at
// 48 kHz, so every event falls on a block boundary of a renderer that
// quantises to blocks, and on a whole tick.
func blockTime(t float64) float64 { return math.Ceil(t/0.004-1e-9) * 0.004 }

// schedule places the probes in files, each probe's window long enough
// for its release (releases[i], the longest release generator of the
// regions probe i sounds, in seconds), and returns the MIDI files.
func schedule(ps []probe, releases []float64) [][]byte {
	return scheduleBent(ps, releases, 8192)
}

// scheduleBent is schedule with the pitch wheel of every probe set to
// bend (8192 is the centre) before its note-on: the harness's test of
// its pitch measure.
func scheduleBent(ps []probe, releases []float64, bend int) [][]byte {
	var files [][]byte
	var tr *smfTrack
	t := 0.0
	for i := range ps {
		p := &ps[i]
		if i%probesPerFile == 0 {
			if tr != nil {
				files = append(files, endFile(tr, t))
			}
			tr, t = &smfTrack{}, rest
		}
		p.file = len(files)
		hold := holdSteady
		if p.sweep != steady {
			hold = holdSweep
		}
		// FluidSynth's release falls 96 dB in the generator's time, so
		// 40 dB take 0.42 of it; a third more and a quarter second spare.
		gap := math.Min(math.Max(0.42*releases[i]*4/3+0.25, minGap), maxGap)
		p.on = blockTime(t + setup)
		p.off = blockTime(p.on + hold)
		p.end = blockTime(p.off + gap)
		t = p.end + rest
		writeProbe(tr, p, bend)
	}
	return append(files, endFile(tr, t))
}

// endFile ends the file of track tr at t seconds, with a marker there: the
// silence after its last window's all-sound-off is measured, and a MIDI
// reader may drop the controls at the very end of the music, which in a
// render to the file's end reach no note.
func endFile(tr *smfTrack, t float64) []byte {
	tr.add(t, 0xFF, 0x06, 'e', 'n', 'd')
	return smf(tr)
}

// writeProbe adds p's events to its file's track, with the pitch wheel
// at bend until a sweep moves it.
func writeProbe(tr *smfTrack, p *probe, bend int) {
	ch, at := p.ch, p.on-setup
	if ch != drumChannel {
		tr.cc(at, ch, 0, 0)
		tr.program(at, ch, p.program)
	}
	tr.cc(at, ch, 1, 0)
	tr.cc(at, ch, 7, 100)
	tr.cc(at, ch, 10, 64)
	tr.cc(at, ch, 11, 127)
	tr.bend(at, ch, bend)
	tr.noteOn(p.on, ch, p.key, p.vel)
	if p.sweep != steady {
		// A step every 20 ms from 0.2 s after the note-on to 0.2 s
		// before its note-off; x runs 0..1 over the sweep.
		const stepSec = 0.02
		from, to := p.on+0.2, p.off-0.2
		n := int(math.Round((to - from) / stepSec))
		for i := 0; i <= n; i++ {
			x := float64(i) / float64(n)
			at := from + float64(i)*stepSec
			switch p.sweep {
			case sweepBend: // centre, down, up, centre
				tr.bend(at, ch, int(math.Round(outAndBack(x, 8192, 0, 16383))))
			case sweepModWheel:
				tr.cc(at, ch, 1, byte(math.Round(triangle(x, 0, 127))))
			case sweepVolume:
				tr.cc(at, ch, 7, byte(math.Round(triangle(x, 100, 10))))
			case sweepExpression:
				tr.cc(at, ch, 11, byte(math.Round(triangle(x, 127, 10))))
			case sweepPan: // centre, left, right, centre
				tr.cc(at, ch, 10, byte(math.Round(outAndBack(x, 64, 0, 127))))
			}
		}
	}
	tr.noteOff(p.off, ch, p.key)
	tr.cc(p.end, ch, 120, 0)
}

// triangle goes from a to b and back to a as x runs from 0 to 1.
func triangle(x, a, b float64) float64 {
	if x < 0.5 {
		return a + (b-a)*2*x
	}
	return b + (a-b)*(2*x-1)
}

// outAndBack goes from mid to lo (first quarter), up to hi (next half)
// and back to mid (last quarter) as x runs from 0 to 1.
func outAndBack(x, mid, lo, hi float64) float64 {
	switch {
	case x < 0.25:
		return mid + (lo-mid)*x*4
	case x < 0.75:
		return lo + (hi-lo)*(x-0.25)*2
	default:
		return hi + (mid-hi)*(x-0.75)*4
	}
}

// releaseTimes returns, for each probe, the longest volume-envelope
// release (in seconds, clamped to the generator's range) of the regions
// its note sounds in font. The font is read once, for the full probe set,
// and not kept.
func releaseTimes(tb testing.TB, font string, ps []probe) []float64 {
	tb.Helper()
	releaseMu.Lock()
	defer releaseMu.Unlock()
	known := releaseCache[font]
	if known == nil {
		f, err := (sf2.Options{Rules: &sf2.FluidSynthRules}).ReadFile(font)
		if err != nil {
			tb.Fatal(err)
		}
		known = map[probeNote]float64{}
		var buf [32]*sf2.Region
		for _, p := range append(probeSet(false), ps...) {
			preset := f.PresetWithFallback(0, uint16(p.program), p.ch == drumChannel)
			r := 0.0
			for _, reg := range preset.Regions(p.key, p.vel, buf[:0]) {
				tc := sf2.Clamp(sf2.GenReleaseVolEnv, float64(reg.Gen[sf2.GenReleaseVolEnv]))
				r = math.Max(r, sf2.TimecentsToSeconds(tc))
			}
			known[p.note()] = r
		}
		releaseCache[font] = known
	}
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = known[p.note()]
	}
	return out
}

// probeNote is what chooses a probe's regions.
type probeNote struct{ drum, program, key, vel byte }

func (p probe) note() probeNote {
	n := probeNote{program: p.program, key: p.key, vel: p.vel}
	if p.ch == drumChannel {
		n.drum, n.program = 1, 0
	}
	return n
}

var (
	releaseMu    sync.Mutex
	releaseCache = map[string]map[probeNote]float64{}
)
