package bench

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Outcome is what one step says about the renderer at its voice count.
type Outcome string

// The outcomes, as the JSON report spells them.
const (
	// Pass: the p99.9 render time was within the limit and no block's
	// render alone took longer than the deadline.
	Pass Outcome = "pass"
	// Fail: the renderer did not keep up: p99.9 over the limit, or a block
	// whose render alone overran the deadline, while the bulk of the
	// blocks were near the limit.
	Fail Outcome = "fail"
	// Disturbed: the step failed, but on a few blocks far slower than the
	// rest while 99% of the blocks used under half the limit. A renderer
	// at that load has time to spare; the slow blocks were stalls from
	// outside it (another process, the hypervisor taking the CPU away),
	// so the step says nothing about the voice count and is measured again.
	Disturbed Outcome = "disturbed"
)

// disturbedP99 is the fraction of the limit under which a failing step's
// p99 marks it as disturbed: with 99% of blocks using under half the limit,
// the blocks over it took more than twice as long as the renderer's own
// tail, which one more voice or one more cache miss cannot explain.
const disturbedP99 = 0.5

// Step is what one measured step at a fixed voice count found. The times
// are render times: from the thread's wake-up to the end of RenderBlock.
type Step struct {
	// Search is the search that measured the step (1 for the first, which
	// also doubles up to the answer's bracket); 0 for a fixed voice count.
	Search  int
	Voices  int
	Blocks  int           // blocks timed
	P50     time.Duration // block render time percentiles (nearest rank)
	P99     time.Duration
	P999    time.Duration
	Max     time.Duration
	Outcome Outcome
	// Reason says why the step failed or was disturbed; empty on a pass.
	Reason string
	// RenderOverruns counts the blocks whose render alone took longer than
	// the period: the renderer's misses, whenever it woke.
	RenderOverruns int
	Xruns          int           // paced: blocks that completed after their deadline
	WakeP99        time.Duration // paced: p99 of wake lateness after the release time
	WakeMax        time.Duration // paced: the largest wake lateness
	// LateWakeXruns (paced) counts the xruns whose thread woke so late
	// that even a render within the limit would have missed the deadline:
	// the scheduler's (or the hypervisor's) doing, not the synth's.
	LateWakeXruns int
	Allocs        uint64 // heap objects allocated while timing (must be 0)
	GCCycles      uint64 // GC cycles completed while timing (must be 0)
}

// Passed reports whether the step passed.
func (s Step) Passed() bool { return s.Outcome == Pass }

// judge decides a step's outcome from its render times alone: wake
// lateness never fails a step, since it is the machine's, not the
// renderer's (it is reported apart, see Wake).
func judge(s Step, limit, period time.Duration) (Outcome, string) {
	if s.Blocks == 0 {
		return Fail, "no block was timed"
	}
	var why []string
	if s.P999 > limit {
		why = append(why, fmt.Sprintf("p99.9 render time %s over the %s limit", fmtDur(s.P999), fmtDur(limit)))
	}
	if s.RenderOverruns > 0 {
		why = append(why, fmt.Sprintf("%s rendered longer than the %s deadline (slowest %s)",
			plural(s.RenderOverruns, "block"), fmtPeriod(period), fmtDur(s.Max)))
	}
	if len(why) == 0 {
		return Pass, ""
	}
	reason := strings.Join(why, "; ")
	if float64(s.P99) <= disturbedP99*float64(limit) {
		return Disturbed, fmt.Sprintf("%s while 99%% of blocks took %s or less: stalled from outside the renderer", reason, fmtDur(s.P99))
	}
	return Fail, reason
}

// MarshalJSON writes the step with its times in microseconds, under the
// names docs/render-bench.md documents.
func (s Step) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Search         int     `json:"search"`
		Voices         int     `json:"voices"`
		Outcome        Outcome `json:"outcome"`
		Reason         string  `json:"reason,omitempty"`
		Blocks         int     `json:"blocks"`
		P50us          float64 `json:"p50_us"`
		P99us          float64 `json:"p99_us"`
		P999us         float64 `json:"p999_us"`
		MaxUs          float64 `json:"max_us"`
		RenderOverruns int     `json:"render_overruns"`
		Xruns          int     `json:"xruns"`
		LateWakeXruns  int     `json:"late_wake_xruns"`
		WakeP99us      float64 `json:"wake_p99_us"`
		WakeMaxUs      float64 `json:"wake_max_us"`
		Allocs         uint64  `json:"allocs"`
		GCCycles       uint64  `json:"gc_cycles"`
	}{
		s.Search, s.Voices, s.Outcome, s.Reason, s.Blocks,
		us(s.P50), us(s.P99), us(s.P999), us(s.Max),
		s.RenderOverruns, s.Xruns, s.LateWakeXruns, us(s.WakeP99), us(s.WakeMax),
		s.Allocs, s.GCCycles,
	})
}

// us converts to microseconds, rounded to 0.1 µs: finer digits are noise
// in any timing this harness takes.
func us(d time.Duration) float64 {
	return float64(d.Round(100*time.Nanosecond)) / float64(time.Microsecond)
}

// fmtDur writes d in µs below a millisecond and in ms from there.
func fmtDur(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%.1f µs", float64(d)/float64(time.Microsecond))
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

// plural writes "1 block", "2 blocks".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
