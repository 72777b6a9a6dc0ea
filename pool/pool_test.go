package pool

import (
	"strings"
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
		}
	}
}

func TestStorageIsAligned(t *testing.T) {
	for c := 1; c < 40; c++ {
		p := mustNew(t, c)
		for i := 0; i < c; i++ {
			if addr := uintptr(unsafe.Pointer(p.View(BufferID(i)))); addr%Alignment != 0 {
				t.Fatalf("capacity %d: buffer %d at %#x, not %d-byte aligned", c, i, addr, Alignment)
			}
		}
	}
}

func TestExhaustion(t *testing.T) {
	const c = 5
	p := mustNew(t, c)
	seen := map[BufferID]bool{}
	for i := 0; i < c; i++ {
		id, ok := p.Acquire()
		if !ok {
			t.Fatalf("acquire %d failed with %d available", i, p.Available())
		}
		if seen[id] {
			t.Fatalf("buffer %d handed out twice", id)
		}
		seen[id] = true
	}
	if id, ok := p.Acquire(); ok {
		t.Fatalf("acquire on an exhausted pool returned %d", id)
	}
	if p.Available() != 0 {
		t.Fatalf("Available = %d, want 0", p.Available())
	}
}

func TestReleaseIsLIFO(t *testing.T) {
	p := mustNew(t, 8)
	var ids []BufferID
	for i := 0; i < 4; i++ {
		id, _ := p.Acquire()
		ids = append(ids, id)
	}
	p.Release(ids[1])
	p.Release(ids[3])
	if got, _ := p.Acquire(); got != ids[3] {
		t.Fatalf("got %d, want the most recently released %d", got, ids[3])
	}
	if got, _ := p.Acquire(); got != ids[1] {
		t.Fatalf("got %d, want %d", got, ids[1])
	}
}

func TestAcquireZeroesDirtyBuffer(t *testing.T) {
	p := mustNew(t, 2)
	id, _ := p.Acquire()
	for i := range p.Buffer(id) {
		p.Buffer(id)[i] = float32(i) + 1
	}
	p.Release(id)
	again, _ := p.Acquire()
	if again != id {
		t.Fatalf("LIFO: got %d, want %d", again, id)
	}
	for i, v := range p.View(again) {
		if v != 0 {
			t.Fatalf("sample %d = %v after re-acquire, want 0", i, v)
		}
	}
}

func TestSilence(t *testing.T) {
	p := mustNew(t, 4)
	for i, v := range p.View(Silence) {
		if v != 0 {
			t.Fatalf("silence sample %d = %v", i, v)
		}
	}
	if p.Held(Silence) {
		t.Fatal("Silence reported as held")
	}
	mustPanic(t, "write to the Silence", func() { p.Buffer(Silence) })
	mustPanic(t, "release the Silence", func() { p.Release(Silence) })
}

func TestMisusePanicsWithClearMessage(t *testing.T) {
	p := mustNew(t, 4)
	id, _ := p.Acquire()
	p.Release(id)
	mustPanic(t, "not acquired (double release?)", func() { p.Release(id) })
	mustPanic(t, "out of range", func() { p.Release(4) })
	mustPanic(t, "out of range", func() { p.View(99) })
	mustPanic(t, "write to buffer", func() { p.Buffer(id) })
	if p.Available() != 4 {
		t.Fatalf("a rejected release changed the pool: Available = %d", p.Available())
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
		if msg, _ := r.(string); !strings.Contains(msg, want) {
			t.Fatalf("panic %q, want one containing %q", r, want)
		}
	}()
	f()
}

func TestNoAllocations(t *testing.T) {
	p := mustNew(t, 16)
	allocs := testing.AllocsPerRun(1000, func() {
		id, ok := p.Acquire()
		if !ok {
			t.Fatal("exhausted")
		}
		p.Buffer(id)[3] = 1
		_ = p.View(id)[3]
		p.Release(id)
	})
	if allocs != 0 {
		t.Fatalf("acquire+access+release allocates %v times per run", allocs)
	}
}

func BenchmarkAcquireRelease(b *testing.B) {
	p := mustNew(b, DefaultCapacity)
	b.ReportAllocs()
	for b.Loop() {
		id, _ := p.Acquire()
		p.Buffer(id)[0] = 1
		p.Release(id)
	}
}
