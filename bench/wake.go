package bench

import (
	"fmt"
	"time"
)

// wakeBuckets is the wake-lateness histogram's size, one bucket per
// microsecond: 20 ms is fifteen periods at 48 kHz, and lateness beyond it
// only needs counting (the maximum is kept exactly).
const wakeBuckets = 20_000

// wakeStats gathers the wake lateness of every paced block of a run, over
// all steps and worker counts: how late the machine wakes a real-time
// thread does not depend on how many voices the thread then renders.
type wakeStats struct {
	hist   []uint32 // blocks by lateness in whole µs; the last bucket holds the rest
	blocks int
	late   int // blocks woken later than the spare time
	max    int64
	spare  int64
}

// add counts the step's wake lateness (ns, in block order).
func (w *wakeStats) add(wakes []int64, spare int64) {
	w.spare = spare
	for _, ns := range wakes {
		w.hist[min(ns/int64(time.Microsecond), wakeBuckets-1)]++
		w.max = max(w.max, ns)
		if ns > spare {
			w.late++
		}
	}
	w.blocks += len(wakes)
}

// p99 returns the 99th percentile (nearest rank) of the lateness, to the
// microsecond.
func (w *wakeStats) p99() time.Duration {
	if w.blocks == 0 {
		return 0
	}
	rank := (int64(P99)*int64(w.blocks) + Max - 1) / Max
	seen := int64(0)
	for b, c := range w.hist {
		if seen += int64(c); seen >= rank {
			return time.Duration(b) * time.Microsecond
		}
	}
	return time.Duration(w.max)
}

// Wake is the machine's real-time quality as a paced run saw it: how late
// the kernel (and, in a virtual machine, the hypervisor) woke the render
// thread at each block's release. It is not the renderer's doing and never
// fails a step.
type Wake struct {
	Blocks  int     `json:"blocks"`  // paced blocks timed in the run
	Seconds float64 `json:"seconds"` // their length in real time
	P99us   float64 `json:"p99_us"`  // 99th percentile of the wake lateness, to the µs
	MaxUs   float64 `json:"max_us"`  // the largest wake lateness
	// SpareUs is what a block rendered at the p99.9 limit leaves before its
	// deadline: (1 - headroom) of the period.
	SpareUs float64 `json:"spare_us"`
	// Late counts the blocks woken later than SpareUs: a renderer within
	// the limit would have missed the deadline of every one of them.
	Late int `json:"late"`
	// Verdict says in one line whether the machine can hold the period.
	Verdict string `json:"verdict"`
}

// report summarises the run's wake-up lateness, or returns nil when no
// paced block was timed.
func (w *wakeStats) report(period time.Duration) *Wake {
	if w.blocks == 0 {
		return nil
	}
	secs := float64(w.blocks) * period.Seconds()
	wk := &Wake{
		Blocks:  w.blocks,
		Seconds: float64(int(secs*10+0.5)) / 10,
		P99us:   us(w.p99()),
		MaxUs:   us(time.Duration(w.max)),
		SpareUs: us(time.Duration(w.spare)),
		Late:    w.late,
	}
	p := fmtPeriod(period)
	if w.late == 0 {
		wk.Verdict = fmt.Sprintf("this machine holds a %s period: in %.0f s of paced blocks its render thread woke at most %s late (p99 %s)",
			p, secs, fmtDur(time.Duration(w.max)), fmtDur(w.p99()))
	} else {
		wk.Verdict = fmt.Sprintf("this machine cannot hold a %s period: its render thread woke more than %s late (too late for a block rendered within the limit) %s in %.0f s, at worst %s",
			p, fmtDur(time.Duration(w.spare)), howOften(w.late), secs, fmtDur(time.Duration(w.max)))
	}
	return wk
}

// fmtPeriod writes a period as "1.333 ms".
func fmtPeriod(d time.Duration) string {
	return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond))
}

// howOften writes "once", "twice", "3 times".
func howOften(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return fmt.Sprintf("%d times", n)
}
