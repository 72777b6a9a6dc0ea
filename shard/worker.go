package shard

import (
	"sync/atomic"
	"unsafe"
)

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
//
// The counters have a single writer, so they are bumped with a Load and a
// Store rather than an atomic add, and are atomics only so that Stats may
// read them from any goroutine at any time.
type privateState struct {
	first uint32   // index of the shard's first buffer
	n     int      // buffers in cache
	cache []uint32 // private cache: free buffers of this shard, top at cache[n-1]

	acquires      atomic.Uint64 // successful acquires, steals included
	releases      atomic.Uint64 // releases, cross-shard ones included
	steals        atomic.Uint64 // acquires of another shard's buffer
	crossReleases atomic.Uint64 // releases of another shard's buffer
	exhaustions   atomic.Uint64 // acquires that found every shard empty
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

// inUse returns how many of this shard's buffers are held, by any worker:
// the owner's acquires and releases of its own buffers plus the others'
// net steals. Read from another goroutine, it may be off by the operations
// in flight.
func (w *worker) inUse() int64 {
	own := int64(w.acquires.Load()-w.steals.Load()) - int64(w.releases.Load()-w.crossReleases.Load())
	return own + w.remoteInUse.Load()
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
