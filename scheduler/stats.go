package scheduler

import (
	"sync/atomic"
	"time"

	uatomic "go.uber.org/atomic"
)

// blockStats is written by the caller of RenderBlock only, so its counters
// are bumped with a Load and a Store; they are atomics so that Stats may
// read them from any goroutine at any time. Times are go.uber.org/atomic
// Durations: the standard library has no atomic time.Duration, and these
// keep the unit in the type at the same cost as an atomic.Int64.
type blockStats struct {
	blocks   atomic.Uint64
	chunks   atomic.Uint64
	timeSum  uatomic.Duration
	timeMax  uatomic.Duration
	timeLast uatomic.Duration
}

func (b *blockStats) block(chunks int, d time.Duration) {
	b.blocks.Store(b.blocks.Load() + 1)
	b.chunks.Store(b.chunks.Load() + uint64(chunks))
	b.timeSum.Store(b.timeSum.Load() + d)
	b.timeLast.Store(d)
	if d > b.timeMax.Load() {
		b.timeMax.Store(d)
	}
}

// Stats is a snapshot of a scheduler's counters. Each field is read
// atomically, but the snapshot as a whole is not: read during a render, it
// may mix two blocks.
type Stats struct {
	// Blocks and Chunks count the blocks rendered and their chunks.
	Blocks, Chunks uint64
	// BlockLast, BlockMax and BlockMean are the wall time of RenderBlock:
	// fork, render, join and the bus sum.
	BlockLast, BlockMax, BlockMean time.Duration
	// Wakes counts, over the workers other than the caller, the blocks
	// each saw that had a chunk for it (a block of c chunks is for
	// workers 1..c-1; the others let it pass), Late those it saw only
	// after every chunk had been claimed, and Parks the times a worker
	// parked.
	Wakes, Late, Parks uint64
	// WakeLast, WakeMax and WakeMean are the time from publishing a block
	// to a worker seeing it, over all workers but the caller.
	WakeLast, WakeMax, WakeMean time.Duration
}

// WorkerStats is a snapshot of one worker's counters.
type WorkerStats struct {
	// Chunks counts the chunks the worker rendered.
	Chunks uint64
	// Wakes, Late and Parks are as in Stats, for this worker (all zero
	// for worker 0, the caller, which never waits).
	Wakes, Late, Parks uint64
	// WakeLast, WakeMax and WakeMean are as in Stats, for this worker.
	WakeLast, WakeMax, WakeMean time.Duration
}

// Stats returns the scheduler's counters. It may be called at any time,
// from any goroutine, and does not disturb the render.
func (s *Scheduler) Stats() Stats {
	st := Stats{
		Blocks:    s.stats.blocks.Load(),
		Chunks:    s.stats.chunks.Load(),
		BlockLast: s.stats.timeLast.Load(),
		BlockMax:  s.stats.timeMax.Load(),
		BlockMean: mean(s.stats.timeSum.Load(), s.stats.blocks.Load()),
	}
	var sum time.Duration
	for w := 1; w < len(s.workers); w++ {
		ws := s.WorkerStats(w)
		st.Wakes += ws.Wakes
		st.Late += ws.Late
		st.Parks += ws.Parks
		st.WakeLast = max(st.WakeLast, ws.WakeLast)
		st.WakeMax = max(st.WakeMax, ws.WakeMax)
		sum += s.workers[w].wakeSum.Load()
	}
	st.WakeMean = mean(sum, st.Wakes)
	return st
}

// WorkerStats returns worker w's counters (w in 0..Workers()-1; zero
// Stats for any other w).
func (s *Scheduler) WorkerStats(w int) WorkerStats {
	if uint(w) >= uint(len(s.workers)) {
		return WorkerStats{}
	}
	wk := &s.workers[w]
	wakes := wk.wakes.Load()
	return WorkerStats{
		Chunks:   wk.chunks.Load(),
		Wakes:    wakes,
		Late:     wk.late.Load(),
		Parks:    wk.parks.Load(),
		WakeLast: wk.wakeLast.Load(),
		WakeMax:  wk.wakeMax.Load(),
		WakeMean: mean(wk.wakeSum.Load(), wakes),
	}
}

func mean(sum time.Duration, n uint64) time.Duration {
	if n == 0 {
		return 0
	}
	return sum / time.Duration(n)
}
