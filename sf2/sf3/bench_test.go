package sf3

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

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
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(len(f.Pool))*4/1e6, "pool-MB")
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "heap-MB")
	if hwm := procStatusKB("VmHWM"); hwm > 0 {
		b.ReportMetric(float64(hwm)/1e3, "peak-rss-MB")
	}
	runtime.KeepAlive(f)
}

// procStatusKB returns a "kB" field of /proc/self/status, or 0.
func procStatusKB(field string) int64 {
	fh, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
