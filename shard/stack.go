package shard

import (
	"math"
	"sync/atomic"
)

// nilIndex marks the end of a free list, both in a stack's head and in the
// links. It is the value of pool.Silence, which is never a real buffer.
const nilIndex = math.MaxUint32

// testHookBeforeCAS, when not nil, runs in pop between reading the head
// (and the links below it) and the compare-and-swap that commits the pop.
// It is nil in production, so the check is one always-not-taken branch; the
// deterministic ABA test sets it to let another goroutine pop-pop-push in
// exactly the window where an untagged stack goes wrong.
var testHookBeforeCAS func()

// stack is a lock-free (Treiber) stack of buffer indices.
//
// The head packs a tag in its high 32 bits and the index of the top buffer
// in its low 32 bits, so that one 64-bit CAS checks both (the idea of the
// Go runtime's lfstack, without pointers). Every successful CAS increments
// the tag: if a popper reads head A with next B and, before its CAS, others
// pop A, pop B and push A back, the head again names A but with another
// tag, so the stale CAS fails instead of installing B, which someone now
// holds (the ABA problem). The tag is 32 bits, so the protection fails only
// if a popper stalls for exactly a multiple of 2^32 operations on one shard.
//
// Links live in an array of 32-bit atomics indexed by buffer, shared by all
// stacks of a Set: links[i] is the index below buffer i while i is on a
// stack. A buffer's link is written only by whoever owns the buffer and is
// about to push it, so a link below the head never changes while the tag
// is unchanged.
type stack struct {
	head  atomic.Uint64   // tag<<32 | index of the top buffer, or nilIndex
	links []atomic.Uint32 // the Set's links, shared by all its stacks
}

func packHead(tag, index uint32) uint64 { return uint64(tag)<<32 | uint64(index) }

// popBatch pops up to len(dst) buffers into dst, top first, with one CAS,
// and returns how many it popped; 0 means the stack was empty. It is
// lock-free: it only retries when another pop or push has succeeded.
func (s *stack) popBatch(dst []uint32) int {
	for {
		old := s.head.Load()
		n, next := 0, uint32(old)
		for n < len(dst) && next != nilIndex {
			// Racing readers may see links that change under them; the
			// CAS below rejects the batch unless the head, tag included,
			// is still the one these links were read under.
			dst[n] = next
			next = s.links[next].Load()
			n++
		}
		if n == 0 {
			return 0
		}
		if testHookBeforeCAS != nil {
			testHookBeforeCAS()
		}
		if s.head.CompareAndSwap(old, packHead(uint32(old>>32)+1, next)) {
			return n
		}
	}
}

// pop pops one buffer; ok is false when the stack is empty.
func (s *stack) pop() (index uint32, ok bool) {
	var one [1]uint32
	if s.popBatch(one[:]) == 0 {
		return 0, false
	}
	return one[0], true
}

// pushChain pushes the chain first..last, whose links the caller has
// already set from first down to last, with one CAS.
func (s *stack) pushChain(first, last uint32) {
	for {
		old := s.head.Load()
		s.links[last].Store(uint32(old))
		if s.head.CompareAndSwap(old, packHead(uint32(old>>32)+1, first)) {
			return
		}
	}
}

// push pushes one buffer.
func (s *stack) push(index uint32) { s.pushChain(index, index) }
