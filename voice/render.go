package voice

import (
	"math"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// filterGroup is how many filter channels Render gathers before it runs
// them in one mix.SVFVoices call. The SVF is a recursion, so one voice's
// filter waits on each multiply-add in turn; the kernel runs one channel
// per SIMD lane, and 16 fill an AVX-512 vector (two AVX2, four SSE2).
const filterGroup = 16

// sineBatch is how many steady sine voices Render gathers for one
// mix.SineVoices call. The call keeps the bus in registers across its
// voices, so its fixed cost (loading and storing the bus, about two voices'
// worth of one pan-accumulate) is shared by this many; 64 makes that
// negligible while the batch (1 KiB) stays small on the stack.
const sineBatch = 64

// sineVoices is a batch of steady sine voices waiting for one
// mix.SineVoices call: their phases, steps and constant gains. The voices'
// own phases are advanced when they join the batch, so the phases the call
// writes back here are not needed.
type sineVoices struct {
	n      int
	phase  [sineBatch]uint32
	inc    [sineBatch]uint32
	gl, gr [sineBatch]float32
}

// heldSine remembers that a slot's voice was a steady sine voice (see
// gatherSines) and under which setter values, so that in the blocks after
// Render need only compare those three values: kind, filter and envelope
// cannot change without a NoteOn, NoteOff or Steal, which clear ok. The
// gains are the voice's constant sine gains, sustain × gain × pan gain.
type heldSine struct {
	ok               bool
	other            bool   // not an unfiltered sine: never steady until the next NoteOn
	gain, pan, ratio uint32 // setter bits the voice is steady under
	gl, gr           float32
}

// voiceBuf describes the working signal of one voice in a block. Its left
// and right channels are lanes lane and lane+1 of the scratch's filter
// batch, so a filtered voice's signal is already where mix.SVFVoices reads
// it. (An index, not pointers: a pointer into the scratch stored through v
// would move the whole scratch to the heap.)
type voiceBuf struct {
	slot       int
	first, end int32 // the voice's samples in this block are [first, end)
	stereo     bool
	lane       int
}

// lanes is the signal storage voiceBuf.lane indexes.
type lanes = [maxFilterLanes]block.Block

// scratch is the per-Render working memory, on the caller's stack.
type scratch struct {
	group [filterGroup]voiceBuf // the filtered voices waiting, then the current one
	lanes filterBatch           // their channels, in order, then the current one's
	tmp   block.Block
	segs  [maxSegs]envSeg
	sines sineVoices
	rest  [sineBatch]int32 // the slots of a window that are not steady sines
}

// Render renders one block of the voices in slots and adds it into left and
// right, advancing their state. Slots that are not active, or out of range,
// are skipped; a voice that finishes inside the block is no longer Active
// afterwards. Render allocates nothing, takes no lock and makes no
// interface call; it may run concurrently with other Renders of the same
// bank whose slots are disjoint from these (and with the setters). The sum
// depends only on the slots and their order, never on timing.
func (b *Bank) Render(slots []int32, left, right *block.Block) {
	var sc scratch
	held, used := 0, 0 // filtered voices waiting in sc.group, and their channels
	for len(slots) > 0 {
		window := slots[:min(len(slots), sineBatch)]
		slots = slots[len(window):]
		rest := b.gatherSines(window, &sc.sines, &sc.rest)
		b.flushSines(&sc.sines, left, right)
		for _, s := range rest {
			v := &sc.group[held]
			v.lane = used
			if !b.source(int(s), v, &sc.lanes.sig, &sc.tmp) {
				continue
			}
			if b.filt[s].typ == FilterNone {
				b.output(v, &sc.lanes.sig, left, right, &sc.segs)
				if h := &b.held[s]; !h.other { // filtered and other voices are never held
					if b.env[s].steady() {
						b.hold(int(s))
					} else {
						h.ok = false
					}
				}
				continue
			}
			held++
			used++
			if v.stereo {
				used++
			}
			if used >= filterGroup {
				b.filterAndOutput(&sc, held, used, left, right)
				held, used = 0, 0
			}
		}
	}
	if held > 0 {
		b.filterAndOutput(&sc, held, used, left, right)
	}
}

// gatherSines puts the steady sine voices of window (at most sineBatch
// slots) into batch and returns the other active slots, in order, in rest.
// A steady sine voice is one whose block is one constant-gain sine:
// sounding from the block's start, unfiltered, its envelope holding sustain
// through the block, its gain, pan and frequency ratio unchanged (the fast
// path of output, which this replaces for sine voices, with its gains to
// the bit). Anything changing or invalid is left to the general path, which
// ramps, retunes or silences it; a voice is back here the block after.
//
// It is one loop with no call, so the bank's slices stay in registers: the
// per-voice cost beside the mix.SineVoices kernel is a few loads and
// compares.
func (b *Bank) gatherSines(window []int32, batch *sineVoices, rest *[sineBatch]int32) []int32 {
	// Every slice cut to one length: one bounds check covers them all,
	// and only their bases need registers.
	state := b.state
	m := len(state)
	osc, held, set := b.osc[:m], b.held[:m], b.set[:m]
	n, k := 0, 0
	for _, s := range window {
		if uint(s) >= uint(m) || state[s] != slotActive {
			continue
		}
		h, v := &held[s], &set[s]
		if !h.ok || v[setGain].Load() != h.gain || v[setPan].Load() != h.pan || v[setRatio].Load() != h.ratio {
			rest[k&(sineBatch-1)] = s
			k++
			continue
		}
		o := &osc[s]
		i := n & (sineBatch - 1)
		batch.phase[i], batch.inc[i], batch.gl[i], batch.gr[i] = o.phase, o.inc, h.gl, h.gr
		o.phase += block.Size * o.inc // where the kernel leaves it
		n++
	}
	batch.n = n
	return rest[:k]
}

// hold records in b.held that the unfiltered sine voice in slot s, whose
// block the general path has just rendered and whose envelope is steady
// for the next block, is a steady sine voice, and under which setter
// values: those this block applied, which are never NaN, so a next block
// whose setters still hold them to the bit is valid and clamped, and any
// change goes through the general path once (which ramps, retunes or
// silences) and is held again after it.
func (b *Bank) hold(s int) {
	h, e, out := &b.held[s], &b.env[s], &b.out[s]
	// The gains of output's constant-gain path, to the bit.
	*h = heldSine{ok: true,
		gain: math.Float32bits(out.gain), pan: math.Float32bits(out.pan), ratio: math.Float32bits(b.osc[s].ratio),
		gl: e.sustain * (out.gain * out.gl), gr: e.sustain * (out.gain * out.gr)}
}

// flushSines adds the batched sine voices to the bus in one mix.SineVoices
// call.
func (b *Bank) flushSines(batch *sineVoices, left, right *block.Block) {
	n := batch.n
	if n == 0 {
		return
	}
	mix.SineVoices(left, right, batch.phase[:n], batch.inc[:n], batch.gl[:n], batch.gr[:n])
	batch.n = 0
}

// source picks up the slot's parameters and renders its oscillator into v.
// It returns false if the voice was silenced instead.
func (b *Bank) source(s int, v *voiceBuf, sig *lanes, tmp *block.Block) bool {
	o, e, f := &b.osc[s], &b.env[s], &b.filt[s]
	r := math.Float32frombits(b.set[s][setRatio].Load())
	if !(r > 0 && r <= math.MaxFloat32) {
		b.silence(s)
		return false
	}
	if r != o.ratio {
		o.setRatio(r)
	}
	if f.typ != FilterNone {
		cut := math.Float32frombits(b.set[s][setCut].Load())
		res := math.Float32frombits(b.set[s][setRes].Load())
		if !finite32(cut) || res != res {
			b.silence(s)
			return false
		}
		if cut != f.cut || res != f.res {
			f.set(cut, res, b.rate)
		}
	}
	v.slot, v.first = s, 0
	if e.pending() {
		v.first = int32(e.startAt)
		e.startAt = -1
	}
	v.stereo = o.kind == Sampler && len(o.smp.ch) == 2
	vl, vr := &sig[v.lane], &sig[v.lane+1]
	v.end = v.first + int32(o.render(vl[v.first:], vr[v.first:], tmp[v.first:]))
	return true
}

// filterAndOutput filters the first n voices of the group, whose channels
// are the first lanes of sc.lanes, together, then adds each to the bus.
func (b *Bank) filterAndOutput(sc *scratch, n, used int, left, right *block.Block) {
	fb := &sc.lanes
	for i := range n {
		v := &sc.group[i]
		vl, vr := &fb.sig[v.lane], &fb.sig[v.lane+1]
		// Samples outside [first, end) go through the filter too, so
		// they must be silence: a voice starting this block has zero
		// state and stays at zero through them, and after a one-shot's
		// end the voice is finished anyway.
		clear(vl[:v.first])
		clear(vl[v.end:])
		f := &b.filt[v.slot]
		fb.load(v.lane, f, 0)
		if v.stereo {
			clear(vr[:v.first])
			clear(vr[v.end:])
			fb.load(v.lane+1, f, 1)
		}
	}
	fb.run(used)
	for i := range n {
		v := &sc.group[i]
		f := &b.filt[v.slot]
		fb.save(v.lane, f, 0)
		if v.stereo {
			fb.save(v.lane+1, f, 1)
		}
		if !f.settle() {
			b.silence(v.slot)
			continue
		}
		b.output(v, &fb.sig, left, right, &sc.segs)
	}
}

// output applies the envelope, gain and pan to v (its signal in sig) and
// adds it to the bus.
func (b *Bank) output(v *voiceBuf, sig *lanes, left, right *block.Block, segBuf *[maxSegs]envSeg) {
	s := v.slot
	vl, vr := &sig[v.lane], &sig[v.lane+1]
	e, out := &b.env[s], &b.out[s]
	g1 := math.Float32frombits(b.set[s][setGain].Load())
	p1 := math.Float32frombits(b.set[s][setPan].Load())
	if !(g1 >= 0 && g1 <= math.MaxFloat32) || p1 != p1 {
		b.silence(s)
		return
	}
	g1 = min(g1, MaxLevel)
	if p1 == out.pan && g1 == out.gain && v.first == 0 && v.end == block.Size && !v.stereo && e.steady() {
		// The common case, a held note with steady gain and pan: one
		// constant-gain accumulate, no envelope runs; the same gains,
		// to the bit, as the sustain run below would use.
		l, r := e.sustain*(out.gain*out.gl), e.sustain*(out.gain*out.gr)
		mix.PanAddRamp(left[:], right[:], vl[:], l, l, r, r)
		out.level = e.sustain * out.gain // stealing reads it: a held note is not silent
		return
	}
	n, done := e.walk(v.first, v.end, segBuf)
	if v.end < block.Size {
		done = true // a one-shot sample ended
	}

	// Output gains at the start (0) and end (1) of the block.
	gl1, gr1 := out.gl, out.gr
	if p1 != out.pan {
		gl1, gr1 = panGains(min(max(p1, -1), 1))
	}
	l0, r0 := out.gain*out.gl, out.gain*out.gr
	l1, r1 := g1*gl1, g1*gr1
	segs := segBuf[:n]
	if l0 == l1 && r0 == r1 {
		// Steady gain: each envelope run is one exact linear ramp.
		for _, sg := range segs {
			addRun(left[sg.a:sg.b], right[sg.a:sg.b], vl[sg.a:sg.b], vr[sg.a:sg.b], v.stereo,
				sg.e0*l0, sg.e1*l0, sg.e0*r0, sg.e1*r0)
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
		a, z := segs[0].a, segs[n-1].b
		addRun(left[a:z], right[a:z], vl[a:z], vr[a:z], v.stereo, l0, l1, r0, r1)
	}
	out.gain, out.pan, out.gl, out.gr = g1, p1, gl1, gr1
	if n > 0 {
		out.level = segs[n-1].e1 * g1 // the envelope where the block ends, without a division
	} else {
		out.level = e.level() * g1
	}
	if done {
		b.state[s] = slotFinished
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
