package aether

import (
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/alloc"
	"github.com/aether-audio/aether/voice"
)

// channel is the engine's state of one MIDI channel. Only the render
// goroutine touches it.
type channel struct {
	state instrument.Channel
	inst  instrument.Instrument // what the current program plays
	head  int32                 // the first note on the channel's list, -1 for none
	// keys holds, per key, the note Channel.NoteOn started there that is
	// held or sustained (not yet released), -1 for none.
	keys [128]int32
}

// init sets up channel number n with no notes.
func (c *channel) init(n uint8, bank instrument.Bank) {
	c.reset(n, bank)
	c.head = -1
	for k := range c.keys {
		c.keys[k] = -1
	}
}

// reset returns the channel's controllers and program to General MIDI's
// defaults; its notes keep sounding.
func (c *channel) reset(n uint8, bank instrument.Bank) {
	c.state = instrument.NewChannel(n)
	c.program(bank)
}

// program looks up what the channel's bank and program play.
func (c *channel) program(bank instrument.Bank) {
	c.inst = bank.Instrument(c.state.Bank(), c.state.Program, c.state.Drums)
}

// noteRec is one sounding note and its voices.
type noteRec struct {
	id         VoiceID
	n          instrument.Note
	gain, pan  float32 // the note's own gain and pan (Note.Gain, SetGain, ...)
	ratio      float32 // the note's own frequency ratio (SetFreqRatio)
	first      int32   // the first slot of its voices, -1 when none is left
	prev, next int32   // its neighbours on its channel's list, -1 at the ends
	played     bool    // made by an instrument (not a NoteOn voice): on a channel list
	keyed      bool    // started by Channel.NoteOn: note-offs by key reach it
	released   bool
	sustained  bool // its note-off came while the sustain pedal was down
}

// noteTable holds the sounding notes and which slots their voices use.
// Only the render goroutine touches it.
type noteTable struct {
	recs     []noteRec
	free     []int32 // stack of free records
	ids      alloc.IDs
	slotNote []int32 // slot -> its note, -1 for none (free, or stolen and fading)
	slotNext []int32 // slot -> the next slot of the same note, -1 at the end
	slotInst []instrument.Instrument
	slotTag  []int32
	slotOne  []bool   // slot -> its voice ignores note-off
	slotExcl []uint16 // slot -> its exclusive class, 0 for none
}

// newNoteTable sizes the table for slots voices: a note holds one voice at
// least, so there are never more notes.
func newNoteTable(slots int) noteTable {
	t := noteTable{
		recs:     make([]noteRec, slots),
		free:     make([]int32, slots),
		ids:      alloc.NewIDs(slots),
		slotNote: make([]int32, slots),
		slotNext: make([]int32, slots),
		slotInst: make([]instrument.Instrument, slots),
		slotTag:  make([]int32, slots),
		slotOne:  make([]bool, slots),
		slotExcl: make([]uint16, slots),
	}
	for i := range t.free {
		t.free[i] = int32(slots - 1 - i)
		t.slotNote[i] = -1
	}
	return t
}

// startNote starts the note of ev (a NoteOn voice, a Play or a
// Channel.NoteOn) at offset in this block. starts is the number of
// note-starting events of this block left, ev's included: how many
// victims one ranking should find.
func (e *Engine) startNote(ev *event, offset, starts int) {
	e.stats.started.Add(1)
	t := &e.notes
	if len(t.free) == 0 {
		e.stats.rejected.Add(1) // a note holds a slot: NewEngine sized the table so this cannot happen
		return
	}
	// The record is filled in place: a pointer to a local passed to an
	// instrument's Start would move the local to the heap.
	idx := t.free[len(t.free)-1]
	t.recs[idx] = noteRec{id: ev.id, gain: 1, ratio: 1, first: -1, prev: -1, next: -1}
	r := &t.recs[idx]
	var ch *channel
	voices := e.voiceBuf[:0]
	switch ev.kind {
	case evVoice:
		voices = append(voices, instrument.Voice{Params: ev.params})
	case evPlay:
		r.n, r.played = ev.note.Note, true
		if ev.note.Gain != 0 {
			r.gain = ev.note.Gain
		}
		r.pan = ev.note.Pan
		ch = &e.chans[r.n.Channel]
		inst := ev.note.Instrument
		if inst == nil {
			inst = ch.inst
		}
		if inst != nil {
			voices = inst.Start(&r.n, &ch.state, voices)
		}
	case evKeyOn:
		r.n = instrument.Note{Channel: ev.ch, Key: ev.a, Velocity: ev.b}
		r.played, r.keyed = true, true
		ch = &e.chans[ev.ch]
		if held := ch.keys[ev.a]; held >= 0 {
			e.release(held, offset) // a re-struck key ends its last note
		}
		if ch.inst != nil {
			voices = ch.inst.Start(&r.n, &ch.state, voices)
		}
	}
	if len(voices) == 0 {
		return // a key the instrument does not play: nothing sounds
	}
	t.free = t.free[:len(t.free)-1]
	last := int32(-1)
	for i := range voices {
		slot, ok := e.startVoice(&voices[i], r, ch, offset, starts)
		if !ok {
			continue
		}
		t.slotNote[slot], t.slotNext[slot] = idx, -1
		if last < 0 {
			r.first = slot
		} else {
			t.slotNext[last] = slot
		}
		last = slot
	}
	if r.first < 0 {
		t.free = append(t.free, idx) // no voice could start
		return
	}
	t.ids.Put(uint64(r.id), idx)
	if r.played {
		r.next = ch.head
		if ch.head >= 0 {
			t.recs[ch.head].prev = idx
		}
		ch.head = idx
	}
	if r.keyed {
		ch.keys[r.n.Key] = idx
	}
}

// startVoice starts one voice of note r in a free slot and, if Voices
// were already sounding, steals the least audible voice that started
// before this block; ok is false when the voice could not start.
func (e *Engine) startVoice(v *instrument.Voice, r *noteRec, ch *channel, offset, starts int) (slot int32, ok bool) {
	var victim int32
	steal := e.slots.Full()
	if steal {
		if victim, ok = e.slots.NextVictim(); !ok {
			e.slots.Rank(starts*instrument.MaxVoices, e.block, e.bank)
			victim, ok = e.slots.NextVictim()
		}
		if !ok {
			// Every sounding voice started in this very block: more
			// voices in one block than Voices. This one cannot sound.
			e.stats.rejected.Add(1)
			return 0, false
		}
	}
	if slot, ok = e.slots.Take(e.block); !ok {
		e.stats.rejected.Add(1) // NewEngine sized the bank so that this cannot happen
		return 0, false
	}
	p := v.Params
	if r.played {
		p.Gain *= r.gain
		p.Pan = max(-1, min(1, p.Pan+r.pan))
	}
	if p.Seed == 0 {
		p.Seed = uint64(r.id) // each note its own, repeatable noise
	}
	p.Kind = v.Kind()
	sf := p.Kind == voice.SoundFontSampler
	if sf {
		p.SoundFont = &v.SoundFont
	}
	if err := e.bank.NoteOn(int(slot), &p, offset); err != nil {
		e.slots.Free(slot)
		e.stats.rejected.Add(1)
		return 0, false
	}
	t := &e.notes
	if v.Exclusive != 0 && ch != nil {
		e.choke(ch, r.id, v.Exclusive)
	}
	t.slotInst[slot], t.slotTag[slot], t.slotOne[slot], t.slotExcl[slot] = v.Instrument, v.Tag, v.OneShot, v.Exclusive
	if v.Instrument != nil && !sf { // a SoundFont recipe holds its live controls at the start
		if ratio := v.Instrument.Live(v.Tag, &r.n, &ch.state).FreqRatio * r.ratio; ratio != 1 {
			e.bank.SetFreqRatio(int(slot), ratio)
		}
	}
	if steal {
		e.steal(victim)
	}
	return slot, true
}

// choke ends quickly every voice of exclusive class class that a note of
// channel c other than note id sounds: a SoundFont voice by its quick
// exclusive release (once: it leaves the class, as in FluidSynth), any
// other by a fade, as for a stolen voice.
func (e *Engine) choke(c *channel, id VoiceID, class uint16) {
	t := &e.notes
	for idx := c.head; idx >= 0; {
		r := &t.recs[idx]
		next := r.next // fading may free the note
		if r.id != id {
			for s := r.first; s >= 0; {
				ns := t.slotNext[s]
				if t.slotExcl[s] == class {
					if e.bank.ReleaseExclusive(int(s)) {
						t.slotExcl[s] = 0
					} else {
						e.fade(s)
					}
				}
				s = ns
			}
		}
		idx = next
	}
}

// release starts the release of every voice of note idx (but those that
// ignore note-off) at offset, and forgets its key.
func (e *Engine) release(idx int32, offset int) {
	t := &e.notes
	r := &t.recs[idx]
	if r.released {
		return
	}
	r.released, r.sustained = true, false
	for s := r.first; s >= 0; s = t.slotNext[s] {
		if !t.slotOne[s] {
			e.bank.NoteOff(int(s), offset)
		}
	}
	if r.keyed {
		if ch := &e.chans[r.n.Channel]; ch.keys[r.n.Key] == idx {
			ch.keys[r.n.Key] = -1
		}
	}
}

// steal fades out the voice in slot for a new note.
func (e *Engine) steal(slot int32) {
	e.fade(slot)
	e.stats.stolen.Add(1)
}

// fade fades out the voice in slot (bank.Steal: a short fade, no click)
// and takes it off its note; the slot is freed once the fade has been
// rendered.
func (e *Engine) fade(slot int32) {
	e.bank.Steal(int(slot))
	e.slots.Uncount(slot)
	e.detach(slot)
	if !e.bank.Active(int(slot)) {
		e.freeSlot(slot)
	}
}

// freeSlot returns a slot whose voice finished (or was stolen before it
// sounded) to the free slots.
func (e *Engine) freeSlot(slot int32) {
	e.detach(slot)
	e.slots.Free(slot)
	e.stats.finished.Add(1)
}

// detach takes slot off its note's voices; a note left with none is
// forgotten: later events for its VoiceID are orphaned.
func (e *Engine) detach(slot int32) {
	t := &e.notes
	idx := t.slotNote[slot]
	if idx < 0 {
		return
	}
	t.slotNote[slot] = -1
	t.slotInst[slot] = nil // let the instrument go, should it be replaced
	r := &t.recs[idx]
	if r.first == slot {
		r.first = t.slotNext[slot]
	} else {
		s := r.first
		for t.slotNext[s] != slot {
			s = t.slotNext[s]
		}
		t.slotNext[s] = t.slotNext[slot]
	}
	if r.first >= 0 {
		return
	}
	t.ids.Remove(uint64(r.id))
	if r.played {
		ch := &e.chans[r.n.Channel]
		if r.prev >= 0 {
			t.recs[r.prev].next = r.next
		} else {
			ch.head = r.next
		}
		if r.next >= 0 {
			t.recs[r.next].prev = r.prev
		}
		if r.keyed && ch.keys[r.n.Key] == idx {
			ch.keys[r.n.Key] = -1
		}
	}
	t.free = append(t.free, idx)
}

// updateLive recomputes the live controls that change moved for every
// voice of played note idx and hands them to the bank.
func (e *Engine) updateLive(idx int32, change instrument.Change) {
	t := &e.notes
	r := &t.recs[idx]
	ch := &e.chans[r.n.Channel].state
	for s := r.first; s >= 0; s = t.slotNext[s] {
		inst := t.slotInst[s]
		if inst == nil {
			continue
		}
		lv := inst.Live(t.slotTag[s], &r.n, ch)
		if lv.HasSoundFont {
			// Any controller may reach any of a SoundFont voice's
			// controls through the font's modulators.
			e.bank.SetSoundFontLive(int(s), &lv.SoundFont)
		}
		if change&instrument.ChangeGain != 0 {
			e.bank.SetGain(int(s), lv.Gain*r.gain)
		}
		if change&instrument.ChangePan != 0 {
			e.bank.SetPan(int(s), max(-1, min(1, lv.Pan+r.pan)))
		}
		if change&instrument.ChangePitch != 0 {
			e.bank.SetFreqRatio(int(s), lv.FreqRatio*r.ratio)
		}
	}
}

// updateChannel updates the voices of every note on channel c after a
// change of its controls. A change that no built-in control follows
// (ChangeOther) still recomputes every live control, for instruments that
// read other controllers.
func (e *Engine) updateChannel(c *channel, change instrument.Change) {
	if change == 0 {
		return
	}
	if change&instrument.ChangeOther != 0 {
		change = instrument.ChangeAll
	}
	for idx := c.head; idx >= 0; idx = e.notes.recs[idx].next {
		e.updateLive(idx, change)
	}
}

// releaseChannel releases the notes of channel c: all of them, or only
// those the sustain pedal holds.
func (e *Engine) releaseChannel(c *channel, offset int, onlySustained bool) {
	for idx := c.head; idx >= 0; idx = e.notes.recs[idx].next {
		if r := &e.notes.recs[idx]; !onlySustained || r.sustained {
			e.release(idx, offset)
		}
	}
}

// silenceChannel fades out every voice of channel c at once (all sound
// off).
func (e *Engine) silenceChannel(c *channel) {
	t := &e.notes
	for idx := c.head; idx >= 0; {
		next := t.recs[idx].next // the steals below may free idx
		for s := t.recs[idx].first; s >= 0; {
			ns := t.slotNext[s]
			e.fade(s)
			s = ns
		}
		idx = next
	}
}
