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
		s.forkJoin(chunks, start, left, right)
	}
	s.stats.block(chunks, time.Duration(s.now()-start))
	return nil
}

// forkJoin publishes a block of chunks chunks, renders chunks on the
// calling goroutine until none are left, and adds the chunk buses into
// left and right in chunk order as the chunks finish, its own as soon as
// it has rendered them: while it waits for the workers' last chunks, only
// those are left to add.
func (s *Scheduler) forkJoin(chunks int, start int64, left, right *block.Block) {
	s.nextEpoch()
	s.chunks, s.summed = chunks, 0
	s.published.Store(start)
	// The store publishes the block: everything the caller wrote before it
	// (the chunks' input, published) happens before any worker's claim.
	s.word.Store(uint64(s.epoch)<<32 | uint64(chunks))
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
	s.workers[0].chunks.Add(uint64(s.claim(0, s.epoch, left, right)))
	// Every chunk is claimed now, and the workers rendering the rest are
	// running, so the caller only has to add their buses as they finish,
	// spinning in between. It must not yield its P
	// as a habit: for a caller locked to a real-time thread, Gosched is a
	// trip through the runtime's ordinary-priority threads (the P is
	// handed off and the thread sleeps until another thread hands the
	// goroutine back), which traced paced runs showed in about half the
	// blocks, at a median of 16 us and a tail past 2 ms: the block's
	// deadline. So it yields only when workers outnumber the Ps, and as a
	// safety valve once the wait has lasted yieldAfter (GOMAXPROCS
	// lowered below the worker count after New, say).
	for i := 0; s.summed < chunks; i++ {
		if s.sumFinished(left, right) {
			continue
		}
		if s.yield || i&1023 == 1023 && s.now()-start > int64(yieldAfter) {
			runtime.Gosched()
		}
	}
}

// sumFinished adds the buses of the finished chunks that follow the last
// one added, in chunk order, into left and right, releases them, and
// reports whether it added any. Only the caller of RenderBlock calls it.
// Adding the buses one run at a time gives the same bits as adding them
// all at the end: mix.AddBuses adds bus after bus.
func (s *Scheduler) sumFinished(left, right *block.Block) bool {
	from := s.summed
	for s.summed < s.chunks && s.finished[s.summed].Load() == s.epoch {
		c := s.summed
		s.sumL[c] = s.shards.View(s.busL[c])[:]
		s.sumR[c] = s.shards.View(s.busR[c])[:]
		s.summed++
	}
	if s.summed == from {
		return false
	}
	mix.AddBuses(left[:], s.sumL[from:s.summed])
	mix.AddBuses(right[:], s.sumR[from:s.summed])
	for c := from; c < s.summed; c++ {
		s.shards.Release(0, s.busL[c])
		s.shards.Release(0, s.busR[c])
	}
	return true
}

// nextEpoch moves the caller's epoch to the next block's, before it is
// published.
//
// finished holds, per chunk, the epoch of the last block that rendered it,
// and a chunk may go unused for any number of blocks (while the blocks are
// small). So that an old value can never pass for the current block's when
// the 32-bit epoch wraps, every 2^16 blocks nextEpoch resets them all to
// 0, an epoch never used. Nothing else writes them between two blocks:
// every chunk of the last block has been rendered and added, and claims
// for it or older blocks fail.
func (s *Scheduler) nextEpoch() {
	s.epoch++
	if s.epoch == 0 {
		s.epoch = 1 // 0 means "never" in finished
	}
	if s.epoch&(resetEvery-1) == 1 {
		for c := range s.finished {
			s.finished[c].Store(0)
		}
	}
}

// resetEvery is how many blocks apart nextEpoch resets the finished
// flags: far fewer than 2^32, and rarely enough to cost nothing.
const resetEvery = 1 << 16

// yieldAfter is how long forkJoin's wait spins before it also yields its P
// now and then: past any sound block (a 64-sample block at 48 kHz is
// 1.33 ms), so only a stuck wait pays for the yields.
const yieldAfter = 2 * time.Millisecond

// claim renders chunks of the block of epoch e on worker w until the block
// has none left, and returns how many it rendered. The caller (w 0, with
// the master bus in left and right; the workers pass nil) takes the
// chunks from the front and adds the finished ones after each of its own;
// the workers take them from the back. So with two workers chunk k is
// rendered by the same worker block after block while they keep pace (its
// voices' state stays in that core's cache), and the caller's chunks come
// first in the sum.
func (s *Scheduler) claim(w int, e uint32, left, right *block.Block) (n int) {
	for {
		word := s.word.Load()
		front, end := int(word>>16&0xffff), int(word&0xffff)
		if uint32(word>>32) != e || front >= end {
			return n
		}
		next, c := word+1<<16, front
		if w != 0 {
			next, c = word-1, end-1
		}
		// The CAS fails if another worker claimed a chunk, or if the
		// block is over and a new one was published: a late worker never
		// takes a chunk of a block it has not seen.
		if !s.word.CompareAndSwap(word, next) {
			continue
		}
		s.renderChunk(w, e, c)
		n++
		if w == 0 {
			s.sumFinished(left, right)
		}
	}
}

// renderChunk renders chunk c of block e on worker w into two buses from
// w's shard.
func (s *Scheduler) renderChunk(w int, e uint32, c int) {
	idL, okL := s.shards.Acquire(w)
	idR, okR := s.shards.Acquire(w)
	if !okL || !okR {
		// New checked that the shards can hold every bus of a block.
		panic("scheduler: shards ran out of buffers, which the config check rules out")
	}
	s.busL[c], s.busR[c] = idL, idR
	s.render(w, c, s.shards.Buffer(idL), s.shards.Buffer(idR))
	s.finished[c].Store(e) // publishes busL[c], busR[c] and the buses to the caller
}
