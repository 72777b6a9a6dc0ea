package aether

import (
	"encoding/binary"
	"io"
	"math"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/internal/testfiles"
)

// The SoundFont code of docs/getting-started-engine.md, run against the
// test data's GM font: a piano C4 through the Reader is audible and at the
// key's pitch.
func TestGettingStartedSoundFont(t *testing.T) {
	path := filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2")

	p := instrument.FluidSynthProfile
	font, err := p.ReadOptions().ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bank, err := instrument.SoundFont(font, 48000, p)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := NewEngine(Config{SampleRate: 48000, Instruments: bank})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	left := playC4(t, eng, 0)
	if db := audiotest.LevelDB(left[2400:]); !(db > -40) {
		t.Fatalf("C4 on the piano: level %.1f dB, want audible (over -40 dB)", db)
	}
	want := 440 * math.Pow(2, (60-69)/12.0)
	hz, clarity := audiotest.PitchNear(left[4800:], 48000, want)
	if c := audiotest.Cents(want, hz); math.Abs(c) > 5 || clarity < 0.5 {
		t.Errorf("C4 on the piano: %.2f Hz (%.1f cents off, clarity %.2f), want %.2f Hz", hz, c, clarity, want)
	}
}

// playC4 plays C4 on channel 0 with program prog and returns half a second
// of the left channel.
func playC4(t *testing.T, eng *Engine, prog uint8) []float32 {
	t.Helper()
	ch := eng.Channel(0)
	if err := ch.ProgramChange(prog, 0); err != nil {
		t.Fatal(err)
	}
	if err := ch.NoteOn(60, 100, 0); err != nil {
		t.Fatal(err)
	}
	const frames = 24000 // half a second
	raw := make([]byte, frames*2*4)
	if _, err := io.ReadFull(eng.Reader(), raw); err != nil {
		t.Fatal(err)
	}
	left := make([]float32, frames)
	for i := range left {
		left[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i*8:]))
	}
	return left
}

// The lazy variant of docs/getting-started-engine.md: the presets
// prepared before the engine starts play; another plays nothing.
func TestGettingStartedLazySoundFont(t *testing.T) {
	path := filepath.Join(testfiles.Dir(t, "soundfonts"), "sf_GMbank.sf2")

	p := instrument.FluidSynthProfile
	o := p.ReadOptions()
	o.Lazy = true // samples stay in the file until a preset is prepared
	font, err := o.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bank, err := instrument.SoundFont(font, 48000, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, program := range []uint8{0, 48, 73} { // piano, strings, flute
		if pr, ok := bank.Instrument(0, program, false).(instrument.Preparer); ok {
			if err := pr.Prepare(); err != nil {
				t.Fatal(err)
			}
		}
	}

	for _, c := range []struct {
		prog    uint8
		audible bool
	}{{0, true}, {40, false}} {
		eng, err := NewEngine(Config{SampleRate: 48000, Instruments: bank})
		if err != nil {
			t.Fatal(err)
		}
		left := playC4(t, eng, c.prog)
		eng.Close()
		if db := audiotest.LevelDB(left[2400:]); (db > -40) != c.audible {
			t.Errorf("C4 on program %d: level %.1f dB, want audible %v", c.prog, db, c.audible)
		}
	}
}
