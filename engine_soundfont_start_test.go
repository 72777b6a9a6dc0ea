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

	piano := eng.Channel(0)
	if err := piano.ProgramChange(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := piano.NoteOn(60, 100, 0); err != nil {
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
	if db := audiotest.LevelDB(left[2400:]); !(db > -40) {
		t.Fatalf("C4 on the piano: level %.1f dB, want audible (over -40 dB)", db)
	}
	want := 440 * math.Pow(2, (60-69)/12.0)
	hz, clarity := audiotest.PitchNear(left[4800:], 48000, want)
	if c := audiotest.Cents(want, hz); math.Abs(c) > 5 || clarity < 0.5 {
		t.Errorf("C4 on the piano: %.2f Hz (%.1f cents off, clarity %.2f), want %.2f Hz", hz, c, clarity, want)
	}
}
