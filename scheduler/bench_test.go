//go:build unix

package scheduler

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/aether-audio/aether/block"
)

// work is a chunk's stand-in for rendering voices: n dependent
// multiply-adds, about a nanosecond each, that the compiler cannot drop.
func work(n int) float32 {
	x := float32(1)
	for range n {
		x = x*0.999999 + 1e-7
	}
	return x
}

// cpuTime is the CPU time of the whole process, user plus system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRenderBlock renders blocks of equal chunks of synthetic work on
// one and two Hybrid workers, back to back as in a bounce, and reports the
// process CPU time per block beside the wall time: what a second worker
// costs (cpu-ns with 2 workers against 1) and what it buys (ns/op). The
// cases are shaped like the midi-bench bounces: 2 chunks of about 20 us
// (piano_500) and 4 chunks of about 30 us (organ_1000); and 2 empty chunks
// (the per-block cost alone), and 1 chunk, which a second worker cannot
// help with.
func BenchmarkRenderBlock(b *testing.B) {
	for _, tc := range []struct{ chunks, work int }{{2, 0}, {1, 12000}, {2, 12000}, {4, 18000}} {
		for _, workers := range []int{1, 2} {
			name := fmt.Sprintf("chunks=%d/work=%d/workers=%d", tc.chunks, tc.work, workers)
			b.Run(name, func(b *testing.B) {
				s, err := New(Config{Workers: workers, MaxChunks: tc.chunks}, func(_, _ int, l, _ *block.Block) {
					l[0] = work(tc.work)
				})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				var l, r block.Block
				b.ReportAllocs()
				cpu0 := cpuTime(b)
				for b.Loop() {
					if err := s.RenderBlock(tc.chunks, &l, &r); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
