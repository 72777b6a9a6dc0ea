package voice

import "math"

// The SoundFont voice's control rate: once per 64-sample block its
// envelopes and LFOs advance, as FluidSynth 2.3.1's fluid_adsr_env_calc
// and fluid_lfo_calc do once per buffer of the same size. The arithmetic
// is FluidSynth's, in float64 (its fluid_real_t is a double in its default
// build) with its single-precision increments, so each segment ends on
// the block FluidSynth's ends on.

// The envelope sections, in FluidSynth's order.
const (
	sfDelay = iota
	sfAttack
	sfHold
	sfDecay
	sfSustain
	sfRelease
	sfFinished
)

// sfEnv is one SoundFont envelope, volume or modulation: its section, the
// blocks spent in it, and its value, which in the volume envelope's
// decay, sustain and release reads as an attenuation of EnvRange × (1 −
// val).
type sfEnv struct {
	val     float64
	count   int64 // blocks done in the section
	section uint8
	vol     bool // the volume envelope: its release stops at 1, the modulation envelope's at 2
	e       Envelope

	// The section's params, kept from when it was entered (enter).
	limit               int64
	coeff, incr, lo, hi float64
}

// start resets the envelope to the start of its delay.
func (e *sfEnv) start(env *Envelope, vol bool) {
	*e = sfEnv{vol: vol, e: *env}
	e.e.Attack, e.e.Release = max(e.e.Attack, 1), max(e.e.Release, 1)
	e.enter()
}

// enter keeps the params of the section the envelope is in; it runs
// whenever the section, or the Envelope it comes from, changes.
func (e *sfEnv) enter() {
	e.limit, e.coeff, e.incr, e.lo, e.hi = e.params()
}

// recip is FluidSynth's 1.0f/count: a single-precision quotient, widened.
func recip(count int) float64 { return float64(float32(1) / float32(count)) }

// section returns the current section's length in blocks and what each
// block does to the value: val = coeff·val + incr, kept in [lo, hi]
// (leaving the section when it gets there).
func (e *sfEnv) params() (count int64, coeff, incr, lo, hi float64) {
	switch e.section {
	case sfDelay:
		return int64(e.e.Delay), 0, 0, -1, 1
	case sfAttack:
		return int64(e.e.Attack), 1, recip(e.e.Attack), -1, 1
	case sfHold:
		return int64(e.e.Hold), 1, 0, -1, 2
	case sfDecay:
		if e.e.Decay == 0 {
			return 0, 1, 0, float64(e.e.Sustain), 2
		}
		return int64(e.e.Decay), 1, -recip(e.e.Decay), float64(e.e.Sustain), 2
	case sfSustain:
		return math.MaxInt64, 1, 0, -1, 2
	case sfRelease:
		hi = 2
		if e.vol {
			hi = 1
		}
		return int64(e.e.Release), 1, -recip(e.e.Release), 0, hi
	}
	return math.MaxInt64, 0, 0, -1, 1 // finished
}

// stay advances the envelope by one block (fluid_adsr_env_calc) if the
// block stays in its section, and reports whether it did; step takes the
// blocks that do not. (Two functions: stay inlines.)
func (e *sfEnv) stay() bool {
	if x := float64(e.coeff*e.val) + e.incr; e.count < e.limit && x >= e.lo && x <= e.hi {
		e.val, e.count = x, e.count+1
		return true
	}
	return false
}

// still reports whether the section leaves the value as it is, a hold or
// a sustain: until its blocks run out (count reaches limit), stay then
// only counts them, for coeff·val + incr is val exactly and val lies in
// [lo, hi] (the section's value was clamped there when it was entered).
func (e *sfEnv) still() bool { return e.coeff == 1 && e.incr == 0 }

// step advances the envelope by one block, through any change of section.
func (e *sfEnv) step() {
	for e.count >= e.limit {
		if e.section == sfDecay {
			e.val = e.lo * e.coeff // leaving the decay by time: exactly the sustain level
		}
		e.section++
		e.count = 0
		e.enter()
	}
	x := float64(e.coeff*e.val) + e.incr
	switch {
	case x < e.lo:
		x = e.lo
		e.section++
		e.count = 0
		e.enter()
	case x > e.hi:
		x = e.hi
		e.section++
		e.count = 0
		e.enter()
	default:
		e.count++
	}
	e.val = x
}

// release enters the release section from wherever the envelope is.
func (e *sfEnv) release() {
	e.section, e.count = sfRelease, 0
	e.enter()
}

// sfLFO is a SoundFont triangle LFO: still at 0 until its delay, then
// moving by incr each block between -1 and 1 (fluid_lfo_calc).
type sfLFO struct {
	val, incr float64
	delay     int64 // frames
}

func (l *sfLFO) start(p *LFO) { *l = sfLFO{incr: float64(p.Incr), delay: int64(p.Delay)} }

// calc advances the LFO by the block that starts ticks frames into the
// voice.
func (l *sfLFO) calc(ticks int64) {
	if ticks < l.delay {
		return
	}
	l.val += l.incr
	if l.val > 1 {
		l.incr, l.val = -l.incr, 2-l.val
	} else if l.val < -1 {
		l.incr, l.val = -l.incr, -2-l.val
	}
}

// Unit conversions. FluidSynth reads cb2amp and ct2hz from tables of whole
// centibels and cents, truncating; the voice interpolates between the
// entries instead, so a level follows its centibels and a pitch its cents
// without steps (0.1 dB and 1 cent at most apart from FluidSynth's). The
// filter cutoff keeps FluidSynth's whole cents.

// cbTable: 10^(-cb/200) for whole cb, 0..1441.
var cbTable = func() (t [1442]float64) {
	for i := range t {
		t[i] = math.Pow(10, float64(i)/-200)
	}
	return t
}()

// cb2amp is FluidSynth's fluid_cb2amp, interpolated: the amplitude of an
// attenuation of cb centibels, 1 for cb <= 0 (no gain) and 0 from 1441 on.
func cb2amp(cb float64) float64 {
	if !(cb > 0) {
		return 1
	}
	if cb >= 1441 {
		return 0
	}
	i := int(cb)
	return cbTable[i] + (cb-float64(i))*(cbTable[i+1]-cbTable[i])
}

// hzTable: 6.875 Hz (440 Hz / 2^6) × 2^(i/1200), 0..1200.
var hzTable = func() (t [1201]float64) {
	for i := range t {
		t[i] = 6.875 * math.Exp2(float64(i)/1200)
	}
	return t
}()

// maxCents bounds a pitch or cutoff in absolute cents: 8.2 Hz × 2^25.
const maxCents = 30000

// ct2hz is FluidSynth's fluid_ct2hz_real, interpolated between whole
// cents: absolute cents to Hz, 440 Hz at 6900.
func ct2hz(c float64) float64 {
	if c < 0 {
		return 8.1757989156437073336828122976 * math.Exp2(c/1200)
	}
	c = min(c, maxCents)
	ic := int(c)
	x := ic + 300
	oct := x / 1200
	r := x - 1200*oct
	return (hzTable[r] + (c-float64(ic))*(hzTable[r+1]-hzTable[r])) * pow2(oct)
}

// pow2 is 2^k for k in 0..1023, from its bits.
func pow2(k int) float64 { return math.Float64frombits(uint64(1023+k) << 52) }

// ct2hzWhole is fluid_ct2hz_real at whole cents c >= 0.
func ct2hzWhole(c int) float64 {
	x := c + 300
	return hzTable[x%1200] * pow2(x/1200)
}

// convexTable is FluidSynth's fluid_convex_tab: 1 + (400/960)·log10(i/127),
// 0 at 0 and 1 at 127.
var convexTable = func() (t [128]float64) {
	for i := 1; i < 127; i++ {
		t[i] = 1 + 400.0/960*math.Log10(float64(i)/127)
	}
	t[127] = 1
	return t
}()

// convex is FluidSynth's fluid_convex: the table read linearly at v in
// 0..127 (the modulation envelope's attack is convex(127·val)).
func convex(v float64) float64 {
	if v < 0 {
		return 0
	}
	i := int(v)
	if i >= 127 {
		return 1
	}
	return convexTable[i] + (convexTable[i+1]-convexTable[i])*(v-float64(i))
}

// panTable is FluidSynth's fluid_pan_tab: sin(i·π/2/1001), 0..1001.
var panTable = func() (t [1002]float32) {
	for i := range t {
		t[i] = float32(math.Sin(float64(i) * math.Pi / 2 / 1001))
	}
	return t
}()

// fluidPan is FluidSynth's fluid_pan: the gain of the left (or right)
// channel at pan c in -500..500, truncated to whole steps.
func fluidPan(c float32, left bool) float32 {
	if left {
		c = -c
	}
	switch {
	case c <= -500:
		return 0
	case c >= 500:
		return 1
	}
	return panTable[int(c)+500]
}
