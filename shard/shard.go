// Package shard splits a buffer pool into per-worker ("per-core") shards.
//
// The buffers, their handles and their misuse checks are package pool's:
// a Set owns one pool.Pool and gives each worker a shard of it, a
// contiguous, 64-byte-aligned run of buffers with a lock-free, ABA-safe
// free list, fronted by a small private cache that only the worker
// touches, without atomics. A worker acquires from its cache, then from its
// shard's free list in a batch, then steals single buffers from the other
// shards in turn. Handles are global pool.BufferIDs: any worker may read a
// buffer that another acquired and release it, and the buffer goes back to
// the shard that owns it.
//
// Nothing here allocates after New, takes a lock or blocks, so Acquire and
// Release are safe on a real-time audio path. The free lists are lock-free
// rather than wait-free: a CAS is retried only when another worker's
// operation on the same shard has succeeded.
//
// Contract: a worker index is used by at most one goroutine at a time (its
// cache is unsynchronised), but any worker may release any buffer. Misuse
// panics with a message naming the handle: the pool's checks (releasing
// Silence, an out-of-range handle or a buffer that is not held, caught in
// O(1) even across workers; writing to a buffer that is not held), and a
// worker index out of range.
package shard

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
)

// DefaultBuffersPerShard is used when Config.BuffersPerShard is 0. 256
// buffers are 64 KiB: room for 128 stereo chunk buses in flight per worker,
// and small enough to stay in one core's L2 cache.
const DefaultBuffersPerShard = 256

// DefaultCacheSize is used when Config.CacheSize is 0. A cache of 16 moves
// buffers to and from the shared free list 8 at a time, so a worker pays one
// CAS per 8 buffers on a cache miss, while at most 16 buffers (4 KiB) per
// worker sit in a cache where other workers cannot steal them.
const DefaultCacheSize = 16

// MaxWorkers bounds Config.Workers: 4096 is more cores than any machine Go
// runs on has, so the bound only turns an absurd request into an error at New
// instead of an attempt to allocate it.
const MaxWorkers = 1 << 12

// MaxCacheSize bounds Config.CacheSize: a larger cache strands more buffers
// where no other worker can reach them and gains nothing, since a batch of
// 512 already amortises the CAS to nothing.
const MaxCacheSize = 1 << 10

// cacheGap is the number of uint32 cache entries (128 bytes) left unused
// between two workers' caches; see New.
const cacheGap = 128 / 4

// ErrConfig is returned, wrapped with details, by New for a Config out of
// range.
var ErrConfig = errors.New("shard: bad config")

// Config sizes a Set. Zero fields take their documented defaults.
type Config struct {
	// Workers is the number of workers and shards; 0 means
	// DefaultWorkers().
	Workers int
	// BuffersPerShard is the number of buffers each shard owns; 0 means
	// DefaultBuffersPerShard.
	BuffersPerShard int
	// CacheSize is the capacity of each worker's private cache, at least 2
	// and at most BuffersPerShard; 0 means DefaultCacheSize (capped at
	// BuffersPerShard). The cache refills and flushes half of it at a time.
	CacheSize int
}

// Set is a set of shards over one pool.
type Set struct {
	pool     *pool.Pool      // the buffers, their held flags and misuse checks
	links    []atomic.Uint32 // free-list links, one per buffer (see stack)
	perShard uint32          // buffers per shard; shard w owns [w*perShard, (w+1)*perShard)
	workers  []worker        // one per shard, each padded to its own cache lines
}

// New allocates a Set and everything it will ever use, with every buffer
// free and in its owner's free list.
func New(cfg Config) (*Set, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	n := cfg.Workers * cfg.BuffersPerShard
	p, err := pool.New(n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err) // unreachable: withDefaults bounds n
	}
	s := &Set{
		pool:     p,
		links:    make([]atomic.Uint32, n),
		perShard: uint32(cfg.BuffersPerShard),
		workers:  make([]worker, cfg.Workers),
	}
	// The caches are written at every release, so they get the same
	// treatment as the per-worker state: a gap of cacheGap entries (128
	// bytes) between two workers' caches keeps them off each other's lines.
	stride := cfg.CacheSize + cacheGap
	caches := make([]uint32, cfg.Workers*stride)
	for w := range s.workers {
		wk := &s.workers[w]
		wk.free.links = s.links
		wk.first = uint32(w) * s.perShard
		wk.cache = caches[w*stride : w*stride+cfg.CacheSize : w*stride+cfg.CacheSize]
		// Chain the shard's buffers in order, so that the lowest comes first.
		last := wk.first + s.perShard - 1
		for i := wk.first; i < last; i++ {
			s.links[i].Store(i + 1)
		}
		s.links[last].Store(nilIndex)
		wk.free.head.Store(packHead(0, wk.first))
	}
	return s, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.Workers == 0 {
		c.Workers = DefaultWorkers()
	}
	if c.BuffersPerShard == 0 {
		c.BuffersPerShard = DefaultBuffersPerShard
	}
	if c.CacheSize == 0 {
		c.CacheSize = min(DefaultCacheSize, max(c.BuffersPerShard, 2))
	}
	switch {
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return c, fmt.Errorf("%w: Workers %d (want 1..%d)", ErrConfig, c.Workers, MaxWorkers)
	case c.BuffersPerShard < 2 || c.BuffersPerShard > pool.MaxCapacity:
		return c, fmt.Errorf("%w: BuffersPerShard %d (want 2..%d)", ErrConfig, c.BuffersPerShard, pool.MaxCapacity)
	case c.Workers*c.BuffersPerShard > pool.MaxCapacity:
		return c, fmt.Errorf("%w: %d workers x %d buffers exceeds %d buffers", ErrConfig, c.Workers, c.BuffersPerShard, pool.MaxCapacity)
	case c.CacheSize < 2 || c.CacheSize > min(c.BuffersPerShard, MaxCacheSize):
		return c, fmt.Errorf("%w: CacheSize %d (want 2..%d)", ErrConfig, c.CacheSize, min(c.BuffersPerShard, MaxCacheSize))
	}
	return c, nil
}

// Workers returns the number of workers, which is also the number of shards.
func (s *Set) Workers() int { return len(s.workers) }

// Capacity returns the total number of buffers over all shards.
func (s *Set) Capacity() int { return s.pool.Capacity() }

// BuffersPerShard returns the number of buffers each shard owns.
func (s *Set) BuffersPerShard() int { return int(s.perShard) }

// Acquire takes a buffer for worker and zeroes it. It tries the worker's
// cache, then refills the cache from the worker's shard, then steals one
// buffer from each other shard in turn, starting with the next worker. It
// returns ok=false only when every shard's free list is empty (buffers may
// still sit in other workers' caches; see Flush). It never blocks or
// allocates.
func (s *Set) Acquire(worker int) (id pool.BufferID, ok bool) {
	w := s.worker(worker)
	if w.n == 0 && !w.refill() {
		return s.steal(worker)
	}
	w.n--
	i := w.cache[w.n]
	s.pool.Acquire(pool.BufferID(i))
	w.count.acquires++
	w.noteInUse(w.ownInUse() + w.remoteInUse.Load())
	w.tick()
	return pool.BufferID(i), true
}

// Release gives back a buffer that worker is done with. A buffer of the
// worker's own shard goes to its cache (flushing half of a full cache to
// the shard's free list); a buffer of another shard is pushed, lock-free,
// onto its owner's free list. It does not clear the buffer (Acquire does).
// It panics if id is Silence, out of range or not held (a double release).
func (s *Set) Release(worker int, id pool.BufferID) {
	w := s.worker(worker)
	s.pool.Release(id)
	i := uint32(id)
	w.count.releases++
	w.tick()
	if i-w.first >= s.perShard { // unsigned: also true below w.first
		s.releaseForeign(w, i)
		return
	}
	if w.n == len(w.cache) {
		w.flush(len(w.cache) / 2)
	}
	w.cache[w.n] = i
	w.n++
}

// Flush moves every buffer in worker's private cache back to its shard's
// free list, where other workers can steal it. A worker that goes idle
// should flush, so that its cached buffers do not look exhausted to others.
func (s *Set) Flush(worker int) {
	w := s.worker(worker)
	if w.n > 0 {
		w.flush(w.n)
	}
}

// PublishStats makes worker's counters in Stats exact as of now. Workers
// publish their counters every statsEvery operations on their own; calling
// this at the end of each block, from the worker's goroutine, keeps Stats
// exact at block boundaries.
func (s *Set) PublishStats(worker int) {
	w := s.worker(worker)
	w.noteInUse(w.ownInUse() + w.remoteInUse.Load())
	w.publish()
}

// Buffer returns the buffer for writing. It panics if id is Silence, out of
// range, or not currently acquired, since writing into a free buffer would
// corrupt whoever acquires it next.
func (s *Set) Buffer(id pool.BufferID) *block.Block { return s.pool.Buffer(id) }

// View returns the buffer for reading. View(pool.Silence) returns the shared
// silence block, which must not be written to. It panics if id is out of
// range; it does not check that id is held, so that any worker may read a
// buffer that another one acquired.
func (s *Set) View(id pool.BufferID) *block.Block { return s.pool.View(id) }

// Owner returns the index of the shard (and worker) that owns id, in O(1).
// It panics if id is Silence or out of range.
func (s *Set) Owner(id pool.BufferID) int {
	if id == pool.Silence || int(id) >= s.Capacity() {
		panic(fmt.Sprintf("shard: owner of buffer %d, not a buffer of this set (capacity %d)", id, s.Capacity()))
	}
	return int(uint32(id) / s.perShard)
}

// Held reports whether id is currently acquired by some worker. It is for
// checks and tests: call it from a goroutine ordered after the last Acquire
// of id (its holder, say), since Acquire sets the flag with a plain store
// (see pool.Pool.Acquire).
func (s *Set) Held(id pool.BufferID) bool { return s.pool.Held(id) }

// steal pops one buffer from each other shard in turn, starting after
// thief, and returns the first it gets.
func (s *Set) steal(thief int) (pool.BufferID, bool) {
	w := &s.workers[thief]
	for k := 1; k < len(s.workers); k++ {
		v := &s.workers[(thief+k)%len(s.workers)]
		i, ok := v.free.pop()
		if !ok {
			continue
		}
		s.pool.Acquire(pool.BufferID(i))
		v.remoteInUse.Add(1)
		v.noteInUse(v.publishedInUse(s.perShard))
		w.count.acquires++
		w.count.steals++
		w.tick()
		return pool.BufferID(i), true
	}
	// Publish at once: exhaustion is what a monitor most wants to see.
	w.count.exhaustions++
	w.publish()
	return 0, false
}

// releaseForeign pushes buffer i, held and released by w, back onto the
// free list of the shard that owns it.
func (s *Set) releaseForeign(w *worker, i uint32) {
	owner := &s.workers[i/s.perShard]
	w.count.crossReleases++
	owner.remoteInUse.Add(-1)
	owner.free.push(i)
}

// worker returns worker w's state, panicking with a clear message when w is
// out of range.
func (s *Set) worker(w int) *worker {
	if uint(w) >= uint(len(s.workers)) {
		panic(fmt.Sprintf("shard: worker %d out of range (set has %d workers)", w, len(s.workers)))
	}
	return &s.workers[w]
}
