// Package queue holds a bounded, pre-allocated, lock-free multi-producer
// queue: the path by which control goroutines (a game loop, a sequencer, a
// MIDI reader) hand events to the block-rendering goroutine.
//
// The algorithm is Dmitry Vyukov's bounded MPMC queue: every cell carries a
// sequence number that tells a producer whether the cell is free for its
// ticket and a consumer whether the cell holds the value of its ticket, so a
// push or a pop is one CAS on a shared position plus one store to the cell.
// Nothing is allocated after New, nothing blocks, and a full queue is
// reported at once.
package queue

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// MaxCapacity bounds the ring so that positions (uint64) can never wrap in
// practice and the cell array stays a sane size (2^24 cells).
const MaxCapacity = 1 << 24

// ErrFull is returned by Push when every cell holds an unread value.
var ErrFull = errors.New("queue: full")

// ErrCapacity is returned by New for a capacity outside 1..MaxCapacity.
var ErrCapacity = errors.New("queue: capacity out of range")

// cacheLinePad separates the producer and consumer positions: on x86 the
// adjacent-line prefetcher pulls pairs of 64-byte lines, so 128 bytes keep
// them from sharing (as in the Go runtime's per-P padding).
type cacheLinePad [128]byte

type cell[T any] struct {
	seq atomic.Uint64
	val T
}

// Ring is a bounded lock-free queue of T. Any number of goroutines may Push
// and Pop concurrently. Its zero value is not usable; call New.
type Ring[T any] struct {
	_     cacheLinePad
	tail  atomic.Uint64 // next ticket to push
	_     cacheLinePad
	head  atomic.Uint64 // next ticket to pop
	_     cacheLinePad
	mask  uint64
	cells []cell[T]
}

// New returns a ring that holds up to capacity values; the capacity is
// rounded up to a power of two so a ticket maps to its cell with a mask,
// and to at least 2: with one cell, a full cell's sequence number would
// equal the one the next lap's push expects, so a push into a full ring
// would succeed and overwrite the value waiting there.
func New[T any](capacity int) (*Ring[T], error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, fmt.Errorf("%w: %d (want 1..%d)", ErrCapacity, capacity, MaxCapacity)
	}
	n := 2
	for n < capacity {
		n <<= 1
	}
	r := &Ring[T]{mask: uint64(n - 1), cells: make([]cell[T], n)}
	for i := range r.cells {
		r.cells[i].seq.Store(uint64(i))
	}
	return r, nil
}

// Cap returns the number of values the ring can hold.
func (r *Ring[T]) Cap() int { return len(r.cells) }

// Len returns an estimate of the number of values waiting; it is exact
// only while no Push or Pop runs.
func (r *Ring[T]) Len() int {
	n := int64(r.tail.Load()) - int64(r.head.Load())
	if n < 0 {
		return 0
	}
	return min(int(n), len(r.cells))
}

// Push appends v, or returns ErrFull at once when the ring is full. It
// never blocks and never allocates.
func (r *Ring[T]) Push(v T) error {
	pos := r.tail.Load()
	for {
		c := &r.cells[pos&r.mask]
		seq := c.seq.Load()
		switch diff := int64(seq) - int64(pos); {
		case diff == 0:
			// The cell is free for ticket pos: claim the ticket.
			if r.tail.CompareAndSwap(pos, pos+1) {
				c.val = v
				c.seq.Store(pos + 1) // publish to the consumer of ticket pos
				return nil
			}
			pos = r.tail.Load()
		case diff < 0:
			// The cell still holds the value of ticket pos-len: full.
			return ErrFull
		default:
			// Another producer took ticket pos; retry with a fresh one.
			pos = r.tail.Load()
		}
	}
}

// Pop removes the oldest value. ok is false when the ring is empty (or
// when the oldest ticket is claimed but its producer has not yet stored
// the value: that value will be seen by a later Pop).
func (r *Ring[T]) Pop() (v T, ok bool) {
	pos := r.head.Load()
	for {
		c := &r.cells[pos&r.mask]
		seq := c.seq.Load()
		switch diff := int64(seq) - int64(pos+1); {
		case diff == 0:
			if r.head.CompareAndSwap(pos, pos+1) {
				v = c.val
				var zero T
				c.val = zero                  // drop references so the GC can free them
				c.seq.Store(pos + r.mask + 1) // free the cell for ticket pos+len
				return v, true
			}
			pos = r.head.Load()
		case diff < 0:
			return v, false
		default:
			pos = r.head.Load()
		}
	}
}

// Drain pops values into dst until dst is full or the ring is empty and
// returns how many it stored. It allocates nothing; with one consumer it
// is the cheap way to take a whole block's events at once.
func (r *Ring[T]) Drain(dst []T) int {
	n := 0
	for n < len(dst) {
		v, ok := r.Pop()
		if !ok {
			break
		}
		dst[n] = v
		n++
	}
	return n
}
