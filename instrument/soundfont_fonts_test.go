package instrument

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/sf2"
	"github.com/aether-audio/aether/voice"
)

// fluidR3 is where Debian's fluid-soundfont-gm installs FluidR3_GM.
const fluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

// sharedBank reads a font of the shared test data with p's options and
// makes its bank, or skips when the data is absent.
func sharedBank(t testing.TB, sub, name string, p Profile) *SoundFontBank {
	t.Helper()
	font, err := p.ReadOptions().ReadFile(filepath.Join(testfiles.Dir(t, sub), name))
	if err != nil {
		t.Fatal(err)
	}
	return mustBank(t, font, p)
}

// sampleName is the name of the sample voice v plays.
func sampleName(b *SoundFontBank, bank, program uint16, v *Voice) string {
	p := b.cfg.font.Preset(bank, program)
	return b.cfg.font.Samples[p.AllRegions[v.Tag].Sample].Name
}

// TestZoneSelection: on the shared General MIDI bank and the spec test
// font, every preset starts, for notes across the keyboard and velocity
// range, exactly the regions sf2 lists for the note, in order; each voice
// plays its region's window.
func TestZoneSelection(t *testing.T) {
	for _, f := range []struct{ sub, name string }{
		{"soundfonts", "sf_GMbank.sf2"},
		{"soundfont-spec-test", "sf_spec_test.sf2"},
	} {
		b := sharedBank(t, f.sub, f.name, FluidSynthProfile)
		font := b.cfg.font
		ch := NewChannel(0)
		dst := make([]Voice, 0, MaxVoices)
		var regions []*sf2.Region
		checked := 0
		for pi := range font.Presets {
			p := &font.Presets[pi]
			inst := &b.presets[pi]
			for key := uint8(0); key < 128; key += 3 {
				for _, vel := range []uint8{1, 40, 64, 100, 127} {
					n := Note{Key: key, Velocity: vel}
					dst = inst.Start(&n, &ch, dst[:0])
					regions = p.Regions(key, vel, regions[:0])
					if want := min(len(regions), MaxVoices); len(dst) != want {
						t.Fatalf("%s %d:%d %q key %d velocity %d: %d voices, want %d", f.name, p.Bank, p.Program, p.Name, key, vel, len(dst), want)
					}
					for i := range dst {
						v := &dst[i]
						r := &p.AllRegions[v.Tag]
						if r != regions[i] || v.SoundFont.Start != r.Start || v.SoundFont.End != r.End || v.Exclusive != uint16(r.ExclusiveClass) {
							t.Fatalf("%s %q key %d velocity %d: voice %d is region %d, window %d..%d", f.name, p.Name, key, vel, i, v.Tag, v.SoundFont.Start, v.SoundFont.End)
						}
						checked++
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no voice started", f.name)
		}
	}
}

// specTestVoices starts key with velocity vel in preset (0, program) of
// the spec test font and returns its voices by sample name.
func specTestVoices(t *testing.T, b *SoundFontBank, program, key, vel uint8, ch *Channel) map[string]Voice {
	t.Helper()
	out := map[string]Voice{}
	for _, v := range startAll(t, b, 0, program, false, key, vel, ch) {
		out[sampleName(b, 0, uint16(program), &v)] = v
	}
	return out
}

// TestSpecTestFont: the parts of the SoundFont Spec Implementation Test
// (shared test data, its README) that the instruments compute, each
// asserted on the voices' recipes at 48 kHz. Rendering is the voice's.
func TestSpecTestFont(t *testing.T) {
	fl := sharedBank(t, "soundfont-spec-test", "sf_spec_test.sf2", FluidSynthProfile)
	sp := sharedBank(t, "soundfont-spec-test", "sf_spec_test.sf2", SpecProfile)
	ch := NewChannel(0)
	ch.CC[CCVolume] = 127

	// Test 1: volume envelope, each stage 1 s; sustain at -12 dB.
	v := specTestVoices(t, fl, 0, 58, 127, &ch)["Sine-375Hz"]
	if e := v.SoundFont.VolEnv; e.Delay != 750 || e.Attack != 751 || e.Hold != 750 || e.Decay != 750 || e.Release != 751 ||
		!near(float64(e.Sustain), 0.88, 1e-6) {
		t.Errorf("test 1: volume envelope %+v, want 1 s stages (750 blocks, attack and release 751) and sustain 0.88", e)
	}
	// Test 2: modulation envelope, 1 s stages, sustain 50 %, one octave.
	v = specTestVoices(t, fl, 0, 59, 127, &ch)["Sine-375Hz"]
	if e := v.SoundFont.ModEnv; e.Delay != 750 || e.Attack != 751 || e.Hold != 750 || e.Decay != 750 || e.Release != 751 ||
		e.Sustain != 0.5 || v.SoundFont.Live.ModEnvToPitch != 1200 {
		t.Errorf("test 2: modulation envelope %+v to pitch %v, want 1 s stages, sustain 0.5, 1200 cents", e, v.SoundFont.Live.ModEnvToPitch)
	}
	// Tests 3 and 4: key to decay and hold, 101 timecents per key from
	// 1200 (decay, 2 s at key 60) and -1200 (hold, 0.5 s at key 60).
	for _, key := range []uint8{36, 48, 60, 72, 84} {
		dec := specTestVoices(t, fl, 1, key, 127, &ch)["Sine-375Hz"].SoundFont.VolEnv.Decay
		hold := specTestVoices(t, fl, 2, key, 127, &ch)["Sine-375Hz"].SoundFont.VolEnv.Hold
		steps := 60 - float64(key)
		wantDec := int(testRate*math.Exp2((1200+101*steps)/1200)/64 + 0.5)
		wantHold := int(testRate*math.Exp2((-1200+101*steps)/1200)/64 + 0.5)
		if dec != wantDec || hold != wantHold {
			t.Errorf("tests 3, 4, key %d: decay %d, hold %d blocks; want %d, %d", key, dec, hold, wantDec, wantHold)
		}
	}
	// Tests 5 and 6: 4 Hz LFOs; 6 dB of level, and vibrato.
	lfo4 := 4 * 64 * 4.0 / testRate
	v = specTestVoices(t, fl, 0, 60, 127, &ch)["Sine-375Hz"]
	if l := v.SoundFont.ModLFO; !near(float64(l.Incr), lfo4, lfo4*1e-3) || l.Delay != 46 || v.SoundFont.Live.ModLFOToVol != 60 {
		t.Errorf("test 5: mod LFO %+v to volume %v cB, want 4 Hz (incr %.6f) and 60 cB", l, v.SoundFont.Live.ModLFOToVol, lfo4)
	}
	v = specTestVoices(t, fl, 0, 61, 127, &ch)["Sine-375Hz"]
	if l := v.SoundFont.VibLFO; !near(float64(l.Incr), lfo4, lfo4*1e-3) || v.SoundFont.Live.VibLFOToPitch != 600 {
		t.Errorf("test 6: vibrato LFO %+v to pitch %v, want 4 Hz and 600 cents", l, v.SoundFont.Live.VibLFOToPitch)
	}
	// Test 7: the mod wheel deepens the vibrato LFO, not the mod LFO.
	wheel := ch
	wheel.CC[CCModulation] = 127
	v = specTestVoices(t, sp, 0, 62, 127, &wheel)["Sine-375Hz"]
	if v.SoundFont.Live.VibLFOToPitch != 50 || v.SoundFont.Live.ModLFOToPitch != 0 {
		t.Errorf("test 7: CC1 = 127 gives vibrato %v and mod LFO %v cents, want 50 and 0", v.SoundFont.Live.VibLFOToPitch, v.SoundFont.Live.ModLFOToPitch)
	}
	// Test 8: three tones (scale tuning, root key) at the same pitch.
	var ratios []float64
	for _, key := range []uint8{60, 62, 64} {
		v := specTestVoices(t, fl, 3, key, 127, &ch)["Sine-375Hz"]
		ratios = append(ratios, ct2hzExact(v.SoundFont.Live.Pitch)/v.SoundFont.RootHz)
	}
	if !near(ratios[0], ratios[1], 1e-6) || !near(ratios[0], ratios[2], 1e-6) { // within 0.002 cents
		t.Errorf("test 8: playback ratios %v, want one pitch", ratios)
	}
	// Test 11: attenuation of 5 dB steps in the font is 2 dB steps
	// (EMU's 0.4) in FluidSynth; 5 dB in the spec.
	for i, key := range []uint8{64, 65, 66, 67, 68, 69} {
		base := specTestVoices(t, fl, 0, 63, 127, &ch)["Sine-375Hz"].SoundFont.Live.Attenuation
		fa := specTestVoices(t, fl, 0, key, 127, &ch)["Sine-375Hz"].SoundFont.Live.Attenuation - base
		sa := specTestVoices(t, sp, 0, key, 127, &ch)["Sine-375Hz"].SoundFont.Live.Attenuation
		if !near(float64(fa), 20*float64(i+1), 1e-3) || !near(float64(sa), 50*float64(i+1), 1e-3) {
			t.Errorf("test 11, key %d: %v cB (FluidSynth), %v cB (spec); want %d, %d", key, fa, sa, 20*(i+1), 50*(i+1))
		}
	}
	// Test 13 A: velocity 111 is 2.34 dB under 127 (exactly, in the spec).
	d := specTestVoices(t, sp, 0, 63, 111, &ch)["Sine-375Hz"].SoundFont.Live.Attenuation -
		specTestVoices(t, sp, 0, 63, 127, &ch)["Sine-375Hz"].SoundFont.Live.Attenuation
	if !near(float64(d), 23.4, 0.05) {
		t.Errorf("test 13 A: velocity 111 is %v cB under 127, want 23.4", d)
	}
	// Test 14 A: velocity to cutoff: the spec's 2.04 default filters,
	// FluidSynth's does not.
	fc := func(b *SoundFontBank, vel uint8) float32 {
		return specTestVoices(t, b, 0, 75, vel, &ch)["White Noise"].SoundFont.Live.FilterFc
	}
	if fc(fl, 15) != fc(fl, 127) || fc(sp, 15) >= fc(sp, 127)-2000 {
		t.Errorf("test 14 A: cutoff at velocity 15 and 127: FluidSynth %v, %v; spec %v, %v",
			fc(fl, 15), fc(fl, 127), fc(sp, 15), fc(sp, 127))
	}
	// Test 16: the sample offset skips the "not" of "not supported".
	if v := specTestVoices(t, fl, 0, 81, 127, &ch)["not supported"]; v.SoundFont.Start-fl.cfg.font.Samples[10].Start != 6720 {
		t.Errorf("test 16: window starts %d frames in, want 6720", v.SoundFont.Start-fl.cfg.font.Samples[10].Start)
	}
	// Test 17 A and 18 A: instrument-level sends of 0, 33.3, 66.6, 100 %.
	for i, key := range []uint8{82, 83, 84, 85} {
		want := []float32{0, 0.333, 0.666, 1}[i]
		if got := specTestVoices(t, fl, 0, key, 127, &ch)["testing"].SoundFont.Live.ReverbSend; !near(float64(got), float64(want), 1e-6) {
			t.Errorf("test 17 A, key %d: reverb send %v, want %v", key, got, want)
		}
		if got := specTestVoices(t, fl, 0, key+4, 127, &ch)["testing"].SoundFont.Live.ChorusSend; !near(float64(got), float64(want), 1e-6) {
			t.Errorf("test 18 A, key %d: chorus send %v, want %v", key+4, got, want)
		}
	}
	// Test 20: bend a whole step down and up; B: the modulator removed;
	// C: inverted.
	for _, tc := range []struct {
		key      uint8
		down, up float64
		what     string
	}{{90, -200, 200, "A, default"}, {91, 0, 0, "B, removed"}, {92, 200, -200, "C, inverted"}} {
		pitchAt := func(bend uint16) float64 {
			c := ch
			c.Bend = bend
			return specTestVoices(t, sp, 0, tc.key, 127, &c)["Sine-375Hz"].SoundFont.Live.Pitch
		}
		rest := pitchAt(8192)
		if !near(pitchAt(0)-rest, tc.down, 0.05) || !near(pitchAt(16383)-rest, tc.up, 0.05) {
			t.Errorf("test 20 %s: bend down %.2f, up %.2f cents; want %v, %v", tc.what, pitchAt(0)-rest, pitchAt(16383)-rest, tc.down, tc.up)
		}
	}
	// Test 21: exclusive class.
	if v := specTestVoices(t, fl, 0, 19, 127, &ch)["White Noise"]; v.Exclusive != 1 {
		t.Errorf("test 21: exclusive class %d, want 1", v.Exclusive)
	}
	// Test 22 A and C: pan -50 % .. 50 %; a stereo pair at -50 % has its
	// left sample fully left and its right one centred.
	for i := range 9 {
		want := float32(-500 + 125*i)
		if got := specTestVoices(t, fl, 6, uint8(40+i), 127, &ch)["Sine-375Hz"].SoundFont.Live.Pan; got != want {
			t.Errorf("test 22 A, key %d: pan %v, want %v", 40+i, got, want)
		}
	}
	pair := specTestVoices(t, fl, 6, 52, 127, &ch)
	if l, r := pair["Sine-stereoL"].SoundFont.Live.Pan, pair["Sine-stereoR"].SoundFont.Live.Pan; l != -500 || r != 0 {
		t.Errorf("test 22 C at -50 %%: left sample pan %v, right %v; want -500, 0", l, r)
	}
}

// TestFluidR3AllPresets: every preset of FluidR3_GM starts notes across
// the keyboard with sane recipes (where the Debian font is installed).
func TestFluidR3AllPresets(t *testing.T) {
	if raceEnabled {
		t.Skip("no concurrency here, and loading FluidR3_GM is slow under the race detector: skipping")
	}
	if _, err := os.Stat(fluidR3); err != nil {
		t.Skipf("%s not installed (apt-get install fluid-soundfont-gm): skipping", fluidR3)
	}
	font, err := FluidSynthProfile.ReadOptions().ReadFile(fluidR3)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Profile{FluidSynthProfile, SpecProfile} {
		b := mustBank(t, font, p)
		ch := NewChannel(0)
		dst := make([]Voice, 0, MaxVoices)
		var regions []*sf2.Region
		voices := 0
		for pi := range font.Presets {
			fp := &font.Presets[pi]
			inst := b.Instrument(fp.Bank, uint8(fp.Program), fp.Bank == sf2.DrumBank)
			for _, key := range []uint8{21, 36, 48, 60, 72, 84, 96, 108} {
				for _, vel := range []uint8{20, 80, 127} {
					n := Note{Key: key, Velocity: vel}
					dst = inst.Start(&n, &ch, dst[:0])
					if want := min(len(fp.Regions(key, vel, regions[:0])), MaxVoices); len(dst) != want {
						t.Fatalf("%d:%d %q key %d velocity %d: %d voices, want %d", fp.Bank, fp.Program, fp.Name, key, vel, len(dst), want)
					}
					for i := range dst {
						if err := saneRecipe(&dst[i].SoundFont, len(font.Pool)); err != "" {
							t.Fatalf("%q key %d velocity %d voice %d: %s", fp.Name, key, vel, i, err)
						}
					}
					voices += len(dst)
					if sp := inst.Span(&n); len(dst) > 0 && !(sp.Release > 0 && sp.Release < 200) {
						t.Fatalf("%q key %d: span %+v", fp.Name, key, sp)
					}
				}
			}
		}
		t.Logf("%s: %d presets, %d voices started", p.Name, len(font.Presets), voices)
	}
}

// saneRecipe returns what is wrong with a recipe, or "".
func saneRecipe(sf *voice.SoundFont, pool int) string {
	l := &sf.Live
	switch {
	case !(sf.Start >= 0 && sf.Start <= sf.End && sf.End <= pool && sf.LoopStart <= sf.LoopEnd && sf.LoopEnd <= pool):
		return "sample window out of the pool"
	case !(sf.RootHz > 0) || math.IsInf(sf.RootHz, 0):
		return "root pitch"
	case sf.VolEnv.Attack < 1 || sf.VolEnv.Release < 1 || sf.VolEnv.Delay < 0 || sf.VolEnv.Hold < 0 || sf.VolEnv.Decay < 0:
		return "volume envelope"
	case sf.VolEnv.Sustain < 0 || sf.VolEnv.Sustain > 1 || sf.ModEnv.Sustain < 0 || sf.ModEnv.Sustain > 1:
		return "sustain"
	case math.IsNaN(l.Pitch) || l.Pitch < -12000 || l.Pitch > 30000:
		return "pitch"
	case l.Attenuation < 0 || l.Attenuation > 1440 || sf.MinAttenuation < 0 || sf.MinAttenuation > l.Attenuation:
		return "attenuation"
	case l.Pan < -500 || l.Pan > 500 || l.FilterQ < 0 || l.FilterQ > 960 || l.ReverbSend < 0 || l.ChorusSend > 1:
		return "pan, filter or sends"
	case !(sf.ModLFO.Incr > 0 && sf.VibLFO.Incr > 0):
		return "LFO"
	}
	return ""
}

// TestLazyPreset: a preset of a lazily read font starts no voice and
// has no span until it is prepared (instrument.Preparer), then the voices
// and the span an eagerly read font's preset has, on the same samples;
// a bank made once the font's preset is prepared plays it at once.
func TestLazyPreset(t *testing.T) {
	path := filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2")
	o := FluidSynthProfile.ReadOptions()
	eager, err := o.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	o.Lazy = true
	lazy, err := o.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	eb, lb := mustBank(t, eager, FluidSynthProfile), mustBank(t, lazy, FluidSynthProfile)
	ch := NewChannel(0)
	n := Note{Key: 60, Velocity: 100}
	want := eb.Instrument(0, 0, false).Start(&n, &ch, nil)
	inst := lb.Instrument(0, 0, false)
	if got := inst.Start(&n, &ch, nil); len(got) != 0 || len(want) == 0 {
		t.Fatalf("unprepared preset started %d voices (the eager one %d), want none", len(got), len(want))
	}
	wantSpan := eb.Instrument(0, 0, false).Span(&n)
	if s := inst.Span(&n); s != (Span{}) || wantSpan.Release <= 0 {
		t.Fatalf("unprepared preset: span %+v (the eager one %+v), want zero", s, wantSpan)
	}
	if err := inst.(Preparer).Prepare(); err != nil {
		t.Fatal(err)
	}
	got := inst.Start(&n, &ch, nil)
	if len(got) != len(want) {
		t.Fatalf("prepared preset started %d voices, want %d", len(got), len(want))
	}
	if s := inst.Span(&n); s != wantSpan {
		t.Fatalf("prepared preset: span %+v, want %+v", s, wantSpan)
	}
	if late := mustBank(t, lazy, FluidSynthProfile).Instrument(0, 0, false).Start(&n, &ch, nil); len(late) != len(want) {
		t.Fatalf("a bank made after Prepare started %d voices, want %d", len(late), len(want))
	}
	for i := range got {
		g, w := &got[i].SoundFont, &want[i].SoundFont
		if !slices.Equal(g.Data[g.Start:g.End], w.Data[w.Start:w.End]) {
			t.Fatalf("voice %d plays other frames than the eager font's", i)
		}
	}
}
