package shard

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
)

// Every benchmark here times one acquire + release pair of a 64-sample
// buffer, zeroed on acquire and written once while held, so that the
// baselines do the same work as Set. With several workers, each worker
// goroutine runs b.N pairs at the same time as the others, so ns/op is the
// time one worker waits per pair under that contention (wall time / b.N),
// not the throughput of the whole set.

// benchPerShard is large enough that no worker ever runs out.
const benchPerShard = 256

// runWorkers runs loop(w, b.N) on workers goroutines at once and times
// them from a common start.
func runWorkers(b *testing.B, workers int, loop func(w, n int)) {
	b.Helper()
	b.ReportAllocs()
	start := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			loop(w, b.N)
		}()
	}
	b.ResetTimer()
	close(start)
	wg.Wait()
}

func benchSet(b *testing.B, workers int) *Set {
	b.Helper()
	s, err := New(Config{Workers: workers, BuffersPerShard: benchPerShard})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// ownLoop is the render path: acquire from the worker's own shard (its
// cache), use the buffer, release it on the same worker.
func ownLoop(s *Set) func(w, n int) {
	return func(w, n int) {
		for range n {
			id, ok := s.Acquire(w)
			if !ok {
				panic("shard benchmark: exhausted")
			}
			s.Buffer(id)[0] = 1
			s.Release(w, id)
		}
	}
}

func BenchmarkShardOwn1Worker(b *testing.B) {
	runWorkers(b, 1, ownLoop(benchSet(b, 1)))
}

func BenchmarkShardOwn2Workers(b *testing.B) {
	runWorkers(b, 2, ownLoop(benchSet(b, 2)))
}

// BenchmarkShardCross2Workers has each worker acquire from its own shard
// and pass the buffer to the other, which releases it across shards, the
// way a chunk bus goes from the worker that rendered it to the one that
// sums it. Every release is a cross-shard push. The hand-off is a
// single-producer single-consumer ring per direction, whose cost (and the
// waiting when one worker runs ahead) is part of the figure.
func BenchmarkShardCross2Workers(b *testing.B) {
	s, err := New(Config{Workers: 2, BuffersPerShard: 2 * ringSize})
	if err != nil {
		b.Fatal(err)
	}
	var rings [2]spscRing // rings[w] carries buffers to worker w
	runWorkers(b, 2, func(w, n int) {
		out, in := &rings[1-w], &rings[w]
		for sent, released := 0, 0; sent < n || released < n; {
			progressed := false
			if sent < n && out.hasRoom() {
				id, ok := s.Acquire(w)
				if !ok {
					panic("shard benchmark: exhausted")
				}
				s.Buffer(id)[0] = 1
				out.push(id)
				sent++
				progressed = true
			}
			if id, ok := in.pop(); ok {
				s.Release(w, id)
				released++
				progressed = true
			}
			if !progressed {
				runtime.Gosched() // waiting for the other worker
			}
		}
	})
}

// BenchmarkRingHandOff2Workers is BenchmarkShardCross2Workers without the
// shard: the same rings carry counters instead of buffers, so the
// difference between the two is what the shard adds to the hand-off.
func BenchmarkRingHandOff2Workers(b *testing.B) {
	var rings [2]spscRing
	runWorkers(b, 2, func(w, n int) {
		out, in := &rings[1-w], &rings[w]
		for sent, received := 0, 0; sent < n || received < n; {
			progressed := false
			if sent < n && out.hasRoom() {
				out.push(pool.BufferID(sent))
				sent++
				progressed = true
			}
			if _, ok := in.pop(); ok {
				received++
				progressed = true
			}
			if !progressed {
				runtime.Gosched()
			}
		}
	})
}

// BenchmarkShardCross1Goroutine is the cross-shard path without the
// hand-off: one goroutine acquires on worker 0 and releases on worker 1, so
// every release is a lock-free push onto shard 0's free list.
func BenchmarkShardCross1Goroutine(b *testing.B) {
	s := benchSet(b, 2)
	runWorkers(b, 1, func(_, n int) {
		for range n {
			id, ok := s.Acquire(0)
			if !ok {
				panic("shard benchmark: exhausted")
			}
			s.Buffer(id)[0] = 1
			s.Release(1, id)
		}
	})
}

// BenchmarkShardSteal1Worker steals every buffer: the worker's own shard is
// entirely held, so each acquire pops one buffer off another shard's free
// list and each release pushes it back there.
func BenchmarkShardSteal1Worker(b *testing.B) {
	s := benchSet(b, 2)
	holdShard(b, s, 0)
	runWorkers(b, 1, stealLoop(s))
}

// BenchmarkShardSteal2Workers has two workers whose shards are entirely
// held steal from the same third shard: the worst case, one contended head.
func BenchmarkShardSteal2Workers(b *testing.B) {
	s := benchSet(b, 3)
	holdShard(b, s, 0)
	holdShard(b, s, 1)
	runWorkers(b, 2, stealLoop(s))
}

func stealLoop(s *Set) func(w, n int) {
	return func(w, n int) {
		for range n {
			id, ok := s.Acquire(w)
			if !ok || s.Owner(id) == w {
				panic("shard benchmark: did not steal")
			}
			s.Buffer(id)[0] = 1
			s.Release(w, id)
		}
	}
}

// holdShard acquires every buffer of worker w's shard and keeps them.
func holdShard(b *testing.B, s *Set, w int) {
	b.Helper()
	for range s.BuffersPerShard() {
		if id, ok := s.Acquire(w); !ok || s.Owner(id) != w {
			b.Fatalf("worker %d: could not take its own shard", w)
		}
	}
}

// BenchmarkHeldFlag is the cost of the double-release check on its own, as
// a pair pays it: a plain store sets the buffer's held flag on acquire and
// an atomic swap clears it on release.
func BenchmarkHeldFlag(b *testing.B) {
	var held uint32
	for range b.N {
		held = 1
		if atomic.SwapUint32(&held, 0) != 1 {
			b.Fatal("flag out of step")
		}
	}
}

// The baselines below hand out indices into the same kind of aligned
// storage, or *block.Block for sync.Pool.

func BenchmarkSyncPool1Worker(b *testing.B)  { runWorkers(b, 1, syncPoolLoop()) }
func BenchmarkSyncPool2Workers(b *testing.B) { runWorkers(b, 2, syncPoolLoop()) }

func syncPoolLoop() func(w, n int) {
	p := sync.Pool{New: func() any { return new(block.Block) }}
	return func(_, n int) {
		for range n {
			buf := p.Get().(*block.Block)
			clear(buf[:])
			buf[0] = 1
			p.Put(buf)
		}
	}
}

// mutexList is a free list guarded by one mutex, shared by all workers.
type mutexList struct {
	mu      sync.Mutex
	free    []uint32
	storage []float32
}

func newMutexList() *mutexList {
	l := &mutexList{storage: pool.AlignedSamples(2 * benchPerShard * block.Size)}
	for i := range 2 * benchPerShard {
		l.free = append(l.free, uint32(i))
	}
	return l
}

func (l *mutexList) loop(_, n int) {
	for range n {
		l.mu.Lock()
		i := l.free[len(l.free)-1]
		l.free = l.free[:len(l.free)-1]
		l.mu.Unlock()
		buf := (*block.Block)(l.storage[int(i)*block.Size:])
		clear(buf[:])
		buf[0] = 1
		l.mu.Lock()
		l.free = append(l.free, i)
		l.mu.Unlock()
	}
}

func BenchmarkMutexSlice1Worker(b *testing.B)  { runWorkers(b, 1, newMutexList().loop) }
func BenchmarkMutexSlice2Workers(b *testing.B) { runWorkers(b, 2, newMutexList().loop) }

// chanList is a free list in a buffered channel, shared by all workers.
type chanList struct {
	free    chan uint32
	storage []float32
}

func newChanList() *chanList {
	l := &chanList{
		free:    make(chan uint32, 2*benchPerShard),
		storage: pool.AlignedSamples(2 * benchPerShard * block.Size),
	}
	for i := range 2 * benchPerShard {
		l.free <- uint32(i)
	}
	return l
}

func (l *chanList) loop(_, n int) {
	for range n {
		var i uint32
		select {
		case i = <-l.free:
		default:
			panic("channel benchmark: exhausted")
		}
		buf := (*block.Block)(l.storage[int(i)*block.Size:])
		clear(buf[:])
		buf[0] = 1
		l.free <- i
	}
}

func BenchmarkChannel1Worker(b *testing.B)  { runWorkers(b, 1, newChanList().loop) }
func BenchmarkChannel2Workers(b *testing.B) { runWorkers(b, 2, newChanList().loop) }

// sharedHead is the design the issue rules out: one tagged lock-free stack
// shared by every worker, with no shards and no private caches.
type sharedHead struct {
	free    stack
	storage []float32
}

func newSharedHead() *sharedHead {
	n := 2 * benchPerShard
	h := &sharedHead{
		free:    stack{links: make([]atomic.Uint32, n)},
		storage: pool.AlignedSamples(n * block.Size),
	}
	h.free.head.Store(packHead(0, nilIndex))
	for i := range n {
		h.free.push(uint32(i))
	}
	return h
}

func (h *sharedHead) loop(_, n int) {
	for range n {
		i, ok := h.free.pop()
		if !ok {
			panic("shared head benchmark: exhausted")
		}
		buf := (*block.Block)(h.storage[int(i)*block.Size:])
		clear(buf[:])
		buf[0] = 1
		h.free.push(i)
	}
}

func BenchmarkSharedHead1Worker(b *testing.B)  { runWorkers(b, 1, newSharedHead().loop) }
func BenchmarkSharedHead2Workers(b *testing.B) { runWorkers(b, 2, newSharedHead().loop) }

// ringSize is the capacity of a hand-off ring: deep enough that a worker
// rarely waits for the other on a busy machine.
const ringSize = 1024

// spscRing carries buffer handles from one goroutine to one other. Its two
// indices sit on their own cache lines, so that producer and consumer share
// a line only when they touch the same slots.
type spscRing struct {
	_     [128]byte
	head  atomic.Uint64 // next slot to read; written by the consumer
	_     [120]byte
	tail  atomic.Uint64 // next slot to write; written by the producer
	_     [120]byte
	slots [ringSize]atomic.Uint32
}

func (r *spscRing) hasRoom() bool { return r.tail.Load()-r.head.Load() < ringSize }

func (r *spscRing) push(id pool.BufferID) {
	t := r.tail.Load()
	r.slots[t%ringSize].Store(uint32(id))
	r.tail.Store(t + 1)
}

func (r *spscRing) pop() (pool.BufferID, bool) {
	h := r.head.Load()
	if h == r.tail.Load() {
		return 0, false
	}
	id := r.slots[h%ringSize].Load()
	r.head.Store(h + 1)
	return pool.BufferID(id), true
}
