package scheduler

import (
	"runtime"
	"sync/atomic"
	"time"
	"unsafe"

	uatomic "go.uber.org/atomic"
)

// worker is one worker's wake-up channel and counters, padded to 128 bytes
// (the pair of lines the adjacent-line prefetcher moves together) so that
// no two workers' state shares a cache line.
type worker struct {
	workerState
	_ [128 - unsafe.Sizeof(workerState{})%128]byte
}

type workerState struct {
	parker parker // where the worker sleeps when parked

	chunks   atomic.Uint64    // chunks rendered
	wakes    atomic.Uint64    // blocks the worker saw
	late     atomic.Uint64    // blocks it saw only when no chunk was left
	parks    atomic.Uint64    // times it parked
	wakeSum  uatomic.Duration // sum of wake latencies
	wakeMax  uatomic.Duration // largest wake latency
	wakeLast uatomic.Duration // latest wake latency
}

// now returns monotonic nanoseconds since New; time.Since reads the
// monotonic clock through the vDSO, without allocating.
func (s *Scheduler) now() int64 { return int64(time.Since(s.base)) }

// work is worker w's goroutine: wait for a block, claim its chunks, repeat
// until Close.
func (s *Scheduler) work(w int) {
	defer s.running.Done()
	if s.init != nil {
		runtime.LockOSThread() // never unlocked: the thread's settings die with it
		s.init(w)
	}
	wk := &s.workers[w]
	seen := uint32(0)
	for {
		word := s.waitForBlock(w, seen)
		if s.closed.Load() {
			return
		}
		seen = uint32(word >> 32)
		lat := time.Duration(s.now() - s.published.Load())
		n := s.claim(w, seen, nil, nil)
		wk.chunks.Add(uint64(n))
		wk.wakes.Add(1)
		if n == 0 {
			wk.late.Add(1)
		}
		wk.wakeSum.Add(lat)
		wk.wakeLast.Store(lat)
		storeMax(&wk.wakeMax, lat)
	}
}

// waitForBlock returns the word of the next block that invites worker w,
// or of any block once the scheduler is closed, spinning or parking as the
// strategy and the spinner limit say. seen is the epoch of the last block
// w looked at.
//
// A block of c chunks invites workers 1..c-1 only: the others could claim
// no chunk the caller and the invited workers had not taken first, so
// they let it pass and go on waiting. In particular a block does not
// restart a Hybrid worker's spin unless it invites it, so a worker that is
// not needed (while the blocks have fewer chunks than there are workers)
// parks after SpinTime instead of spinning for as long as blocks come.
func (s *Scheduler) waitForBlock(w int, seen uint32) uint64 {
	spin := w <= s.spinners && s.wait != Park
	var deadline int64
	if spin && s.wait == Hybrid {
		deadline = s.now() + s.spinTime
	}
	for i := 0; ; i++ {
		word := s.word.Load()
		if e := uint32(word >> 32); e != seen {
			if int(word&0xffff) > w || s.closed.Load() {
				return word
			}
			seen = e // not invited: let it pass
		}
		switch {
		case !spin:
			s.park(w, seen)
		case i&127 == 127:
			// Checking the clock costs ~20 ns: every 128 loads is enough.
			if deadline != 0 && s.now() > deadline {
				spin = false
			} else if s.yield {
				runtime.Gosched()
			}
		}
	}
}

// park blocks worker w until a block newer than seen is published. The
// flag is set before the epoch is checked again, and the publisher bumps
// the epoch before it checks the flag, so a wake-up is never lost.
func (s *Scheduler) park(w int, seen uint32) {
	p := &s.workers[w].parker
	p.parked.Store(1)
	if uint32(s.word.Load()>>32) != seen && p.parked.CompareAndSwap(1, 0) {
		return
	}
	p.sleep()
	s.workers[w].parks.Add(1)
}

// wakeParked wakes worker w if it is parked. The flag's owner is whoever
// clears it: the worker itself, or this call, which then wakes it.
func (s *Scheduler) wakeParked(w int) {
	p := &s.workers[w].parker
	if p.parked.Load() == 1 && p.parked.CompareAndSwap(1, 0) {
		p.wake()
	}
}

func storeMax(a *uatomic.Duration, v time.Duration) {
	for {
		old := a.Load()
		if v <= old || a.CompareAndSwap(old, v) {
			return
		}
	}
}
