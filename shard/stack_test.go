package shard

import (
	"sync/atomic"
	"testing"
)

// untaggedStack is the Treiber stack without the tag: the head is the bare
// index. It exists only to show that the ABA scenario below is real.
type untaggedStack struct {
	head  atomic.Uint32
	links []atomic.Uint32
}

func (s *untaggedStack) pop() (uint32, bool) {
	for {
		old := s.head.Load()
		if old == nilIndex {
			return 0, false
		}
		next := s.links[old].Load()
		if testHookBeforeCAS != nil {
			testHookBeforeCAS()
		}
		if s.head.CompareAndSwap(old, next) {
			return old, true
		}
	}
}

func (s *untaggedStack) push(i uint32) {
	for {
		old := s.head.Load()
		s.links[i].Store(old)
		if s.head.CompareAndSwap(old, i) {
			return
		}
	}
}

// lifo is what both stacks offer the ABA scenario.
type lifo interface {
	pop() (uint32, bool)
	push(uint32)
}

// Buffers of the ABA scenario: the stack starts as a -> b -> c.
const (
	bufA uint32 = iota
	bufB
	bufC
)

// runABA pops once from st, and in the window between that pop's read of
// the head and its CAS lets another goroutine pop a, pop b and push a back.
// The head then names a again, but a's link is now c, and b is held by the
// other goroutine. It returns what the stalled pop got, then what the stack
// hands out after it (until empty, at most 4), and the buffer the other
// goroutine holds.
func runABA(t *testing.T, st lifo) (stalled uint32, rest []uint32, otherHolds uint32) {
	t.Helper()
	st.push(bufC)
	st.push(bufB)
	st.push(bufA)

	var armed atomic.Bool
	armed.Store(true)
	interfere, done := make(chan struct{}), make(chan struct{})
	testHookBeforeCAS = func() {
		if armed.CompareAndSwap(true, false) { // only the first pop stalls
			interfere <- struct{}{}
			<-done
		}
	}
	t.Cleanup(func() { testHookBeforeCAS = nil })

	go func() {
		<-interfere
		a, _ := st.pop()
		b, _ := st.pop()
		st.push(a)
		otherHolds = b
		close(done)
	}()
	stalled, ok := st.pop()
	if !ok {
		t.Fatal("the stalled pop found the stack empty")
	}
	if armed.Load() {
		t.Fatal("the hook never ran: the scenario did not happen")
	}
	for len(rest) < 4 {
		i, ok := st.pop()
		if !ok {
			break
		}
		rest = append(rest, i)
	}
	return stalled, rest, otherHolds // otherHolds is written before done is closed
}

func TestTaggedStackSurvivesABA(t *testing.T) {
	st := &stack{links: make([]atomic.Uint32, 3)}
	st.head.Store(packHead(0, nilIndex))
	stalled, rest, other := runABA(t, st)
	// The stale CAS must fail and the retry pop a, leaving only c.
	if other != bufB || stalled != bufA || len(rest) != 1 || rest[0] != bufC {
		t.Fatalf("tagged stack after ABA: stalled pop got %d, then %v, other goroutine holds %d; want %d, [%d], %d",
			stalled, rest, other, bufA, bufC, bufB)
	}
}

func TestUntaggedStackCorruptsUnderABA(t *testing.T) {
	st := &untaggedStack{links: make([]atomic.Uint32, 3)}
	st.head.Store(nilIndex)
	stalled, rest, other := runABA(t, st)
	// The stale CAS succeeds and installs b as the head, though the other
	// goroutine holds it: the next pop hands b out a second time.
	if stalled != bufA || other != bufB || len(rest) == 0 || rest[0] != bufB {
		t.Fatalf("untagged stack did not corrupt: stalled pop got %d, then %v, other goroutine holds %d", stalled, rest, other)
	}
	t.Logf("untagged stack: buffer %d handed out while the other goroutine holds it, as expected", bufB)
}

func TestStackBatchPopAndPush(t *testing.T) {
	const n = 10
	st := &stack{links: make([]atomic.Uint32, n)}
	st.head.Store(packHead(0, nilIndex))
	for i := uint32(0); i < n; i++ {
		st.push(i)
	}
	var dst [4]uint32
	if k := st.popBatch(dst[:]); k != 4 || dst != [4]uint32{9, 8, 7, 6} {
		t.Fatalf("popBatch = %d, %v; want 4, [9 8 7 6]", k, dst)
	}
	// Push 6 and 8 back as one chain, 6 on top.
	st.links[6].Store(8)
	st.pushChain(6, 8)
	var all []uint32
	for {
		i, ok := st.pop()
		if !ok {
			break
		}
		all = append(all, i)
	}
	want := []uint32{6, 8, 5, 4, 3, 2, 1, 0}
	if len(all) != len(want) {
		t.Fatalf("stack holds %v, want %v", all, want)
	}
	for i := range want {
		if all[i] != want[i] {
			t.Fatalf("stack holds %v, want %v", all, want)
		}
	}
	// 10 pushes, 1 batch pop, 1 chain push, 8 pops: 20 successful CASes.
	if tag := st.head.Load() >> 32; tag != 20 {
		t.Fatalf("tag %d, want 20: every successful CAS must bump it", tag)
	}
}
