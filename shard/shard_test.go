package shard

import (
	"errors"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/aether-audio/aether/pool"
)

func mustNew(t testing.TB, cfg Config) *Set {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAcquire(t testing.TB, s *Set, worker int) pool.BufferID {
	t.Helper()
	id, ok := s.Acquire(worker)
	if !ok {
		t.Fatalf("worker %d: acquire failed, stats %+v", worker, exactStats(s).Total())
	}
	return id
}

// exactStats publishes every worker's counters and reads them; call it only
// when no worker is running.
func exactStats(s *Set) Stats {
	for w := range s.Workers() {
		s.PublishStats(w)
	}
	return s.Stats()
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Workers: -1},
		{Workers: MaxWorkers + 1},
		{Workers: 1, BuffersPerShard: -5},
		{Workers: 1, BuffersPerShard: 1},
		{Workers: 1, BuffersPerShard: pool.MaxCapacity + 1},
		{Workers: 64, BuffersPerShard: pool.MaxCapacity / 32},
		{Workers: 1, BuffersPerShard: 8, CacheSize: 1},
		{Workers: 1, BuffersPerShard: 8, CacheSize: 9},
		{Workers: 1, BuffersPerShard: 1 << 20, CacheSize: MaxCacheSize + 1},
	} {
		s, err := New(cfg)
		if err == nil || !errors.Is(err, ErrConfig) || s != nil {
			t.Errorf("New(%+v) = %v, %v; want nil, ErrConfig", cfg, s, err)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("New(%+v): error %q is not one line", cfg, err)
		}
	}
}

func TestNewDefaults(t *testing.T) {
	s := mustNew(t, Config{})
	if s.Workers() < 1 {
		t.Fatalf("Workers() = %d, want at least 1", s.Workers())
	}
	if s.Capacity() != s.Workers()*DefaultBuffersPerShard || s.BuffersPerShard() != DefaultBuffersPerShard {
		t.Fatalf("Capacity() = %d with %d workers, want %d per shard", s.Capacity(), s.Workers(), DefaultBuffersPerShard)
	}
	if got := len(s.workers[0].cache); got != DefaultCacheSize {
		t.Fatalf("cache size %d, want DefaultCacheSize %d", got, DefaultCacheSize)
	}
	// A shard smaller than the default cache gets a cache of its own size.
	if got := len(mustNew(t, Config{Workers: 1, BuffersPerShard: 4}).workers[0].cache); got != 4 {
		t.Fatalf("cache size %d for a 4-buffer shard, want 4", got)
	}
}

func TestLayout(t *testing.T) {
	var w worker
	if sz := unsafe.Sizeof(w); sz%128 != 0 {
		t.Errorf("worker is %d bytes, not a multiple of 128", sz)
	}
	if off := unsafe.Offsetof(w.privateState); off < 128 || off < unsafe.Sizeof(w.sharedState) {
		t.Errorf("private state at offset %d shares 128 bytes with the shared state", off)
	}
	if tail := unsafe.Sizeof(w) - unsafe.Offsetof(w.privateState); tail < 128 {
		t.Errorf("private state and padding are %d bytes, under 128: the next shard's head may share its lines", tail)
	}

	s := mustNew(t, Config{Workers: 3, BuffersPerShard: 5, CacheSize: 2})
	for w := 1; w < s.Workers(); w++ {
		prevEnd := uintptr(unsafe.Pointer(&s.workers[w-1].cache[len(s.workers[w-1].cache)-1])) + 4
		if gap := uintptr(unsafe.Pointer(&s.workers[w].cache[0])) - prevEnd; gap < 128 {
			t.Errorf("caches of workers %d and %d are %d bytes apart, want at least 128", w-1, w, gap)
		}
	}
	for i := 0; i < s.Capacity(); i++ {
		id := pool.BufferID(i)
		if addr := uintptr(unsafe.Pointer(s.View(id))); addr%pool.Alignment != 0 {
			t.Fatalf("buffer %d at %#x, not %d-byte aligned", i, addr, pool.Alignment)
		}
		if got := s.Owner(id); got != i/5 {
			t.Fatalf("Owner(%d) = %d, want %d", i, got, i/5)
		}
	}
}

func TestAcquireOrderCacheShardThenSteal(t *testing.T) {
	s := mustNew(t, Config{Workers: 3, BuffersPerShard: 4, CacheSize: 2})
	var owners []int
	for i := 0; i < s.Capacity(); i++ {
		owners = append(owners, s.Owner(mustAcquire(t, s, 0)))
	}
	want := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	for i := range want {
		if owners[i] != want[i] {
			t.Fatalf("owners of successive acquires %v, want %v", owners, want)
		}
	}
	if id, ok := s.Acquire(0); ok {
		t.Fatalf("acquire with every shard empty returned %d", id)
	}
	st := exactStats(s).Shards
	if st[0].Acquires != 12 || st[0].Steals != 8 || st[0].Exhaustions != 1 {
		t.Fatalf("worker 0 stats %+v, want 12 acquires, 8 steals, 1 exhaustion", st[0])
	}
	for w, sh := range st {
		if sh.InUse != 4 || sh.HighWater != 4 {
			t.Fatalf("shard %d: InUse %d, HighWater %d, want 4 and 4", w, sh.InUse, sh.HighWater)
		}
	}
}

func TestStealStartsAfterThief(t *testing.T) {
	s := mustNew(t, Config{Workers: 3, BuffersPerShard: 2, CacheSize: 2})
	mustAcquire(t, s, 1)
	mustAcquire(t, s, 1)
	if got := s.Owner(mustAcquire(t, s, 1)); got != 2 {
		t.Fatalf("worker 1 stole from shard %d first, want shard 2", got)
	}
}

func TestCrossShardRelease(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 2, CacheSize: 2})
	a := mustAcquire(t, s, 0)
	b := mustAcquire(t, s, 0)
	s.Buffer(a)[7] = 0.5
	if got := s.View(a)[7]; got != 0.5 {
		t.Fatalf("worker 1 reads %v from worker 0's buffer, want 0.5", got)
	}
	s.Release(1, a) // worker 1 releases a buffer of shard 0
	if s.Held(a) {
		t.Fatal("buffer still held after a cross-shard release")
	}
	st := exactStats(s).Shards
	if st[1].CrossReleases != 1 || st[1].Releases != 1 || st[0].InUse != 1 || st[0].HighWater != 2 {
		t.Fatalf("stats %+v, want worker 1 with 1 cross release and shard 0 with 1 in use, high water 2", st)
	}
	// It went back to shard 0's free list, where worker 0 finds it.
	if got := mustAcquire(t, s, 0); got != a {
		t.Fatalf("worker 0 acquired %d, want its released buffer %d back", got, a)
	}
	if got := s.View(a)[7]; got != 0 {
		t.Fatalf("re-acquired buffer not zeroed: sample 7 = %v", got)
	}
	s.Release(0, b)
	s.Release(0, a)
	if st := exactStats(s).Shards[0]; st.InUse != 0 {
		t.Fatalf("shard 0 InUse %d after all released, want 0", st.InUse)
	}
}

func TestStolenBufferGoesHome(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 2, CacheSize: 2})
	mustAcquire(t, s, 0)
	mustAcquire(t, s, 0)
	stolen := mustAcquire(t, s, 0)
	if s.Owner(stolen) != 1 {
		t.Fatalf("third acquire by worker 0 came from shard %d, want a steal from 1", s.Owner(stolen))
	}
	s.Release(0, stolen)
	if st := exactStats(s).Shards; st[0].CrossReleases != 1 || st[1].InUse != 0 || st[1].HighWater != 1 {
		t.Fatalf("stats %+v after returning a stolen buffer", st)
	}
	mustAcquire(t, s, 1)
	mustAcquire(t, s, 1)
	if id, ok := s.Acquire(1); ok {
		t.Fatalf("worker 1 got a third buffer %d; shard 0 is held, so want none", id)
	}
}

func TestAcquireZeroesDirtyBuffer(t *testing.T) {
	s := mustNew(t, Config{Workers: 1, BuffersPerShard: 2, CacheSize: 2})
	id := mustAcquire(t, s, 0)
	for i := range s.Buffer(id) {
		s.Buffer(id)[i] = float32(i) + 1
	}
	s.Release(0, id)
	again := mustAcquire(t, s, 0)
	if again != id {
		t.Fatalf("cache is LIFO: got %d, want %d", again, id)
	}
	for i, v := range s.View(again) {
		if v != 0 {
			t.Fatalf("sample %d = %v after re-acquire, want 0", i, v)
		}
	}
}

func TestCachedBufferIsFree(t *testing.T) {
	s := mustNew(t, Config{Workers: 1, BuffersPerShard: 4, CacheSize: 4})
	id := mustAcquire(t, s, 0)
	s.Release(0, id) // into the private cache
	if s.Held(id) {
		t.Fatal("a buffer in the private cache reports as held")
	}
	mustPanic(t, "which is not acquired", func() { s.Buffer(id) })
	mustPanic(t, "which is not acquired", func() { s.Release(0, id) })
}

func TestFlushLetsOthersSteal(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 4, CacheSize: 4})
	var ids []pool.BufferID
	for i := 0; i < 4; i++ {
		ids = append(ids, mustAcquire(t, s, 0))
	}
	for i := 0; i < 4; i++ {
		mustAcquire(t, s, 1)
	}
	for _, id := range ids[:3] {
		s.Release(0, id) // into worker 0's cache, out of reach of worker 1
	}
	if id, ok := s.Acquire(1); ok {
		t.Fatalf("worker 1 stole %d out of worker 0's private cache", id)
	}
	s.Flush(0)
	for i := 0; i < 3; i++ {
		if s.Owner(mustAcquire(t, s, 1)) != 0 {
			t.Fatal("after Flush(0), worker 1 should steal shard 0's buffers")
		}
	}
	s.Flush(1) // an empty cache: nothing to do
}

func TestCacheOverflowFlushesHalf(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 8, CacheSize: 4})
	var ids []pool.BufferID
	for i := 0; i < 8; i++ {
		ids = append(ids, mustAcquire(t, s, 0))
	}
	for _, id := range ids {
		s.Release(0, id)
	}
	// The cache holds at most 4; the rest went back to the free list, where
	// worker 1 can steal them.
	for i := 0; i < 8; i++ {
		mustAcquire(t, s, 1)
	}
	stolen := 0
	for {
		id, ok := s.Acquire(1)
		if !ok {
			break
		}
		if s.Owner(id) != 0 {
			t.Fatalf("worker 1 acquired %d of shard %d, want shard 0", id, s.Owner(id))
		}
		stolen++
	}
	if stolen < 4 || stolen > 6 {
		t.Fatalf("worker 1 stole %d of shard 0's buffers, want 4 to 6 (the rest stay in worker 0's cache)", stolen)
	}
}

func TestMisusePanicsWithClearMessage(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 4, CacheSize: 2})
	id := mustAcquire(t, s, 0)
	s.Release(1, id)
	mustPanic(t, "not acquired (double release?)", func() { s.Release(0, id) })
	mustPanic(t, "not acquired (double release?)", func() { s.Release(1, id) })
	own := mustAcquire(t, s, 1)
	s.Release(1, own)
	mustPanic(t, "not acquired (double release?)", func() { s.Release(1, own) })
	mustPanic(t, "release the Silence", func() { s.Release(0, pool.Silence) })
	mustPanic(t, "write to the Silence", func() { s.Buffer(pool.Silence) })
	mustPanic(t, "out of range (capacity 8)", func() { s.Release(0, 8) })
	mustPanic(t, "write to buffer", func() { s.Buffer(id) })
	mustPanic(t, "view of buffer 99, out of range", func() { s.View(99) })
	mustPanic(t, "owner of buffer", func() { s.Owner(pool.Silence) })
	mustPanic(t, "owner of buffer 8", func() { s.Owner(8) })
	mustPanic(t, "worker 2 out of range", func() { s.Acquire(2) })
	mustPanic(t, "worker -1 out of range", func() { s.Release(-1, id) })
	mustPanic(t, "worker 5 out of range", func() { s.Flush(5) })
	if s.View(pool.Silence) != pool.SilenceBlock() || s.Held(pool.Silence) || s.Held(99) {
		t.Fatal("Silence must view as the shared silence block and never be held")
	}
	if st := exactStats(s).Total(); st.InUse != 0 || st.Releases != 2 {
		t.Fatalf("rejected calls changed the counters: %+v", st)
	}
}

func mustPanic(t *testing.T, want string, f func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one containing %q", want)
		}
		if msg, _ := r.(string); !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Fatalf("panic %q, want one line containing %q", r, want)
		}
	}()
	f()
}

// TestNoAllocations covers every acquire and release path: cache hit, cache
// refill and flush, steal with cross-shard release (and exhaustion, below).
func TestNoAllocations(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 8, CacheSize: 2})
	var ids [8]pool.BufferID
	check := func(name string, f func()) {
		t.Helper()
		if allocs := testing.AllocsPerRun(200, f); allocs != 0 {
			t.Errorf("%s: %v allocations per run", name, allocs)
		}
	}
	check("cache hit", func() {
		id := mustAcquire(t, s, 0)
		s.Buffer(id)[3] = 1
		_ = s.View(id)[3]
		s.Release(0, id)
	})
	check("refill and flush", func() {
		for i := range ids {
			ids[i] = mustAcquire(t, s, 0)
		}
		for _, id := range ids {
			s.Release(0, id)
		}
	})
	s.Flush(0)
	for i := range ids {
		ids[i] = mustAcquire(t, s, 1) // worker 1 holds all of its shard
	}
	check("steal and cross-shard release", func() {
		id := mustAcquire(t, s, 1)
		if s.Owner(id) != 0 {
			t.Fatalf("worker 1 got %d of its own full shard", id)
		}
		s.Release(1, id)
	})
	if st := exactStats(s).Shards[1]; st.Steals == 0 || st.Steals != st.CrossReleases {
		t.Fatalf("worker 1 stats %+v: the steal path was not what ran", st)
	}
}

func TestNoAllocationsWhenExhausted(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 2, CacheSize: 2})
	for i := 0; i < 4; i++ {
		mustAcquire(t, s, i%2)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok := s.Acquire(1); ok {
			t.Fatal("acquire succeeded on an exhausted set")
		}
	})
	if allocs != 0 {
		t.Fatalf("failing acquire allocates %v times per run", allocs)
	}
}

// TestExhaustionUnderContention has every worker grab buffers until none is
// left, all at once, then keep asking: every call must fail at once, the
// buffers handed out must be exactly the capacity, each once.
func TestExhaustionUnderContention(t *testing.T) {
	const workers, extra = 4, 2000
	s := mustNew(t, Config{Workers: workers, BuffersPerShard: 64, CacheSize: 8})
	got := make([][]pool.BufferID, workers)
	slowest := make([]time.Duration, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				id, ok := s.Acquire(w)
				if !ok {
					break
				}
				got[w] = append(got[w], id)
			}
			for i := 0; i < extra; i++ {
				start := time.Now()
				if id, ok := s.Acquire(w); ok {
					t.Errorf("worker %d: acquire after exhaustion returned %d", w, id)
					return
				}
				slowest[w] = max(slowest[w], time.Since(start))
			}
		}()
	}
	wg.Wait()
	seen := make(map[pool.BufferID]bool)
	for w := range got {
		for _, id := range got[w] {
			if seen[id] {
				t.Fatalf("buffer %d handed out twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != s.Capacity() {
		t.Fatalf("%d buffers handed out, want all %d", len(seen), s.Capacity())
	}
	st := exactStats(s)
	for w, sh := range st.Shards {
		if sh.Exhaustions < extra+1 || sh.InUse != 64 {
			t.Errorf("shard %d: %+v, want at least %d exhaustions and 64 in use", w, sh, extra+1)
		}
		// A failing acquire is a handful of loads; a preempted goroutine on
		// this loaded machine can still take milliseconds, so the bound only
		// catches blocking or unbounded spinning.
		if slowest[w] > time.Second {
			t.Errorf("worker %d: slowest failing acquire took %v", w, slowest[w])
		}
	}
}

// TestStatsLagAtMostStatsEvery reads counters without PublishStats, as a
// monitor does while workers run.
func TestStatsLagAtMostStatsEvery(t *testing.T) {
	s := mustNew(t, Config{Workers: 2, BuffersPerShard: 4, CacheSize: 2})
	const pairs = 1000
	for range pairs {
		s.Release(0, mustAcquire(t, s, 0))
	}
	st := s.Stats().Shards[0]
	if st.Acquires > pairs || st.Acquires+statsEvery < pairs || st.Releases > st.Acquires {
		t.Fatalf("after %d pairs Stats shows %+v, want counts within %d of the truth", pairs, st, statsEvery)
	}
	for range 8 {
		s.Acquire(1)
	}
	if got := s.Stats().Shards[1].Exhaustions; got != 1 {
		t.Fatalf("Exhaustions = %d right after one, want it published at once", got)
	}
}

// TestDefaultWorkersFitTheProcess: the default never exceeds the CPUs the
// process may run on, whatever cpuid reports (a VM's cpuid can report the
// host's 254 cores on 2 vCPUs).
func TestDefaultWorkersFitTheProcess(t *testing.T) {
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		got := DefaultWorkers()
		runtime.GOMAXPROCS(old)
		if got < 1 || got > procs {
			t.Errorf("GOMAXPROCS %d: DefaultWorkers() = %d, want 1..%d", procs, got, procs)
		}
	}
}
