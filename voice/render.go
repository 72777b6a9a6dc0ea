package voice

import (
	"math"

	"github.com/aether-audio/aether/mix"
)

// scratch is the per-Render working memory, on the caller's stack.
type scratch struct {
	buf, bufR, tmp [BlockSize]float32
	segs           [maxSegs]envSeg
}

// Render renders one block of the voices in slots and adds it into left and
// right, advancing their state. Slots that are not active, or out of range,
// are skipped; a voice that finishes inside the block is no longer Active
// afterwards. Render allocates nothing, takes no lock and makes no
// interface call; it may run concurrently with other Renders of the same
// bank whose slots are disjoint from these (and with the setters).
func (b *Bank) Render(slots []int32, left, right *[BlockSize]float32) {
	var sc scratch
	for _, s := range slots {
		if uint(s) < uint(len(b.state)) && b.state[s] == slotActive {
			b.renderVoice(int(s), left, right, &sc)
		}
	}
}

func (b *Bank) renderVoice(s int, left, right *[BlockSize]float32, sc *scratch) {
	o, e, f, out := &b.osc[s], &b.env[s], &b.filt[s], &b.out[s]

	// Pick up the setters' values; a non-finite one silences the voice.
	g1 := math.Float32frombits(b.gainBits[s].Load())
	p1 := math.Float32frombits(b.panBits[s].Load())
	r := math.Float32frombits(b.ratioBits[s].Load())
	if !(g1 >= 0 && g1 <= math.MaxFloat32) || p1 != p1 || !(r > 0 && r <= math.MaxFloat32) {
		b.silence(s)
		return
	}
	if r != o.ratio {
		o.setRatio(r)
	}
	if f.typ != FilterNone {
		cut := math.Float32frombits(b.cutBits[s].Load())
		res := math.Float32frombits(b.resBits[s].Load())
		if !finite32(cut) || res != res {
			b.silence(s)
			return
		}
		if cut != f.cut || res != f.res {
			f.set(cut, res, b.rate)
		}
	}

	first := int32(0)
	if e.pending() {
		first = int32(e.startAt)
		e.startAt = -1
	}
	stereo := o.kind == Sampler && len(o.smp.ch) == 2
	end := first + int32(o.render(sc.buf[first:], sc.bufR[first:], sc.tmp[first:]))
	if f.typ != FilterNone {
		f.process(sc.buf[first:end], 0)
		if stereo {
			f.process(sc.bufR[first:end], 1)
		}
		if !f.settle() {
			b.silence(s)
			return
		}
	}
	n, done := e.walk(first, end, &sc.segs)
	if end < BlockSize {
		done = true // a one-shot sample ended
	}

	// Output gains at the start (0) and end (1) of the block.
	gl1, gr1 := out.gl, out.gr
	if p1 != out.pan {
		p1 = min(max(p1, -1), 1)
		gl1, gr1 = panGains(p1)
	}
	l0, r0 := out.gain*out.gl, out.gain*out.gr
	l1, r1 := g1*gl1, g1*gr1
	segs := sc.segs[:n]
	if l0 == l1 && r0 == r1 {
		// Steady gain: each envelope run is one exact linear ramp.
		for _, sg := range segs {
			addRun(left[sg.a:sg.b], right[sg.a:sg.b], sc.buf[sg.a:sg.b], sc.bufR[sg.a:sg.b], stereo,
				sg.e0*l0, sg.e1*l0, sg.e0*r0, sg.e1*r0)
		}
	} else if n > 0 {
		// Changing gain or pan: apply the envelope first, then ramp the
		// gains across the whole block so the change cannot click.
		for _, sg := range segs {
			rampMul(sc.buf[sg.a:sg.b], sg.e0, sg.e1)
			if stereo {
				rampMul(sc.bufR[sg.a:sg.b], sg.e0, sg.e1)
			}
		}
		a, z := segs[0].a, segs[n-1].b
		// The ramp runs over the samples this voice produced in the
		// block, from the old gains to the new ones.
		addRun(left[a:z], right[a:z], sc.buf[a:z], sc.bufR[a:z], stereo, l0, l1, r0, r1)
	}
	out.gain, out.pan, out.gl, out.gr = g1, p1, gl1, gr1
	out.level = e.level() * g1
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
