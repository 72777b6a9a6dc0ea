// Package pool is a fixed-size pool of 64-sample float32 audio buffers.
//
// All storage is allocated once, by New, as one flat slice whose first block
// starts on a 64-byte boundary, so a SIMD load never splits a cache line.
// After New nothing allocates: Acquire and Release are O(1), never block and
// never make a system call, so they are safe on a real-time audio path.
//
// A Pool is not safe for concurrent use; package shard builds per-worker,
// lock-free pools on top of the same storage layout.
//
// It is a port, in spirit, of the seed's buffer_pool.rs. Where Rust checks
// misuse only in debug builds, this package checks it always, at O(1) cost,
// because Go has no debug builds: releasing an out-of-range handle, the
// Silence handle, or a handle that is not currently acquired panics with a
// message that names the handle. These are programmer errors, like an index
// out of range, not conditions to handle at run time. The held bit says
// whether a buffer is held, not by whom: a stale second release that comes
// after the buffer was acquired again is not caught (that would need a
// generation in every BufferID).
package pool

import (
	"errors"
	"fmt"
	"math"
	"unsafe"

	"github.com/aether-audio/aether/block"
)

// DefaultCapacity is the capacity used by NewDefault: the seed's MAX_BUFFERS.
// The seed does not fix the number; 1024 buffers are 256 KiB, enough for a
// stereo bus per chunk of voices on a large machine while staying inside a
// typical L2 cache.
const DefaultCapacity = 1024

// MaxCapacity bounds New: handles are uint32 and math.MaxUint32 is Silence.
// The bound is kept far lower (2^26 buffers = 16 GiB) so that an absurd
// request fails with an error instead of trying to allocate.
const MaxCapacity = 1 << 26

// Alignment is the byte alignment of every buffer: one cache line and one
// AVX-512 register.
const Alignment = 64

// BufferID is an opaque handle to a buffer of a Pool.
type BufferID uint32

// Silence is the handle of the shared silence block. It always reads as
// zeros; writing through it or releasing it panics.
const Silence BufferID = math.MaxUint32

// ErrCapacity is returned by New for a capacity outside 1..MaxCapacity.
var ErrCapacity = errors.New("pool: capacity out of range")

// silence is the block behind the Silence handle. Callers get a pointer to
// it through View and must not write to it; the pool never does.
var silence [block.Size]float32

// Pool is a fixed set of block.Size-sample buffers with a LIFO free list.
type Pool struct {
	storage []float32 // capacity*block.Size samples, first one 64-byte aligned
	free    []uint32  // free-list stack; the top is free[len(free)-1]
	held    []uint64  // bit i set while buffer i is acquired: O(1) misuse checks
}

// New allocates a pool of capacity buffers, all free. It is the only
// allocation the pool ever makes.
func New(capacity int) (*Pool, error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, fmt.Errorf("%w: %d (want 1..%d)", ErrCapacity, capacity, MaxCapacity)
	}
	free := make([]uint32, capacity)
	for i := range free {
		// Reversed, as in the seed, so that buffer 0 is acquired first.
		free[i] = uint32(capacity - 1 - i)
	}
	return &Pool{
		storage: AlignedSamples(capacity * block.Size),
		free:    free,
		held:    make([]uint64, (capacity+63)/64),
	}, nil
}

// NewDefault returns a pool of DefaultCapacity buffers.
func NewDefault() *Pool {
	p, err := New(DefaultCapacity)
	if err != nil {
		panic(err) // unreachable: DefaultCapacity is in range
	}
	return p
}

// AlignedSamples returns a zeroed slice of n float32 samples whose first
// element lies on an Alignment-byte boundary. The Go heap never moves
// objects, so the alignment holds for the slice's lifetime.
//
// Every page of it is written before it returns. A large allocation comes
// straight from the OS, known to be zero and not yet mapped, so its pages
// would otherwise be mapped one page fault at a time on first use: in a
// render, when a buffer deep in a free list is first taken minutes into a
// run. Traced paced runs showed such faults in the render thread about
// twice a second; in a VM each can also stall on the host.
func AlignedSamples(n int) []float32 {
	const pad = Alignment / 4 // samples of slack to find the boundary in
	raw := make([]float32, n+pad)
	clear(raw) // writes every page: see above
	off := 0
	if mis := uintptr(unsafe.Pointer(&raw[0])) % Alignment; mis != 0 {
		off = int(Alignment-mis) / 4
	}
	return raw[off : off+n : off+n]
}

// Capacity returns the number of buffers in the pool.
func (p *Pool) Capacity() int { return len(p.storage) / block.Size }

// Available returns the number of buffers that Acquire can still hand out.
func (p *Pool) Available() int { return len(p.free) }

// Acquire takes a buffer off the free list and zeroes it. It is O(1): it
// returns ok=false at once when the pool is exhausted, and never allocates.
// The most recently released buffer comes back first, while still in cache.
func (p *Pool) Acquire() (id BufferID, ok bool) {
	n := len(p.free)
	if n == 0 {
		return 0, false
	}
	i := p.free[n-1]
	p.free = p.free[:n-1]
	p.held[i/64] |= 1 << (i % 64)
	buf := p.block(i)
	clear(buf[:])
	return BufferID(i), true
}

// Release returns an acquired buffer to the pool. It is O(1) and does not
// clear the buffer (Acquire does). It panics if id is Silence, out of
// range, or not currently acquired (a double release).
func (p *Pool) Release(id BufferID) {
	i := p.checkHeld(id, "release")
	p.held[i/64] &^= 1 << (i % 64)
	p.free = append(p.free, i) // within capacity: never reallocates
}

// View returns the buffer for reading. View(Silence) returns the shared
// silence block, which must not be written to. It panics if id is out of
// range. View does not check that id is acquired, so that a reader may look
// at a buffer another part of the program owns.
func (p *Pool) View(id BufferID) *[block.Size]float32 {
	if id == Silence {
		return &silence
	}
	if int(id) >= p.Capacity() {
		panic(fmt.Sprintf("pool: view of buffer %d, out of range (capacity %d)", id, p.Capacity()))
	}
	return p.block(uint32(id))
}

// Buffer returns the buffer for writing. It panics if id is Silence, out of
// range, or not currently acquired, since writing into a free buffer would
// corrupt whoever acquires it next.
func (p *Pool) Buffer(id BufferID) *[block.Size]float32 {
	return p.block(p.checkHeld(id, "write to"))
}

// SilenceBlock returns the shared, always-zero block behind Silence. It must
// not be written to.
func SilenceBlock() *[block.Size]float32 { return &silence }

// Held reports whether id is currently acquired.
func (p *Pool) Held(id BufferID) bool {
	if id == Silence || int(id) >= p.Capacity() {
		return false
	}
	return p.held[id/64]&(1<<(id%64)) != 0
}

// checkHeld returns id as an index, panicking with a message naming the
// operation if id is not a currently acquired buffer of p.
func (p *Pool) checkHeld(id BufferID, op string) uint32 {
	switch {
	case id == Silence:
		panic("pool: " + op + " the Silence buffer")
	case int(id) >= p.Capacity():
		panic(fmt.Sprintf("pool: %s buffer %d, out of range (capacity %d)", op, id, p.Capacity()))
	case p.held[id/64]&(1<<(id%64)) == 0:
		panic(fmt.Sprintf("pool: %s buffer %d, which is not acquired (double release?)", op, id))
	}
	return uint32(id)
}

func (p *Pool) block(i uint32) *[block.Size]float32 {
	start := int(i) * block.Size
	return (*[block.Size]float32)(p.storage[start : start+block.Size])
}
