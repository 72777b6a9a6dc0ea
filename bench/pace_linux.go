//go:build linux

package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/aether-audio/aether/block"
	"golang.org/x/sys/unix"
)

// fifoPriority is the SCHED_FIFO priority of the pacing thread: mid-range,
// high enough to preempt every ordinary thread, low enough to leave the top
// of the range to the kernel's own real-time threads (watchdogs, migration).
const fifoPriority = 50

// pacer is the long-lived goroutine, locked to its OS thread, that runs
// every paced step of a run. One thread for the whole run, rather than one
// per step, matters twice over: the real-time policy is set once, and the
// runtime's spare threads (started when a locked thread blocks, which
// allocates) are all started by the first step's warm-up and reused after.
type pacer struct {
	jobs    chan pacedJob
	results chan pacedResult
	qos     *os.File // /dev/cpu_dma_latency, held open while pacing, or nil
}

type pacedJob struct {
	ctx context.Context
	s   Synth
	p   *player
}

type pacedResult struct {
	n, xruns int
	err      error
}

// startPacer starts the pacing thread if it is not running; it reports
// whether it did, so the caller that started it stops it.
func (r *Runner) startPacer() bool {
	if r.pacer != nil {
		return false
	}
	pc := &pacer{jobs: make(chan pacedJob), results: make(chan pacedResult)}
	r.pacer = pc
	qos, held := holdZeroLatency()
	pc.qos = qos
	ready := make(chan string)
	go func() {
		// The thread is never unlocked: when this goroutine exits the runtime
		// destroys it, so its real-time policy and affinity die with it.
		runtime.LockOSThread()
		ready <- RealtimeThread(0)
		for job := range pc.jobs {
			n, xruns, err := r.pace(job.ctx, job.s, job.p)
			pc.results <- pacedResult{n, xruns, err}
		}
	}()
	r.realtime = <-ready + "; " + held
	return true
}

// holdZeroLatency asks the kernel's PM QoS for a CPU wake-up latency of 0
// (writing 0 to /dev/cpu_dma_latency, which holds while the file stays
// open), as real-time audio hosts and cyclictest do: idle CPUs then poll
// instead of entering a sleep state, so a timer or a wake-up reaches a
// render thread without the sleep state's exit latency, which in a VM is
// an exit to the hypervisor. It returns the open file (nil if refused) and
// what was granted, in words for the report.
func holdZeroLatency() (*os.File, string) {
	f, err := os.OpenFile("/dev/cpu_dma_latency", os.O_WRONLY, 0)
	if err != nil {
		return nil, fmt.Sprintf("CPU wake-up latency not held (%v)", cause(err))
	}
	var zero [4]byte // a native-endian int32 0
	if _, err := f.Write(zero[:]); err != nil {
		f.Close()
		return nil, fmt.Sprintf("CPU wake-up latency not held (%v)", cause(err))
	}
	return f, "CPU wake-up latency held at 0 (/dev/cpu_dma_latency)"
}

// cause returns the error a *os.PathError wraps (the errno), or err.
func cause(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// stopPacer ends the pacing thread.
func (r *Runner) stopPacer() {
	if r.pacer != nil {
		close(r.pacer.jobs)
		if r.pacer.qos != nil {
			r.pacer.qos.Close() // releases the latency request
		}
		r.pacer = nil
	}
}

// pacedLoop runs a paced step on the pacing thread: one block per period
// from CLOCK_MONOTONIC, as an audio callback would, on a locked OS thread
// given SCHED_FIFO and pinned to one CPU where the process may. Go timers
// cannot do this: they round sleeps up to the runtime's timer granularity,
// about a millisecond here, which is most of a 1.333 ms period. It returns
// the blocks timed and the xruns counted.
func (r *Runner) pacedLoop(ctx context.Context, s Synth, p *player) (int, int, error) {
	if r.startPacer() {
		defer r.stopPacer()
	}
	r.pacer.jobs <- pacedJob{ctx, s, p}
	res := <-r.pacer.results
	return res.n, res.xruns, res.err
}

// RealtimeThread asks for SCHED_FIFO for the calling thread, which the
// caller must have locked (runtime.LockOSThread), and pins it to the n-th
// CPU the process may use (modulo their number), so that render threads
// n = 0, 1, 2... land on different cores. It returns what was granted, in
// words for the report; a process without the privilege keeps SCHED_OTHER.
func RealtimeThread(n int) string {
	policy := fmt.Sprintf("SCHED_FIFO priority %d", fifoPriority)
	attr := unix.SchedAttr{
		Size:     unix.SizeofSchedAttr,
		Policy:   unix.SCHED_FIFO,
		Priority: fifoPriority,
	}
	if err := unix.SchedSetAttr(0, &attr, 0); err != nil {
		policy = fmt.Sprintf("SCHED_OTHER (SCHED_FIFO not permitted: %v)", err)
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return policy + fmt.Sprintf(", not pinned (%v)", err)
	}
	var cpus []int
	for cpu := range 1024 {
		if set.IsSet(cpu) {
			cpus = append(cpus, cpu)
		}
	}
	if len(cpus) == 0 {
		return policy + ", not pinned (empty CPU set)"
	}
	cpu := cpus[n%len(cpus)]
	var one unix.CPUSet
	one.Set(cpu)
	if err := unix.SchedSetaffinity(0, &one); err != nil {
		return policy + fmt.Sprintf(", not pinned (%v)", err)
	}
	return policy + fmt.Sprintf(", pinned to CPU %d", cpu)
}

// pace runs warmupBlocks paced blocks untimed, then the timed step. The
// warm-up matters here more than in free mode: the first sleeps make the
// runtime start the spare threads that take over this thread's P while it
// sleeps, and starting a thread allocates.
func (r *Runner) pace(ctx context.Context, s Synth, p *player) (int, int, error) {
	if _, _, err := r.paceTicks(ctx, s, p, warmupBlocks); err != nil {
		return 0, 0, err
	}
	a0, g0 := r.readMetrics()
	n, xruns, err := r.paceTicks(ctx, s, p, int64(r.opts.Duration/r.opts.Period()))
	a1, g1 := r.readMetrics()
	r.allocs, r.cycles = a1-a0, g1-g0
	return n, xruns, err
}

// paceTicks is the paced loop proper, over the given number of clock ticks.
// Block k is released at start + k*period and is due at the next release; a
// block that completes after that is an xrun, and, as an audio device that
// underran, the clock skips the releases that have already passed rather
// than queueing them up.
func (r *Runner) paceTicks(ctx context.Context, s Synth, p *player, ticks int64) (int, int, error) {
	done := ctx.Done()
	// Go's monotonic clock is CLOCK_MONOTONIC too; this pair maps r.now()
	// onto the absolute time clock_nanosleep expects.
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, 0, fmt.Errorf("clock_gettime: %w", err)
	}
	now0 := r.now()
	sleep, offset := sleepUntil, ts.Nano()-now0
	if r.sleep != nil {
		sleep, offset = r.sleep, 0 // a fake clock: r.now() itself
	}
	period := int64(r.opts.Period())
	rate, blockNs := int64(r.opts.SampleRate), int64(block.Size)*int64(time.Second)
	release := func(k int64) int64 { return now0 + period + k*blockNs/rate } // exact, no drift

	n, xruns := 0, 0
	for k := int64(0); k < ticks && n < len(r.times); {
		select {
		case <-done:
			return 0, 0, ErrInterrupted
		default:
		}
		rel := release(k)
		if err := sleep(offset + rel); err != nil {
			return 0, 0, err
		}
		wake := r.now()
		if err := s.RenderBlock(&r.left, &r.right); err != nil {
			return 0, 0, fmt.Errorf("render: %w", err)
		}
		finish := r.now()
		r.times[n] = finish - wake
		r.wakes[n] = max(wake-rel, 0)
		k++
		r.missed[n] = finish > release(k)
		if r.missed[n] {
			xruns++
			for k < ticks && release(k) < finish {
				k++
			}
		}
		n++
		if err := p.post(); err != nil {
			return 0, 0, err
		}
	}
	return n, xruns, nil
}

// sleepUntil sleeps until the CLOCK_MONOTONIC instant t (ns).
func sleepUntil(t int64) error {
	ts := unix.NsecToTimespec(t)
	for {
		err := unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil)
		if err == nil {
			return nil
		}
		if err != unix.EINTR {
			return fmt.Errorf("clock_nanosleep: %w", err)
		}
	}
}
