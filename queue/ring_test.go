package queue

import (
	"errors"
	"runtime"
	"sync"
	"testing"
)

func TestNewRejectsBadCapacity(t *testing.T) {
	for _, c := range []int{-1, 0, MaxCapacity + 1} {
		if _, err := New[int](c); !errors.Is(err, ErrCapacity) {
			t.Errorf("New(%d) error = %v, want ErrCapacity", c, err)
		}
	}
}

func TestCapacityRoundsUpToPowerOfTwo(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{1, 2}, {2, 2}, {3, 4}, {4, 4}, {1000, 1024}} {
		r, err := New[int](tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if r.Cap() != tc.want {
			t.Errorf("New(%d).Cap() = %d, want %d", tc.in, r.Cap(), tc.want)
		}
	}
}

// TestFIFOAndFull fills rings, the smallest ones included (a one-cell
// Vyukov ring would accept a push into a full cell), to ErrFull and empties
// them, several times round so the sequence numbers wrap cells.
func TestFIFOAndFull(t *testing.T) {
	for _, capacity := range []int{1, 2, 8} {
		r, _ := New[int](capacity)
		n := r.Cap()
		for round := range 5 {
			for i := range n {
				if err := r.Push(round*100 + i); err != nil {
					t.Fatalf("cap %d round %d push %d: %v", n, round, i, err)
				}
			}
			if err := r.Push(-1); !errors.Is(err, ErrFull) {
				t.Fatalf("cap %d: push into full ring: err = %v, want ErrFull", n, err)
			}
			if r.Len() != n {
				t.Fatalf("cap %d: Len = %d, want %d", n, r.Len(), n)
			}
			for i := range n {
				v, ok := r.Pop()
				if !ok || v != round*100+i {
					t.Fatalf("cap %d round %d pop %d = %d, %v", n, round, i, v, ok)
				}
			}
			if v, ok := r.Pop(); ok {
				t.Fatalf("cap %d: pop from empty ring returned %d", n, v)
			}
		}
	}
}

func TestDrainStopsAtDstOrEmpty(t *testing.T) {
	r, _ := New[int](16)
	for i := range 10 {
		_ = r.Push(i)
	}
	dst := make([]int, 4)
	if n := r.Drain(dst); n != 4 || dst[0] != 0 || dst[3] != 3 {
		t.Fatalf("Drain = %d %v, want 4 [0 1 2 3]", n, dst)
	}
	big := make([]int, 16)
	if n := r.Drain(big); n != 6 || big[0] != 4 || big[5] != 9 {
		t.Fatalf("Drain = %d %v, want 6 starting at 4", n, big[:n])
	}
	if n := r.Drain(big); n != 0 {
		t.Fatalf("Drain of empty ring = %d", n)
	}
}

func TestPushPopDrainAllocateNothing(t *testing.T) {
	type event struct {
		a, b uint64
		f    float32
	}
	r, _ := New[event](64)
	dst := make([]event, 64)
	allocs := testing.AllocsPerRun(100, func() {
		for i := range 40 {
			_ = r.Push(event{a: uint64(i)})
		}
		_, _ = r.Pop()
		r.Drain(dst)
	})
	if allocs != 0 {
		t.Fatalf("allocs per run = %v, want 0", allocs)
	}
}

// TestStressManyProducers has several producers push tagged values while
// one consumer drains; every value must arrive exactly once and each
// producer's values in the order it pushed them. Run with
// go test -race -cpu=1,2,4.
func TestStressManyProducers(t *testing.T) {
	const producers = 4
	perProducer := 20000
	if testing.Short() {
		perProducer = 2000
	}
	r, _ := New[uint64](64) // small, so producers keep hitting ErrFull
	var wg sync.WaitGroup
	var full [producers]int
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perProducer; {
				if r.Push(uint64(p)<<32|uint64(i)) != nil {
					full[p]++
					runtime.Gosched() // let the consumer run on -cpu=1
					continue
				}
				i++
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()

	next := make([]int, producers)
	total := 0
	buf := make([]uint64, 32)
	check := func(n int) {
		for _, v := range buf[:n] {
			p, i := int(v>>32), int(v&0xffffffff)
			if p >= producers || i != next[p] {
				t.Fatalf("producer %d: got value %d, want %d (lost, duplicated or reordered)", p, i, next[p])
			}
			next[p]++
			total++
		}
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		if n := r.Drain(buf); n > 0 {
			check(n)
		} else {
			runtime.Gosched()
		}
	}
	for n := r.Drain(buf); n > 0; n = r.Drain(buf) {
		check(n)
	}
	if total != producers*perProducer {
		t.Fatalf("received %d values, want %d", total, producers*perProducer)
	}
	t.Logf("ErrFull retries per producer: %v", full)
}

// TestStressManyConsumers checks the MPMC property: with two consumers as
// well as several producers, the union of what they popped is every value
// exactly once.
func TestStressManyConsumers(t *testing.T) {
	const producers, consumers, per = 3, 2, 5000
	r, _ := New[uint32](32)
	seen := make([][]uint32, consumers)
	var pw, cw sync.WaitGroup
	quit := make(chan struct{})
	for p := range producers {
		pw.Add(1)
		go func() {
			defer pw.Done()
			for i := 0; i < per; {
				if r.Push(uint32(p*per+i)) == nil {
					i++
				} else {
					runtime.Gosched()
				}
			}
		}()
	}
	for c := range consumers {
		cw.Add(1)
		go func() {
			defer cw.Done()
			for {
				v, ok := r.Pop()
				if ok {
					seen[c] = append(seen[c], v)
					continue
				}
				select {
				case <-quit:
					for v, ok := r.Pop(); ok; v, ok = r.Pop() {
						seen[c] = append(seen[c], v)
					}
					return
				default:
					runtime.Gosched()
				}
			}
		}()
	}
	pw.Wait()
	close(quit)
	cw.Wait()
	count := make([]int, producers*per)
	for _, s := range seen {
		for _, v := range s {
			count[v]++
		}
	}
	for v, n := range count {
		if n != 1 {
			t.Fatalf("value %d popped %d times, want 1", v, n)
		}
	}
}
