package instrument

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/aether-audio/aether/sf2"
	"github.com/aether-audio/aether/voice"
)

func TestSoundFontBankErrors(t *testing.T) {
	font := onePreset(testRegion(&sf2.FluidSynthRules, nil))
	noRules := FluidSynthProfile
	noRules.Modulators = nil
	badRange := SpecProfile
	badRange.EnvRange = 0
	badFactor := FluidSynthProfile
	badFactor.AttenuationFactor = math.NaN()
	badRelease := FluidSynthProfile
	badRelease.ExclusiveRelease = math.Inf(-1)
	for _, tc := range []struct {
		name string
		font *sf2.Font
		rate int
		p    Profile
	}{
		{"no font", nil, testRate, FluidSynthProfile},
		{"rate 0", font, 0, FluidSynthProfile},
		{"rate -44100", font, -44100, FluidSynthProfile},
		{"rate too high", font, 10_000_000, FluidSynthProfile},
		{"no modulator rules", font, testRate, noRules},
		{"envelope range 0", font, testRate, badRange},
		{"attenuation factor NaN", font, testRate, badFactor},
		{"exclusive release -Inf", font, testRate, badRelease},
	} {
		b, err := SoundFont(tc.font, tc.rate, tc.p)
		if !errors.Is(err, ErrSoundFont) || b != nil {
			t.Errorf("%s: bank %v, error %v; want ErrSoundFont", tc.name, b, err)
		}
	}
}

// TestPresetFallbacks: FluidSynth's program change in GS mode.
func TestPresetFallbacks(t *testing.T) {
	named := func(bank, program uint16) sf2.Preset {
		return sf2.Preset{Name: fmt.Sprintf("%d:%d", bank, program), Bank: bank, Program: program,
			AllRegions: []sf2.Region{testRegion(&sf2.FluidSynthRules, nil)}}
	}
	font := testFont(named(0, 0), named(0, 5), named(0, 7), named(8, 5), named(128, 0), named(128, 16))
	b := mustBank(t, font, FluidSynthProfile)
	for _, tc := range []struct {
		bank    uint16
		program uint8
		drums   bool
		want    string
	}{
		{0, 5, false, "0:5"},
		{8, 5, false, "8:5"},
		{8, 7, false, "0:7"},    // missing bank: bank 0, same program
		{9, 9, false, "0:0"},    // missing program: bank 0 program 0
		{0, 16, true, "128:16"}, // drums: bank 128 whatever bank select says
		{8, 16, true, "128:16"},
		{0, 25, true, "128:0"},   // missing kit: kit 0
		{128, 0, false, "128:0"}, // a bank asked for by number is found, drums or not
	} {
		inst := b.Instrument(tc.bank, tc.program, tc.drums)
		p, ok := inst.(*sfPreset)
		if !ok || p.preset.Name != tc.want {
			t.Errorf("bank %d program %d drums %v: %v, want preset %s", tc.bank, tc.program, tc.drums, inst, tc.want)
		}
	}
	// A font with none of the candidates has no instrument: the
	// interface is nil, not a nil preset.
	empty := mustBank(t, testFont(named(3, 3)), FluidSynthProfile)
	if inst := empty.Instrument(0, 1, false); inst != nil {
		t.Errorf("no candidate: %v, want nil", inst)
	}
	if inst := empty.Instrument(0, 1, true); inst != nil {
		t.Errorf("no kit: %v, want nil", inst)
	}
}

// TestPitch: fluid_voice_calculate_pitch and the root pitch in Hz: scale
// tuning around the root (less the sample's correction), coarse and fine
// tune, the channel's tuning, and the playback ratio they give.
func TestPitch(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		key, root                int
		correction               int8
		scale, coarse, fine      int16
		chCoarse, chFine         float64
		wantPitch, wantPlaybackR float64 // cents; sample frames per output frame
	}{
		{"root key", 60, 60, 0, 100, 0, 0, 0, 0, 6000, 44100.0 / 48000},
		{"an octave up", 72, 60, 0, 100, 0, 0, 0, 0, 7200, 2 * 44100.0 / 48000},
		{"scale tuning 50: half a semitone per key", 72, 60, 0, 50, 0, 0, 0, 0, 6600, math.Exp2(0.5) * 44100 / 48000},
		{"scale tuning 0: every key at the root", 40, 60, 0, 0, 0, 0, 0, 0, 6000, 44100.0 / 48000},
		{"correction +10 cents plays 10 cents up", 60, 60, 10, 100, 0, 0, 0, 0, 6000, math.Exp2(10.0/1200) * 44100 / 48000},
		{"correction -23 with scale 0", 66, 66, -23, 0, 0, 0, 0, 0, 6623, 44100.0 / 48000},
		{"coarse -2 and fine +30", 60, 60, 0, 100, -2, 30, 0, 0, 5830, math.Exp2(-170.0/1200) * 44100 / 48000},
		{"channel coarse +1, fine +0.5", 60, 60, 0, 100, 0, 0, 1, 0.5, 6150, math.Exp2(150.0/1200) * 44100 / 48000},
		{"scale 0 with correction and coarse", 30, 60, -50, 0, 12, 0, 0, 0, 7250, 2 * 44100 / 48000.0},
	} {
		r := testRegion(&sf2.ModulatorRules{}, nil,
			gen{sf2.GenScaleTuning, tc.scale}, gen{sf2.GenCoarseTune, tc.coarse}, gen{sf2.GenFineTune, tc.fine})
		r.RootKey, r.Correction = uint8(tc.root), tc.correction
		ch := NewChannel(0)
		ch.CoarseTune, ch.FineTune = tc.chCoarse, tc.chFine
		v := startOne(t, mustBank(t, onePreset(r), FluidSynthProfile), uint8(tc.key), 100, &ch)
		sf := &v.SoundFont
		if !near(sf.Live.Pitch, tc.wantPitch, 1e-3) {
			t.Errorf("%s: pitch %.4f cents, want %.4f", tc.name, sf.Live.Pitch, tc.wantPitch)
		}
		rootHz := ct2hzExact(float64(tc.root*100-int(tc.correction))) * testRate / testSampleRate
		if !near(sf.RootHz, rootHz, 1e-6*rootHz) {
			t.Errorf("%s: RootHz %.6f, want %.6f", tc.name, sf.RootHz, rootHz)
		}
		ratio := ct2hzExact(sf.Live.Pitch) / sf.RootHz
		if !near(ratio, tc.wantPlaybackR, 1e-6) {
			t.Errorf("%s: playback ratio %.7f, want %.7f", tc.name, ratio, tc.wantPlaybackR)
		}
	}
}

// TestNoteFreq: a note given in Hz plays at that pitch through the scale
// tuning, its key choosing the zone.
func TestNoteFreq(t *testing.T) {
	b := mustBank(t, onePreset(testRegion(&sf2.ModulatorRules{}, nil)), FluidSynthProfile)
	ch := NewChannel(0)
	n := Note{Key: 60, Velocity: 100, Freq: 450}
	vs := b.Instrument(0, 0, false).Start(&n, &ch, nil)
	want := 6900 + 1200*math.Log2(450.0/440)
	if len(vs) != 1 || !near(vs[0].SoundFont.Live.Pitch, want, 1e-3) {
		t.Fatalf("450 Hz: %d voices, pitch %v; want one at %v cents", len(vs), vs[0].SoundFont.Live.Pitch, want)
	}
}

// TestVoiceRecipe: every part of voice.SoundFont from a region's
// generators: sample window, envelopes, LFOs, the live controls and their
// clamps, exclusive class.
func TestVoiceRecipe(t *testing.T) {
	r := testRegion(&sf2.ModulatorRules{}, nil,
		gen{sf2.GenDelayVolEnv, -1200}, gen{sf2.GenAttackVolEnv, 0}, gen{sf2.GenHoldVolEnv, 1200},
		gen{sf2.GenDecayVolEnv, -2400}, gen{sf2.GenSustainVolEnv, 300}, gen{sf2.GenReleaseVolEnv, 1200},
		gen{sf2.GenDelayModEnv, 0}, gen{sf2.GenAttackModEnv, -1200}, gen{sf2.GenHoldModEnv, -12000},
		gen{sf2.GenDecayModEnv, 1200}, gen{sf2.GenSustainModEnv, 250}, gen{sf2.GenReleaseModEnv, -12000},
		gen{sf2.GenDelayModLFO, 0}, gen{sf2.GenFreqModLFO, 0}, gen{sf2.GenDelayVibLFO, -1200}, gen{sf2.GenFreqVibLFO, 1200},
		gen{sf2.GenModLfoToPitch, 30}, gen{sf2.GenVibLfoToPitch, -40}, gen{sf2.GenModEnvToPitch, 20000},
		gen{sf2.GenModLfoToFilterFc, -13000}, gen{sf2.GenModEnvToFilterFc, 500}, gen{sf2.GenModLfoToVolume, 1000},
		gen{sf2.GenInitialFilterFc, 9000}, gen{sf2.GenInitialFilterQ, 1000},
		gen{sf2.GenReverbEffectsSend, 250}, gen{sf2.GenChorusEffectsSend, 1500}, gen{sf2.GenPan, -600},
		gen{sf2.GenInitialAttenuation, 200}, gen{sf2.GenExclusiveClass, 5})
	font := onePreset(r)
	ch := NewChannel(0)
	v := startOne(t, mustBank(t, font, FluidSynthProfile), 60, 100, &ch)
	sf := &v.SoundFont
	if &sf.Data[0] != &font.Pool[0] || sf.Start != 64 || sf.End != 64+1024 || sf.LoopStart != 64+100 || sf.LoopEnd != 64+900 ||
		sf.LoopMode != voice.LoopContinuous || sf.Interp != voice.Cubic {
		t.Errorf("sample: data shared %v, window %d..%d, loop %d..%d mode %d, interp %v",
			&sf.Data[0] == &font.Pool[0], sf.Start, sf.End, sf.LoopStart, sf.LoopEnd, sf.LoopMode, sf.Interp)
	}
	wantVol := voice.Envelope{Delay: 375, Attack: 751, Hold: 1500, Decay: 188, Release: 1501, Sustain: 0.7}
	wantMod := voice.Envelope{Delay: 750, Attack: 376, Hold: 1, Decay: 1500, Release: 1, Sustain: 0.75}
	if !sameEnv(sf.VolEnv, wantVol) || !sameEnv(sf.ModEnv, wantMod) {
		t.Errorf("envelopes: volume %+v, want %+v; modulation %+v, want %+v", sf.VolEnv, wantVol, sf.ModEnv, wantMod)
	}
	if sf.ModLFO.Delay != 48000 || sf.VibLFO.Delay != 24000 ||
		!near(float64(sf.ModLFO.Incr), 256*8.1757989/48000, 1e-7) || !near(float64(sf.VibLFO.Incr), 256*16.3515978/48000, 1e-7) {
		t.Errorf("LFOs: mod %+v, vib %+v", sf.ModLFO, sf.VibLFO)
	}
	want := voice.SoundFontLive{
		Pitch: 6000, Attenuation: 80, Pan: -500, FilterFc: 9000, FilterQ: 960,
		ModLFOToPitch: 30, VibLFOToPitch: -40, ModEnvToPitch: 12000,
		ModLFOToFc: -12000, ModEnvToFc: 500, ModLFOToVol: 960,
		ReverbSend: 0.25, ChorusSend: 1,
	}
	if sf.Live != want {
		t.Errorf("live:\n got %+v\nwant %+v", sf.Live, want)
	}
	if sf.MinAttenuation != 80 {
		t.Errorf("MinAttenuation %v, want 80 (no modulator can lower it)", sf.MinAttenuation)
	}
	if v.Exclusive != 5 || v.OneShot || v.Instrument == nil || v.Tag != 0 || v.Params.Gain != 1 || v.Params.Pan != 0 {
		t.Errorf("voice: exclusive %d, one-shot %v, instrument %v, tag %d, gain %v, pan %v",
			v.Exclusive, v.OneShot, v.Instrument, v.Tag, v.Params.Gain, v.Params.Pan)
	}
	// Key 72 with key-to-hold 50 tc/key: 1200 − 600 tc = 1.414 s.
	r.Gen[sf2.GenKeynumToVolEnvHold] = 50
	v = startOne(t, mustBank(t, onePreset(r), FluidSynthProfile), 72, 100, &ch)
	if v.SoundFont.VolEnv.Hold != 1061 {
		t.Errorf("key 72, key-to-hold 50: hold %d blocks, want 1061", v.SoundFont.VolEnv.Hold)
	}
}

func sameEnv(a, b voice.Envelope) bool {
	return a.Delay == b.Delay && a.Attack == b.Attack && a.Hold == b.Hold && a.Decay == b.Decay &&
		a.Release == b.Release && math.Abs(float64(a.Sustain-b.Sustain)) < 1e-6
}

// TestMinAttenuation: FluidSynth's lower bound takes off what the
// modulators of attenuation with changing sources (CC7, CC11) could still
// remove, not velocity's.
func TestMinAttenuation(t *testing.T) {
	r := testRegion(&sf2.FluidSynthRules, nil, gen{sf2.GenInitialAttenuation, 100})
	ch := NewChannel(0) // CC7 100: 42.89 cB; CC11 127: 1.36 cB
	v := startOne(t, mustBank(t, onePreset(r), FluidSynthProfile), 60, 64, &ch)
	sf := &v.SoundFont
	want := sf.Live.Attenuation - 42.8855 - 1.3625
	if !near(float64(sf.MinAttenuation), float64(want), 0.01) {
		t.Errorf("MinAttenuation %v, want %v (attenuation %v less CC7's and CC11's)", sf.MinAttenuation, want, sf.Live.Attenuation)
	}
}

// TestLiveFollowsChannel: Live gives, for a channel that changed since the
// start, what Start would give now; its Gain, Pan and FreqRatio stay
// neutral.
func TestLiveFollowsChannel(t *testing.T) {
	for _, p := range []Profile{FluidSynthProfile, SpecProfile} {
		b := mustBank(t, onePreset(testRegion(p.Modulators, nil)), p)
		inst := b.Instrument(0, 0, false)
		ch := NewChannel(0)
		n := Note{Key: 64, Velocity: 90}
		start := inst.Start(&n, &ch, nil)[0]
		for _, change := range []func(*Channel){
			func(c *Channel) { c.Control(CCVolume, 40) },
			func(c *Channel) { c.Control(CCExpression, 90) },
			func(c *Channel) { c.Control(CCPan, 10) },
			func(c *Channel) { c.PitchBend(15000) },
			func(c *Channel) { c.Control(CCModulation, 100) },
			func(c *Channel) { c.Pressure = 50 },
			func(c *Channel) { c.Control(CCReverb, 127) },
			func(c *Channel) { c.Control(CCChorus, 64) },
		} {
			change(&ch)
			lv := inst.Live(start.Tag, &n, &ch)
			now := inst.Start(&n, &ch, nil)[0]
			if !lv.HasSoundFont || lv.SoundFont != now.SoundFont.Live || lv.Gain != 1 || lv.Pan != 0 || lv.FreqRatio != 1 {
				t.Fatalf("%s: Live %+v, want the live controls of a fresh start %+v", p.Name, lv, now.SoundFont.Live)
			}
		}
		if lv := inst.Live(start.Tag, &n, &ch); lv.SoundFont == start.SoundFont.Live {
			t.Errorf("%s: Live did not follow the channel: %+v", p.Name, lv.SoundFont)
		}
	}
}

// TestSpan: the longest volume release of the note's regions; an unlooped
// sample bounds it by its length.
func TestSpan(t *testing.T) {
	looped := testRegion(&sf2.FluidSynthRules, nil, gen{sf2.GenReleaseVolEnv, 0})
	shortRel := testRegion(&sf2.FluidSynthRules, nil, gen{sf2.GenReleaseVolEnv, -1200})
	shortRel.KeyLo = 50
	b := mustBank(t, onePreset(looped, shortRel), FluidSynthProfile)
	n := Note{Key: 60, Velocity: 100}
	sp := b.Instrument(0, 0, false).Span(&n)
	if want := 751.0 * 64 / testRate; !near(sp.Release, want, 1e-9) || sp.OneShot != 0 {
		t.Errorf("looped, release 0 tc: span %+v, want release %v s and no one-shot", sp, want)
	}
	once := testRegion(&sf2.FluidSynthRules, nil, gen{sf2.GenReleaseVolEnv, 0}, gen{sf2.GenSampleModes, 0})
	once.LoopMode, once.KeyHi = 0, 100
	b = mustBank(t, onePreset(once), FluidSynthProfile)
	sp = b.Instrument(0, 0, false).Span(&n)
	// 1024 frames at 44.1 kHz, read at half speed (an octave down): 46 ms.
	if want := 1024 / (44100.0 / 48000 / 2) / 48000; !near(sp.Release, want, 1e-6) {
		t.Errorf("unlooped: span %+v, want release %v s", sp, want)
	}
	if sp := b.Instrument(0, 0, false).Span(&Note{Key: 110, Velocity: 100}); sp.Release != 0 {
		t.Errorf("no region plays key 110: span %+v", sp)
	}
}

// TestMaxVoicesSoundFont: a note matching more regions than MaxVoices
// starts MaxVoices voices, within dst's capacity.
func TestMaxVoicesSoundFont(t *testing.T) {
	var regions []sf2.Region
	for range MaxVoices + 5 {
		regions = append(regions, testRegion(&sf2.FluidSynthRules, nil))
	}
	inst := mustBank(t, onePreset(regions...), FluidSynthProfile).Instrument(0, 0, false)
	ch := NewChannel(0)
	dst := make([]Voice, 2, 2+MaxVoices)
	got := inst.Start(&Note{Key: 60, Velocity: 100}, &ch, dst)
	if len(got) != 2+MaxVoices || &got[0] != &dst[0] {
		t.Errorf("%d voices (array kept: %v), want %d in dst's array", len(got), &got[0] == &dst[0], 2+MaxVoices)
	}
	for i, v := range got[2:] {
		if v.Tag != int32(i) {
			t.Errorf("voice %d: tag %d, want the regions in order", i, v.Tag)
		}
	}
}

// TestStartAllocatesNothing: Start, Live and Span with dst's capacity.
func TestStartAllocatesNothing(t *testing.T) {
	r := testRegion(&sf2.FluidSynthRules, nil)
	b := mustBank(t, onePreset(r, r), FluidSynthProfile)
	inst := b.Instrument(0, 0, false)
	ch := NewChannel(0)
	n := Note{Key: 60, Velocity: 100}
	dst := make([]Voice, 0, MaxVoices)
	if a := testing.AllocsPerRun(100, func() {
		dst = inst.Start(&n, &ch, dst[:0])
		_ = inst.Live(dst[1].Tag, &n, &ch)
		_ = inst.Span(&n)
		_ = b.Instrument(0, 0, false)
	}); a != 0 {
		t.Errorf("Start, Live, Span, Instrument: %v allocations, want 0", a)
	}
}

// TestSoundFontConcurrent: one bank played from many goroutines at once
// gives each the voices a lone player gets (run under -race).
func TestSoundFontConcurrent(t *testing.T) {
	var regions []sf2.Region
	for k := range 8 {
		r := testRegion(&sf2.FluidSynthRules, nil, gen{sf2.GenFineTune, int16(k)})
		r.KeyLo, r.KeyHi = uint8(k*16), uint8(k*16+15)
		regions = append(regions, r)
	}
	b := mustBank(t, onePreset(regions...), FluidSynthProfile)
	play := func(key uint8, cc uint8) (voice.SoundFontLive, Span) {
		inst := b.Instrument(0, 0, false)
		ch := NewChannel(0)
		ch.Control(CCVolume, cc)
		n := Note{Key: key, Velocity: 100}
		vs := inst.Start(&n, &ch, make([]Voice, 0, MaxVoices))
		lv := inst.Live(vs[0].Tag, &n, &ch)
		return lv.SoundFont, inst.Span(&n)
	}
	type result struct {
		lv voice.SoundFontLive
		sp Span
	}
	want := map[[2]uint8]result{}
	for key := range uint8(128) {
		lv, sp := play(key, key/2)
		want[[2]uint8{key, key / 2}] = result{lv, sp}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				key := uint8((i*7 + g*13) % 128)
				lv, sp := play(key, key/2)
				if w := want[[2]uint8{key, key / 2}]; w.lv != lv || w.sp != sp {
					errs <- fmt.Sprintf("goroutine %d, key %d: %+v %+v, want %+v %+v", g, key, lv, sp, w.lv, w.sp)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
