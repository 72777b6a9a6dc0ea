package instrument

import (
	"os"
	"testing"
)

// BenchmarkSoundFontStart: Start of a General MIDI piano note (bank 0
// program 0, middle C, velocity 100) and Live after a controller change:
// FluidR3_GM's grand piano (a stereo pair: two voices) where the Debian
// font is installed, and the shared test bank's piano (one voice).
func BenchmarkSoundFontStart(b *testing.B) {
	fonts := []struct{ name, sub, file string }{
		{"FluidR3_GM", "", fluidR3},
		{"sf_GMbank", "soundfonts", "sf_GMbank.sf2"},
	}
	for _, f := range fonts {
		b.Run(f.name, func(b *testing.B) {
			var bank *SoundFontBank
			if f.sub == "" {
				if _, err := os.Stat(f.file); err != nil {
					b.Skipf("%s not installed: skipping", f.file)
				}
				font, err := FluidSynthProfile.ReadOptions().ReadFile(f.file)
				if err != nil {
					b.Fatal(err)
				}
				bank = mustBank(b, font, FluidSynthProfile)
			} else {
				bank = sharedBank(b, f.sub, f.file, FluidSynthProfile)
			}
			inst := bank.Instrument(0, 0, false)
			ch := NewChannel(0)
			n := Note{Key: 60, Velocity: 100}
			dst := make([]Voice, 0, MaxVoices)
			b.Run("Start", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					dst = inst.Start(&n, &ch, dst[:0])
				}
				b.ReportMetric(float64(len(dst)), "voices/note")
			})
			dst = inst.Start(&n, &ch, dst[:0])
			b.Run("Live", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_ = inst.Live(dst[0].Tag, &n, &ch)
				}
			})
		})
	}
}
