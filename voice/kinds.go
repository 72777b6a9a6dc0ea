package voice

import (
	"fmt"
	"math"
	"math/bits"
	"unsafe"
)

// A voice kind is a source of sound: an oscillator, a noise generator, a
// sample player. Each kind lives in a file of its own, which declares its
// Kind constant, the state of its voices and a source that checks, starts,
// retunes and renders them; the bank runs what the kinds share (the checks
// common to every kind, the envelope, the filter, gain and pan, the bus).
// kindTable is the one list of kinds: adding a kind is its file and one
// entry there (docs/voice.md, "How to add a voice kind").

// kindTable lists the kinds, indexed by Kind: the name Kind.String returns,
// and the constructor of the kind's source for a bank of a given capacity.
var kindTable = [...]kindEntry{
	Sine:      {"sine", newSines},
	Saw:       {"saw", newSaws},
	Square:    {"square", newPulses},
	Triangle:  {"triangle", newTriangles},
	Noise:     {"noise", newNoises},
	Wavetable: {"wavetable", newWavetables},
	Sampler:   {"sample", newSamplers},

	SoundFontSampler: {"soundfont", newSoundFonts},
}

// numKinds is the number of kinds; Kinds are 0..numKinds-1.
const numKinds = Kind(len(kindTable))

type kindEntry struct {
	name string
	new  func(capacity int) source
}

// Kind says which source of sound a voice plays; each kind's constant is
// documented in the kind's file.
type Kind uint8

// String returns the kind's name, as used in benchmark names.
func (k Kind) String() string {
	if k < numKinds {
		return kindTable[k].name
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// source is one kind's voices in a bank: their state, in arrays indexed by
// the kind's own voice index (a bank maps each slot to a kind and an
// index), and what the kind does with it. check, start and retune run on
// the goroutine that drives the bank; render runs inside Render, so it may
// run on several goroutines at once, for disjoint voices.
type source interface {
	// check validates the fields of p that the kind reads (its pitch,
	// Table or Sample) for a bank at rate Hz; the bank checks the others
	// (gain, pan, envelope, filter). The error names the field (see bad).
	check(p *Params, rate float64) error
	// start sets voice i up to play p, which check accepted, from its
	// first sample, at frequency ratio 1; it reports whether the voice
	// has two channels.
	start(i int32, p *Params, rate float64) (stereo bool)
	// retune sets voice i's frequency ratio (SetFreqRatio) to r, a
	// finite positive value, from its next sample on.
	retune(i int32, r float32)
	// render renders the next block of each voice v of the batch,
	// sc.batch[:sc.n], all of this kind, in order: into its lane (and
	// the next, for a stereo voice), from sample v.first on, and hands
	// it to b.finish with the end of its signal (block.Size, or where a
	// one-shot source ended) before the next. It must not keep sc,
	// which is on Render's stack (see noEscape).
	render(b *Bank, sc *scratch)
}

// A steadySource can add its steady voices (see Bank.hold) straight to
// the bus, for less than the general path costs.
type steadySource interface {
	source
	// addSteady adds to the bus (sc.left, sc.right), in the order of
	// their positions, the steady voices of the kind among the
	// positions of sc.window set in mask, advances them by a block, and
	// returns mask without their positions. Positions of other kinds,
	// of idle slots or out of range stay in mask.
	addSteady(b *Bank, sc *scratch, mask uint64) uint64
}

// A shaper shapes its voices' level itself, rather than with the ADSR of
// Params.Env (a SoundFont voice has a delay-attack-hold-decay-sustain-
// release envelope, its decay and release linear in dB). The bank then
// hands it NoteOff and Steal and takes the voice's level from it; the
// start offset, gain, pan and the filter stay the bank's.
type shaper interface {
	source
	// noteOff starts voice i's release at sample offset of the next
	// block; a second one does not restart it.
	noteOff(i int32, offset int)
	// steal fades voice i out over MinRelease samples from the start of
	// the next block.
	steal(i int32)
	// releasing reports whether voice i is releasing, or will start its
	// release in the next block.
	releasing(i int32) bool
	// walk advances voice i's envelope across the samples [first, end)
	// of the next block (see envState.walk) and returns its level as
	// linear runs in segs, and whether the voice finished in the block.
	// It must not keep segs, which is on Render's stack.
	walk(i int32, first, end int32, segs *[maxSegs]envSeg) (n int, done bool)
}

// A panner is a shaper that places its voices in the stereo field by a
// pan law of its own (a SoundFont voice follows FluidSynth's, from its
// own pan and the bank's).
type panner interface {
	// panGains returns voice i's left and right gains at the bank's pan
	// p, for the end of the next block (the bank ramps to them).
	panGains(i int32, p float32) (l, r float32)
}

// A filterOwner sets its voices' filter itself: at NoteOn its type, and
// in each block's render its coefficients, before the bank filters the
// voice (a SoundFont voice's cutoff follows its modulators).
type filterOwner interface {
	// startFilter sets up voice i's filter f, which the bank has just
	// reset to Params.Filter.
	startFilter(i int32, f *svfState)
}

// noEscape returns p, hidden from the compiler's escape analysis, as the
// standard library's internal/abi.NoEscape does. Render hands its scratch
// (on its stack) to the kinds through interfaces, whose callees the
// compiler cannot see, so it would otherwise assume the scratch escapes
// and allocate it on the heap at every Render; NoteOn does the same with
// the caller's Params. This is safe because a source uses what it gets
// only during the call (the contracts above): it never keeps a pointer
// to it.
//
//go:nocheckptr
func noEscape[T any](p *T) *T {
	return (*T)(unsafe.Add(nil, uintptr(unsafe.Pointer(p))))
}

// indexes hands out one kind's voice indices, lowest free first, so that
// a kind's voices stay packed at the front of its arrays. A slot holds
// its index until a NoteOn replaces its voice, so no kind ever needs more
// indices than the bank has slots.
type indexes struct {
	free []uint64 // bit i%64 of word i/64 is set when index i is free
	low  int      // no word below low has a free bit
}

func newIndexes(n int) indexes {
	x := indexes{free: make([]uint64, (n+63)/64)}
	for i := range n {
		x.free[i>>6] |= 1 << (i & 63)
	}
	return x
}

// take returns the lowest free index and marks it used.
func (x *indexes) take() int32 {
	for w := x.low; ; w++ {
		if f := x.free[w]; f != 0 {
			i := bits.TrailingZeros64(f)
			x.free[w] = f &^ (1 << i)
			x.low = w
			return int32(w<<6 + i)
		}
	}
}

// put frees index i.
func (x *indexes) put(i int32) {
	x.free[i>>6] |= 1 << (i & 63)
	x.low = min(x.low, int(i>>6))
}

// checkPitch checks the Freq of an oscillator: above 0 and below half the
// sample rate.
func checkPitch(p *Params, rate float64) error {
	if !finite64(p.Freq) || p.Freq <= 0 || p.Freq >= rate/2 {
		return bad("Freq", p.Freq)
	}
	return nil
}

// phaseInc returns the phase step per sample (cycles × 2^32) of an
// oscillator whose step at ratio 1 is base, at ratio r: at least 1 and
// below half a cycle, so that it stays below half the sample rate.
func phaseInc(base float64, r float32) uint32 {
	return uint32(min(max(math.Round(base*float64(r)), 1), 1<<31-1))
}
