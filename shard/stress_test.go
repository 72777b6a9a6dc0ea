package shard

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
)

// Sizes of the race stress test. The issue asks for at least 8 goroutines
// of 10^5 operations each. Shards are small, and the goroutines together
// may hold more than there is, so that workers run their shard dry, steal
// and hit exhaustion as well as take the cache path.
const (
	stressWorkers  = 8
	stressOps      = 100_000
	stressPerShard = 12
	stressCache    = 2  // the smallest cache: many refills and flushes
	stressMaxHeld  = 16 // most buffers one goroutine holds at once, usually
	// For greedyOps of every greedyPeriod operations a goroutine acquires
	// far more than it releases and may hold everything, so that every run
	// hits exhaustion, even when goroutines run one at a time (-cpu=1).
	greedyPeriod = 4096
	greedyOps    = 256
	stressInbox  = 2  // buffers in transit to one goroutine
	transit      = -1 // owners[i] while buffer i is handed between goroutines
)

// marks are the samples a holder writes and checks before releasing: the
// ends and two inside, enough to catch a buffer zeroed or written by
// another holder, cheap enough under the race detector.
var marks = [...]int{0, 21, 42, block.Size - 1}

// TestStressOwnership runs stressWorkers goroutines, one per worker, that
// acquire, hold buffers for a random number of operations, write a
// signature into them, and release them, some on their own worker and some
// after handing them to another goroutine, which releases them across
// shards. An ownership table, updated with CAS around every acquire and
// release, asserts that no buffer is ever held by two goroutines; the
// signature asserts that writes survive until release; at the end every
// buffer must be back. Run it under go test -race -cpu=1,2,4.
func TestStressOwnership(t *testing.T) {
	s := mustNew(t, Config{Workers: stressWorkers, BuffersPerShard: stressPerShard, CacheSize: stressCache})
	owners := make([]atomic.Int32, s.Capacity()) // 0: free, g+1: held by goroutine g, transit
	inbox := make([]chan pool.BufferID, stressWorkers)
	for g := range inbox {
		inbox[g] = make(chan pool.BufferID, stressInbox)
	}

	stop := make(chan struct{})
	watcher := make(chan error, 1)
	go func() { watcher <- watchStats(s, stop) }()

	// running[g] is cleared when goroutine g stops taking in buffers, so
	// that the others stop handing it buffers it would strand.
	running := make([]atomic.Bool, stressWorkers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < stressWorkers; g++ {
		running[g].Store(true)
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer running[g].Store(false)
			<-start
			if err := stressWorker(s, g, owners, inbox, running); err != "" {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(stop)
	if err := <-watcher; err != nil {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	// Everyone has stopped: release what is still in transit, flush the
	// caches, and check that every buffer is back.
	for g := range inbox {
		close(inbox[g])
		for id := range inbox[g] {
			owners[id].Store(0)
			s.Release(g, id)
		}
		s.Flush(g)
	}
	st := exactStats(s)
	tot := st.Total()
	if tot.InUse != 0 || tot.Acquires != tot.Releases {
		t.Fatalf("after the run: %+v, want nothing in use and as many releases as acquires", tot)
	}
	if tot.Steals == 0 || tot.CrossReleases == 0 || tot.Exhaustions == 0 {
		t.Errorf("the run missed a path: %+v, want steals, cross releases and exhaustions", tot)
	}
	seen := make([]bool, s.Capacity())
	for n := 0; ; n++ {
		id, ok := s.Acquire(0)
		if !ok {
			if n != s.Capacity() {
				t.Fatalf("only %d of %d buffers came back", n, s.Capacity())
			}
			break
		}
		if seen[id] {
			t.Fatalf("buffer %d handed out twice after the run", id)
		}
		seen[id] = true
	}
	t.Logf("%d goroutines x %d ops: %+v", stressWorkers, stressOps, tot)
}

// stressWorker is goroutine g of TestStressOwnership; it returns a
// description of the first violation it sees, or "".
func stressWorker(s *Set, g int, owners []atomic.Int32, inbox []chan pool.BufferID, running []atomic.Bool) string {
	rng := rand.New(rand.NewPCG(uint64(g), 42))
	me := int32(g + 1)
	held := make([]pool.BufferID, s.Capacity())
	seq := make([]float32, s.Capacity()) // signature written into held[k]
	n := 0
	sig := float32(g) * 1e6

	release := func(k int, onWorker int) string {
		id := held[k]
		if err := checkMarks(s, id, seq[k]); err != "" {
			return err
		}
		if !owners[id].CompareAndSwap(me, 0) {
			return fmt.Sprintf("goroutine %d: buffer %d owned by %d at release", g, id, owners[id].Load())
		}
		s.Release(onWorker, id)
		n--
		held[k], seq[k] = held[n], seq[n]
		return ""
	}

	for op := 0; op < stressOps; op++ {
		// Take in one buffer handed over by another goroutine, if any, and
		// release it here: a cross-shard release unless it is ours.
		select {
		case id := <-inbox[g]:
			if !owners[id].CompareAndSwap(transit, me) {
				return fmt.Sprintf("goroutine %d: received buffer %d owned by %d", g, id, owners[id].Load())
			}
			owners[id].Store(0)
			s.Release(g, id)
		default:
		}
		greedy := op%greedyPeriod < greedyOps
		limit := stressMaxHeld
		if greedy {
			limit = len(held)
		}
		switch r := rng.IntN(10); {
		case n < limit && (r < 5 || greedy && r < 8):
			id, ok := s.Acquire(g)
			if !ok {
				continue
			}
			if !owners[id].CompareAndSwap(0, me) {
				return fmt.Sprintf("goroutine %d: acquired buffer %d held by %d", g, id, owners[id].Load())
			}
			buf := s.Buffer(id)
			for _, m := range marks {
				if buf[m] != 0 {
					return fmt.Sprintf("goroutine %d: acquired buffer %d not zeroed at %d", g, id, m)
				}
			}
			sig++
			for _, m := range marks {
				buf[m] = sig
			}
			held[n], seq[n] = id, sig
			n++
		case n > 0 && r < 8:
			if err := release(rng.IntN(n), g); err != "" {
				return err
			}
		case n > 0 && r == 8:
			// Hand a buffer to another goroutine, which releases it.
			k, to := rng.IntN(n), rng.IntN(stressWorkers)
			if !running[to].Load() {
				continue
			}
			id := held[k]
			if err := checkMarks(s, id, seq[k]); err != "" {
				return err
			}
			if !owners[id].CompareAndSwap(me, transit) {
				return fmt.Sprintf("goroutine %d: buffer %d owned by %d at hand-over", g, id, owners[id].Load())
			}
			select {
			case inbox[to] <- id:
				n--
				held[k], seq[k] = held[n], seq[n]
			default: // their inbox is full: keep it
				owners[id].Store(me)
			}
		}
	}
	for n > 0 {
		if err := release(n-1, g); err != "" {
			return err
		}
	}
	return ""
}

func checkMarks(s *Set, id pool.BufferID, want float32) string {
	buf := s.View(id)
	for _, m := range marks {
		if buf[m] != want {
			return fmt.Sprintf("buffer %d sample %d = %v, want %v: overwritten while held", id, m, buf[m], want)
		}
	}
	return ""
}

// watchStats reads the counters while the workers run, as a monitor would,
// and checks that what only grows does grow.
func watchStats(s *Set, stop chan struct{}) error {
	var last ShardStats
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		tot := s.Stats().Total()
		if tot.Acquires < last.Acquires || tot.Releases < last.Releases || tot.HighWater < last.HighWater {
			return fmt.Errorf("counters went backwards: %+v after %+v", tot, last)
		}
		last = tot
		runtime.Gosched()
	}
}
