package testfiles

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// ReportMemory reports, after a benchmark that loads something holding a
// pool of floats float32s, the pool's size, the live heap after a GC and
// the process's peak resident set (VmHWM, where /proc has it), in MB.
func ReportMemory(b *testing.B, floats int) {
	b.StopTimer()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(floats)*4/1e6, "pool-MB")
	b.ReportMetric(float64(ms.HeapAlloc)/1e6, "heap-MB")
	if hwm := procStatusKB("VmHWM"); hwm > 0 {
		b.ReportMetric(float64(hwm)/1e3, "peak-rss-MB")
	}
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
