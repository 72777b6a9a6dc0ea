package sfcompare

import (
	"context"
	"sync"
	"testing"

	"github.com/aether-audio/aether/bounce"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/wav"
)

// renderAether renders with bounce and a SoundFont bank of the font in
// FluidSynth's profile (Aether's default), 32-bit float at rate Hz.
func renderAether(tb testing.TB, font, mid, out string) error {
	bank, err := aetherBank(font)
	if err != nil {
		return err
	}
	s, err := bounce.NewLoader(bounce.LoaderOptions{SampleRate: rate}).Load(mid)
	if err != nil {
		return err
	}
	_, err = bounce.RenderFile(context.Background(), s, out, bounce.Options{Format: wav.Float32, Instruments: bank})
	return err
}

// aetherBank reads each font once for the test binary.
func aetherBank(path string) (*instrument.SoundFontBank, error) {
	aetherBanks.Lock()
	defer aetherBanks.Unlock()
	if b, ok := aetherBanks.m[path]; ok {
		return b, nil
	}
	p := instrument.FluidSynthProfile
	font, err := p.ReadOptions().ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, err := instrument.SoundFont(font, rate, p)
	if err != nil {
		return nil, err
	}
	aetherBanks.m[path] = b
	return b, nil
}

var aetherBanks = struct {
	sync.Mutex
	m map[string]*instrument.SoundFontBank
}{m: map[string]*instrument.SoundFontBank{}}
