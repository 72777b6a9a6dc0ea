package instrument

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/sf2"
)

// The unit tests build fonts in memory: an sf2.Font is plain data, so a
// test sets each region's generators, sample window and modulators the
// way sf2.Read would resolve them.

const (
	testRate       = 48000 // output rate of the test banks
	testSampleRate = 44100
	testRootKey    = 60
)

// testFont returns a font holding one sample (a 440 Hz sine at 44.1 kHz,
// root key 60, frames 64..64+1024, looped over 100..900) and the given
// presets, sorted as sf2.Read sorts them.
func testFont(presets ...sf2.Preset) *sf2.Font {
	pool := make([]float32, 64+1024+64)
	for i := range 1024 {
		pool[64+i] = float32(math.Sin(2 * math.Pi * 440 * float64(i) / testSampleRate))
	}
	f := &sf2.Font{
		Pool: pool,
		Samples: []sf2.Sample{{
			Name: "sine", Start: 64, End: 64 + 1024, LoopStart: 64 + 100, LoopEnd: 64 + 900,
			Rate: testSampleRate, RootKey: testRootKey, Type: sf2.SampleMono, Link: -1,
		}},
	}
	f.Presets = presets
	for i := 1; i < len(f.Presets); i++ { // insertion sort by (bank, program), stable
		for j := i; j > 0 && less(&f.Presets[j], &f.Presets[j-1]); j-- {
			f.Presets[j], f.Presets[j-1] = f.Presets[j-1], f.Presets[j]
		}
	}
	return f
}

func less(a, b *sf2.Preset) bool {
	return a.Bank < b.Bank || a.Bank == b.Bank && a.Program < b.Program
}

// gen is one generator value of a test region.
type gen struct {
	g sf2.Generator
	v int16
}

// testRegion returns a region over every key and velocity that plays the
// test font's sample looped, with the spec's default generators, rules'
// default modulators (as sf2.Read resolves them for a zone that has none
// of its own), then extra modulators and the generators set.
func testRegion(rules *sf2.ModulatorRules, extra []sf2.Modulator, set ...gen) sf2.Region {
	r := sf2.Region{
		KeyLo: 0, KeyHi: 127, VelLo: 0, VelHi: 127,
		Start: 64, End: 64 + 1024, LoopStart: 64 + 100, LoopEnd: 64 + 900, LoopMode: 1,
		RootKey: testRootKey, Rate: testSampleRate,
	}
	for g := range r.Gen {
		r.Gen[g] = sf2.Generator(g).Default()
	}
	r.Gen[sf2.GenSampleModes] = 1
	for _, s := range set {
		r.Gen[s.g] = s.v
	}
	if k := r.Gen[sf2.GenOverridingRootKey]; k >= 0 {
		r.RootKey = uint8(k)
	}
	r.ExclusiveClass = r.Gen[sf2.GenExclusiveClass]
	r.Mods = append(defaultMods(rules), extra...)
	return r
}

// defaultMods is what a region without modulators of its own gets under
// rules: the defaults less the muted ones and those of amount 0.
func defaultMods(rules *sf2.ModulatorRules) []sf2.Modulator {
	var out []sf2.Modulator
next:
	for _, m := range rules.Defaults {
		if m.Amount == 0 {
			continue
		}
		for _, q := range rules.Muted {
			if q.Identical(m) {
				continue next
			}
		}
		out = append(out, m)
	}
	return out
}

// onePreset returns a font with a single preset (bank 0, program 0)
// made of regions.
func onePreset(regions ...sf2.Region) *sf2.Font {
	return testFont(sf2.Preset{Name: "test", AllRegions: regions})
}

// mustBank makes the bank of font for profile p at the test rate.
func mustBank(t testing.TB, font *sf2.Font, p Profile) *SoundFontBank {
	t.Helper()
	b, err := SoundFont(font, testRate, p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// startOne starts note (key, vel) on channel ch with the bank's (0, 0)
// preset and returns its only voice.
func startOne(t testing.TB, b *SoundFontBank, key, vel uint8, ch *Channel) Voice {
	t.Helper()
	vs := startAll(t, b, 0, 0, false, key, vel, ch)
	if len(vs) != 1 {
		t.Fatalf("key %d velocity %d: %d voices, want 1", key, vel, len(vs))
	}
	return vs[0]
}

// startAll starts note (key, vel) with the instrument of (bank, program).
func startAll(t testing.TB, b *SoundFontBank, bank uint16, program uint8, drums bool, key, vel uint8, ch *Channel) []Voice {
	t.Helper()
	inst := b.Instrument(bank, program, drums)
	if inst == nil {
		t.Fatalf("no instrument for bank %d program %d", bank, program)
	}
	n := Note{Key: key, Velocity: vel}
	return inst.Start(&n, ch, make([]Voice, 0, MaxVoices))
}

// near reports whether a and b differ by at most tol.
func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
