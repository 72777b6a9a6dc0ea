package scheduler

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aether-audio/aether/block"
)

var strategies = []WaitStrategy{Hybrid, Spin, Park}

// chunkValue is what the test ChunkFunc writes: magnitudes that differ by
// orders of magnitude, so a sum in any other order than chunk order gives
// other bits.
func chunkValue(block, chunk, i int) float32 {
	x := float32(math.Sin(float64(block*7919+chunk*131+i))) * float32(math.Pow(10, float64(chunk%9-4)))
	return x
}

// recorder is a ChunkFunc that checks its buses arrive zeroed, counts
// renders per chunk and writes chunkValue.
type recorder struct {
	block   atomic.Int64
	renders []atomic.Int32
	dirty   atomic.Int32
}

func newRecorder(maxChunks int) *recorder {
	return &recorder{renders: make([]atomic.Int32, maxChunks)}
}

func (r *recorder) render(worker, chunk int, left, right *block.Block) {
	for i := range left {
		if left[i] != 0 || right[i] != 0 {
			r.dirty.Add(1)
			break
		}
	}
	r.renders[chunk].Add(1)
	b := int(r.block.Load())
	for i := range left {
		left[i] = chunkValue(b, chunk, i)
		right[i] = -chunkValue(b, chunk, i+64)
	}
}

// reference sums chunkValue serially, in chunk order.
func reference(block, chunks int) (l, r block.Block) {
	for c := range chunks {
		for i := range l {
			l[i] += chunkValue(block, c, i)
			r[i] += -chunkValue(block, c, i+64)
		}
	}
	return l, r
}

func TestNewRejectsBadConfig(t *testing.T) {
	nop := func(int, int, *block.Block, *block.Block) {}
	for _, tc := range []struct {
		name string
		cfg  Config
		fn   ChunkFunc
	}{
		{"nil func", Config{Workers: 1}, nil},
		{"negative workers", Config{Workers: -1}, nop},
		{"bad strategy", Config{Workers: 1, Wait: 7}, nop},
		{"negative spin", Config{Workers: 1, SpinTime: -time.Second}, nop},
		{"too many chunks", Config{Workers: 1, MaxChunks: MaxChunkLimit + 1}, nop},
		{"shards too small", Config{Workers: 2, MaxChunks: 64, BuffersPerShard: 64, CacheSize: 8}, nop},
		{"cache above shard", Config{Workers: 2, BuffersPerShard: 4, CacheSize: 8}, nop},
	} {
		s, err := New(tc.cfg, tc.fn)
		if !errors.Is(err, ErrConfig) {
			t.Errorf("%s: New error = %v, want ErrConfig", tc.name, err)
		}
		if s != nil {
			s.Close()
		}
	}
}

func TestDefaultsUsePhysicalCores(t *testing.T) {
	s, err := New(Config{}, func(int, int, *block.Block, *block.Block) {})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Workers() < 1 || s.MaxChunks() != DefaultMaxChunks {
		t.Fatalf("Workers %d MaxChunks %d", s.Workers(), s.MaxChunks())
	}
}

func TestRenderBlockErrors(t *testing.T) {
	rec := newRecorder(8)
	s, err := New(Config{Workers: 2, MaxChunks: 8}, rec.render)
	if err != nil {
		t.Fatal(err)
	}
	var l, r block.Block
	for _, n := range []int{-1, 9} {
		if err := s.RenderBlock(n, &l, &r); !errors.Is(err, ErrChunks) {
			t.Errorf("RenderBlock(%d) error = %v, want ErrChunks", n, err)
		}
	}
	if err := s.RenderBlock(1, nil, &r); !errors.Is(err, ErrNilBus) {
		t.Errorf("RenderBlock(nil bus) error = %v, want ErrNilBus", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.RenderBlock(1, &l, &r); !errors.Is(err, ErrClosed) {
		t.Fatalf("RenderBlock after Close error = %v, want ErrClosed", err)
	}
}

// TestDeterministicAcrossWorkersAndStrategies renders the same blocks with
// 1, 2, 3, 4 and 8 workers and every wait strategy and wants the serial
// chunk-order sum, bit for bit, every chunk rendered exactly once into a
// zeroed bus.
func TestDeterministicAcrossWorkersAndStrategies(t *testing.T) {
	const maxChunks = 40
	for _, wait := range strategies {
		for _, workers := range []int{1, 2, 3, 4, 8} {
			rec := newRecorder(maxChunks)
			s, err := New(Config{Workers: workers, Wait: wait, MaxChunks: maxChunks}, rec.render)
			if err != nil {
				t.Fatal(err)
			}
			for b := range 60 {
				chunks := (b * 7) % (maxChunks + 1)
				rec.block.Store(int64(b))
				var l, r block.Block
				if err := s.RenderBlock(chunks, &l, &r); err != nil {
					t.Fatal(err)
				}
				wl, wr := reference(b, chunks)
				if l != wl || r != wr {
					t.Fatalf("%v/%d workers: block %d (%d chunks) differs from the chunk-order sum", wait, workers, b, chunks)
				}
				for c := range maxChunks {
					want := int32(0)
					if c < chunks {
						want = 1
					}
					if got := rec.renders[c].Swap(0); got != want {
						t.Fatalf("%v/%d workers: block %d chunk %d rendered %d times, want %d", wait, workers, b, c, got, want)
					}
				}
			}
			if rec.dirty.Load() != 0 {
				t.Fatalf("%v/%d workers: %d chunks got a bus that was not zeroed", wait, workers, rec.dirty.Load())
			}
			st := s.Stats()
			if st.Blocks != 60 {
				t.Fatalf("Stats.Blocks = %d, want 60", st.Blocks)
			}
			s.Close()
		}
	}
}

func TestRenderBlockAddsIntoBus(t *testing.T) {
	s, err := New(Config{Workers: 2, MaxChunks: 4}, func(_, c int, l, r *block.Block) {
		l[0], r[1] = float32(c+1), 1
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l, r := block.Block{0: 100}, block.Block{}
	if err := s.RenderBlock(3, &l, &r); err != nil {
		t.Fatal(err)
	}
	if l[0] != 106 || r[1] != 3 {
		t.Fatalf("got l[0]=%v r[1]=%v, want 106 and 3", l[0], r[1])
	}
}

func TestRenderBlockAllocatesNothing(t *testing.T) {
	for _, wait := range strategies {
		rec := newRecorder(32)
		s, err := New(Config{Workers: 3, Wait: wait, MaxChunks: 32}, rec.render)
		if err != nil {
			t.Fatal(err)
		}
		var l, r block.Block
		allocs := testing.AllocsPerRun(200, func() {
			if err := s.RenderBlock(32, &l, &r); err != nil {
				t.Fatal(err)
			}
		})
		s.Close()
		if allocs != 0 {
			t.Fatalf("%v: allocs per block = %v, want 0", wait, allocs)
		}
	}
}

// TestWorkersShareTheWork checks that with slow chunks every worker takes
// part, and that wake latency is measured.
func TestWorkersShareTheWork(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2 for a second worker to run beside the caller")
	}
	s, err := New(Config{Workers: 2, Wait: Spin, MaxChunks: 16}, func(int, int, *block.Block, *block.Block) {
		time.Sleep(100 * time.Microsecond)
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var l, r block.Block
	for range 50 {
		if err := s.RenderBlock(16, &l, &r); err != nil {
			t.Fatal(err)
		}
	}
	w0, w1 := s.WorkerStats(0), s.WorkerStats(1)
	if w0.Chunks+w1.Chunks != 800 || w1.Chunks == 0 {
		t.Fatalf("chunks by worker: %d and %d, want 800 in all with both > 0", w0.Chunks, w1.Chunks)
	}
	st := s.Stats()
	if st.Wakes == 0 || st.WakeMax <= 0 || st.BlockMean <= 0 {
		t.Fatalf("stats not recorded: %+v", st)
	}
	t.Logf("%+v", st)
}

func TestParkedWorkersWake(t *testing.T) {
	rec := newRecorder(8)
	s, err := New(Config{Workers: 3, Wait: Hybrid, SpinTime: time.Microsecond, MaxChunks: 8}, rec.render)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var l, r block.Block
	for b := range 20 {
		time.Sleep(200 * time.Microsecond) // longer than SpinTime: workers park
		rec.block.Store(int64(b))
		l, r = block.Block{}, block.Block{}
		if err := s.RenderBlock(8, &l, &r); err != nil {
			t.Fatal(err)
		}
		if wl, wr := reference(b, 8); l != wl || r != wr {
			t.Fatalf("block %d differs after parking", b)
		}
	}
	if st := s.Stats(); st.Parks == 0 {
		t.Fatalf("no worker parked: %+v", st)
	}
}

// TestUninvitedWorkersPark renders blocks with fewer chunks than workers,
// back to back, much more often than SpinTime: the workers who cannot get
// a chunk must not take them as a reason to keep spinning, but park after
// SpinTime, and a block must wake only the workers it can use.
func TestUninvitedWorkersPark(t *testing.T) {
	rec := newRecorder(4)
	s, err := New(Config{Workers: 3, Wait: Hybrid, SpinTime: time.Millisecond, MaxChunks: 4}, rec.render)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	parked := func(w int) bool { return s.workers[w].parker.parked.Load() == 1 }
	var l, r block.Block
	deadline := time.Now().Add(5 * time.Second)
	for b := 0; !parked(1) || !parked(2); b++ {
		if time.Now().After(deadline) {
			t.Fatalf("workers 1 and 2 parked: %v %v after %d one-chunk blocks in 5 s, want both parked after SpinTime",
				parked(1), parked(2), b)
		}
		rec.block.Store(int64(b))
		l, r = block.Block{}, block.Block{}
		if err := s.RenderBlock(1, &l, &r); err != nil {
			t.Fatal(err)
		}
		if wl, wr := reference(b, 1); l != wl || r != wr {
			t.Fatalf("block %d differs", b)
		}
	}
	if st := s.Stats(); st.Wakes != 0 {
		t.Fatalf("one-chunk blocks woke workers %d times, want 0", st.Wakes)
	}
	// A two-chunk block wakes worker 1 only.
	rec.block.Store(1000)
	l, r = block.Block{}, block.Block{}
	if err := s.RenderBlock(2, &l, &r); err != nil {
		t.Fatal(err)
	}
	if wl, wr := reference(1000, 2); l != wl || r != wr {
		t.Fatal("two-chunk block differs")
	}
	for !parked(1) && time.Now().Before(deadline) {
		time.Sleep(100 * time.Microsecond) // worker 1 goes back to waiting
	}
	if w1, w2 := s.WorkerStats(1), s.WorkerStats(2); w1.Wakes != 1 || w2.Wakes != 0 || !parked(2) {
		t.Fatalf("after a two-chunk block: worker 1 woke %d times, worker 2 %d times (parked %v); want 1 and 0 (parked)",
			w1.Wakes, w2.Wakes, parked(2))
	}
}

// TestFrontAndBack checks who renders what, deterministically: the caller
// takes chunks from the front and the workers from the back, so each
// keeps its chunks block after block, and neither waits for the other: an
// absent worker leaves every chunk to the caller, and a held caller
// leaves all but its first to the worker.
func TestFrontAndBack(t *testing.T) {
	const chunks = 6
	gate := make(chan struct{})
	var order [2][]int // order[w]: the chunks worker w rendered, in order
	var w1Chunks atomic.Int32
	var stuck, block2, callerIn atomic.Bool
	waitFor := func(cond func() bool) {
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(50 * time.Microsecond) {
			if time.Now().After(deadline) {
				stuck.Store(true)
				return
			}
		}
	}
	render := func(w, c int, l, r *block.Block) {
		order[w] = append(order[w], c)
		if block2.Load() && w == 0 && c == 0 {
			// Hold the caller in its first chunk until worker 1 has
			// rendered all the others.
			callerIn.Store(true)
			waitFor(func() bool { return w1Chunks.Load() >= 5 })
		}
		if block2.Load() && w == 1 {
			waitFor(callerIn.Load) // the caller has its first chunk
			w1Chunks.Add(1)
		}
		for i := range l {
			l[i] = float32(c + 1)
		}
	}
	s, err := New(Config{Workers: 2, Wait: Park, MaxChunks: chunks, ThreadInit: func(int) { <-gate }}, render)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var l, r block.Block
	check := func(what string, want [2][]int) {
		t.Helper()
		if l[0] != 21 { // 1+2+...+6: every chunk once
			t.Fatalf("%s: sum %v, want 21", what, l[0])
		}
		if !slices.Equal(order[0], want[0]) || !slices.Equal(order[1], want[1]) {
			t.Fatalf("%s: worker 0 rendered %v, worker 1 %v; want %v and %v", what, order[0], order[1], want[0], want[1])
		}
	}

	// Worker 1 is held in ThreadInit: the caller renders every chunk.
	if err := s.RenderBlock(chunks, &l, &r); err != nil {
		t.Fatal(err)
	}
	check("worker 1 absent", [2][]int{{0, 1, 2, 3, 4, 5}, nil})

	// Worker 1 comes; the caller is held in its first chunk: worker 1
	// renders the others from the back.
	close(gate)
	for s.workers[1].parker.parked.Load() == 0 {
		time.Sleep(50 * time.Microsecond) // worker 1 done with block 1
	}
	order, l = [2][]int{}, block.Block{}
	block2.Store(true)
	if err := s.RenderBlock(chunks, &l, &r); err != nil {
		t.Fatal(err)
	}
	if stuck.Load() {
		t.Fatalf("stuck: worker 1 rendered %v, the caller %v", order[1], order[0])
	}
	check("caller held", [2][]int{{0}, {5, 4, 3, 2, 1}})
}

// TestEpochWrap renders across the wrap of the 32-bit block epoch, after
// blocks that left their epochs in the finished flags of chunks the
// blocks around the wrap do not use: without the reset every 2^16 blocks,
// those old values would pass for the new blocks', and a chunk would be
// summed before it was rendered.
func TestEpochWrap(t *testing.T) {
	const maxChunks = 12
	for _, wait := range strategies {
		rec := newRecorder(maxChunks)
		s, err := New(Config{Workers: 3, Wait: wait, MaxChunks: maxChunks}, rec.render)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for b := range 24 {
				// Blocks 0-7 (epochs 1-8) use every chunk; blocks 8-18
				// only the first, through the wrap (epochs 2^32-4 to
				// 2^32-1, then 1 to 7); block 19 has epoch 8 again and
				// every chunk.
				chunks := maxChunks
				if b == 8 {
					s.epoch = math.MaxUint32 - 4
				}
				if b >= 8 && b < 19 {
					chunks = 1
				}
				rec.block.Store(int64(b))
				var l, r block.Block
				if err := s.RenderBlock(chunks, &l, &r); err != nil {
					t.Error(err)
					return
				}
				if wl, wr := reference(b, chunks); l != wl || r != wr {
					t.Errorf("%v: block %d (epoch %d) differs", wait, b, s.epoch)
					return
				}
			}
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%v: blocks across the epoch wrap hang", wait)
		}
		s.Close()
		for c := range maxChunks {
			if n := rec.renders[c].Load(); n == 0 {
				t.Errorf("%v: chunk %d never rendered", wait, c)
			}
		}
	}
}

func TestCloseStopsWorkers(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, wait := range strategies {
		s, err := New(Config{Workers: 4, Wait: wait, MaxChunks: 4}, newRecorder(4).render)
		if err != nil {
			t.Fatal(err)
		}
		var l, r block.Block
		_ = s.RenderBlock(4, &l, &r)
		if err := s.Close(); err != nil {
			t.Fatalf("%v: Close: %v", wait, err)
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines after Close, %d before", n, before)
	}
}

// TestStressConcurrentStatsAndBusy renders many blocks of varying size on
// more workers than cores while other goroutines read Stats and try to
// render concurrently (which must fail with ErrBusy, not corrupt the
// block). Run it with -race.
func TestStressConcurrentStatsAndBusy(t *testing.T) {
	const maxChunks = 24
	blocks := 400
	if testing.Short() {
		blocks = 100
	}
	rec := newRecorder(maxChunks)
	s, err := New(Config{Workers: 4, MaxChunks: maxChunks}, rec.render)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var busy atomic.Int64
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var l, r block.Block
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = s.Stats()
				if errors.Is(s.RenderBlock(0, &l, &r), ErrBusy) {
					busy.Add(1)
				}
				runtime.Gosched()
			}
		}()
	}
	for b := range blocks {
		chunks := 1 + b%maxChunks
		rec.block.Store(int64(b))
		var l, r block.Block
		for {
			err := s.RenderBlock(chunks, &l, &r)
			if err == nil {
				break
			}
			if !errors.Is(err, ErrBusy) {
				t.Fatal(err)
			}
			runtime.Gosched()
		}
		if wl, wr := reference(b, chunks); l != wl || r != wr {
			t.Fatalf("block %d differs", b)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("ErrBusy seen %d times; %+v", busy.Load(), s.Stats())
}

// TestThreadInitRunsOncePerWorker checks the hook runs once on each worker
// (not the caller), before the worker renders, and that the workers still
// render correctly afterwards on their locked threads.
func TestThreadInitRunsOncePerWorker(t *testing.T) {
	rec := newRecorder(8)
	var calls [4]atomic.Int32
	s, err := New(Config{Workers: 4, Wait: Park, MaxChunks: 8, ThreadInit: func(w int) { calls[w].Add(1) }}, rec.render)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for b := range 10 {
		rec.block.Store(int64(b))
		var l, r block.Block
		if err := s.RenderBlock(8, &l, &r); err != nil {
			t.Fatal(err)
		}
		if wl, wr := reference(b, 8); l != wl || r != wr {
			t.Fatalf("block %d differs with ThreadInit", b)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for w := 1; w < 4; w++ {
		for calls[w].Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond) // a worker may not have started yet
		}
	}
	for w := range calls {
		if got, want := calls[w].Load(), int32(min(w, 1)); got != want {
			t.Errorf("worker %d: ThreadInit ran %d times, want %d", w, got, want)
		}
	}
}

// TestWorkerPanicCrashes checks that a panic on a worker ends the program
// loudly, with the worker's stack, as a panic in any goroutine does: a
// worker that vanished with its chunk unfinished (a task pool that
// recovers panics would do that) would leave RenderBlock waiting forever.
// The panicking scheduler runs in a child process: this test binary, run
// again.
func TestWorkerPanicCrashes(t *testing.T) {
	if os.Getenv("SCHEDULER_PANIC_CHILD") == "1" {
		s, err := New(Config{Workers: 2, Wait: Spin, MaxChunks: 64}, func(w, c int, l, r *block.Block) {
			if w == 1 {
				panic("chunk exploded")
			}
			time.Sleep(time.Millisecond) // leave chunks for worker 1
		})
		if err != nil {
			t.Fatal(err)
		}
		var l, r block.Block
		for range 100 {
			_ = s.RenderBlock(64, &l, &r)
		}
		t.Fatal("worker 1 never panicked")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWorkerPanicCrashes$")
	cmd.Env = append(os.Environ(), "SCHEDULER_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if ctx.Err() != nil || !errors.As(err, &exit) || exit.ExitCode() != 2 ||
		!strings.Contains(string(out), "panic: chunk exploded") ||
		!strings.Contains(string(out), "scheduler.(*Scheduler).work(") {
		t.Fatalf("child: err %v (context %v), output:\n%s", err, ctx.Err(), out)
	}
}
