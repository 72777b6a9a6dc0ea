package sf2

import (
	"os"
	"runtime"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
)

// BenchmarkReadFluidR3 loads FluidR3_GM (148 MB, Debian's
// fluid-soundfont-gm) from the page cache: whole, and lazily (its presets
// and regions, the samples left in the file). Beside the time per load it
// reports the pool's size, the live heap with one font loaded (after a
// GC), and the process's peak resident set (VmHWM).
func BenchmarkReadFluidR3(b *testing.B) {
	if _, err := os.Stat(fluidR3); err != nil {
		b.Skipf("%s absent (apt-get install fluid-soundfont-gm): skipping", fluidR3)
	}
	for _, c := range []struct {
		name string
		o    Options
	}{{"whole", Options{}}, {"lazy", Options{Lazy: true}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			var f *Font
			for b.Loop() {
				f = nil
				var err error
				if f, err = c.o.ReadFile(fluidR3); err != nil {
					b.Fatal(err)
				}
			}
			testfiles.ReportMemory(b, len(f.Pool))
			runtime.KeepAlive(f)
		})
	}
}
