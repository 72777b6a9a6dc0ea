package pool

import (
	"strings"
	"sync"
	"testing"
	"unsafe"
)

func mustNew(t testing.TB, capacity int) *Pool {
	t.Helper()
	p, err := New(capacity)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewRejectsAbsurdCapacity(t *testing.T) {
	for _, c := range []int{-1, 0, MaxCapacity + 1, 1 << 40} {
		if _, err := New(c); err == nil {
			t.Errorf("New(%d): no error", c)
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("New(%d): error %q is not one line", c, err)
		}
	}
}

func TestStorageIsAligned(t *testing.T) {
	for c := 1; c < 40; c++ {
		p := mustNew(t, c)
		if p.Capacity() != c {
			t.Fatalf("Capacity() = %d, want %d", p.Capacity(), c)
		}
		for i := 0; i < c; i++ {
			if addr := uintptr(unsafe.Pointer(p.View(BufferID(i)))); addr%Alignment != 0 {
				t.Fatalf("capacity %d: buffer %d at %#x, not %d-byte aligned", c, i, addr, Alignment)
			}
		}
	}
}

func TestBuffersAreDisjoint(t *testing.T) {
	const c = 5
	p := mustNew(t, c)
	for i := range c {
		p.Acquire(BufferID(i))[0] = float32(i + 1)
		p.Buffer(BufferID(i))[63] = float32(i + 1)
	}
	for i := range c {
		if b := p.View(BufferID(i)); b[0] != float32(i+1) || b[63] != float32(i+1) {
			t.Fatalf("buffer %d reads %v..%v, want %d at both ends", i, b[0], b[63], i+1)
		}
	}
}

func TestAcquireZeroesDirtyBuffer(t *testing.T) {
	p := mustNew(t, 2)
	b := p.Acquire(1)
	if b != p.View(1) {
		t.Fatal("Acquire returned another block than View")
	}
	for i := range b {
		b[i] = float32(i) + 1
	}
	p.Release(1)
	for i, v := range p.Acquire(1) {
		if v != 0 {
			t.Fatalf("sample %d = %v after re-acquire, want 0", i, v)
		}
	}
}

func TestHeldFollowsAcquireAndRelease(t *testing.T) {
	p := mustNew(t, 3)
	if p.Held(2) {
		t.Fatal("a new buffer is held")
	}
	p.Acquire(2)
	if !p.Held(2) || p.Held(1) {
		t.Fatal("Held does not follow Acquire")
	}
	p.Release(2)
	if p.Held(2) {
		t.Fatal("Held does not follow Release")
	}
	if p.Held(3) || p.Held(Silence) {
		t.Fatal("an out-of-range handle or Silence reports as held")
	}
}

func TestSilence(t *testing.T) {
	p := mustNew(t, 4)
	if p.View(Silence) != SilenceBlock() {
		t.Fatal("View(Silence) is not the shared silence block")
	}
	for i, v := range p.View(Silence) {
		if v != 0 {
			t.Fatalf("silence sample %d = %v", i, v)
		}
	}
	mustPanic(t, "pool: write to the Silence buffer", func() { p.Buffer(Silence) })
	mustPanic(t, "pool: release the Silence buffer", func() { p.Release(Silence) })
	mustPanic(t, "pool: acquire the Silence buffer", func() { p.Acquire(Silence) })
}

func TestMisusePanicsWithClearMessage(t *testing.T) {
	p := mustNew(t, 4)
	p.Acquire(1)
	p.Release(1)
	mustPanic(t, "pool: release buffer 1, which is not acquired (double release?)", func() { p.Release(1) })
	mustPanic(t, "pool: write to buffer 1, which is not acquired", func() { p.Buffer(1) })
	mustPanic(t, "pool: release buffer 4, out of range (capacity 4)", func() { p.Release(4) })
	mustPanic(t, "pool: view of buffer 99, out of range (capacity 4)", func() { p.View(99) })
	mustPanic(t, "pool: acquire buffer 7, out of range", func() { p.Acquire(7) })
	p.Acquire(2)
	mustPanic(t, "pool: acquire buffer 2, which is already held", func() { p.Acquire(2) })
	if !p.Held(2) || p.Held(1) {
		t.Fatal("a rejected call changed a held flag")
	}
}

// TestConcurrentDoubleReleaseOnePanics releases each buffer from two
// goroutines at once: exactly one release of each must succeed and the
// other panic, whoever comes first.
func TestConcurrentDoubleReleaseOnePanics(t *testing.T) {
	const c = 2000
	p := mustNew(t, c)
	for i := range c {
		p.Acquire(BufferID(i))
	}
	var panics [2]int
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range c {
				func() {
					defer func() {
						if recover() != nil {
							panics[g]++
						}
					}()
					p.Release(BufferID(i))
				}()
			}
		}()
	}
	close(start)
	wg.Wait()
	if panics[0]+panics[1] != c {
		t.Fatalf("%d + %d releases panicked, want exactly one of each pair: %d", panics[0], panics[1], c)
	}
	for i := range c {
		if p.Held(BufferID(i)) {
			t.Fatalf("buffer %d still held", i)
		}
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

func TestNoAllocations(t *testing.T) {
	p := mustNew(t, 16)
	allocs := testing.AllocsPerRun(1000, func() {
		p.Acquire(3)[3] = 1
		p.Buffer(3)[4] = 1
		_ = p.View(3)[3]
		p.Release(3)
	})
	if allocs != 0 {
		t.Fatalf("acquire+access+release allocates %v times per run", allocs)
	}
}

// BenchmarkAcquireRelease is what a free list on top of the pool pays per
// buffer: the held-flag store and zeroing of Acquire, a write, and the
// held-flag swap of Release.
func BenchmarkAcquireRelease(b *testing.B) {
	p := mustNew(b, 1024)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		id := BufferID(i & 1023)
		p.Acquire(id)[0] = 1
		p.Release(id)
		i++
	}
}
