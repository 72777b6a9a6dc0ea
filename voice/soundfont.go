package voice

import (
	"math"
	"math/bits"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// SoundFontSampler plays one SoundFont sample as FluidSynth 2.3.1's voice
// does (Params.SoundFont, its recipe): once per block the volume and
// modulation envelopes and the two LFOs advance, the level is ramped
// across the block to its new target, the pitch sets the read rate, and
// the lowpass takes its cutoff from its modulations; the sample is read by
// cubic or linear interpolation through its loop. Params.Gain and Pan act
// on top (a note's own gain and pan); Freq, Env and Filter are not used.
// It is a kind of its own because its name is the recipe's type's.
const SoundFontSampler Kind = 7

// noiseFloor is the amplitude below which FluidSynth's rule ends a voice:
// its FLUID_NOISE_FLOOR (2e-7) over its default synth gain (0.2).
const noiseFloor = 2e-7 / 0.2

// sfVoice is one SoundFont voice.
type sfVoice struct {
	data               []float32
	start, end, ls, le int // pool positions: the frames played and the loop
	mode               LoopMode
	cubic              bool
	rootHz             float64
	live               SoundFontLive
	minAtt, envRange   float32
	qOffset            float32
	bypass             bool
	exclRelease        int
	minNoteLen         int64
	imgBase            int          // the pool position of the seam image's first frame
	toLoopEnd          [2][]float32 // a looping voice's data from its start and, once looped, from the loop start to the loop end
	vol, mod           sfEnv
	modLFO, vibLFO     sfLFO
	lfoAt              int64 // the ticks of the first block whose LFO steps have not run (lfosTo)
	lfoRead            bool  // some depth of live reads an LFO
	pos                int64 // the next block's first read position, 32.32 frames in data
	looped             bool  // the read position has passed the loop end (FluidSynth's has_looped)
	ticks              int64 // frames of the blocks rendered, 64 each
	offTicks           int64 // a pending note-off applies at the first block with ticks >= offTicks; -1: none
	steal              bool
	amp                float32 // the level at the end of the last block (FluidSynth's dsp.amp)
	ratio              float32 // the bank's frequency ratio (SetFreqRatio)
	state              uint8   // the block just rendered: sfQuiet, sfPlaying or sfDone
	e0, e1             float32 // its level ramp
	fc                 int32   // the lowpass's cutoff in whole cents, -1 before the first
	fcIn               float64 // the cutoff in cents it came from; NaN: none
	fq                 float32 // its FilterQ
	fbypass            bool
	a1, a2, a3, m0, m2 float32 // its coefficients

	// What the last block computed, kept so that a block whose inputs
	// are the same (a held note's pitch and level) need not compute it
	// again.
	scale          float64 // the step of 1 Hz, in 32.32 frames: ratio / rootHz × 2^32
	cents          float64 // the pitch of the last step; NaN: none
	step           int64   // its step
	want, fcWant   float64 // this block's pitch and cutoff in cents (levels)
	target         float32 // this block's level (levels)
	attAmp, minAmp float64 // cb2amp of Live.Attenuation and of MinAttenuation
	dbCB, dbAmp    float64 // the last cb2amp on the dB scale: its centibels and amplitude
	panIn          float32 // the pan of the last panGains; NaN: none
	panL, panR     float32 // its gains
	steady         bool    // target, want and fcWant stay as they are (see levels)
	held           bool    // want and fcWant stay as they are (see levels)

	// The bank's output of the voice, while outHeld (holdGains): its
	// gain times the pan gains, and the gain alone.
	outHeld    bool
	outL, outR float32
	outGain    float32
}

// The states of a voice's last block.
const (
	sfQuiet   = iota // in its delay (or silent and still): nothing read, nothing heard
	sfPlaying        // read, and ramped from e0 to e1
	sfDone           // ended: envelope finished, under the noise floor or past its sample's end
)

// sfVoices are the SoundFontSampler voices of a bank, and their seam
// images, imgStride frames each (soundfont_read.go).
type sfVoices struct {
	v   []sfVoice
	img []float32
}

func newSoundFonts(capacity int) source {
	return &sfVoices{v: make([]sfVoice, capacity), img: make([]float32, capacity*imgStride)}
}

func (s *sfVoices) image(i int32) []float32 {
	return s.img[int(i)*imgStride : int(i+1)*imgStride]
}

// maxEnvBlocks bounds an envelope section or LFO delay: FluidSynth's
// longest (8000 timecents, 101.6 s) is 7,620 blocks at 48 kHz and 121,920
// at 768 kHz.
const maxEnvBlocks = 1 << 24

func (*sfVoices) check(p *Params, _ float64) error {
	sf := p.SoundFont
	if sf == nil {
		return bad("SoundFont", "nil")
	}
	n := len(sf.Data)
	switch {
	case sf.Start < 0 || sf.Start > sf.End || sf.End > n:
		return bad("SoundFont.Start..End", [2]int{sf.Start, sf.End})
	case int64(sf.End-sf.Start) >= 1<<31:
		return bad("SoundFont.End-Start", sf.End-sf.Start)
	case sf.LoopMode > LoopUntilRelease:
		return bad("SoundFont.LoopMode", sf.LoopMode)
	case sf.loops() && (sf.LoopStart < 0 || sf.LoopEnd > n || int64(sf.LoopEnd-sf.LoopStart) >= 1<<31):
		return bad("SoundFont.LoopStart..LoopEnd", [2]int{sf.LoopStart, sf.LoopEnd})
	case sf.Interp > Cubic:
		return bad("SoundFont.Interp", sf.Interp)
	case !(sf.RootHz > 0 && sf.RootHz <= math.MaxFloat64):
		return bad("SoundFont.RootHz", sf.RootHz)
	case !(sf.EnvRange > 0 && sf.EnvRange <= 1440):
		return bad("SoundFont.EnvRange", sf.EnvRange)
	case !finite32(sf.MinAttenuation):
		return bad("SoundFont.MinAttenuation", sf.MinAttenuation)
	case !finite32(sf.FilterQOffset):
		return bad("SoundFont.FilterQOffset", sf.FilterQOffset)
	case sf.ExclusiveRelease < 0 || sf.ExclusiveRelease > maxEnvBlocks:
		return bad("SoundFont.ExclusiveRelease", sf.ExclusiveRelease)
	case sf.MinNoteLength < 0 || sf.MinNoteLength > maxEnvBlocks*block.Size:
		return bad("SoundFont.MinNoteLength", sf.MinNoteLength)
	}
	for _, e := range [...]struct {
		name string
		e    *Envelope
	}{{"SoundFont.VolEnv", &sf.VolEnv}, {"SoundFont.ModEnv", &sf.ModEnv}} {
		for _, t := range [...]int{e.e.Delay, e.e.Attack, e.e.Hold, e.e.Decay, e.e.Release} {
			if t < 0 || t > maxEnvBlocks {
				return bad(e.name, *e.e)
			}
		}
		if !(e.e.Sustain >= 0 && e.e.Sustain <= 1) {
			return bad(e.name+".Sustain", e.e.Sustain)
		}
	}
	for _, l := range [...]struct {
		name string
		l    *LFO
	}{{"SoundFont.ModLFO", &sf.ModLFO}, {"SoundFont.VibLFO", &sf.VibLFO}} {
		// A step of more than 2 a block would leave the triangle's range.
		if l.l.Delay < 0 || l.l.Delay > maxEnvBlocks*block.Size || !(l.l.Incr >= -2 && l.l.Incr <= 2) {
			return bad(l.name, *l.l)
		}
	}
	if !sf.Live.valid() {
		return bad("SoundFont.Live", sf.Live)
	}
	return nil
}

// loops reports whether the recipe's loop mode loops, with a loop of 2
// frames or more (a shorter one plays unlooped, as FluidSynth does).
func (sf *SoundFont) loops() bool {
	return (sf.LoopMode == LoopContinuous || sf.LoopMode == LoopUntilRelease) && sf.LoopEnd-sf.LoopStart >= 2
}

// valid reports whether every value is finite.
func (lv *SoundFontLive) valid() bool {
	for _, x := range [...]float32{lv.Attenuation, lv.Pan, lv.FilterFc, lv.FilterQ,
		lv.ModLFOToPitch, lv.VibLFOToPitch, lv.ModEnvToPitch, lv.ModLFOToFc, lv.ModEnvToFc,
		lv.ModLFOToVol, lv.ReverbSend, lv.ChorusSend} {
		if !finite32(x) {
			return false
		}
	}
	return finite64(lv.Pitch)
}

func (s *sfVoices) start(i int32, p *Params, _ float64) bool {
	sf := p.SoundFont
	o := &s.v[i]
	*o = sfVoice{
		data: sf.Data, start: sf.Start, end: sf.End, ls: sf.LoopStart, le: sf.LoopEnd,
		cubic: sf.Interp == Cubic, rootHz: sf.RootHz, live: sf.Live,
		minAtt: sf.MinAttenuation, envRange: sf.EnvRange, qOffset: sf.FilterQOffset, bypass: sf.FilterBypass,
		exclRelease: max(sf.ExclusiveRelease, 1), minNoteLen: int64(sf.MinNoteLength),
		offTicks: -1, fc: -1, fcIn: math.NaN(),
		minAmp: cb2amp(float64(sf.MinAttenuation)), dbCB: math.NaN(), panIn: float32(math.NaN()),
	}
	o.setLive()
	o.retune(1)
	if sf.loops() {
		o.mode = sf.LoopMode
	}
	o.vol.start(&sf.VolEnv, true)
	o.mod.start(&sf.ModEnv, false)
	o.modLFO.start(&sf.ModLFO)
	o.vibLFO.start(&sf.VibLFO)
	if o.mode != LoopNone {
		if o.start >= o.le {
			o.start = o.ls // FluidSynth starts a voice that begins past its loop at the loop
		}
		o.buildImage(s.image(i))
		o.toLoopEnd = [2][]float32{o.data[o.start:o.le], o.data[o.ls:o.le]}
	}
	o.pos = int64(o.start) * frac32
	return false
}

func (s *sfVoices) retune(i int32, r float32) { s.v[i].retune(r) }

// retune sets the frequency ratio, and the step of 1 Hz it makes.
func (o *sfVoice) retune(r float32) {
	o.ratio, o.scale, o.cents = r, float64(r)/o.rootHz*frac32, math.NaN()
	o.held, o.steady = false, false // the next block computes its step
}

// setLive takes a new o.live: what depends on it alone.
func (o *sfVoice) setLive() {
	o.attAmp, o.panIn, o.steady, o.held = cb2amp(float64(o.live.Attenuation)), float32(math.NaN()), false, false
	o.outHeld = false // its pan may change
	lv := &o.live
	o.lfoRead = lv.ModLFOToPitch != 0 || lv.VibLFOToPitch != 0 || lv.ModLFOToFc != 0 || lv.ModLFOToVol != 0
}

// lfosTo steps both LFOs through every block before the one at ticks
// upTo whose steps have not run. While no depth reads them (lfoRead is
// false) the LFOs stand still, for a value times a depth of 0 is 0
// whatever the value; the first block that reads them again replays the
// steps missed, so they hold the values stepping every block gives.
func (o *sfVoice) lfosTo(upTo int64) {
	for ; o.lfoAt < upTo; o.lfoAt += block.Size {
		o.modLFO.calc(o.lfoAt)
		o.vibLFO.calc(o.lfoAt)
	}
}

// dbAmpAt returns cb2amp(cb) for the level on the dB scale.
func (o *sfVoice) dbAmpAt(cb float64) float64 {
	if cb == o.dbCB {
		return o.dbAmp
	}
	a := cb2amp(cb) // returned from the register, not read back from o
	o.dbCB, o.dbAmp = cb, a
	return a
}

// startFilter sets up the slot's lowpass (filterOwner).
func (s *sfVoices) startFilter(i int32, f *svfState) { s.v[i].filterType(f) }

// filterType sets f's type: a lowpass unless the voice's filter can have
// no effect (the spec's bypass, with neither modulation of the cutoff).
func (o *sfVoice) filterType(f *svfState) {
	lv := &o.live
	typ := Lowpass
	if o.bypass && lv.FilterFc >= 13500 && lv.FilterQ == 0 && lv.ModLFOToFc == 0 && lv.ModEnvToFc == 0 {
		typ = FilterNone
	}
	if typ != f.typ {
		*f = svfState{typ: typ}
		o.fc, o.fcIn = -1, math.NaN()
		o.a1, o.a2, o.a3, o.m0, o.m2 = 0, 0, 0, 0, 0
	}
}

// sfKernel is one mix.SampleVoices call's arguments, in the scratch
// (zeroed once per Render, not once per batch: it is 2 KiB).
type sfKernel struct {
	src   [4 * maxBatch][]float32
	pos   [4 * maxBatch]uint64
	step  [maxBatch]uint64
	cubic [maxBatch]bool
	n     int
}

// next takes the next voice, read by cubic interpolation or not, and
// returns the reads of its lane, for play to set.
func (k *sfKernel) next(cubic bool) sfRows {
	j := k.n & (maxBatch - 1)
	k.cubic[j] = cubic
	k.n++
	return sfRows{src: (*[4][]float32)(k.src[4*j:]), pos: (*[4]uint64)(k.pos[4*j:]), step: &k.step[j]}
}

// run reads the voices added into dst, from lane 0 on.
func (k *sfKernel) run(dst []block.Block) {
	n := k.n
	mix.SampleVoices(dst[:n], k.src[:4*n], k.pos[:4*n], k.step[:n], k.cubic[:n])
	k.n = 0
}

// render advances each voice of the batch by a block and reads its
// samples: the filtered voices, whose lanes follow each other, in one
// kernel call, then each other voice in a call of its own as its lane
// (the unfiltered voices' one lane) comes free. The control runs in
// passes over the whole batch (envelopes and LFOs, then levels, then
// pitches), so that each voice's chain of dependent conversions overlaps
// the other voices'.
func (s *sfVoices) render(b *Bank, sc *scratch) {
	k := &sc.sfk
	var act [maxBatch]uint8
	var vs [maxBatch]*sfVoice // each voice's, found once
	batch := sc.batch[:sc.n]
	for i := range batch {
		vs[i&(maxBatch-1)] = &s.v[batch[i].idx]
	}
	pitched := levels(&vs, &act, advance(vs[:len(batch)], act[:len(batch)]))
	pitchSteps(&vs, pitched)
	lane := int32(-1) // the first lane of the voices in k
	filtered := 0     // the filtered voices played
	for i := range batch {
		v := &batch[i]
		if !v.filtered {
			continue
		}
		if lane >= 0 && v.lane != lane+int32(k.n) {
			k.run(sc.fb().sig[lane:]) // never for mono voices; kept so a gap cannot mix lanes
			lane = -1
		}
		if lane < 0 {
			lane = v.lane
		}
		o := vs[i&(maxBatch-1)]
		v.end = s.play(o, v.idx, act[i&(maxBatch-1)], &b.filt[v.slot], sc.fb(), v.lane, v.first, b.rate, k.next(o.cubic))
		b.prepare(o, v, sc, sc.held+filtered)
		filtered++
	}
	if k.n > 0 {
		k.run(sc.fb().sig[lane:])
	}
	for i := range batch {
		v := &batch[i]
		if !v.filtered {
			o := vs[i&(maxBatch-1)]
			v.end = s.play(o, v.idx, act[i&(maxBatch-1)], &b.filt[v.slot], nil, v.lane, v.first, b.rate, k.next(o.cubic))
			k.run(sc.fb().sig[v.lane:])
		}
		b.finish(sc, v, v.end)
	}
}

// What a voice's next block does, as its control (advance, levels)
// finds it.
const (
	sfSkip     = iota // nothing read, nothing heard
	sfEnd             // the voice ends
	sfRead            // the voice reads and plays, at a pitch and cutoff levels computed
	sfReadHeld        // the voice reads and plays at the last block's pitch and cutoff
)

// batchSet is a set of a batch's voices, bit i for voice i: each pass of
// the control after the first visits only the voices whose set it is in,
// not every voice of the batch (a held chord's voices skip them all).
type batchSet uint64

const _ = uint(64 - maxBatch) // a batchSet holds a whole batch

// advance runs the first part of each voice's control for its next
// block, as fluid_rvoice_write does up to its pitch: it moves the
// envelopes and the LFOs and sets act[i] to what the block does, except
// for the voices it returns, whose act levels sets.
// Each pass of the control is a loop over the batch, not a call per
// voice: the voices' chains of dependent steps then overlap each other,
// with or without profile-guided inlining.
func advance(vs []*sfVoice, act []uint8) (level batchSet) {
	act = act[:len(vs)]
	for i, o := range vs {
		o.state = sfQuiet
		if o.steady && o.offTicks < 0 && o.vol.count < o.vol.limit && o.mod.count < o.mod.limit {
			// Both envelopes stand still (a hold or a sustain) through
			// this block and no LFO reaches the level, pitch or cutoff
			// (so none is stepped, lfosTo): the block's level, pitch and
			// cutoff are the last's.
			o.ticks += block.Size
			o.vol.count++ // what stay does in a section that stands still
			o.mod.count++
			act[i] = sfReadHeld
			continue
		}
		if o.offTicks >= 0 && o.ticks >= o.offTicks {
			if o.lfoRead {
				o.lfosTo(o.ticks) // releaseNow reads the last block's
			}
			o.releaseNow()
			o.offTicks, o.held = -1, false
		}
		o.ticks += block.Size
		if !o.vol.stay() {
			o.vol.step()
		}
		if o.vol.section == sfFinished {
			act[i] = sfEnd
			continue
		}
		if !o.mod.stay() {
			o.mod.step()
		}
		if o.lfoRead {
			o.lfosTo(o.ticks) // through this block
		}
		if o.vol.section == sfDelay {
			act[i] = sfSkip
			continue
		}
		level |= 1 << i
	}
	return level
}

// levels runs the rest of the control of each voice in set (advance's):
// the level (o.target) and, for a voice that reads and does not
// hold them, the pitch and cutoff in cents (o.want, o.fcWant); it sets
// act[i] to what the block does, and returns the voices set to sfRead.
func levels(vs *[maxBatch]*sfVoice, act *[maxBatch]uint8, set batchSet) (pitched batchSet) {
	for ; set != 0; set &= set - 1 {
		i := bits.TrailingZeros64(uint64(set)) & (maxBatch - 1)
		o := vs[i]
		// The level: linear in amplitude through the attack, linear in dB
		// (over EnvRange) after it.
		lv := &o.live
		lfoCB := o.modLFO.val * -float64(lv.ModLFOToVol)
		att := o.attAmp
		var target float64
		if o.vol.section == sfAttack {
			target = att * cb2amp(lfoCB) * o.vol.val
		} else {
			target = att * o.dbAmpAt(float64(o.envRange)*(1-o.vol.val)+lfoCB)
			if o.minAmp*o.vol.val < noiseFloor {
				act[i] = sfEnd
				continue
			}
		}
		amp := FlushTiny(float32(target))
		if o.amp == 0 && amp == 0 {
			act[i] = sfSkip
			continue
		}
		o.target = amp
		act[i] = sfReadHeld
		if !o.held {
			// The pitch and the cutoff: held from here on while no LFO
			// reaches them and the modulation envelope sustains or
			// reaches neither.
			modEnv := o.mod.val
			if o.mod.section == sfAttack {
				modEnv = convex(127 * modEnv)
			}
			o.want = lv.Pitch + o.modLFO.val*float64(lv.ModLFOToPitch) + o.vibLFO.val*float64(lv.VibLFOToPitch) +
				modEnv*float64(lv.ModEnvToPitch)
			o.fcWant = float64(lv.FilterFc) + o.modLFO.val*float64(lv.ModLFOToFc) + modEnv*float64(lv.ModEnvToFc)
			act[i] = sfRead
			pitched |= 1 << i
			o.held = (o.mod.section == sfSustain || lv.ModEnvToPitch == 0 && lv.ModEnvToFc == 0) &&
				lv.ModLFOToPitch == 0 && lv.VibLFOToPitch == 0 && lv.ModLFOToFc == 0
		}
		o.steady = amp != 0 && o.vol.still() && o.mod.still() && o.held && lv.ModLFOToVol == 0
	}
	return pitched
}

// pitchSteps sets o.step, the read step in 32.32 frames, of each voice
// in set, which reads at a pitch levels computed, for that pitch o.want.
func pitchSteps(vs *[maxBatch]*sfVoice, set batchSet) {
	for ; set != 0; set &= set - 1 {
		o := vs[bits.TrailingZeros64(uint64(set))&(maxBatch-1)]
		if cents := o.want; cents != o.cents {
			o.cents = cents
			o.step = max(int64(min(ct2hz(cents)*o.scale, maxSFStep*frac32)), 1)
		}
	}
}

// play finishes the block of o, voice i, after its control (which
// found act) and pitchSteps: it sets r to the block's reads and, for a filtered
// voice (whose filter f is not FilterNone), loads the filter into lane j
// of fb, with new coefficients for a voice that plays. It returns the
// block's end: block.Size, or where the voice ended.
func (s *sfVoices) play(o *sfVoice, i int32, act uint8, f *svfState, fb *filterBatch, j int32, first int32, rate float64, r sfRows) int32 {
	switch act {
	case sfEnd:
		o.loadFilter(f, fb, j)
		return o.ended(r, first)
	case sfSkip:
		o.loadFilter(f, fb, j)
		r.silent()
		return block.Size
	}
	looping := o.mode == LoopContinuous || o.mode == LoopUntilRelease && o.vol.section < sfRelease
	valid := o.read(r, s, i, first, o.step, looping)
	if valid == 0 {
		o.loadFilter(f, fb, j)
		return o.ended(r, first)
	}
	if f.typ != FilterNone {
		if act == sfRead {
			o.setFilter(o.fcWant, rate)
		}
		o.loadFilter(f, fb, j)
	}
	o.state, o.e0, o.e1, o.amp = sfPlaying, o.amp, o.target, o.target
	return first + valid
}

// ended marks the voice done: nothing more is read or heard.
func (o *sfVoice) ended(r sfRows, first int32) int32 {
	o.state = sfDone
	r.silent()
	return first
}

// setFilter sets the voice's filter coefficients for a cutoff of cents
// absolute cents (FluidSynth's fluid_iir_filter_calc): clamped to
// 1500..13500 and truncated to whole cents, then to 5 Hz .. 0.45 × rate
// in Hz; the resonance FilterQ/10 dB (0..96) less FilterQOffset, as a
// linear Q, with the DC gain divided by its square root. The
// state-variable filter's lowpass is the bilinear transform of the same
// analogue lowpass as FluidSynth's biquad at that cutoff and Q, so the two
// respond the same.
func (o *sfVoice) setFilter(cents, rate float64) {
	if cents != o.fcIn || o.live.FilterQ != o.fq {
		o.filterCoefficients(cents, rate)
	}
}

// loadFilter puts the voice's filter into lane j of fb, unless f, its
// slot's, is FilterNone: the state from f, the coefficients the voice set
// last (its slot's own are not used: a SoundFont voice sets its filter
// itself), as filterAndOutput would load f.
func (o *sfVoice) loadFilter(f *svfState, fb *filterBatch, j int32) {
	if f.typ == FilterNone {
		return
	}
	fb.put(int(j), f.ic1[0], f.ic2[0], o.a1, o.a2, o.a3, o.m0, 0, o.m2)
}

// filterCoefficients computes setFilter's coefficients into o, unless
// the whole cents, Q and bypass they come from are those of the last.
func (o *sfVoice) filterCoefficients(cents, rate float64) {
	o.fcIn = cents
	c := int32(min(max(cents, 1500), 13500))
	q := o.live.FilterQ
	bypass := o.bypass && cents >= 13500 && q == 0
	if c != o.fc || q != o.fq || bypass != o.fbypass {
		o.fc, o.fq, o.fbypass = c, q, bypass
		hz := min(max(ct2hzWhole(int(c)), 5), 0.45*rate)
		g := math.Tan(math.Pi * hz / rate)
		qdB := min(max(float64(q)/10, 0), 96) - float64(o.qOffset)
		qlin := math.Pow(10, qdB/20)
		a1 := 1 / (1 + g*(g+1/qlin))
		o.a1, o.a2, o.a3 = float32(a1), float32(g*a1), float32(g*g*a1)
		o.m0, o.m2 = 0, float32(1/math.Sqrt(qlin))
		if bypass {
			o.m0, o.m2 = 1, 0 // the spec's bypass: the input itself; the states still follow it
		}
	}
}

// releaseNow enters the release of both envelopes (FluidSynth's
// fluid_rvoice_noteoff_LOCAL). From the volume envelope's attack, linear
// in amplitude, its value is first moved to the point of the dB scale at
// the same level, and from the modulation envelope's convex attack to the
// value the attack's curve had, so neither jumps.
func (o *sfVoice) releaseNow() {
	if o.vol.section == sfAttack && o.vol.val > 0 {
		lfo := o.modLFO.val * -float64(o.live.ModLFOToVol)
		amp := o.vol.val * cb2amp(lfo)
		o.vol.val = min(max(1-(-200*math.Log10(amp)-lfo)/float64(o.envRange), 0), 1)
	}
	if o.mod.section == sfAttack && o.mod.val > 0 {
		o.mod.val = min(max(convex(127*o.mod.val), 0), 1)
	}
	o.vol.release()
	o.mod.release()
}

// noteOff schedules the release (shaper). FluidSynth takes note-offs at
// the start of a block: one at sample 0 releases from this block, one
// later in it from the next; and none before MinNoteLength frames.
func (s *sfVoices) noteOff(i int32, offset int) {
	o := &s.v[i]
	if o.offTicks >= 0 || o.vol.section >= sfRelease {
		return // a second note-off does not restart the release
	}
	at := o.ticks
	if offset > 0 {
		at += block.Size
	}
	o.offTicks = max(at, o.minNoteLen)
}

// chokeExclusive shortens both envelopes' releases to ExclusiveRelease
// and releases the voice (FluidSynth's fluid_voice_kill_excl), even if it
// was releasing already.
func (o *sfVoice) chokeExclusive() {
	o.vol.e.Release, o.mod.e.Release = o.exclRelease, o.exclRelease
	o.vol.enter() // a release under way takes the new length at once
	o.mod.enter()
	o.offTicks = max(o.ticks, o.minNoteLen)
}

func (s *sfVoices) steal(i int32) { s.v[i].steal = true }

func (s *sfVoices) releasing(i int32) bool {
	o := &s.v[i]
	return o.offTicks >= 0 || o.steal || o.vol.section >= sfRelease
}

// walk returns the level ramp of the block next rendered (shaper): FluidSynth
// ramps from the last level to the target across a block; a voice that
// started or ended inside the block ramps across its part of it, and a
// stolen one fades to silence.
func (s *sfVoices) walk(i int32, first, end int32, segs *[maxSegs]envSeg) (int, bool) {
	o := &s.v[i]
	if o.state != sfPlaying || end <= first {
		return 0, o.steal || o.state == sfDone
	}
	e0, e1 := o.e0, o.e1
	if end < block.Size {
		e1 = e0 + (e1-e0)*float32(end-first)/float32(block.Size-first)
	}
	if o.steal {
		e1 = 0
	}
	segs[0] = envSeg{a: first, b: end, e0: e0, e1: e1}
	return 1, o.steal
}

// panGains returns the voice's channel gains (panner): FluidSynth's pan
// law at the voice's pan plus the bank's, -1..1 being -500..500.
func (s *sfVoices) panGains(i int32, p float32) (l, r float32) {
	o := &s.v[i]
	if c := o.live.Pan + 500*p; c != o.panIn {
		o.panIn, o.panL, o.panR = c, fluidPan(c, true), fluidPan(c, false)
	}
	return o.panL, o.panR
}

// prepare makes output's add for the filtered voice v of the batch, just
// played, if its block is output's common case for a SoundFont voice: a
// whole mono block ramped from the voice's last level to its new one
// (walk's one run), at the gain and pan of the last block, which no setter
// has changed since (holdGains). It writes the add where filterAndOutput
// will defer it, at the voice's place k in the filter group, and the
// voice's level; filterAndOutput then adds the group's voices in one call
// when every one was prepared. The gains, adds and level are output's to
// the bit.
func (b *Bank) prepare(o *sfVoice, v *voiceBuf, sc *scratch, k int) {
	if !o.outHeld || v.first != 0 || v.end != block.Size || o.state != sfPlaying || o.steal {
		return
	}
	// output's l0 and r0, which equal l1 and r1.
	l, r := o.outL, o.outR
	k &= filterGroup - 1
	g := &sc.pendGains[k]
	sc.pendLane[k], g[0], g[1], g[2], g[3] = v.lane, o.e0*l, o.e1*l, o.e0*r, o.e1*r
	b.out[v.slot].level = o.e1 * o.outGain
	v.prepared = true
	sc.prepared++
}

// holdGains marks the output of the SoundFont voice v, just output, as
// held for prepare (sfVoice.outHeld) if the gain and pan its block applied
// are its setter values (not clamped, to the bit) and its pan gains those
// of the voice's pan: then output's next block, while no setter changes
// the values' bits (Bank.setHeld) and SetSoundFontLive leaves its pan
// (each clears the mark; a NoteOn starts a voice without it), has a
// constant gain of out.gain × pan gain.
func (b *Bank) holdGains(v *voiceBuf) {
	o, out, set := &b.sf.v[v.idx], &b.out[v.slot], &b.set[v.slot]
	same := func(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }
	o.outHeld = b.slots[v.slot].state == slotActive && !v.stereo && same(set.gain, out.gain) && same(set.pan, out.pan) &&
		o.panIn == o.panIn && o.panL == out.gl && o.panR == out.gr
	o.outL, o.outR, o.outGain = out.gain*out.gl, out.gain*out.gr, out.gain
}

// SetSoundFontLive sets the modulated controls of the SoundFontSampler
// voice in slot (pitch, attenuation, pan, filter, modulation depths) from
// its next block on. A value that is not finite silences the voice (see
// Silenced). It does nothing for a slot that is not playing a
// SoundFontSampler voice.
func (b *Bank) SetSoundFontLive(slot int, lv *SoundFontLive) {
	if !b.Active(slot) || b.slots[slot].kind != SoundFontSampler {
		return
	}
	if !lv.valid() {
		b.silence(slot)
		return
	}
	o := &b.src[SoundFontSampler].(*sfVoices).v[b.slots[slot].idx]
	o.live = *lv
	o.setLive()
	o.filterType(&b.filt[slot])
}

// ReleaseExclusive releases the voice in slot quickly, as another note of
// its exclusive class does (an open hi-hat choked by a closed one), and
// reports whether it could: a SoundFontSampler voice switches to its
// recipe's ExclusiveRelease; other kinds have no such release (Steal
// fades them). Its release starts at the next block, or once the voice
// has sounded MinNoteLength frames.
func (b *Bank) ReleaseExclusive(slot int) bool {
	if !b.Active(slot) || b.slots[slot].kind != SoundFontSampler {
		return false
	}
	b.src[SoundFontSampler].(*sfVoices).v[b.slots[slot].idx].chokeExclusive()
	return true
}
