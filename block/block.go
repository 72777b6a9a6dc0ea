// Package block holds the one fact every layer of the renderer shares:
// audio moves in blocks of Size frames, one float32 per frame and channel.
//
// 64 frames are 1.333 ms at 48 kHz: short enough for a real-time period,
// long enough that per-block work (waking workers, draining events,
// summing chunk buses) is amortised over many samples.
package block

// Size is the number of frames in a block.
const Size = 64

// DefaultRate is the sample rate in Hz that every part of the renderer
// uses unless told otherwise; a block lasts Size/DefaultRate (1.333 ms).
const DefaultRate = 48000

// Block is one channel of one block. It is an alias, so a plain
// [64]float32 (as the assembly stubs declare) is the same type.
type Block = [Size]float32
