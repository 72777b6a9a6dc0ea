package aether

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/mix"
	"github.com/aether-audio/aether/scheduler"
	"github.com/aether-audio/aether/sf2"
)

// sfRate is the output rate of the SoundFont engine tests.
const sfRate = 48000

// gmFont is the shared General MIDI bank, read once per test binary with
// FluidSynth's profile.
var gmFont struct {
	once sync.Once
	font *sf2.Font
	bank *instrument.SoundFontBank
	err  error
}

// gmSoundFont returns sf_GMbank and its bank at sfRate, or skips when the
// shared test data is absent.
func gmSoundFont(t testing.TB) (*sf2.Font, *instrument.SoundFontBank) {
	t.Helper()
	dir := testfiles.Dir(t, "soundfonts")
	gmFont.once.Do(func() {
		p := instrument.FluidSynthProfile
		gmFont.font, gmFont.err = p.ReadOptions().ReadFile(filepath.Join(dir, "sf_GMbank.sf2"))
		if gmFont.err == nil {
			gmFont.bank, gmFont.err = instrument.SoundFont(gmFont.font, sfRate, p)
		}
	})
	if gmFont.err != nil {
		t.Fatal(gmFont.err)
	}
	return gmFont.font, gmFont.bank
}

// sfEngine returns an engine playing the General MIDI bank on workers
// workers.
func sfEngine(t testing.TB, workers int) *Engine {
	t.Helper()
	_, bank := gmSoundFont(t)
	return newEngine(t, Config{SampleRate: sfRate, Workers: workers, Instruments: bank})
}

// onlyRegion returns the one region that plays key at velocity vel in
// preset (bank, program), failing the test if there are more or none.
func onlyRegion(t *testing.T, font *sf2.Font, bank, program uint16, key, vel uint8) *sf2.Region {
	t.Helper()
	rs := font.Preset(bank, program).Regions(key, vel, nil)
	if len(rs) != 1 {
		t.Fatalf("preset %d:%d key %d velocity %d: %d regions, want 1", bank, program, key, vel, len(rs))
	}
	return rs[0]
}

// keyRatio is how many frames of its sample region r reads per output
// frame when it plays key bent by bend cents, as the font tunes it: the
// key's pitch (scale tuning 100, the region's coarse and fine tune) over
// the sample's root (root key less its correction), at sfRate.
func keyRatio(t *testing.T, r *sf2.Region, key uint8, bend float64) float64 {
	t.Helper()
	if r.Gen[sf2.GenScaleTuning] != 100 || r.Gen[sf2.GenVibLfoToPitch] != 0 || r.Gen[sf2.GenModLfoToPitch] != 0 ||
		r.Gen[sf2.GenModEnvToPitch] != 0 || r.Gen[sf2.GenModLfoToFilterFc] != 0 {
		t.Fatalf("region with a scale tuning other than 100, a pitch modulation or a cutoff LFO: %v", r.Gen)
	}
	cents := 100*float64(key) + 100*float64(r.Gen[sf2.GenCoarseTune]) + float64(r.Gen[sf2.GenFineTune]) + bend
	root := 100*float64(r.RootKey) - float64(r.Correction)
	return math.Exp2((cents-root)/1200) * float64(r.Rate) / sfRate
}

// ratioLag returns the multiple m of the period of a loop of loop frames
// read at ratio frames per frame that readRatio measures, about 16384
// frames (so an error of 0.05 frame is 0.005 cent), and its length in
// frames, rounded.
func ratioLag(loop int, ratio float64) (m float64, lag int) {
	period := float64(loop) / ratio
	m = max(1, math.Round(16384/period))
	return m, int(math.Round(m * period))
}

// bestLag returns the lag in lo..hi at which y best matches itself
// (normalised correlation over all but the last hi+1 frames), refined by
// a parabola through the best whole lag and its neighbours; NaN if the
// best is at either end (the peak is outside the range).
func bestLag(y []float32, lo, hi int) float64 {
	w := len(y) - hi - 2
	corr := func(lag int) float64 {
		var xy, xx, yy float64
		for i := range w {
			a, b := float64(y[i]), float64(y[i+lag])
			xy += a * b
			xx += a * a
			yy += b * b
		}
		return xy / math.Sqrt(xx*yy)
	}
	best, bestC := lo, corr(lo)
	for lag := lo + 1; lag <= hi; lag++ {
		if c := corr(lag); c > bestC {
			best, bestC = lag, c
		}
	}
	if best == lo || best == hi {
		return math.NaN()
	}
	cm, cp := corr(best-1), corr(best+1)
	return float64(best) + 0.5*(cm-cp)/(cm-2*bestC+cp)
}

// readRatio measures how many sample frames a voice reading a looped
// sample at a steady rate advances per output frame, from its output y
// (all of it read inside the loop, loop frames long, and at least 8192
// frames longer than ratioLag's lag): the output repeats exactly every
// loop/ratio frames. The period is found first within 8 % (133 cents) of
// the expected one (guess is the expected ratio); then the lag of the
// multiple ratioLag chooses, within half a period, so that no other
// multiple can be taken for it.
func readRatio(y []float32, loop int, guess float64) float64 {
	p := float64(loop) / guess
	p = bestLag(y, int(0.92*p), int(1.08*p)+1)
	m := max(1, math.Round(16384/p))
	c, half := int(math.Round(m*p)), max(2, min(int(p/2)-1, 32))
	return m * float64(loop) / bestLag(y, c-half, c+half)
}

// steadyFrom returns the first output frame from which a voice of region
// r playing key at ratio frames per frame is exactly periodic: inside its
// loop, and past its modulation envelope's decay, so that the lowpass the
// envelope sweeps (every program of the font has one) no longer moves the
// phase; with a margin.
func steadyFrom(r *sf2.Region, key uint8, ratio float64) int {
	sec := func(g sf2.Generator, keyGen sf2.Generator) float64 {
		tc := float64(r.Gen[g])
		if keyGen != 0 {
			tc += float64(r.Gen[keyGen]) * (60 - float64(key))
		}
		return math.Exp2(tc / 1200)
	}
	env := sec(sf2.GenDelayModEnv, 0) + sec(sf2.GenAttackModEnv, 0) +
		sec(sf2.GenHoldModEnv, sf2.GenKeynumToModEnvHold) + sec(sf2.GenDecayModEnv, sf2.GenKeynumToModEnvDecay)
	return max(int(float64(r.LoopEnd-r.Start)/ratio), int(env*sfRate)) + 8*block.Size
}

func sfCents(a, b float64) float64 { return 1200 * math.Log2(a/b) }

// TestSoundFontEnginePitch plays keys of several General MIDI programs
// through the Engine by channel, key and velocity: each reads its sample
// at the key's pitch as the font tunes it, within 0.1 cent; a pitch bend
// moves it by the cents FluidSynth's default pitch-wheel modulator gives.
func TestSoundFontEnginePitch(t *testing.T) {
	font, _ := gmSoundFont(t)
	const bendValue = 12288 // half way up
	// FluidSynth's default modulator: 12700 cents × the bipolar wheel
	// (v/16384 mapped to -1..1) × the bend range (2 semitones) over 128.
	bendCents := 12700 * (2*float64(bendValue)/16384 - 1) * 2 / 128
	for _, tc := range []struct {
		program uint8
		key     uint8
		bend    bool
	}{
		{16, 60, false}, {16, 69, false}, {24, 57, false}, {24, 69, false}, {33, 48, false},
		{48, 64, false}, {74, 69, false}, {16, 60, true}, {48, 64, true},
	} {
		r := onlyRegion(t, font, 0, uint16(tc.program), tc.key, 100)
		bend := 0.0
		if tc.bend {
			bend = bendCents
		}
		want := keyRatio(t, r, tc.key, bend)
		// The note starts unbent and reaches its loop; the bend comes
		// then, a block before the frames measured.
		skip := steadyFrom(r, tc.key, keyRatio(t, r, tc.key, 0))
		skip = (skip/block.Size + 1) * block.Size
		e := sfEngine(t, 1)
		ch := e.Channel(0)
		must(t, ch.ProgramChange(tc.program, 0))
		must(t, ch.NoteOn(tc.key, 100, 0))
		renderFrames(t, e, skip/block.Size)
		if tc.bend {
			must(t, ch.PitchBend(bendValue, 0))
			renderFrames(t, e, 1)
		}
		_, lag := ratioLag(r.LoopEnd-r.LoopStart, want)
		y := renderFrames(t, e, (lag+16384)/block.Size)
		if p := peakOf(y); p < 1e-3 {
			t.Fatalf("program %d key %d: peak %v: silent", tc.program, tc.key, p)
		}
		got := readRatio(y, r.LoopEnd-r.LoopStart, want)
		d := sfCents(got, want)
		if !(math.Abs(d) <= 0.1) {
			t.Errorf("program %d key %d bend %.3f cents: pitch %+.4f cents from the key's", tc.program, tc.key, bend, d)
		}
		t.Logf("program %d key %d bend %.3f cents: %+.4f cents (measured from %.2f s)", tc.program, tc.key, bend, d, float64(skip)/sfRate)
	}
}

// rmsOf is the root mean square of x.
func rmsOf(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}

func dB(ratio float64) float64 { return 20 * math.Log10(ratio) }

// velocityCB is the attenuation FluidSynth's default velocity modulator
// (and the CC7 and CC11 ones, the same curve) gives a 7-bit value v.
func velocityCB(v uint8) float64 {
	return 960 * sf2.Source(0x0502).MapFluidSynth(float64(v)/128)
}

// TestSoundFontEngineVelocity: the piano's level rises with velocity, by
// the decibels FluidSynth's velocity curve gives (one region for every
// velocity, so nothing else changes).
func TestSoundFontEngineVelocity(t *testing.T) {
	font, _ := gmSoundFont(t)
	const key = 60
	level := func(vel uint8) float64 {
		onlyRegion(t, font, 0, 0, key, vel)
		e := sfEngine(t, 1)
		must(t, e.Channel(0).NoteOn(key, vel, 0))
		renderFrames(t, e, 10)
		return rmsOf(renderFrames(t, e, 100)) // in the hold: steady
	}
	vels := []uint8{20, 40, 64, 100, 127}
	levels := make([]float64, len(vels))
	for i, v := range vels {
		levels[i] = level(v)
		if i == 0 {
			continue
		}
		got := dB(levels[i] / levels[i-1])
		want := (velocityCB(vels[i-1]) - velocityCB(v)) / 10
		if !(got > 0) || math.Abs(got-want) > 0.05 {
			t.Errorf("velocity %d to %d: level %+.3f dB, want %+.3f", vels[i-1], v, got, want)
		}
	}
}

// TestSoundFontEngineVolume: CC7 on a sounding note lowers its level by
// what FluidSynth's default CC7 modulator says, from the next block on.
func TestSoundFontEngineVolume(t *testing.T) {
	const key, vel, at = 60, 100, 40
	play := func(volume uint8) []float32 {
		e := sfEngine(t, 1)
		ch := e.Channel(0)
		must(t, ch.NoteOn(key, vel, 0))
		out := renderFrames(t, e, at)
		if volume != 0 {
			must(t, ch.ControlChange(instrument.CCVolume, volume, 0))
		}
		return append(out, renderFrames(t, e, 160)...)
	}
	ref, low := play(0), play(64)
	before := dB(rmsOf(low[:at*block.Size]) / rmsOf(ref[:at*block.Size]))
	after := dB(rmsOf(low[(at+1)*block.Size:]) / rmsOf(ref[(at+1)*block.Size:]))
	want := (velocityCB(100) - velocityCB(64)) / 10 // 100 is General MIDI's reset value
	if before != 0 || math.Abs(after-want) > 0.05 {
		t.Fatalf("CC7 100 to 64: %+.3f dB before, %+.3f after, want 0 and %+.3f", before, after, want)
	}
}

// TestSoundFontEngineDrumEnds: a snare hit with no note-off ends by
// itself once its unlooped sample has played, and the output is then
// silent.
func TestSoundFontEngineDrumEnds(t *testing.T) {
	font, _ := gmSoundFont(t)
	const key = 38
	r := onlyRegion(t, font, 128, 0, key, 100)
	if r.LoopMode != 0 {
		t.Fatalf("the snare loops (mode %d)", r.LoopMode)
	}
	// The sample's length at the key's pitch, in blocks.
	length := float64(r.End-r.Start) / keyRatio(t, r, key, 0) / block.Size
	e := sfEngine(t, 1)
	must(t, e.Channel(9).NoteOn(key, 100, 0))
	var peak float64
	ended := -1
	for b := range 400 {
		l, rt := render(t, e)
		if ended >= 0 {
			if peakOf(l[:]) != 0 || peakOf(rt[:]) != 0 {
				t.Fatalf("block %d: sound after the voice ended at block %d", b, ended)
			}
			continue
		}
		peak = max(peak, peakOf(l[:]))
		if e.Stats().Voices == 0 {
			ended = b
		}
	}
	if peak < 0.01 || ended < 0 || float64(ended) > length+2 {
		t.Fatalf("snare: peak %v, ended at block %d, want sound and an end by block %.0f (its sample's length)", peak, ended, length+2)
	}
}

// TestSoundFontEngineHiHatChoke: a closed hi-hat chokes the open one (the
// font's exclusive class 1), which then falls by FluidSynth's quick
// release (96 dB in 0.89 s, the modulation envelope released as quickly)
// and ends with it, while an open hi-hat nobody chokes rings on; a voice
// of another class is not touched.
func TestSoundFontEngineHiHatChoke(t *testing.T) {
	font, _ := gmSoundFont(t)
	const open, closed, crash, at = 46, 42, 49, 20
	ro, rc := onlyRegion(t, font, 128, 0, open, 100), onlyRegion(t, font, 128, 0, closed, 100)
	if ro.ExclusiveClass == 0 || ro.ExclusiveClass != rc.ExclusiveClass || ro.LoopMode == 0 {
		t.Fatalf("open hi-hat class %d (loop mode %d), closed %d: want the same class and a looped open hi-hat", ro.ExclusiveClass, ro.LoopMode, rc.ExclusiveClass)
	}
	// Blocks of the exclusive release and of the open hi-hat's decay.
	blocks := func(tc float64) float64 { return math.Exp2(tc/1200) * sfRate / block.Size }
	release, decay := blocks(-200), blocks(float64(ro.Gen[sf2.GenDecayVolEnv]))
	const total = 1000
	play := func(choke bool) (out []float32, voices []int) {
		e := sfEngine(t, 1)
		ch := e.Channel(9)
		must(t, ch.NoteOn(open, 100, 0))
		for b := range total {
			if choke && b == at {
				must(t, ch.NoteOn(closed, 100, 0))
			}
			out = append(out, renderFrames(t, e, 1)...)
			voices = append(voices, e.Stats().Voices)
		}
		return out, voices
	}
	ringing, _ := play(false)
	choked, voices := play(true)
	if !bytes.Equal(f32Bytes(ringing[:at*block.Size]), f32Bytes(choked[:at*block.Size])) {
		t.Fatal("the renders differ before the closed hi-hat")
	}
	// The release runs from the envelope's value at the choke (just under
	// 1, a few blocks into the decay) to 0: it ends the voice that many
	// blocks later.
	end := at
	for end < total && voices[end] != 0 {
		end++
	}
	lo, hi := (1-(at+1)/decay)*release-2, release+2
	if n := float64(end - at); n < lo || n > hi {
		t.Errorf("the choked open hi-hat ended %.0f blocks after the choke, want %.0f..%.0f", n, lo, hi)
	}
	// Meanwhile it falls at least as fast as the release less the decay
	// the unchoked one keeps (the faster closing lowpass takes more off),
	// yet sounds: a fade would end it at once.
	blockRMS := func(x []float32, b int) float64 { return rmsOf(x[b*block.Size : (b+1)*block.Size]) }
	for _, k := range []int{100, 300, 500} {
		got := dB(blockRMS(choked, at+k) / blockRMS(ringing, at+k))
		want := -96 * float64(k) * (1/release - 1/decay)
		if !(got < want+1 && got > -200) {
			t.Errorf("%d blocks after the choke: %.1f dB below the unchoked open hi-hat, want %.1f or more, not silence", k, got, -want)
		}
	}
	if blockRMS(ringing, end+10) == 0 {
		t.Error("the unchoked open hi-hat ended too: the test proves nothing")
	}

	// A crash cymbal (class 0) is not choked.
	e := sfEngine(t, 1)
	ch := e.Channel(9)
	must(t, ch.NoteOn(crash, 100, 0))
	renderFrames(t, e, 2)
	must(t, ch.NoteOn(closed, 100, 0))
	renderFrames(t, e, 2*int(release))
	if v := e.Stats().Voices; v != 1 {
		t.Errorf("crash and closed hi-hat: %d voices left, want the crash's", v)
	}
}

// f32Bytes returns x's little-endian bytes.
func f32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// sfScript renders a General MIDI piece on workers workers: chords and
// runs on eight channels and drums, with program changes, bends, volume,
// pan, modulation, expression and the sustain pedal, notes re-struck,
// hi-hats choking each other, all at random frames from a fixed seed, and
// more voices than the engine has, so voices are stolen; three chunks
// of voices at least, for the workers to share. It returns the
// stereo output's bytes and the engine's statistics.
func sfScript(t *testing.T, workers int, blocks int) ([]byte, Stats) {
	_, bank := gmSoundFont(t)
	e := newEngine(t, Config{SampleRate: sfRate, Workers: workers, Voices: 192, ChunkSize: 64, Instruments: bank, Wait: scheduler.Hybrid})
	rng := rand.New(rand.NewPCG(7, 15))
	programs := []uint8{0, 16, 19, 24, 40, 48, 56, 73, 80, 33}
	for c := range 8 {
		must(t, e.Channel(c).ProgramChange(programs[c], 0))
	}
	hats := []uint8{42, 44, 46, 36, 38, 49}
	out := make([]byte, 0, blocks*2*block.Size*4)
	var l, r block.Block
	for b := range blocks {
		frame := e.Frame()
		for range 6 {
			at := frame + int64(rng.IntN(block.Size))
			c := e.Channel(rng.IntN(8))
			switch x := rng.IntN(20); {
			case x < 8:
				must(t, c.NoteOn(uint8(36+rng.IntN(60)), uint8(1+rng.IntN(127)), at))
			case x < 12:
				must(t, c.NoteOff(uint8(36+rng.IntN(60)), at))
			case x < 13:
				must(t, c.PitchBend(uint16(rng.IntN(16384)), at))
			case x < 14:
				cc := []uint8{1, 7, 10, 11, 64, 91}[rng.IntN(6)]
				must(t, c.ControlChange(cc, uint8(rng.IntN(128)), at))
			case x < 15:
				must(t, c.ProgramChange(programs[rng.IntN(len(programs))], at))
			default:
				must(t, e.Channel(9).NoteOn(hats[rng.IntN(len(hats))], uint8(60+rng.IntN(60)), at))
			}
		}
		if b%50 == 49 {
			must(t, e.Channel(rng.IntN(8)).ControlChange(instrument.CCAllNotesOff, 0, frame))
		}
		if err := e.RenderBlock(&l, &r); err != nil {
			t.Fatal(err)
		}
		for i := range block.Size {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(l[i]))
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(r[i]))
		}
	}
	return out, e.Stats()
}

// TestSoundFontEngineDeterministic: the same General MIDI piece renders
// to the same bytes on 1, 2, 3, 4 and 8 workers and on every kernel tier.
func TestSoundFontEngineDeterministic(t *testing.T) {
	blocks := 400
	if raceEnabled || testing.Short() {
		blocks = 60
	}
	want, st := sfScript(t, 1, blocks)
	if st.Stolen == 0 || st.Finished == 0 || st.Started < 3*uint64(blocks) || st.Scheduler.Chunks < 2*uint64(blocks) {
		t.Fatalf("script too tame to prove anything: %+v", st)
	}
	if bytes.Count(want, []byte{0, 0, 0, 0}) > len(want)/8 {
		t.Fatal("output is mostly silence")
	}
	t.Logf("1 worker: %d voices sounding, %d started, %d stolen, %d finished", st.Voices, st.Started, st.Stolen, st.Finished)
	differs := func(what string, got []byte) {
		t.Helper()
		if !bytes.Equal(got, want) {
			i := 0
			for i < len(got) && got[i] == want[i] {
				i++
			}
			t.Errorf("%s: output differs from 1 worker at byte %d (block %d)", what, i, i/(2*block.Size*4))
		}
	}
	for _, workers := range []int{2, 3, 4, 8} {
		got, _ := sfScript(t, workers, blocks)
		differs(fmt.Sprint(workers, " workers"), got)
	}
	defer func() { must(t, mix.SetTier("best")) }()
	for _, tier := range mix.Tiers() {
		must(t, mix.SetTier(tier))
		got, _ := sfScript(t, 2, blocks)
		differs("tier "+tier, got)
	}
}

// TestSoundFontEngineAllocatesNothing: with SoundFont voices sounding,
// a block with note-ons, note-offs, bends and controllers allocates
// nothing.
func TestSoundFontEngineAllocatesNothing(t *testing.T) {
	_, bank := gmSoundFont(t)
	e := newEngine(t, Config{SampleRate: sfRate, Workers: 2, Voices: 128, Instruments: bank})
	rng := rand.New(rand.NewPCG(5, 6))
	for c := range 8 {
		must(t, e.Channel(c).ProgramChange(uint8(c*8), 0))
	}
	step := func() {
		for range 4 {
			c := e.Channel(rng.IntN(8))
			_ = c.NoteOn(uint8(40+rng.IntN(50)), uint8(1+rng.IntN(127)), 0)
			_ = c.NoteOff(uint8(40+rng.IntN(50)), 0)
			_ = c.PitchBend(uint16(rng.IntN(16384)), 0)
			_ = c.ControlChange(uint8([]int{1, 7, 10, 11}[rng.IntN(4)]), uint8(rng.IntN(128)), 0)
			_ = e.Channel(9).NoteOn(uint8(42+2*rng.IntN(3)), 100, 0)
		}
		if err := e.RenderBlock(new(block.Block), new(block.Block)); err != nil {
			t.Fatal(err)
		}
	}
	for range 50 {
		step()
	}
	var l, r block.Block
	allocs := testing.AllocsPerRun(200, func() {
		for range 4 {
			c := e.Channel(rng.IntN(8))
			_ = c.NoteOn(uint8(40+rng.IntN(50)), uint8(1+rng.IntN(127)), 0)
			_ = c.NoteOff(uint8(40+rng.IntN(50)), 0)
			_ = c.PitchBend(uint16(rng.IntN(16384)), 0)
			_ = c.ControlChange(instrument.CCVolume, uint8(rng.IntN(128)), 0)
			_ = e.Channel(9).NoteOn(uint8(42+2*rng.IntN(3)), 100, 0)
		}
		if err := e.RenderBlock(&l, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per block = %v, want 0", allocs)
	}
	if s := e.Stats(); s.Voices < 20 || s.Started < 1000 || s.NonFinite != 0 {
		t.Fatalf("too few SoundFont voices to prove anything: %+v", s)
	}
}

// TestSoundFontEngineRace: goroutines play notes, bends and controllers
// on their own channels while one renders SoundFont voices; run it with
// -race.
func TestSoundFontEngineRace(t *testing.T) {
	_, bank := gmSoundFont(t)
	e := newEngine(t, Config{SampleRate: sfRate, Workers: 2, Voices: 128, QueueSize: 256, Instruments: bank})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 11))
			c := e.Channel(g + 6) // 9 plays drums
			_ = c.ProgramChange(uint8(g*16), 0)
			for {
				select {
				case <-stop:
					return
				default:
				}
				key := uint8(40 + rng.IntN(40))
				_ = c.NoteOn(key, uint8(1+rng.IntN(127)), 0)
				_ = c.PitchBend(uint16(rng.IntN(16384)), 0)
				_ = c.ControlChange(instrument.CCModulation, uint8(rng.IntN(128)), 0)
				_ = c.NoteOff(key, e.Frame()+int64(rng.IntN(2000)))
				runtime.Gosched()
			}
		})
	}
	for i := 0; i < 300 || e.Stats().Started < 100; i++ {
		renderFrames(t, e, 1)
		if i%16 == 0 {
			runtime.Gosched() // let the posters in, on one CPU too
		}
	}
	close(stop)
	wg.Wait()
	if s := e.Stats(); s.Started == 0 || s.NonFinite != 0 || s.Silenced != 0 {
		t.Fatalf("%+v", s)
	}
}
