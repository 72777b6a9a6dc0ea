package scheduler

import (
	"fmt"
	"runtime"
	"sync/atomic"
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
	n, stolen := s.claim(0, s.epoch, chunks, left, right)
	s.workers[0].chunks.Add(uint64(n))
	s.workers[0].steals.Add(uint64(stolen))
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
// The lanes and finished hold the epoch of the last block that used them,
// and a lane or chunk may go unused for any number of blocks (while the
// blocks are small). So that an old value can never pass for the current
// block's when the 32-bit epoch wraps, every 2^16 blocks, between two
// blocks, nextEpoch rewrites them all: each lane to "block prev, all
// taken", which is what a worker still late for block prev must read (a
// worker late for an older block reads another epoch and then sees that
// its block is over), and each finished flag to 0, an epoch never used.
// Nothing else writes them between blocks: every chunk of block prev has
// been rendered and added, and claims for it or older blocks fail.
func (s *Scheduler) nextEpoch() {
	prev := s.epoch
	s.epoch++
	if s.epoch == 0 {
		s.epoch = 1 // 0 means "never" in finished
	}
	if s.epoch&(refreshEvery-1) == 1 {
		for v := range s.lanes {
			s.lanes[v].claims.Store(packLane(prev, laneFull, 0))
		}
		for c := range s.finished {
			s.finished[c].Store(0)
		}
	}
}

// refreshEvery is how many blocks apart nextEpoch rewrites the lanes and
// finished flags: far fewer than 2^32, and rarely enough to cost nothing.
const refreshEvery = 1 << 16

// laneFull as the front count of a lane marks every chunk of its share as
// taken, whatever the share: no share is longer than MaxChunkLimit.
const laneFull = MaxChunkLimit

// yieldAfter is how long forkJoin's wait spins before it also yields its P
// now and then: past any sound block (a 64-sample block at 48 kHz is
// 1.33 ms), so only a stuck wait pays for the yields.
const yieldAfter = 2 * time.Millisecond

// Each worker of a block has a share of its chunks, a contiguous range
// (share), and claims them front to back on its own lane; a worker whose
// share is done steals from the back of the others' shares. So while the
// load is even every chunk is rendered by the same worker block after
// block, and its voices' state stays in that core's cache, and a worker
// claims its own chunks with a CAS on a line no other worker writes. A
// late worker (parked, or preempted) loses the end of its share to the
// others, so nobody waits for it.

// lane holds the claims on one worker's share of the current block.
type lane struct {
	// claims packs epoch<<32 | front<<16 | back: how many chunks of the
	// share have been taken from each end in block epoch. A value with
	// another epoch means none has been taken in this block yet.
	claims atomic.Uint64
	_      [128 - 8]byte
}

// share returns worker w's range [lo, hi) of a block of chunks chunks
// shared by p workers (p <= chunks, so no share is empty).
func share(w, chunks, p int) (lo, hi int) { return w * chunks / p, (w + 1) * chunks / p }

// claim renders chunks of the block of epoch e, which has chunks chunks,
// on worker w until the block has none left: first w's own share, then
// what is left of the others'. It returns how many chunks it rendered and
// how many of them it stole. The caller (w 0, with its master bus in left
// and right; the workers pass nil) adds finished chunks after each of its
// own.
func (s *Scheduler) claim(w int, e uint32, chunks int, left, right *block.Block) (n, stolen int) {
	p := min(chunks, len(s.workers))
	for c := s.take(w, e, chunks, p, true); c >= 0; c = s.take(w, e, chunks, p, true) {
		s.renderChunk(w, e, c)
		n++
		if w == 0 {
			s.sumFinished(left, right)
		}
	}
	for k := 1; k < p; k++ {
		v := (w + k) % p
		for c := s.take(v, e, chunks, p, false); c >= 0; c = s.take(v, e, chunks, p, false) {
			s.renderChunk(w, e, c)
			n++
			stolen++
		}
	}
	return n, stolen
}

// take claims one chunk of worker v's share of block e: the first one left
// if front (v itself), else the last one left (a thief). It returns -1
// when the share has none left or block e is over, so a late worker never
// takes a chunk of a block it has not seen.
func (s *Scheduler) take(v int, e uint32, chunks, p int, front bool) int {
	lo, hi := share(v, chunks, p)
	l := &s.lanes[v].claims
	for {
		old := l.Load()
		f, b := int(old>>16&0xffff), int(old&0xffff)
		if uint32(old>>32) != e {
			// Nothing taken from this share in block e yet, or e is over
			// and a later block has used the lane. In the second case
			// the published epoch has moved on too: a lane takes a new
			// epoch only from a worker that saw it published. In the
			// first, e cannot end before this share's chunks are taken,
			// which changes the lane, so the CAS below fails if e ended
			// since old was read.
			if uint32(s.word.Load()>>32) != e {
				return -1
			}
			f, b = 0, 0
		}
		if lo+f >= hi-b {
			return -1
		}
		next, c := packLane(e, f+1, b), lo+f
		if !front {
			next, c = packLane(e, f, b+1), hi-1-b
		}
		if l.CompareAndSwap(old, next) {
			return c
		}
	}
}

func packLane(e uint32, front, back int) uint64 {
	return uint64(e)<<32 | uint64(front)<<16 | uint64(back)
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
