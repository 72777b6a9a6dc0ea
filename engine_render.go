package aether

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// RenderBlock renders the next block into left and right, overwriting
// them. It first applies every event posted for this block or earlier
// (notes, note-offs, controls, each at its frame in this block), then
// renders every sounding voice across the workers, applies the master
// gain and frees the slots of the voices that finished. It allocates
// nothing.
//
// One goroutine at a time may render: a concurrent call returns ErrBusy.
// After Close it returns ErrClosed.
func (e *Engine) RenderBlock(left, right *block.Block) error {
	if left == nil || right == nil {
		return ErrNilBuffer
	}
	if !e.busy.CompareAndSwap(false, true) {
		if e.closed.Load() {
			return ErrClosed // Close is waiting out another block
		}
		return ErrBusy
	}
	defer e.busy.Store(false)
	if e.closed.Load() {
		return ErrClosed
	}
	*left, *right = block.Block{}, block.Block{}
	start := int64(e.block) * block.Size
	e.applyEvents(start)
	chunks := (e.slots.Words() + e.chunkWords - 1) / e.chunkWords
	if err := e.sched.RenderBlock(chunks, left, right); err != nil {
		return fmt.Errorf("aether: render: %w", err)
	}
	for {
		slot, ok := e.slots.NextDone(chunks * e.chunkWords)
		if !ok {
			break
		}
		e.freeSlot(slot)
	}
	e.stats.voices.Store(int64(e.slots.Live()))
	e.masterGain(left, right)
	e.guardMaster(left, right)
	e.block++
	e.frame.Store(start + block.Size)
	e.stats.blocks.Store(e.block)
	return nil
}

// masterGain applies the master gain, ramped from the last block's value
// to the one set now across the block; at a steady gain of 1 it costs one
// compare.
func (e *Engine) masterGain(left, right *block.Block) {
	g0, g1 := e.gainNow, e.gain.Load()
	if g0 == 1 && g1 == 1 {
		return
	}
	step := (g1 - g0) / block.Size
	for i := range left {
		g := g0 + float32(i+1)*step
		left[i] *= g
		right[i] *= g
	}
	e.gainNow = g1
}

// chunkList says how long a chunk's list of slots in use is, and when it
// was made (the slots' Changes then; 0 before the first, which no list
// can be from, as a chunk with a slot in use follows a Take).
type chunkList struct {
	n    int
	made uint64
}

// renderChunk is the scheduler's ChunkFunc. Chunk c covers slots
// [c*ChunkSize, (c+1)*ChunkSize): it lists those in use, in slot order
// (again only when a slot was taken or freed since its last list),
// renders them, and marks those that finished (if the bank says any
// did), so that listing and reaping run in parallel too. Chunks cover
// disjoint words of both bitmaps and their own lists.
func (e *Engine) renderChunk(_, c int, left, right *block.Block) {
	list := e.active[c*e.chunkSize : c*e.chunkSize : (c+1)*e.chunkSize]
	cl := &e.lists[c]
	if changes := e.slots.Changes(); cl.made != changes {
		used := e.slots.Used()
		for w := c * e.chunkWords; w < min((c+1)*e.chunkWords, len(used)); w++ {
			for word := used[w]; word != 0; word &= word - 1 {
				list = append(list, int32(w<<6+bits.TrailingZeros64(word)))
			}
		}
		cl.n, cl.made = len(list), changes
	}
	list = list[:cl.n]
	if e.bank.Render(list, left, right) == 0 {
		return
	}
	for _, slot := range list {
		if !e.bank.Active(int(slot)) {
			e.slots.MarkDone(slot)
		}
	}
}

// guardMaster mutes a master block that holds NaN or Inf, and counts it.
// The bank silences any voice whose parameters or state go non-finite
// before it reaches a bus, and bounds gains and sample values, so this
// costs 128 compares a block and should never fire: it is the last line
// between a bank bug and the listener's speakers.
func (e *Engine) guardMaster(left, right *block.Block) {
	if !finite(left) || !finite(right) {
		*left, *right = block.Block{}, block.Block{}
		e.stats.nonFinite.Add(1)
	}
}

func finite(x *block.Block) bool {
	for _, v := range x {
		if v-v != 0 { // NaN - NaN and Inf - Inf are NaN
			return false
		}
	}
	return true
}

// RenderInterleaved renders the next block as interleaved stereo frames
// into dst, which must hold 2*block.Size (128) floats. It is RenderBlock
// otherwise.
func (e *Engine) RenderInterleaved(dst []float32) error {
	if len(dst) != 2*block.Size {
		return fmt.Errorf("aether: RenderInterleaved needs %d floats, got %d", 2*block.Size, len(dst))
	}
	var left, right block.Block
	if err := e.RenderBlock(&left, &right); err != nil {
		return err
	}
	mix.Interleave(dst, left[:], right[:])
	return nil
}

// readState is the Reader's current block, as bytes, and how much of it
// has been read (all of it, at first).
type readState struct {
	bytes [2 * block.Size * 4]byte
	pos   int
}

// Reader returns an io.Reader of the engine's output as interleaved stereo
// little-endian float32 samples (8 bytes a frame), rendering a block each
// time the last one has been read, so that a player such as ebitengine/oto
// can pull audio from it. Read allocates nothing. The reader renders on
// the goroutine that calls Read, so nothing else may render meanwhile; it
// returns the render error (ErrClosed after Close).
func (e *Engine) Reader() io.Reader { return (*engineReader)(e) }

type engineReader Engine

// Read fills p with the next bytes of the stream.
func (r *engineReader) Read(p []byte) (int, error) {
	e := (*Engine)(r)
	rs := &e.rbuf
	n := 0
	for n < len(p) {
		if rs.pos == len(rs.bytes) {
			if err := e.RenderInterleaved(e.rendered[:]); err != nil {
				return n, err
			}
			for i, v := range e.rendered {
				binary.LittleEndian.PutUint32(rs.bytes[4*i:], math.Float32bits(v))
			}
			rs.pos = 0
		}
		c := copy(p[n:], rs.bytes[rs.pos:])
		rs.pos += c
		n += c
	}
	return n, nil
}
