package midi

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/pitch"
	"github.com/aether-audio/aether/score"
)

// GM channel defaults and the RPN "null" value.
const (
	drumChannel       = 9
	defaultVolume     = 100
	defaultExpression = 127
	centre            = 64
	bendCentre        = 8192
	defaultBendRange  = 2 // semitones, per the GM specification
	rpnNull           = 127
)

// channel is the controller state of one MIDI channel.
type channel struct {
	program              byte
	volume, expression   byte
	pan                  byte
	sustain              bool
	bend                 int     // 14-bit, centre 8192
	bendRange            float64 // semitones for a full bend
	rpnMSB, rpnLSB       byte
	coarseTune, fineTune float64    // semitones, from RPN 0,2 and 0,1
	sounding             []int      // indexes of notes not yet ended, held ones included
	keys                 [128]int32 // per key: 1 + index of its sounding note, 0 for none
}

func (c *channel) reset() {
	*c = channel{volume: defaultVolume, expression: defaultExpression, pan: centre,
		bend: bendCentre, bendRange: defaultBendRange, rpnMSB: rpnNull, rpnLSB: rpnNull}
}

// gain is the channel part of a note's gain: GM's squared volume and
// expression curves.
func (c *channel) gain() float64 {
	v, e := float64(c.volume)/127, float64(c.expression)/127
	return v * v * e * e
}

func (c *channel) panValue() float32 {
	return float32(max(-1, min(1, (float64(c.pan)-centre)/63)))
}

// bendRatio is the frequency ratio of the current pitch bend.
func (c *channel) bendRatio() float64 {
	return math.Exp2(float64(c.bend-bendCentre) / bendCentre * c.bendRange / 12)
}

// noteState is what the performer tracks per note besides score.Note.
type noteState struct {
	ch, key  byte
	held     bool    // note-off came while the sustain pedal was down
	pos      int     // index in its channel's sounding list
	baseGain float64 // velocity part of the gain
	ratio    float64 // bend ratio at note-on, baked into Freq
}

// performer turns the merged event stream into notes and controls.
type performer struct {
	name     string
	rate     float64
	lim      score.Limits
	chans    [16]channel
	notes    []score.Note
	states   []noteState
	controls []score.Control
}

func perform(name string, f *file, opt Options) (*score.Score, error) {
	rate := opt.SampleRate
	if rate == 0 {
		rate = DefaultSampleRate
	}
	lim := opt.Limits.WithDefaults()
	if err := lim.CheckRate(name, rate); err != nil {
		return nil, err
	}
	p := &performer{name: name, rate: float64(rate), lim: lim}
	var endSec float64
	var err error
	if f.format == 2 {
		// Format 2: independent sequences, played one after another.
		for _, t := range f.tracks {
			if endSec, err = p.play(f.division, t, endSec); err != nil {
				return nil, err
			}
		}
	} else {
		if endSec, err = p.play(f.division, f.merged(), 0); err != nil {
			return nil, err
		}
	}
	s := &score.Score{
		Name:        name,
		SampleRate:  rate,
		Instruments: builtinInstruments(rate),
		Notes:       p.notes,
		Controls:    p.controls,
	}
	s.Frames = p.frame(endSec)
	for _, n := range s.Notes {
		s.Frames = max(s.Frames, n.Start+n.Length+s.Instruments[n.Instrument].ReleaseFrames(rate))
	}
	if float64(s.Frames) > lim.MaxSeconds*p.rate {
		return nil, fmt.Errorf("%s: %w: %.1f s is longer than the limit of %g s", name, ErrLimit, float64(s.Frames)/p.rate, lim.MaxSeconds)
	}
	if err := s.Validate(lim); err != nil {
		return nil, err // a bug of this package, reported rather than rendered
	}
	return s, nil
}

func (p *performer) frame(sec float64) int64 { return int64(math.Round(sec * p.rate)) }

// play performs one stream of events that starts at offset seconds, from
// fresh channel state, and returns the time its last track ends.
func (p *performer) play(division uint16, evs []event, offset float64) (float64, error) {
	for c := range p.chans {
		p.chans[c].reset()
	}
	clk := newClock(division)
	end := offset
	for i := range evs {
		e := &evs[i]
		sec := offset + clk.seconds(e.tick)
		if sec > p.lim.MaxSeconds {
			return 0, errAt(p.name, int(e.track), e.off, ErrLimit, "event at %.0f s is past the limit of %g s", sec, p.lim.MaxSeconds)
		}
		switch e.kind {
		case evTempo:
			clk.setTempo(e.tick, e.tempoUS)
		case evEnd:
			end = max(end, sec)
		case evChannel:
			if err := p.channelEvent(e, p.frame(sec)); err != nil {
				return 0, err
			}
		}
	}
	endFrame := p.frame(end)
	for c := range p.chans {
		p.allOff(&p.chans[c], endFrame) // notes still sounding end with the music
	}
	return end, nil
}

func (p *performer) channelEvent(e *event, frame int64) error {
	ch := &p.chans[e.status&0x0F]
	switch e.status & 0xF0 {
	case 0x80:
		p.noteOff(ch, e.a, frame)
	case 0x90:
		if e.b == 0 {
			p.noteOff(ch, e.a, frame) // velocity 0 is a note-off
			return nil
		}
		return p.noteOn(ch, e, frame)
	case 0xB0:
		return p.controller(ch, e.a, e.b, frame)
	case 0xC0:
		ch.program = e.a
	case 0xE0:
		ch.bend = int(e.a) | int(e.b)<<7
		return p.retune(ch, frame)
	}
	return nil // aftertouch is not modelled
}

func (p *performer) noteOn(ch *channel, e *event, frame int64) error {
	if len(p.notes) >= p.lim.MaxNotes {
		return errAt(p.name, int(e.track), e.off, ErrLimit, "more than %d notes", p.lim.MaxNotes)
	}
	v := float64(e.b) / 127
	n := score.Note{Start: frame, Length: 1, Pan: ch.panValue()}
	st := noteState{ch: e.status & 0x0F, key: e.a & 0x7F, baseGain: v * v, ratio: 1}
	nyquist := p.rate / 2
	// A key struck again releases the note it is playing, held by the
	// pedal or not, as FluidSynth does: otherwise every strike under the
	// pedal adds a voice, and the work grows with the square of the file.
	prev := ch.keys[st.key]
	ch.keys[st.key] = 0
	if st.ch == drumChannel {
		if prev != 0 { // a drum plays its fixed length unless struck again
			pn := &p.notes[prev-1]
			pn.Length = min(pn.Length, max(1, frame-pn.Start))
		}
		d := drumFor(e.a)
		n.Instrument = d.instrument
		n.Freq = d.freq
		if n.Freq == 0 {
			n.Freq = pitch.KeyFreq(float64(e.a))
		}
		n.Length = max(1, p.frame(builtins[d.instrument].Decay))
		n.Gain = float32(st.baseGain * ch.gain())
		if n.Freq < nyquist {
			ch.keys[st.key] = int32(len(p.notes)) + 1
			p.notes = append(p.notes, n)
			p.states = append(p.states, st)
		}
		return nil
	}
	if prev != 0 {
		p.end(ch, int(prev-1), frame)
	}
	n.Instrument = int(ch.program / 8)
	st.ratio = ch.bendRatio()
	n.Freq = pitch.KeyFreq(float64(e.a)+ch.coarseTune+ch.fineTune) * st.ratio
	n.Gain = float32(st.baseGain * ch.gain())
	if n.Freq >= nyquist {
		return nil // cannot sound at this sample rate (documented)
	}
	idx := len(p.notes)
	st.pos = len(ch.sounding)
	p.notes = append(p.notes, n)
	p.states = append(p.states, st)
	ch.sounding = append(ch.sounding, idx)
	ch.keys[st.key] = int32(idx) + 1
	return nil
}

// noteOff ends the key's sounding note, or holds it while the pedal is
// down; a note already held, and a drum, ignore it.
func (p *performer) noteOff(ch *channel, key byte, frame int64) {
	k := ch.keys[key&0x7F]
	if k == 0 || p.states[k-1].held || p.states[k-1].ch == drumChannel {
		return
	}
	if ch.sustain {
		p.states[k-1].held = true
		return
	}
	p.end(ch, int(k-1), frame)
}

// end sets the note's length and drops it from the channel's sounding list
// and its key.
func (p *performer) end(ch *channel, idx int, frame int64) {
	n := &p.notes[idx]
	n.Length = max(1, frame-n.Start)
	if k := p.states[idx].key; ch.keys[k] == int32(idx)+1 {
		ch.keys[k] = 0
	}
	pos := p.states[idx].pos
	last := ch.sounding[len(ch.sounding)-1]
	ch.sounding[pos] = last
	p.states[last].pos = pos
	ch.sounding = ch.sounding[:len(ch.sounding)-1]
}

// allOff ends every sounding note of the channel, held ones included.
func (p *performer) allOff(ch *channel, frame int64) {
	for len(ch.sounding) > 0 {
		p.end(ch, ch.sounding[len(ch.sounding)-1], frame)
	}
	clear(ch.keys[:])
}

func (p *performer) controller(ch *channel, cc, v byte, frame int64) error {
	switch cc {
	case 7:
		ch.volume = v
		return p.regain(ch, frame)
	case 11:
		ch.expression = v
		return p.regain(ch, frame)
	case 10:
		ch.pan = v
		return p.control(ch, frame, score.Pan, func(int) float32 { return ch.panValue() })
	case 64:
		down := v >= 64
		if ch.sustain && !down {
			for i := len(ch.sounding) - 1; i >= 0; i-- {
				if i < len(ch.sounding) && p.states[ch.sounding[i]].held {
					p.end(ch, ch.sounding[i], frame)
				}
			}
		}
		ch.sustain = down
	case 101:
		ch.rpnMSB = v
	case 100:
		ch.rpnLSB = v
	case 98, 99: // an NRPN is selected: data entry no longer means an RPN
		ch.rpnMSB, ch.rpnLSB = rpnNull, rpnNull
	case 6, 38: // data entry MSB / LSB for the selected RPN
		p.dataEntry(ch, cc, v)
	case 120, 123: // all sound off, all notes off
		p.allOff(ch, frame)
	case 121: // reset all controllers
		ch.expression, ch.bend, ch.sustain = defaultExpression, bendCentre, false
		ch.rpnMSB, ch.rpnLSB = rpnNull, rpnNull
		if err := p.regain(ch, frame); err != nil {
			return err
		}
		return p.retune(ch, frame)
	}
	return nil
}

// dataEntry applies the RPNs that change pitch: 0,0 bend range (MSB
// semitones, LSB cents), 0,1 fine tuning and 0,2 coarse tuning.
func (p *performer) dataEntry(ch *channel, cc, v byte) {
	if ch.rpnMSB != 0 {
		return
	}
	switch {
	case ch.rpnLSB == 0 && cc == 6:
		ch.bendRange = float64(v)
	case ch.rpnLSB == 0 && cc == 38:
		ch.bendRange = math.Floor(ch.bendRange) + float64(v)/100
	case ch.rpnLSB == 1 && cc == 6:
		ch.fineTune = float64(int(v)-64) / 64 // MSB alone: ±1 semitone in 1/64 steps
	case ch.rpnLSB == 2 && cc == 6:
		ch.coarseTune = float64(int(v) - 64)
	}
}

// regain sends a Gain control to every sounding note of the channel.
func (p *performer) regain(ch *channel, frame int64) error {
	g := ch.gain()
	return p.control(ch, frame, score.Gain, func(idx int) float32 { return float32(p.states[idx].baseGain * g) })
}

// retune sends a FreqRatio control, relative to the bend baked into each
// note at its start, to every sounding note of the channel.
func (p *performer) retune(ch *channel, frame int64) error {
	r := ch.bendRatio()
	limit := p.rate / 2 * 0.999
	return p.control(ch, frame, score.FreqRatio, func(idx int) float32 {
		ratio := r / p.states[idx].ratio
		return float32(min(ratio, limit/p.notes[idx].Freq)) // stays below Nyquist
	})
}

func (p *performer) control(ch *channel, frame int64, kind score.ControlKind, value func(idx int) float32) error {
	if len(p.controls)+len(ch.sounding) > p.lim.MaxControls {
		return fmt.Errorf("%s: %w: more than %d controls", p.name, ErrLimit, p.lim.MaxControls)
	}
	for _, idx := range ch.sounding {
		p.controls = append(p.controls, score.Control{Frame: frame, Note: idx, Kind: kind, Value: value(idx)})
	}
	return nil
}

// clock converts ticks to seconds under a tempo map, or SMPTE time.
type clock struct {
	perSecond float64 // SMPTE ticks per second; 0 for metrical time
	tpq       float64
	tempoUS   float64
	lastTick  uint64
	lastSec   float64
}

func newClock(division uint16) *clock {
	c := &clock{tempoUS: 500000} // 120 BPM until the first tempo event
	if division&0x8000 == 0 {
		c.tpq = float64(division)
		return c
	}
	fps := float64(-int(int8(division >> 8)))
	if fps == 29 {
		fps = 30000.0 / 1001 // 29.97 drop-frame
	}
	c.perSecond = fps * float64(division&0xff)
	return c
}

func (c *clock) seconds(tick uint64) float64 {
	if c.perSecond != 0 {
		return float64(tick) / c.perSecond
	}
	return c.lastSec + float64(tick-c.lastTick)*c.tempoUS/1e6/c.tpq
}

func (c *clock) setTempo(tick uint64, us uint32) {
	c.lastSec = c.seconds(tick)
	c.lastTick = tick
	c.tempoUS = float64(us)
}
