package sf3

import (
	"os"
	"runtime"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/sf2"
)

// BenchmarkReadFluidR3Mono loads FluidR3Mono_GM.sf3 (24 MB of Ogg Vorbis,
// Debian's fluidr3mono-gm-soundfont) from the page cache, decoding every
// sample on GOMAXPROCS goroutines. Beside the time per load it reports
// the pool's size, the live heap with one font loaded (after a GC), and
// the process's peak resident set (VmHWM).
func BenchmarkReadFluidR3Mono(b *testing.B) {
	if _, err := os.Stat(fluidR3Mono); err != nil {
		b.Skipf("%s absent (apt-get install fluidr3mono-gm-soundfont): skipping", fluidR3Mono)
	}
	b.ReportAllocs()
	var f *sf2.Font
	for b.Loop() {
		f = nil
		var err error
		if f, err = ReadFile(fluidR3Mono); err != nil {
			b.Fatal(err)
		}
	}
	testfiles.ReportMemory(b, len(f.Pool))
	runtime.KeepAlive(f)
}
