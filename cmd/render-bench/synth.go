package main

import (
	"fmt"
	"math"
	"sync"

	"github.com/aether-audio/aether/bench"
)

// STAND-IN: this file is the one the lead replaces when the aether engine
// lands, with an adapter from the engine to bench.Synth. Until then it holds
// a plain-Go sine bank, so that render-bench runs end to end today. Its
// figures measure this stand-in, not aether: do not record them as results.

// newSynth is the factory render-bench measures.
func newSynth(cfg bench.SynthConfig) (bench.Synth, error) {
	if cfg.Kind != bench.Sine {
		return nil, fmt.Errorf("-voice %s: the stand-in synth renders only sine until the engine lands: %w", cfg.Kind, bench.ErrUnsupported)
	}
	if cfg.Kernel != "auto" && cfg.Kernel != "generic" {
		return nil, fmt.Errorf("-kernel %s: the stand-in synth has only the generic kernel: %w", cfg.Kernel, bench.ErrUnsupported)
	}
	if cfg.Workers < 1 || cfg.Capacity < 1 || cfg.SampleRate < 1 {
		return nil, fmt.Errorf("stand-in synth: workers %d, capacity %d, rate %d must be positive", cfg.Workers, cfg.Capacity, cfg.SampleRate)
	}
	s := &sineBank{
		rate:  float64(cfg.SampleRate),
		slots: make([]slot, cfg.Capacity),
		free:  make([]uint32, cfg.Capacity),
		owner: make([]uint32, cfg.Capacity),
		re:    make([]float32, cfg.Capacity),
		im:    make([]float32, cfg.Capacity),
		cr:    make([]float32, cfg.Capacity),
		ci:    make([]float32, cfg.Capacity),
		gl:    make([]float32, cfg.Capacity),
		gr:    make([]float32, cfg.Capacity),
		buses: make([]bus, cfg.Workers),
		start: make([]chan struct{}, cfg.Workers),
		done:  make(chan struct{}, cfg.Workers),
	}
	for i := range s.free {
		s.free[i] = uint32(cfg.Capacity - 1 - i)
	}
	for w := 1; w < cfg.Workers; w++ {
		s.start[w] = make(chan struct{}, 1)
		s.wg.Add(1)
		go s.work(w, s.start[w])
	}
	return s, nil
}

// slot maps a voice handle to its place in the dense active arrays; gen
// changes whenever the slot is reused, so a stale handle is recognised.
type slot struct {
	gen    uint32
	pos    uint32
	active bool
}

// bus is one worker's stereo block, padded to 128 bytes past its data so
// neighbouring workers never write the same cache line pair.
type bus struct {
	left, right [bench.BlockSize]float32
	_           [128]byte
}

// sineBank renders active voices as rotating phasors, struct-of-arrays,
// split into one contiguous range per worker. Notes start at the start of
// the block whatever their offset: a stand-in simplification.
type sineBank struct {
	rate   float64
	slots  []slot
	free   []uint32 // stack of free slot numbers
	owner  []uint32 // slot number of each dense position
	n      int      // active voices: dense positions 0..n-1
	steal  int      // next dense position to steal, round robin
	re, im []float32
	cr, ci []float32
	gl, gr []float32

	buses  []bus
	start  []chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup
	closed bool
}

func (s *sineBank) NoteOn(freq float64, gain, pan float32, offset int) (bench.Voice, error) {
	if offset < 0 || offset >= bench.BlockSize || !(freq > 0 && freq < s.rate/2) || !(pan >= -1 && pan <= 1) {
		return 0, fmt.Errorf("note-on: freq %v Hz, pan %v, offset %d out of range", freq, pan, offset)
	}
	var id uint32
	var pos int
	if len(s.free) > 0 {
		id, s.free = s.free[len(s.free)-1], s.free[:len(s.free)-1]
		pos = s.n
		s.n++
	} else { // full: steal round robin, reusing the victim's position
		pos = s.steal % s.n
		s.steal = pos + 1
		old := s.owner[pos]
		s.slots[old].active = false
		s.slots[old].gen++
		id = old
	}
	sl := &s.slots[id]
	sl.pos, sl.active = uint32(pos), true
	s.owner[pos] = id
	w := 2 * math.Pi * freq / s.rate
	s.re[pos], s.im[pos] = 1, 0
	s.cr[pos], s.ci[pos] = float32(math.Cos(w)), float32(math.Sin(w))
	angle := (float64(pan) + 1) * math.Pi / 4 // equal-power pan
	s.gl[pos], s.gr[pos] = gain*float32(math.Cos(angle)), gain*float32(math.Sin(angle))
	return bench.Voice(uint64(id)<<32 | uint64(sl.gen)), nil
}

func (s *sineBank) NoteOff(v bench.Voice, offset int) error {
	id, gen := uint32(v>>32), uint32(v)
	if offset < 0 || offset >= bench.BlockSize || int(id) >= len(s.slots) {
		return fmt.Errorf("note-off: voice %#x, offset %d out of range", uint64(v), offset)
	}
	sl := &s.slots[id]
	if !sl.active || sl.gen != gen {
		return nil // already stolen: not an error
	}
	last := s.n - 1
	pos := int(sl.pos)
	s.re[pos], s.im[pos], s.cr[pos], s.ci[pos] = s.re[last], s.im[last], s.cr[last], s.ci[last]
	s.gl[pos], s.gr[pos] = s.gl[last], s.gr[last]
	s.owner[pos] = s.owner[last]
	s.slots[s.owner[pos]].pos = uint32(pos)
	s.n = last
	sl.active = false
	sl.gen++
	s.free = append(s.free, id) // within capacity: never reallocates
	return nil
}

// chunk is worker w's range of dense positions.
func (s *sineBank) chunk(w int) (lo, hi int) {
	k := len(s.buses)
	return w * s.n / k, (w + 1) * s.n / k
}

func (s *sineBank) work(w int, start <-chan struct{}) {
	defer s.wg.Done()
	for range start {
		s.renderChunk(w)
		s.done <- struct{}{}
	}
}

func (s *sineBank) renderChunk(w int) {
	b := &s.buses[w]
	b.left, b.right = [bench.BlockSize]float32{}, [bench.BlockSize]float32{}
	lo, hi := s.chunk(w)
	for i := lo; i < hi; i++ {
		re, im, cr, ci, gl, gr := s.re[i], s.im[i], s.cr[i], s.ci[i], s.gl[i], s.gr[i]
		for k := range bench.BlockSize {
			b.left[k] += gl * im
			b.right[k] += gr * im
			re, im = re*cr-im*ci, re*ci+im*cr
		}
		// Pull the phasor back to unit length once a block, so float32
		// rounding cannot make it grow or decay over a long run.
		g := 1.5 - 0.5*(re*re+im*im)
		s.re[i], s.im[i] = re*g, im*g
	}
}

func (s *sineBank) RenderBlock(left, right *[bench.BlockSize]float32) error {
	for w := 1; w < len(s.buses); w++ {
		s.start[w] <- struct{}{}
	}
	s.renderChunk(0)
	for w := 1; w < len(s.buses); w++ {
		<-s.done
	}
	// Sum in worker order, so the output never depends on who finished first.
	*left, *right = s.buses[0].left, s.buses[0].right
	for w := 1; w < len(s.buses); w++ {
		for k := range bench.BlockSize {
			left[k] += s.buses[w].left[k]
			right[k] += s.buses[w].right[k]
		}
	}
	return nil
}

func (s *sineBank) Kernel() string { return "generic" }

func (s *sineBank) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	for w := 1; w < len(s.start); w++ {
		close(s.start[w])
	}
	s.wg.Wait()
	return nil
}
