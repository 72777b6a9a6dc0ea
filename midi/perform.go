package midi

import (
	"fmt"
	"math"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/score"
)

// drumChannel is the General MIDI percussion channel (10, counted from 1).
const drumChannel = 9

// Controllers the performer acts on itself rather than passing on.
const (
	ccBankSelect    = 0
	ccBankSelectLSB = 32
	ccSustain       = 64
	ccAllSoundOff   = 120
	ccResetAll      = 121
	ccAllNotesOff   = 123
)

// channel is what the performer tracks of one MIDI channel: the program
// its next notes play and which of its notes still sound. Volume, pan,
// pitch bend and the other controllers become channel controls of the
// score, which the renderer applies.
type channel struct {
	bank, program byte
	nextBank      byte // bank select, taken at the next program change
	sustain       bool
	used          bool       // a note or a control has been on it
	sounding      []int      // indexes of notes not yet ended, held ones included
	keys          [128]int32 // per key: 1 + index of its sounding note, 0 for none
}

// noteState is what the performer tracks per note besides score.Note.
type noteState struct {
	held bool // note-off came while the sustain pedal was down
	pos  int  // index in its channel's sounding list
}

// performer turns the merged event stream into notes and controls.
type performer struct {
	name     string // the input's name as errors show it
	rate     float64
	lim      score.Limits
	chans    [16]channel
	notes    []score.Note
	states   []noteState
	controls []score.Control
	presets  map[score.Preset]int // index into instruments
	insts    []score.Instrument
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
	p := &performer{name: errtext.Name(name), rate: float64(rate), lim: lim, presets: map[score.Preset]int{}}
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
		Instruments: p.insts,
		Notes:       p.notes,
		Controls:    p.controls,
		Tail:        true,
	}
	s.Frames = p.frame(endSec)
	for _, n := range s.Notes {
		s.Frames = max(s.Frames, n.Start+n.Length)
	}
	// Controls at the end of the music or after it reach no note.
	for len(s.Controls) > 0 && s.Controls[len(s.Controls)-1].Frame >= s.Frames {
		s.Controls = s.Controls[:len(s.Controls)-1]
	}
	if float64(s.Frames) > lim.MaxSeconds*p.rate {
		return nil, fmt.Errorf("%s: %w: %.1f s is longer than the limit of %g s", p.name, ErrLimit, float64(s.Frames)/p.rate, lim.MaxSeconds)
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
	start := p.frame(offset)
	for c := range p.chans {
		if err := p.resetChannel(c, start); err != nil {
			return 0, err
		}
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

// resetChannel starts channel c afresh at frame: program 0, no pedal, and
// General MIDI's controller defaults as channel controls (the renderer's
// channels start neutral, at full volume), for a channel that has been
// used in an earlier sequence or is about to be; a channel never used
// gets its defaults when it is first used.
func (p *performer) resetChannel(c int, frame int64) error {
	ch := &p.chans[c]
	sounding := ch.sounding[:0]
	used := ch.used
	*ch = channel{sounding: sounding}
	if used {
		return p.defaults(c, frame, true)
	}
	return nil
}

// defaults emits General MIDI's power-on controller values for channel c:
// volume 100, pan centred, and a reset of the other controllers; then,
// after an earlier sequence, the registered parameters it may have set.
func (p *performer) defaults(c int, frame int64, again bool) error {
	cc := []byte{ccResetAll, 0, 7, 100, 10, 64}
	if again {
		// bend range 2, fine and coarse tuning centred, no parameter selected
		cc = append(cc, 101, 0, 100, 0, 6, 2, 38, 0, 100, 1, 6, 64, 100, 2, 6, 64, 101, 127, 100, 127)
	}
	p.chans[c].used = true
	for i := 0; i < len(cc); i += 2 {
		if err := p.control(score.Control{Frame: frame, Kind: score.CC, Channel: uint8(c), Controller: cc[i], Value: float32(cc[i+1])}); err != nil {
			return err
		}
	}
	return nil
}

// use marks channel c as used, emitting its defaults at frame the first
// time.
func (p *performer) use(c byte, frame int64) error {
	if p.chans[c].used {
		return nil
	}
	return p.defaults(int(c), frame, false)
}

func (p *performer) control(c score.Control) error {
	if len(p.controls) >= p.lim.MaxControls {
		return fmt.Errorf("%s: %w: more than %d controls", p.name, ErrLimit, p.lim.MaxControls)
	}
	p.controls = append(p.controls, c)
	return nil
}

func (p *performer) channelEvent(e *event, frame int64) error {
	c := e.status & 0x0F
	ch := &p.chans[c]
	switch e.status & 0xF0 {
	case 0x80:
		p.noteOff(ch, e.a, frame)
	case 0x90:
		if e.b == 0 {
			p.noteOff(ch, e.a, frame) // velocity 0 is a note-off
			return nil
		}
		if err := p.use(c, frame); err != nil {
			return err
		}
		return p.noteOn(ch, c, e, frame)
	case 0xB0:
		return p.controller(ch, c, e.a, e.b, frame)
	case 0xC0:
		ch.program, ch.bank = e.a, ch.nextBank
	case 0xD0:
		if err := p.use(c, frame); err != nil {
			return err
		}
		return p.control(score.Control{Frame: frame, Kind: score.ChannelPressure, Channel: c, Value: float32(e.a)})
	case 0xE0:
		if err := p.use(c, frame); err != nil {
			return err
		}
		return p.control(score.Control{Frame: frame, Kind: score.PitchBend, Channel: c, Value: float32(int(e.a) | int(e.b)<<7)})
	}
	return nil // polyphonic key pressure is not modelled
}

// instrument returns the index of the score instrument playing program of
// bank (drum kits on the drum channel), adding it on first use.
func (p *performer) instrument(c, bank, program byte) int {
	pr := score.Preset{Bank: uint16(bank), Program: program, Drums: c == drumChannel}
	if pr.Drums {
		pr.Bank = 0 // kits are chosen by program alone
	}
	if i, ok := p.presets[pr]; ok {
		return i
	}
	name := fmt.Sprintf("bank %d program %d", pr.Bank, pr.Program)
	if pr.Drums {
		name = fmt.Sprintf("drum kit %d", pr.Program)
	}
	p.insts = append(p.insts, score.Instrument{Name: name, Preset: &pr})
	p.presets[pr] = len(p.insts) - 1
	return len(p.insts) - 1
}

func (p *performer) noteOn(ch *channel, c byte, e *event, frame int64) error {
	if len(p.notes) >= p.lim.MaxNotes {
		return errAt(p.name, int(e.track), e.off, ErrLimit, "more than %d notes", p.lim.MaxNotes)
	}
	key := e.a & 0x7F
	// A key struck again releases the note it is playing, as FluidSynth
	// does, and also when the pedal holds it (FluidSynth lets that one
	// ring): otherwise every strike under the pedal adds a voice, and the
	// work grows with the square of the file.
	if prev := ch.keys[key]; prev != 0 {
		p.end(ch, int(prev-1), frame)
	}
	n := score.Note{
		Start: frame, Length: 1,
		Instrument: p.instrument(c, ch.bank, ch.program),
		Channel:    c, Key: key, Velocity: e.b & 0x7F, Gain: 1,
	}
	idx := len(p.notes)
	p.notes = append(p.notes, n)
	p.states = append(p.states, noteState{pos: len(ch.sounding)})
	ch.sounding = append(ch.sounding, idx)
	ch.keys[key] = int32(idx) + 1
	return nil
}

// noteOff ends the key's sounding note, or holds it while the pedal is
// down; a note already held ignores it.
func (p *performer) noteOff(ch *channel, key byte, frame int64) {
	k := ch.keys[key&0x7F]
	if k == 0 || p.states[k-1].held {
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
	if ch.keys[n.Key] == int32(idx)+1 {
		ch.keys[n.Key] = 0
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

// controller acts on the controllers that shape notes (bank select, the
// sustain pedal, all notes off) and passes every other one on as a channel
// control.
func (p *performer) controller(ch *channel, c, cc, v byte, frame int64) error {
	switch cc {
	case ccBankSelect:
		ch.nextBank = v
		return nil
	case ccBankSelectLSB:
		return nil
	case ccSustain:
		down := v >= 64
		if ch.sustain && !down {
			p.releaseHeld(ch, frame)
		}
		ch.sustain = down
		return nil
	case ccAllNotesOff:
		p.allOff(ch, frame)
		return nil
	case ccAllSoundOff:
		// The notes end, and the control goes on for the renderer to
		// silence them at once (FluidSynth cuts every voice; a release
		// would ring on).
		p.allOff(ch, frame)
	case ccResetAll:
		if ch.sustain {
			p.releaseHeld(ch, frame)
		}
		ch.sustain = false
	}
	if err := p.use(c, frame); err != nil {
		return err
	}
	return p.control(score.Control{Frame: frame, Kind: score.CC, Channel: c, Controller: cc, Value: float32(v)})
}

// releaseHeld ends the notes the pedal held.
func (p *performer) releaseHeld(ch *channel, frame int64) {
	for i := len(ch.sounding) - 1; i >= 0; i-- {
		if i < len(ch.sounding) && p.states[ch.sounding[i]].held {
			p.end(ch, ch.sounding[i], frame)
		}
	}
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
