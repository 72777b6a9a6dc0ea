package voice

import "math"

// Envelope stages.
const (
	stageAttack = iota
	stageDecay
	stageSustain
	stageRelease
	stageDone
)

// envState is one voice's linear ADSR. Inside a ramp stage the level at
// position pos is from + (to-from)·pos/len, computed from the integer
// position rather than accumulated, so segment ends land on exact samples
// and no rounding error builds up over a long note.
type envState struct {
	stage    uint8
	startAt  int8 // first sample of the next block, or -1 once started
	offAt    int8 // sample of the next block where the release starts, or -1
	steal    bool // fade out over MinRelease from the next block's start
	pos, len int32
	from, to float32

	attack, decay, release int32 // segment lengths in samples
	sustain                float32
}

// envSeg is a run of samples [a, b) whose envelope moves linearly from e0
// (at a) towards e1 (reached at b).
type envSeg struct {
	a, b   int32
	e0, e1 float32
}

// maxSegs bounds the runs one block can have: the initial silence is not a
// run, and after it at most attack, decay, sustain, release runs follow,
// plus a steal release and the split at the note-off sample.
const maxSegs = 8

// samplesOf converts seconds to a whole number of samples, rounding.
func samplesOf(sec float32, rate float64) int32 {
	return int32(math.Round(float64(sec) * rate))
}

func (e *envState) start(a *ADSR, rate float64, offset int) {
	*e = envState{
		startAt: int8(offset),
		offAt:   -1,
		attack:  samplesOf(a.Attack, rate),
		decay:   samplesOf(a.Decay, rate),
		release: max(samplesOf(a.Release, rate), 1),
		sustain: FlushTiny(a.Sustain),
	}
	if a.Attack == 0 && a.Decay == 0 && a.Sustain == 0 {
		e.sustain = 1 // the envelope would be silent
	}
	if a.Release == 0 {
		e.release = MinRelease
	}
	e.enter(stageAttack, 0)
}

// enter moves to stage (skipping zero-length ramps) starting from level.
func (e *envState) enter(stage uint8, level float32) {
	e.pos = 0
	switch stage {
	case stageAttack:
		if e.attack > 0 {
			e.stage, e.from, e.to, e.len = stageAttack, level, 1, e.attack
			return
		}
		fallthrough
	case stageDecay:
		if e.decay > 0 {
			e.stage, e.from, e.to, e.len = stageDecay, 1, e.sustain, e.decay
			return
		}
		fallthrough
	case stageSustain:
		// A sustain level of 0 would hold a silent voice forever; a
		// percussive envelope is finished when its decay ends.
		if e.sustain > 0 {
			e.stage = stageSustain
			return
		}
		e.stage = stageDone
	case stageRelease:
		e.stage, e.from, e.to = stageRelease, level, 0
	}
}

// level returns the envelope value at the current position.
func (e *envState) level() float32 {
	switch e.stage {
	case stageSustain:
		return e.sustain
	case stageDone:
		return 0
	}
	return e.at(e.pos)
}

func (e *envState) at(pos int32) float32 {
	return e.from + (e.to-e.from)*float32(pos)/float32(e.len)
}

// beginRelease fades from the current level to 0 over length samples.
func (e *envState) beginRelease(length int32) {
	e.enter(stageRelease, e.level())
	e.len = length
}

func (e *envState) pending() bool { return e.startAt >= 0 }

// steady reports whether the envelope holds its sustain level through the
// next block: no pending start, note-off or steal.
func (e *envState) steady() bool {
	return e.stage == stageSustain && e.offAt < 0 && !e.steal && e.startAt < 0
}

func (e *envState) noteOff(offset int) { e.offAt = int8(offset) }

func (e *envState) releasing() bool {
	return e.offAt >= 0 || e.steal || e.stage == stageRelease
}

// walk advances the envelope across one block, whose samples before first
// are not the voice's and whose samples from end on are silent (a one-shot
// sample ended). It returns the linear runs to apply and whether the
// envelope finished inside the block.
func (e *envState) walk(first, end int32, segs *[maxSegs]envSeg) (n int, done bool) {
	if e.steal {
		e.steal = false
		e.offAt = -1
		e.beginRelease(MinRelease)
	}
	off := int32(e.offAt)
	e.offAt = -1
	if off >= 0 && off < first {
		off = first
	}
	i := first
	for i < end && n < maxSegs {
		if i == off {
			// A second note-off does not restart a release.
			if e.stage < stageRelease {
				e.beginRelease(e.release)
			}
			off = -1
		}
		stop := end
		if off > i {
			stop = off
		}
		var k int32
		var e0, e1 float32
		switch e.stage {
		case stageDone:
			return n, true
		case stageSustain:
			k, e0, e1 = stop-i, e.sustain, e.sustain
		default:
			k = min(stop-i, e.len-e.pos)
			e0, e1 = e.at(e.pos), e.at(e.pos+k)
			e.pos += k
		}
		segs[n] = envSeg{a: i, b: i + k, e0: e0, e1: e1}
		n++
		i += k
		if e.stage != stageSustain && e.pos == e.len {
			e.next()
		}
	}
	return n, e.stage == stageDone
}

// next moves on from a finished ramp stage.
func (e *envState) next() {
	switch e.stage {
	case stageAttack:
		e.enter(stageDecay, 1)
	case stageDecay:
		e.enter(stageSustain, e.sustain)
	case stageRelease:
		e.stage = stageDone
	}
}
