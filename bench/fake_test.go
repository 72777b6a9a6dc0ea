package bench

import (
	"errors"
	"fmt"

	"github.com/aether-audio/aether/block"
)

// fakeSynth renders nothing but charges a known cost per active voice to a
// fake clock, so the true capacity of a step is known exactly.
type fakeSynth struct {
	clock        *int64 // fake monotonic ns; nil: costs nothing
	fixedCost    int64  // ns per block
	costPerVoice int64  // ns per active voice per block
	// stallAt, when > 0, is the render (counted from 1) that costs
	// stallCost more, provided at least stallFrom voices are active.
	stallAt   int
	stallCost int64
	stallFrom int
	renders   int
	capacity  int
	active    int
	next      Voice
	noteOns   int
	noteOffs  int
	steals    int
	closed    bool
}

func (f *fakeSynth) NoteOn(freq float64, gain, pan float32, offset int) (Voice, error) {
	if offset < 0 || offset >= block.Size || freq <= 0 || pan < -1 || pan > 1 {
		return 0, fmt.Errorf("fake: bad note-on freq %v pan %v offset %d", freq, pan, offset)
	}
	f.noteOns++
	if f.active == f.capacity {
		f.steals++
	} else {
		f.active++
	}
	f.next++
	return f.next, nil
}

func (f *fakeSynth) NoteOff(v Voice, offset int) error {
	if offset < 0 || offset >= block.Size || v == 0 || v > f.next {
		return fmt.Errorf("fake: bad note-off voice %d offset %d", v, offset)
	}
	f.noteOffs++
	f.active--
	return nil
}

func (f *fakeSynth) RenderBlock(left, right *block.Block) error {
	f.renders++
	if f.clock != nil {
		*f.clock += f.fixedCost + f.costPerVoice*int64(f.active)
		if f.renders == f.stallAt && f.active >= f.stallFrom {
			*f.clock += f.stallCost
		}
	}
	return nil
}

func (f *fakeSynth) Kernel() string { return "fake" }

func (f *fakeSynth) Close() error {
	if f.closed {
		return errors.New("fake: closed twice")
	}
	f.closed = true
	return nil
}

// fakeFactory builds fakeSynths on one fake clock and remembers the last.
type fakeFactory struct {
	clock        *int64
	fixedCost    int64
	costPerVoice int64
	// stallCost, when > 0, is added to the 10th timed block of every
	// steady step at stallFrom voices or more: one slow block a step.
	// (The last build's stall may be cleared to stall one step only.)
	stallCost  int64
	stallFrom  int
	last       *fakeSynth
	lastConfig SynthConfig
}

func (ff *fakeFactory) build(cfg SynthConfig) (Synth, error) {
	// The fake's cost does not depend on workers: per-worker capacity is
	// what the search is asked to find.
	ff.lastConfig = cfg
	ff.last = &fakeSynth{clock: ff.clock, fixedCost: ff.fixedCost, costPerVoice: ff.costPerVoice, capacity: cfg.Capacity}
	if ff.stallCost > 0 {
		// A steady step renders a block per setupBatch notes while it
		// fills, then the warm-up (twice when paced: the paced loop warms
		// up its clock too), then the timed blocks.
		warmup := warmupBlocks
		if cfg.Realtime {
			warmup *= 2
		}
		ff.last.stallAt = cfg.Capacity/setupBatch + warmup + 10
		ff.last.stallCost, ff.last.stallFrom = ff.stallCost, ff.stallFrom
	}
	return ff.last, nil
}

// spikeOnce makes the first synth built at the given capacity render its
// first timed blocks slowly, as a step disturbed from outside would.
type spikeOnce struct {
	Synth
	clock  *int64
	blocks int // slow blocks left
}

func (s *spikeOnce) RenderBlock(left, right *block.Block) error {
	if s.blocks > 0 {
		s.blocks--
		*s.clock += int64(2e6) // 2 ms: over the deadline
	}
	return s.Synth.RenderBlock(left, right)
}
