package voice

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// filterGroup is how many filter channels Render gathers before it runs
// them in one mix.SVFVoices call. The SVF is a recursion, so one voice's
// filter waits on each multiply-add in turn; the kernel runs one channel
// per SIMD lane, and interleaves two vectors' recursions so that each
// fills the other's wait: 32 channels are two AVX-512 vectors.
const filterGroup = 32

// window is how many slots Render takes at a time: the steady voices of a
// window are added to the bus first (see steadySource), then its other
// voices, in slot order, so the sum depends only on the slots and their
// order. Its positions fit the bits of a uint64.
const window = 64

// maxBatch bounds a batch's voices, and so the scratch: half a filter
// group, so that the voices a kind renders before the bank takes them
// stay in L1 cache with their signals (batches of 32 made SoundFont
// voices no faster, docs/voice.md).
const maxBatch = filterGroup / 2

// heldVoice remembers that a slot's voice is steady (see Bank.hold), so
// that in the blocks after, the voice's kind (a steadySource) adds it to
// the bus with its constant gains and need look at nothing else: kind,
// filter and envelope cannot change without a NoteOn, NoteOff or Steal,
// and gain, pan and frequency ratio without a setter that changes their
// bits; each of these clears ok, and so does silencing the voice, so a
// held voice is active. The gains are the voice's constant gains,
// sustain × gain × pan gain.
type heldVoice struct {
	ok     bool
	never  bool // filtered, or of a kind with no steady path: never held until the next NoteOn
	kind   Kind
	idx    int32 // the voice's index in its kind's arrays
	gl, gr float32
}

// voiceBuf describes a voice of the batch in Render: where its signal is
// and which of its samples the block holds. Its left (or only) channel is
// lane lane of the scratch and its right one lane+1, so a filtered voice's
// signal is already where mix.SVFVoices reads it. (An index, not a
// pointer: a pointer into the scratch stored through v would move the
// whole scratch to the heap.)
type voiceBuf struct {
	slot       int32
	idx        int32 // the voice's index in its kind's arrays
	first, end int32 // the voice's samples in this block are [first, end)
	lane       int32 // a filter lane (below maxFilterLanes), or voiceLane
	kind       Kind
	stereo     bool
	filtered   bool
	fills      bool // fills the filter group: finish filters it
	prepared   bool // its add to the bus is prepared (see sfVoices.prepare)
}

// scratch is the per-Render working memory, on the caller's stack (see
// noEscape).
type scratch struct {
	window      [window]int32 // the slots of the current window
	left, right *block.Block  // the bus
	gone        int           // entries of Render's slots found or left not active
	batch       [maxBatch]voiceBuf
	n           int // voices in batch

	group      [filterGroup]voiceBuf // the filtered voices waiting
	held, used int                   // how many, and their lanes
	prepared   int                   // how many of them have their adds prepared
	segs       [maxSegs]envSeg
	sfk        sfKernel // the SoundFont voices' reads (sfVoices.render)

	// The filtered voices' adds to the bus that filterAndOutput defers
	// to one mix.PanAddRampVoices call (see addMono): their lanes and
	// gains, in order.
	deferring bool
	pend      int
	pendLane  [maxFilterLanes]int32
	pendGains [maxFilterLanes][4]float32

	// The filter batch, which holds the signal lanes (the filtered
	// voices' channels, in order; then an unfiltered voice's), lies in
	// fbMem from word fbAt, the first 64-byte boundary, so that no
	// vector the kernels load or store straddles two cache lines (which
	// costs about twice as much): where a stack variable lies is chance.
	fbAt  int
	fbMem [unsafe.Sizeof(filterBatch{})/8 + 8]uint64
}

// alignLanes finds the 64-byte boundary in fbMem.
func (sc *scratch) alignLanes() {
	sc.fbAt = int(-uintptr(unsafe.Pointer(&sc.fbMem[0])) & 63 / 8)
}

// fb returns the filter batch.
func (sc *scratch) fb() *filterBatch {
	return (*filterBatch)(unsafe.Pointer(&sc.fbMem[sc.fbAt]))
}

// voiceLane is the lane of an unfiltered voice (and voiceLane+1 its right
// channel): it is added to the bus as soon as it is rendered.
const voiceLane = maxFilterLanes

// lane returns lane j.
func (sc *scratch) lane(j int32) *block.Block { return &sc.fb().sig[j] }

// Render renders one block of the voices in slots and adds it into left and
// right, advancing their state, and returns how many entries of slots name
// a slot that is not Active afterwards (0: every voice plays on). Slots
// that are not active, or out of range, are skipped; a voice that finishes
// inside the block is no longer Active afterwards. Render allocates nothing, takes no lock and makes no
// interface call per voice; it may run concurrently with other Renders of
// the same bank whose slots are disjoint from these. The sum depends only
// on the slots and their order, never on timing.
//
// Each window of 64 slots goes first to the kinds that add steady voices
// straight to the bus (steadySource); the others take the general path in
// slot order, in batches of consecutive voices of one kind: the bank picks
// up their parameters, the kind renders their signals, one after the
// other, and hands each to the bank, which adds an unfiltered voice to the
// bus at once (shaped by its envelope, gain and pan) and holds a filtered
// one back until 32 filter channels wait, across batches and windows, to
// filter them in one call.
func (b *Bank) Render(slots []int32, left, right *block.Block) (gone int) {
	var sc scratch
	sc.left, sc.right = left, right
	sc.alignLanes()
	for len(slots) > 0 {
		n := copy(sc.window[:], slots)
		slots = slots[n:]
		mask := uint64(1)<<n - 1 // n == 64 gives all ones
		for _, s := range b.steady {
			mask = s.addSteady(b, noEscape(&sc), mask)
		}
		b.general(&sc, mask)
	}
	if sc.held > 0 {
		b.filterAndOutput(&sc)
	}
	return sc.gone
}

// general renders the window's voices at the positions in mask, in
// batches of one kind (see Render).
func (b *Bank) general(sc *scratch, mask uint64) {
	// Every per-slot array has a slot's length: sliced so, a slot checked
	// against refs needs no other bounds check.
	refs := b.slots
	filts, sets, envs := b.filt[:len(refs)], b.set[:len(refs)], b.env[:len(refs)]
	for mask != 0 {
		// Pick up the parameters of the next voices of one kind and
		// give each its lanes, until a filter group fills.
		sc.n = 0
		var kind Kind
		for mask != 0 {
			pos := bits.TrailingZeros64(mask)
			s := sc.window[pos&(window-1)]
			i := int(s) // an int, so the check below bounds the indexes by it
			if uint(i) >= uint(len(refs)) || refs[i].state != slotActive {
				mask &= mask - 1
				sc.gone++
				continue
			}
			r := &refs[i]
			if sc.n > 0 && (r.kind != kind || sc.n == maxBatch) {
				break
			}
			mask &= mask - 1
			// Until a setter runs again there is nothing to pick up.
			f := &filts[i]
			if !r.picked && !b.pickup(s, r, &sets[i], f) {
				sc.gone++ // silenced
				continue
			}
			kind = r.kind
			filtered := f.typ != FilterNone
			v := &sc.batch[sc.n&(maxBatch-1)]
			sc.n++
			// Field by field: a composite literal is built on the
			// stack and copied with wide moves, whose loads stall on
			// the narrow stores just made (store forwarding fails).
			v.slot, v.idx, v.kind, v.stereo, v.filtered, v.fills, v.prepared = s, r.idx, r.kind, r.stereo, filtered, false, false
			v.lane, v.first = voiceLane, 0
			if e := &envs[i]; e.pending() {
				v.first = int32(e.startAt)
				e.startAt = -1
			}
			if !filtered {
				continue
			}
			v.lane = int32(sc.used)
			sc.used++
			if r.stereo {
				sc.used++
			}
			if sc.used >= filterGroup {
				v.fills = true
				break
			}
		}
		if sc.n > 0 {
			b.src[kind].render(b, noEscape(sc))
		}
	}
}

// finish takes voice v of the batch, whose signal its kind has just
// rendered up to sample end, on: an unfiltered voice to the bus, a
// filtered one to the filter group, which is filtered and added to the
// bus once full.
func (b *Bank) finish(sc *scratch, v *voiceBuf, end int32) {
	if v.filtered {
		g := &sc.group[sc.held&(filterGroup-1)]
		// Whole: the kind stored v's fields before its kernel ran, long
		// enough ago for wide loads not to wait on the narrow stores.
		*g = *v
		g.end = end
		sc.held++
		if v.fills {
			b.filterAndOutput(sc)
		}
		return
	}
	v.end = end
	b.output(v, sc)
	if h := &b.held[v.slot]; !h.never {
		// A voice output silenced or finished is not held: the steady
		// path would play it on.
		if b.slots[v.slot].state == slotActive && b.env[v.slot].steady() {
			b.hold(v.slot)
		} else {
			h.ok = false
		}
	}
}

// hold records in b.held that the unfiltered voice in slot s, whose block
// the general path has just rendered and whose envelope is steady for the
// next block, is a steady voice. The setter values this block applied are
// never NaN, so while no setter changes them the voice stays valid and
// clamped; a change clears the hold and goes through the general path
// once (which ramps, retunes or silences), and the voice is held again
// after it.
func (b *Bank) hold(s int32) {
	h, e, out, r := &b.held[s], &b.env[s], &b.out[s], &b.slots[s]
	// The gains of output's constant-gain path, to the bit.
	*h = heldVoice{ok: true, kind: r.kind, idx: r.idx,
		gl: e.sustain * (out.gain * out.gl), gr: e.sustain * (out.gain * out.gr)}
}

// pickup applies the slot's setter values that its kind and filter f
// read (frequency ratio, cutoff and resonance) where they differ from the
// values applied last; general calls it on a voice's first block and
// after SetFreqRatio, SetCutoff or SetResonance. It returns false if the
// voice was silenced instead.
func (b *Bank) pickup(s int32, r *slotRef, set *setValues, f *svfState) bool {
	r.picked = true
	if ratio := set.ratio; ratio != r.ratio {
		if !(ratio > 0 && ratio <= math.MaxFloat32) {
			b.silence(int(s))
			return false
		}
		r.ratio = ratio
		b.src[r.kind].retune(r.idx, ratio)
	}
	if f.typ != FilterNone {
		if cut, res := set.cut, set.res; cut != f.cut || res != f.res {
			if !finite32(cut) || res != res {
				b.silence(int(s))
				return false
			}
			f.set(cut, res, b.rate)
		}
	}
	return true
}

// filterAndOutput filters the voices of the group, whose channels are the
// first lanes of sc.fb, together, then adds each to the bus.
func (b *Bank) filterAndOutput(sc *scratch) {
	fb := sc.fb()
	n, used, prepared := sc.held, sc.used, sc.prepared
	sc.held, sc.used, sc.prepared = 0, 0, 0
	if prepared < n {
		for i := range n {
			v := &sc.group[i]
			// Samples outside [first, end) go through the filter too, so
			// they must be silence: a voice starting this block has zero
			// state and stays at zero through them, and after a one-shot's
			// end the voice is finished anyway.
			if v.first > 0 || v.end < block.Size { // rare: tested first, as clear of nothing still calls
				vl, vr := &fb.sig[v.lane], &fb.sig[v.lane+1]
				clear(vl[:v.first])
				clear(vl[v.end:])
				if v.stereo {
					clear(vr[:v.first])
					clear(vr[v.end:])
				}
			}
			if v.kind == SoundFontSampler {
				continue // its voice has loaded its lane (sfVoices.play)
			}
			f := &b.filt[v.slot]
			fb.load(int(v.lane), f, 0)
			if v.stereo {
				fb.load(int(v.lane)+1, f, 1)
			}
		}
	}
	fb.run(used)
	finite := fb.settle(used)
	if prepared == n && finite {
		// Every voice's add waits, in order, in the deferred adds
		// (sfVoices.prepare).
		for i := range n {
			v := &sc.group[i]
			fb.save(int(v.lane), &b.filt[v.slot], 0)
		}
		sc.pend = n
		sc.flush()
		return
	}
	sc.deferring = true
	for i := range n {
		v := &sc.group[i]
		f := &b.filt[v.slot]
		fb.save(int(v.lane), f, 0)
		if v.stereo {
			fb.save(int(v.lane)+1, f, 1)
		}
		if !finite && !f.finite(v.stereo) {
			b.silence(int(v.slot))
			sc.gone++
			continue
		}
		switch {
		case v.prepared:
			// Its add waits at deferred add i, at or after the next one
			// (each voice before it made one add at most).
			g := sc.pendGains[i]
			sc.deferAdd(v.lane, g[0], g[1], g[2], g[3])
		case v.kind == SoundFontSampler:
			b.output(v, sc)
			b.holdGains(v)
		default:
			b.output(v, sc)
		}
	}
	sc.flush()
	sc.deferring = false
}

// addMono adds the whole block of lane j to the bus with the ramps of
// mix.PanAddRamp; while filterAndOutput defers, it keeps the add for one
// mix.PanAddRampVoices call, the same bits at a fraction of the cost.
func (sc *scratch) addMono(j int32, l0, l1, r0, r1 float32) {
	if !sc.deferring {
		mix.PanAddRamp(sc.left[:], sc.right[:], sc.lane(j)[:], l0, l1, r0, r1)
		return
	}
	sc.deferAdd(j, l0, l1, r0, r1)
}

// deferAdd keeps addMono's add while filterAndOutput defers.
func (sc *scratch) deferAdd(j int32, l0, l1, r0, r1 float32) {
	k := sc.pend
	g := &sc.pendGains[k]
	// Element by element, for the reason given in general.
	sc.pendLane[k], g[0], g[1], g[2], g[3] = j, l0, l1, r0, r1
	sc.pend++
}

// flush makes the deferred adds, before any other add to the bus, so that
// the bus sums the voices in the order output takes them.
func (sc *scratch) flush() {
	if sc.pend > 0 {
		mix.PanAddRampVoices(sc.left, sc.right, sc.fb().sig[:], sc.pendLane[:sc.pend], sc.pendGains[:sc.pend])
		sc.pend = 0
	}
}

// output applies the envelope, gain and pan to v (its signal in its lanes
// of sc) and adds it to the bus.
func (b *Bank) output(v *voiceBuf, sc *scratch) {
	s, left, right := v.slot, sc.left, sc.right
	vl := sc.lane(v.lane)
	vr := vl
	if v.stereo {
		vr = sc.lane(v.lane + 1)
	}
	e, out := &b.env[s], &b.out[s]
	g1, p1 := b.set[s].gain, b.set[s].pan
	if !(g1 >= 0 && g1 <= math.MaxFloat32) || p1 != p1 {
		b.silence(int(s))
		sc.gone++
		return
	}
	segBuf := &sc.segs
	g1 = min(g1, MaxLevel)
	sh := b.shapers[v.kind]
	if sh == nil && p1 == out.pan && g1 == out.gain && v.first == 0 && v.end == block.Size && !v.stereo && e.steady() {
		// The common case, a held note with steady gain and pan: one
		// constant-gain accumulate, no envelope runs; the same gains,
		// to the bit, as the sustain run below would use.
		l, r := e.sustain*(out.gain*out.gl), e.sustain*(out.gain*out.gr)
		sc.addMono(v.lane, l, l, r, r)
		out.level = e.sustain * out.gain // stealing reads it: a held note is not silent
		return
	}
	var n int
	var done bool
	if sh == nil {
		n, done = e.walk(v.first, v.end, segBuf)
	} else {
		n, done = sh.walk(v.idx, v.first, v.end, noEscape(segBuf))
	}
	if v.end < block.Size {
		done = true // a one-shot sample ended
	}

	// Output gains at the start (0) and end (1) of the block.
	gl1, gr1 := out.gl, out.gr
	if pn := b.panners[v.kind]; pn != nil {
		gl1, gr1 = pn.panGains(v.idx, min(max(p1, -1), 1))
	} else if p1 != out.pan {
		gl1, gr1 = panGains(min(max(p1, -1), 1))
	}
	l0, r0 := out.gain*out.gl, out.gain*out.gr
	l1, r1 := g1*gl1, g1*gr1
	segs := segBuf[:n]
	whole := n == 1 && segs[0].a == 0 && segs[0].b == block.Size && !v.stereo
	if !whole {
		sc.flush()
	}
	if l0 == l1 && r0 == r1 {
		// Steady gain: each envelope run is one exact linear ramp.
		if whole {
			sg := &segs[0]
			sc.addMono(v.lane, sg.e0*l0, sg.e1*l0, sg.e0*r0, sg.e1*r0)
		} else {
			for _, sg := range segs {
				addRun(left[sg.a:sg.b], right[sg.a:sg.b], vl[sg.a:sg.b], vr[sg.a:sg.b], v.stereo,
					sg.e0*l0, sg.e1*l0, sg.e0*r0, sg.e1*r0)
			}
		}
	} else if n > 0 {
		// Changing gain or pan: apply the envelope first, then ramp the
		// gains across the voice's samples in this block, from the old
		// gains to the new ones, so the change cannot click.
		for _, sg := range segs {
			rampMul(vl[sg.a:sg.b], sg.e0, sg.e1)
			if v.stereo {
				rampMul(vr[sg.a:sg.b], sg.e0, sg.e1)
			}
		}
		if a, z := segs[0].a, segs[n-1].b; whole {
			sc.addMono(v.lane, l0, l1, r0, r1)
		} else {
			addRun(left[a:z], right[a:z], vl[a:z], vr[a:z], v.stereo, l0, l1, r0, r1)
		}
	}
	out.gain, out.pan, out.gl, out.gr = g1, p1, gl1, gr1
	if n > 0 {
		out.level = segs[n-1].e1 * g1 // the envelope where the block ends, without a division
	} else if sh == nil {
		out.level = e.level() * g1
	} else {
		out.level = 0 // no run: the voice ended before the block
	}
	if done {
		b.slots[s].state = slotFinished
		sc.gone++
	}
}

// addRun accumulates a mono run with pan ramps, or a stereo run with one
// gain ramp per side.
func addRun(left, right, src, srcR []float32, stereo bool, l0, l1, r0, r1 float32) {
	if stereo {
		mix.AddRamp(left, src, l0, l1)
		mix.AddRamp(right, srcR, r0, r1)
		return
	}
	mix.PanAddRamp(left, right, src, l0, l1, r0, r1)
}

// rampMul multiplies x by a gain moving linearly from g0 towards g1, the ramp
// of mix.AddRamp:
//
//	step := (g1 - g0) / float32(len(x))
//	for i := range x { x[i] = float32(float32(g0+float32(float32(i)*step)) * x[i]) }
//
// It is the envelope kernel, a candidate for the mix package's SIMD tiers.
func rampMul(x []float32, g0, g1 float32) {
	step := (g1 - g0) / float32(len(x))
	for i := range x {
		g := g0 + float32(float32(i)*step)
		x[i] = float32(g * x[i])
	}
}
