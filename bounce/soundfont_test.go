package bounce

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/sf2"
)

// gmBank opens the small General MIDI SoundFont of the shared test data,
// skipping the test when it is absent.
func gmBank(t *testing.T) *SoundFont {
	t.Helper()
	path := filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2")
	f, err := OpenSoundFont(path, instrument.FluidSynthProfile)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// A SoundFont makes one bank per rate, on first use, whatever the number
// of goroutines asking at once.
func TestSoundFontBankPerRate(t *testing.T) {
	f := gmBank(t)
	const callers = 8
	got := make([][2]*instrument.SoundFontBank, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for j, rate := range []int{48000, 22050} {
				b, err := f.Bank(rate)
				if err != nil {
					t.Error(err)
				}
				got[i][j] = b
			}
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("caller %d got banks %p, caller 0 %p: a bank was made twice", i, got[i], got[0])
		}
	}
	if got[0][0] == got[0][1] || got[0][0] == nil {
		t.Errorf("48 kHz and 22.05 kHz share bank %p", got[0][0])
	}
	if _, err := f.Bank(0); err == nil {
		t.Error("a bank at 0 Hz")
	}
}

// Options.SoundFont plays a MIDI file's notes at the file's rate, and
// Result names the font; a score without presets makes no bank and names
// none. Instruments and SoundFont together are refused.
func TestRenderWithSoundFont(t *testing.T) {
	f := gmBank(t)
	data := smfOf([]timedMsg{{0, []byte{0xC0, 0}}, {0, []byte{0x90, 60, 100}}, {96, []byte{0x80, 60, 0}}}, 100)
	s, err := midi.Decode("note.mid", data, midi.Options{SampleRate: 32000})
	if err != nil {
		t.Fatal(err)
	}
	withFont, res := bounceBytes(t, s, Options{SoundFont: f})
	if res.SoundFont != f.Name() {
		t.Errorf("Result.SoundFont %q, want %q", res.SoundFont, f.Name())
	}
	if _, ok := f.banks[32000]; !ok || len(f.banks) != 1 {
		t.Errorf("banks made: %v, want the one at 32 kHz", f.banks)
	}
	gm, res := bounceBytes(t, s, Options{})
	if res.SoundFont != "" {
		t.Errorf("without a SoundFont, Result.SoundFont %q", res.SoundFont)
	}
	if string(withFont) == string(gm) {
		t.Error("the SoundFont renders the bytes of the built-in bank")
	}

	synth := &score.Score{Name: "sine", SampleRate: 11025, Frames: 5000,
		Instruments: []score.Instrument{{Name: "sine", Osc: score.Sine, Sustain: 1, Gain: 1}},
		Notes:       []score.Note{{Length: 4000, Key: 69, Gain: 1}}}
	if _, res := bounceBytes(t, synth, Options{SoundFont: f}); res.SoundFont != "" {
		t.Errorf("a score without presets: Result.SoundFont %q", res.SoundFont)
	}
	if _, ok := f.banks[11025]; ok {
		t.Error("a bank was made for a score without presets")
	}

	_, err = Render(context.Background(), s, io.Discard, Options{SoundFont: f, Instruments: instrument.GM(48000)})
	if !errors.Is(err, ErrOptions) {
		t.Errorf("Instruments and SoundFont: %v, want ErrOptions", err)
	}
}

// OpenSoundFont reads lazily: a render prepares the presets its score
// plays, and no other, and renders the bytes of an eagerly read font.
func TestOpenSoundFontLazy(t *testing.T) {
	f := gmBank(t)
	data := smfOf([]timedMsg{
		{0, []byte{0xC0, 40}}, {0, []byte{0x90, 60, 100}}, {0, []byte{0x99, 38, 100}},
		{96, []byte{0x80, 60, 0}}, {96, []byte{0x89, 38, 0}},
	}, 100)
	s, err := midi.Decode("two.mid", data, midi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	font := f.Font()
	violin, drums, piano := font.Preset(0, 40), font.PresetWithFallback(0, 0, true), font.Preset(0, 0)
	if font.Prepared(violin) || font.Prepared(drums) {
		t.Fatal("presets prepared before any render")
	}
	lazy, _ := bounceBytes(t, s, Options{SoundFont: f})
	if !font.Prepared(violin) || !font.Prepared(drums) || font.Prepared(piano) {
		t.Errorf("after the render, prepared: violin %v, drums %v, piano %v; want true, true, false",
			font.Prepared(violin), font.Prepared(drums), font.Prepared(piano))
	}
	eagerFont, err := instrument.FluidSynthProfile.ReadOptions().ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewSoundFont(f.Name(), eagerFont, instrument.FluidSynthProfile)
	if err != nil {
		t.Fatal(err)
	}
	if eager, _ := bounceBytes(t, s, Options{SoundFont: e}); !bytes.Equal(lazy, eager) {
		t.Error("the lazily read font renders other bytes than the eagerly read one")
	}
}

// A font file cut short after it was opened fails the render of a score
// whose preset's samples are gone, with one line naming the font and its
// sample data,
// before any byte is written; a preset converted before still plays.
func TestSoundFontTruncatedAfterOpen(t *testing.T) {
	dir := t.TempDir()
	copyGMBank(t, dir, "gm.sf2")
	path := filepath.Join(dir, "gm.sf2")
	f, err := OpenSoundFont(path, instrument.FluidSynthProfile)
	if err != nil {
		t.Fatal(err)
	}
	note := func(prog byte) *score.Score {
		data := smfOf([]timedMsg{{0, []byte{0xC0, prog}}, {0, []byte{0x90, 60, 100}}, {96, []byte{0x80, 60, 0}}}, 100)
		s, err := midi.Decode("note.mid", data, midi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before, _ := bounceBytes(t, note(0), Options{SoundFont: f})
	if err := os.Truncate(path, 4096); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_, err = Render(context.Background(), note(40), &out, Options{SoundFont: f})
	if !errors.Is(err, sf2.ErrTruncated) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), path+": sdta/smpl") {
		t.Fatalf("render after the font shrank: %v, want one line wrapping sf2.ErrTruncated that names the font and sdta/smpl", err)
	}
	if out.Len() != 0 {
		t.Errorf("%d bytes written before the error", out.Len())
	}
	if again, _ := bounceBytes(t, note(0), Options{SoundFont: f}); !bytes.Equal(again, before) {
		t.Error("the preset prepared before the file shrank renders other bytes")
	}
}

// OpenSoundFont refuses what is not a regular file and wraps sf2's errors.
func TestOpenSoundFontErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenSoundFont(dir, instrument.SpecProfile); err == nil {
		t.Error("a directory opened as a SoundFont")
	}
	if _, err := OpenSoundFont("testdata-missing.sf2", instrument.SpecProfile); err == nil {
		t.Error("a missing file opened as a SoundFont")
	}
	if _, err := OpenSoundFont("bounce.go", instrument.FluidSynthProfile); !errors.Is(err, sf2.ErrNotSoundFont) {
		t.Errorf("a Go file: %v, want sf2.ErrNotSoundFont", err)
	}
	if _, err := OpenSoundFont("bounce.go", instrument.Profile{Name: "empty"}); !errors.Is(err, ErrOptions) {
		t.Errorf("a profile without rules: %v, want ErrOptions", err)
	}
}

// A render played by a SoundFont allocates nothing in its loop either:
// notes on several channels (drums too), program and bank changes,
// controllers, pitch bend and the sustain pedal.
func TestSoundFontLoopAllocatesNothing(t *testing.T) {
	f := gmBank(t)
	data := smfOf([]timedMsg{
		{0, []byte{0xC0, 0}}, {0, []byte{0xB1, 0, 1}}, {0, []byte{0xC1, 24}}, {0, []byte{0xC2, 48}},
		{0, []byte{0x90, 60, 100}}, {0, []byte{0x91, 64, 90}}, {4, []byte{0x99, 36, 120}}, {6, []byte{0x92, 67, 80}},
		{10, []byte{0xB0, 7, 80}}, {12, []byte{0xE1, 0, 80}}, {16, []byte{0xB0, 64, 127}}, {20, []byte{0x80, 60, 0}},
		{24, []byte{0x99, 42, 100}}, {26, []byte{0x99, 46, 100}}, {30, []byte{0xB2, 1, 100}}, {34, []byte{0xB0, 64, 0}},
		{40, []byte{0x81, 64, 0}}, {44, []byte{0x82, 67, 0}}, {48, []byte{0x89, 36, 0}},
	}, 60)
	s, err := midi.Decode("song.mid", data, midi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, res := bounceBytes(t, s, Options{SoundFont: f}); res.Silent() || res.Voices < 4 {
		t.Fatalf("the song renders silent or with %d voices", res.Voices)
	}
	for _, opt := range []Options{{Workers: 1, SoundFont: f}, {Workers: 2, SoundFont: f}} {
		if allocs := loopAllocs(t, s, opt); allocs != 0 {
			t.Errorf("workers %d: %v allocations per bounce of %d blocks", opt.Workers, allocs, s.Frames/block.Size)
		}
	}
}

// A font without drum kits leaves a MIDI file's channel 10 silent, as
// FluidSynth does, and renders the rest; Result.Missing names the kit.
func TestSoundFontWithoutDrumsSilencesChannel10(t *testing.T) {
	full := gmBank(t).Font()
	melodic := *full
	melodic.Presets = nil
	for _, p := range full.Presets {
		if p.Bank != 128 {
			melodic.Presets = append(melodic.Presets, p)
		}
	}
	if len(melodic.Presets) == len(full.Presets) {
		t.Fatal("the test font has no drum kit to remove")
	}
	f, err := NewSoundFont("melodic.sf2", &melodic, instrument.FluidSynthProfile)
	if err != nil {
		t.Fatal(err)
	}
	piano := []timedMsg{{0, []byte{0xC0, 0}}, {0, []byte{0x90, 60, 100}}, {96, []byte{0x80, 60, 0}}}
	drums := []timedMsg{{0, []byte{0x99, 38, 110}}, {96, []byte{0x89, 38, 0}}}
	level := func(msgs []timedMsg) (Result, float64) {
		t.Helper()
		s, err := midi.Decode("song.mid", smfOf(msgs, 100), midi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		res, err := Render(context.Background(), s, &buf, Options{SoundFont: f})
		if err != nil {
			t.Fatalf("Render: %v", err)
		}
		return res, res.PeakDBFS()
	}
	res, drumPeak := level(drums)
	if !math.IsInf(drumPeak, -1) || fmt.Sprint(res.Missing) != "[drum kit 0]" {
		t.Errorf("drums alone: peak %.1f dBFS, Missing %q; want silence and [drum kit 0]", drumPeak, res.Missing)
	}
	res, bothPeak := level(append(piano, drums...))
	_, pianoPeak := level(piano)
	if bothPeak != pianoPeak || bothPeak < -60 || fmt.Sprint(res.Missing) != "[drum kit 0]" {
		t.Errorf("piano and drums: peak %.1f dBFS (piano alone %.1f), Missing %q", bothPeak, pianoPeak, res.Missing)
	}
	if res, _ := level(piano); len(res.Missing) != 0 {
		t.Errorf("piano alone: Missing %q", res.Missing)
	}
}

// copyGMBank copies the shared General MIDI SoundFont into dir as name.
func copyGMBank(t *testing.T, dir, name string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), data, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// presetScore is a JSON score of two notes on program 0, from the
// SoundFont at font or, for "", from the renderer's bank.
func presetScore(font string) string {
	sf := ""
	if font != "" {
		sf = `, "soundfont": "` + font + `"`
	}
	return `{"sample_rate": 32000, "instruments": {"p": {"preset": {"program": 0` + sf + `}}}, "notes": [
		{"time": 0, "duration": 0.3, "instrument": "p", "key": 60}, {"time": 0.1, "duration": 0.3, "instrument": "p", "key": 64, "velocity": 90}]}`
}

// A JSON score's preset may name its SoundFont: the Loader reads it once
// for every score that names it, and it plays exactly as the same font
// given as Options.SoundFont; Result names every font that played.
func TestScoreNamesSoundFont(t *testing.T) {
	dir := t.TempDir()
	copyGMBank(t, dir, "gm.sf2")
	for _, name := range []string{"a.json", "b.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(presetScore("gm.sf2")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ld := NewLoader(LoaderOptions{})
	a, err := ld.Load(filepath.Join(dir, "a.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ld.Load(filepath.Join(dir, "b.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Instruments[0].Preset.SoundFont != b.Instruments[0].Preset.SoundFont || len(ld.fonts.m) != 1 {
		t.Errorf("two scores naming one font: %d fonts read", len(ld.fonts.m))
	}
	named, res := bounceBytes(t, a, Options{})
	own := filepath.Join(dir, "gm.sf2")
	if res.SoundFont != own {
		t.Errorf("Result.SoundFont %q, want %q", res.SoundFont, own)
	}

	plain, err := score.Read("plain.json", strings.NewReader(presetScore("")), score.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := gmBank(t)
	given, _ := bounceBytes(t, plain, Options{SoundFont: f})
	builtIn, _ := bounceBytes(t, plain, Options{})
	if !bytes.Equal(named, given) || bytes.Equal(named, builtIn) {
		t.Errorf("the named font: same bytes as given by Options %v, as the built-in bank %v; want true, false",
			bytes.Equal(named, given), bytes.Equal(named, builtIn))
	}
	if level := audiotest.Peak(wavSamples(t, named)); !(level > 0.01) {
		t.Errorf("peak %g: silent", level)
	}

	// A preset's own font wins over Options; both are named.
	two := `{"sample_rate": 32000, "instruments": {"own": {"preset": {"program": 0, "soundfont": "gm.sf2"}}, "given": {"preset": {"program": 0}}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "own", "key": 60}, {"time": 0, "duration": 0.1, "instrument": "given", "key": 60}]}`
	s, err := ld.Read("two.json", strings.NewReader(two))
	if err == nil {
		t.Fatal("a score read from a stream with no sample root named a font")
	}
	ld = NewLoader(LoaderOptions{SampleRoot: dir, SoundFontCacheBytes: -1})
	if s, err = ld.Read("two.json", strings.NewReader(two)); err != nil {
		t.Fatal(err)
	}
	again, err := ld.Read("two.json", strings.NewReader(two))
	if err != nil {
		t.Fatal(err)
	}
	if s.Instruments[1].Preset.SoundFont == again.Instruments[1].Preset.SoundFont || len(ld.fonts.m) != 0 {
		t.Errorf("a Loader that keeps no fonts shared one (%d kept)", len(ld.fonts.m))
	}
	if _, res := bounceBytes(t, s, Options{SoundFont: f}); res.SoundFont != f.Name()+", "+own {
		t.Errorf("Result.SoundFont %q, want %q", res.SoundFont, f.Name()+", "+own)
	}
}

// otherFont is a score.SoundFont that package bounce did not read.
type otherFont struct{}

func (otherFont) Name() string { return "other.sf2" }

// A score whose preset holds a font bounce did not read fails in one line.
func TestForeignSoundFont(t *testing.T) {
	s, err := score.Read("plain.json", strings.NewReader(presetScore("")), score.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Instruments[0].Preset.SoundFont = otherFont{}
	_, err = Render(context.Background(), s, io.Discard, Options{})
	if err == nil || !strings.Contains(err.Error(), "other.sf2") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a foreign font: %v", err)
	}
}

// A score naming a bad font fails to load with one line that says which.
func TestScoreNamesBadSoundFont(t *testing.T) {
	dir := t.TempDir()
	copyGMBank(t, dir, "gm.sf2")
	data, err := os.ReadFile(filepath.Join(dir, "gm.sf2"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cut.sf2"), data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = NewLoader(LoaderOptions{SampleRoot: dir}).Read("cut.json", strings.NewReader(presetScore("cut.sf2")))
	if !errors.Is(err, score.ErrSoundFont) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "cut.sf2") {
		t.Errorf("truncated font: %v", err)
	}

	// A preset the named font lacks, fallbacks included, fails the render:
	// the score chose that font (a MIDI channel on Options' bank is left
	// silent instead). The spec test font has bank 0 only: no drum kit.
	spec, err := os.ReadFile(filepath.Join(testfiles.Dir(t, "soundfont-spec-test"), "sf_spec_test.sf2"))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "spec.sf2"), spec, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	drums := `{"sample_rate": 32000, "instruments": {"kit": {"preset": {"program": 0, "drums": true, "soundfont": "spec.sf2"}}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "kit", "key": 36}]}`
	s, err := NewLoader(LoaderOptions{SampleRoot: dir}).Read("kit.json", strings.NewReader(drums))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Render(context.Background(), s, io.Discard, Options{})
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "spec.sf2 has no drum kit 0") {
		t.Errorf("a drum kit the named font lacks: %v", err)
	}
}
