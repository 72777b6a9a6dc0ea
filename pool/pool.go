// Package pool owns the storage of the renderer's audio buffers.
//
// New allocates, once, one flat slice of block.Size-sample float32 buffers
// whose first buffer starts on a 64-byte boundary, so a SIMD load never
// splits a cache line, and one held flag per buffer. A buffer is named by a
// BufferID; Silence names a shared block of zeros that is never written.
// After New nothing allocates, locks or makes a system call.
//
// The pool does not choose which free buffer to hand out: its user keeps
// the free list and tells the pool which buffer it takes (Acquire) and
// gives back (Release). Package shard is that user: it splits the buffers
// into per-worker shards with lock-free free lists. What the pool adds is
// the storage and the misuse checks every user needs, at O(1) cost and
// always on, because Go has no debug builds: releasing Silence, an
// out-of-range handle or a buffer that is not held (a double release) and
// writing to a buffer that is not held panic with a message that names the
// handle. These are programmer errors, like an index out of range, not
// conditions to handle at run time.
//
// Concurrency: any goroutine may view or release any buffer. Release
// clears the held flag with an atomic swap, so of two goroutines releasing
// the same buffer exactly one succeeds and the other panics. Acquire sets
// the flag with a plain store (see Acquire for why that is enough). The
// flag says whether a buffer is held, not by whom: a stale second release
// that comes after the buffer was acquired again frees the new holder's
// buffer. Catching that too would need a generation in every BufferID.
//
// It is a port, in spirit, of the seed's buffer_pool.rs, whose free list
// lives on in package shard.
package pool

import (
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/aether-audio/aether/block"
)

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
var silence block.Block

// Pool is a fixed set of block.Size-sample buffers and their held flags.
type Pool struct {
	samples []float32 // Capacity()*block.Size samples, the first 64-byte aligned
	held    []uint32  // 1 while a buffer is acquired: O(1) misuse checks
}

// New allocates a pool of capacity buffers, all free. It is the only
// allocation the pool ever makes.
func New(capacity int) (*Pool, error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, fmt.Errorf("%w: %d (want 1..%d)", ErrCapacity, capacity, MaxCapacity)
	}
	return &Pool{
		samples: AlignedSamples(capacity * block.Size),
		held:    make([]uint32, capacity),
	}, nil
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
func (p *Pool) Capacity() int { return len(p.held) }

// Acquire marks buffer id as held and zeroes it. The caller takes id off
// its own free list; Acquire panics if id is Silence, out of range or
// already held, which means that free list is corrupt.
//
// The flag is set with a plain store, not an atomic one: on amd64 every Go
// atomic store is a locked instruction, as costly as the swap in Release,
// and none is needed. Whoever may legitimately read the flag next is
// ordered after this store: the goroutine that acquired the buffer, or
// one that got the handle from it through some synchronisation. And the
// free list that handed id out orders this store after the Release that
// cleared the flag (by its compare-and-swap, or by program order when one
// goroutine released and acquires). Held is therefore for the holder.
func (p *Pool) Acquire(id BufferID) *block.Block {
	if uint(id) >= uint(len(p.held)) || p.held[id] != 0 {
		p.misuse(id, "acquire")
	}
	p.held[id] = 1
	b := p.block(id)
	clear(b[:])
	return b
}

// Release marks an acquired buffer as free. It does not clear the buffer
// (Acquire does) and does not put it on any free list (its caller does).
// It panics if id is Silence, out of range or not held (a double
// release); of two goroutines releasing the same buffer at once, exactly
// one panics.
func (p *Pool) Release(id BufferID) {
	if uint(id) >= uint(len(p.held)) || atomic.SwapUint32(&p.held[id], 0) == 0 {
		p.misuse(id, "release")
	}
}

// Buffer returns the buffer for writing. It panics if id is Silence, out
// of range, or not currently acquired, since writing into a free buffer
// would corrupt whoever acquires it next.
func (p *Pool) Buffer(id BufferID) *block.Block {
	if !p.Held(id) {
		p.misuse(id, "write to")
	}
	return p.block(id)
}

// View returns the buffer for reading. View(Silence) returns the shared
// silence block, which must not be written to. It panics if id is out of
// range. View does not check that id is acquired, so that any goroutine
// may read a buffer that another one holds.
func (p *Pool) View(id BufferID) *block.Block {
	if id == Silence {
		return &silence
	}
	if uint(id) >= uint(len(p.held)) {
		p.misuse(id, "view of")
	}
	return p.block(id)
}

// Held reports whether id is currently acquired. Acquire sets the flag
// with a plain store, so call it from a goroutine ordered after the last
// Acquire of id: its holder, say, or a test.
func (p *Pool) Held(id BufferID) bool {
	return uint(id) < uint(len(p.held)) && atomic.LoadUint32(&p.held[id]) != 0
}

// SilenceBlock returns the shared, always-zero block behind Silence. It must
// not be written to.
func SilenceBlock() *block.Block { return &silence }

func (p *Pool) block(id BufferID) *block.Block {
	start := int(id) * block.Size
	return (*block.Block)(p.samples[start : start+block.Size])
}

// misuse panics with a one-line message naming the operation and the
// handle. It is kept out of line so that the checks cost a compare and a
// branch in the fast paths.
//
//go:noinline
func (p *Pool) misuse(id BufferID, op string) {
	switch {
	case id == Silence:
		panic("pool: " + op + " the Silence buffer")
	case uint(id) >= uint(len(p.held)):
		panic(fmt.Sprintf("pool: %s buffer %d, out of range (capacity %d)", op, id, len(p.held)))
	case op == "acquire":
		panic(fmt.Sprintf("pool: acquire buffer %d, which is already held (corrupt free list)", id))
	default:
		panic(fmt.Sprintf("pool: %s buffer %d, which is not acquired (double release?)", op, id))
	}
}
