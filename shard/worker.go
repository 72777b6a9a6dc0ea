package shard

import (
	"sync/atomic"
	"unsafe"
)

// statsEvery is how many counted operations a worker does between two
// publications of its counters. Go's atomic stores are locked instructions
// on amd64 (XCHG, about 4.7 ns each on the reference machine), so
// publishing five counters on every operation would more than double the
// cost of a pair; every 256 operations it costs about 0.2 ns per pair, and
// Stats lags a running worker by at most 256 operations, a few microseconds.
const statsEvery = 256

// worker is one shard and the state of the worker that owns it. The part
// that other workers write (the free list's head, the in-use adjustments of
// steals and cross-shard releases) and the part only the owner writes sit in
// separate 128-byte blocks, as the Go runtime pads per-P state: 128 bytes
// cover the pair of 64-byte lines that the adjacent-line prefetcher moves
// together, so no two workers' hot state ever shares a line.
type worker struct {
	sharedState
	_ [128 - unsafe.Sizeof(sharedState{})%128]byte
	privateState
	_ [128 - unsafe.Sizeof(privateState{})%128]byte
}

// sharedState is written by every worker that steals from this shard or
// releases one of its buffers.
type sharedState struct {
	free        stack        // the shard's lock-free free list
	remoteInUse atomic.Int64 // buffers stolen by others minus buffers released by others
	highWater   atomic.Int64 // highest in-use count seen
}

// privateState is written only by the owning worker.
type privateState struct {
	first        uint32   // index of the shard's first buffer
	n            int      // buffers in cache
	cache        []uint32 // private cache: free buffers of this shard, top at cache[n-1]
	untilPublish int      // counted operations left before the next publish
	count        counts   // exact, read and written only by the owner
	published    publishedCounts
}

// counts are a worker's event counters.
type counts struct {
	acquires      uint64 // successful acquires, steals included
	releases      uint64 // releases, cross-shard ones included
	steals        uint64 // acquires of another shard's buffer
	crossReleases uint64 // releases of another shard's buffer
	exhaustions   uint64 // acquires that found every shard empty
}

// publishedCounts is the copy of counts that Stats reads. It has a single
// writer, the owner, so plain atomic stores suffice.
type publishedCounts struct {
	acquires, releases, steals, crossReleases, exhaustions atomic.Uint64
}

// tick counts one operation towards the next publication of the counters.
func (w *worker) tick() {
	w.untilPublish--
	if w.untilPublish <= 0 {
		w.publish()
	}
}

// publish copies the owner's counters to where Stats reads them.
func (w *worker) publish() {
	w.untilPublish = statsEvery
	w.published.acquires.Store(w.count.acquires)
	w.published.releases.Store(w.count.releases)
	w.published.steals.Store(w.count.steals)
	w.published.crossReleases.Store(w.count.crossReleases)
	w.published.exhaustions.Store(w.count.exhaustions)
}

// refill moves up to half a cache of buffers from the shard's free list into
// the empty cache with one CAS, and reports whether it got any.
func (w *worker) refill() bool {
	w.n = w.free.popBatch(w.cache[:len(w.cache)/2])
	return w.n > 0
}

// flush moves the k oldest buffers of the cache to the shard's free list
// with one CAS, keeping the most recently released ones, which are the most
// likely to still be in this core's cache.
func (w *worker) flush(k int) {
	for j := 0; j < k-1; j++ {
		w.free.links[w.cache[j]].Store(w.cache[j+1])
	}
	w.free.pushChain(w.cache[0], w.cache[k-1])
	w.n = copy(w.cache, w.cache[k:w.n])
}

// ownInUse is how many of the shard's buffers the owner holds, counting
// those it acquired and has not released itself, minus those of its
// buffers that others released. Only the owner may call it.
func (w *worker) ownInUse() int64 {
	c := &w.count
	return int64(c.acquires-c.steals) - int64(c.releases-c.crossReleases)
}

// publishedInUse is the shard's in-use count as Stats sees it, from any
// goroutine: the owner's last published counters plus the others' live net
// steals. While the owner runs it may be off by up to statsEvery
// operations, so it is clamped to what the shard can hold.
func (w *worker) publishedInUse(perShard uint32) int64 {
	p := &w.published
	own := int64(p.acquires.Load()-p.steals.Load()) - int64(p.releases.Load()-p.crossReleases.Load())
	return min(max(own+w.remoteInUse.Load(), 0), int64(perShard))
}

// noteInUse raises the high-water mark to n if n is higher. The CAS runs
// only when a new high is reached, which a steady state never does.
func (w *worker) noteInUse(n int64) {
	for {
		hw := w.highWater.Load()
		if n <= hw || w.highWater.CompareAndSwap(hw, n) {
			return
		}
	}
}
