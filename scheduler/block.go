package scheduler

import (
	"fmt"
	"runtime"
	"time"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// RenderBlock renders chunks chunks (0..MaxChunks) of one block across the
// workers and adds their buses, in chunk order, into left and right. The
// caller renders chunks too, as worker 0, and RenderBlock returns when
// every chunk is summed. It allocates nothing and, unless a parked worker
// must be woken, takes no lock.
//
// Only one goroutine may render at a time: a concurrent call returns
// ErrBusy. After Close it returns ErrClosed.
func (s *Scheduler) RenderBlock(chunks int, left, right *block.Block) error {
	if chunks < 0 || chunks > s.maxChunks {
		return fmt.Errorf("%w: %d (want 0..%d)", ErrChunks, chunks, s.maxChunks)
	}
	if left == nil || right == nil {
		return ErrNilBus
	}
	if !s.busy.CompareAndSwap(false, true) {
		if s.closed.Load() {
			return ErrClosed
		}
		return ErrBusy
	}
	defer s.busy.Store(false)
	if s.closed.Load() {
		return ErrClosed
	}
	start := s.now()
	if chunks > 0 {
		s.forkJoin(chunks, start)
		for c := range chunks {
			s.sumL[c] = s.shards.View(s.busL[c])[:]
			s.sumR[c] = s.shards.View(s.busR[c])[:]
		}
		mix.AddBuses(left[:], s.sumL[:chunks])
		mix.AddBuses(right[:], s.sumR[:chunks])
		for c := range chunks {
			s.shards.Release(0, s.busL[c])
			s.shards.Release(0, s.busR[c])
		}
	}
	s.stats.block(chunks, time.Duration(s.now()-start))
	return nil
}

// forkJoin publishes a block of chunks chunks, renders chunks on the
// calling goroutine until none are left and waits for the workers to
// finish theirs.
func (s *Scheduler) forkJoin(chunks int, start int64) {
	s.epoch++
	s.target += uint64(chunks)
	s.published.Store(start)
	// The store publishes the block: everything the caller wrote before it
	// (the chunks' input, published) happens before any worker's claim.
	s.word.Store(uint64(s.epoch)<<32 | uint64(chunks)<<16)
	// Wake the parked workers this block invites (see waitForBlock): a
	// block of c chunks needs at most c-1 helpers.
	invited := min(chunks, len(s.workers))
	for w := s.spinners + 1; w < invited; w++ {
		s.wakeParked(w)
	}
	if s.wait != Spin {
		for w := 1; w <= min(s.spinners, invited-1); w++ {
			s.wakeParked(w)
		}
	}
	s.workers[0].chunks.Add(uint64(s.claim(0, s.epoch)))
	// Every chunk is claimed now, and the workers rendering the rest are
	// running, so the caller only has to wait. It must not yield its P
	// as a habit: for a caller locked to a real-time thread, Gosched is a
	// trip through the runtime's ordinary-priority threads (the P is
	// handed off and the thread sleeps until another thread hands the
	// goroutine back), which traced paced runs showed in about half the
	// blocks, at a median of 16 us and a tail past 2 ms: the block's
	// deadline. So it yields only when workers outnumber the Ps, and as a
	// safety valve once the wait has lasted yieldAfter (GOMAXPROCS
	// lowered below the worker count after New, say).
	for i := 0; s.done.Load() != s.target; i++ {
		if s.yield || i&1023 == 1023 && s.now()-start > int64(yieldAfter) {
			runtime.Gosched()
		}
	}
}

// yieldAfter is how long forkJoin's wait spins before it also yields its P
// now and then: past any sound block (a 64-sample block at 48 kHz is
// 1.33 ms), so only a stuck wait pays for the yields.
const yieldAfter = 2 * time.Millisecond

// claim renders chunks of the block of epoch e on worker w until the block
// has none left, and returns how many it rendered.
func (s *Scheduler) claim(w int, e uint32) (n int) {
	for {
		word := s.word.Load()
		chunks, next := int(word>>16&0xffff), int(word&0xffff)
		if uint32(word>>32) != e || next >= chunks {
			return n
		}
		// The CAS fails if another worker claimed next, or if the block
		// is over and a new one was published: a late worker never takes
		// a chunk of a block it has not seen.
		if !s.word.CompareAndSwap(word, word+1) {
			continue
		}
		s.renderChunk(w, next)
		n++
	}
}

func (s *Scheduler) renderChunk(w, c int) {
	idL, okL := s.shards.Acquire(w)
	idR, okR := s.shards.Acquire(w)
	if !okL || !okR {
		// New checked that the shards can hold every bus of a block.
		panic("scheduler: shards ran out of buffers, which the config check rules out")
	}
	s.busL[c], s.busR[c] = idL, idR
	s.render(w, c, s.shards.Buffer(idL), s.shards.Buffer(idR))
	s.done.Add(1) // publishes busL[c], busR[c] and the buses to the caller
}
