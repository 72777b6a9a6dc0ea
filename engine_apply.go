package aether

import (
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
)

// applyEvents applies the events of the block that starts at frame start:
// those posted for an earlier block that waited in pending, in frame
// order, then those drained from the queue, in the order they were
// posted. Events for a later block wait in pending. Only the rendering
// goroutine calls it.
func (e *Engine) applyEvents(start int64) {
	end := start + block.Size
	n := e.events.Drain(e.batch)
	e.stats.events.Add(uint64(n))
	now := e.batch[:0]
	starts := e.pending.startsBefore(end)
	for i := range e.batch[:n] {
		ev := e.batch[i]
		if ev.rel {
			ev.frame += start
		}
		e.seq++
		ev.seq = e.seq
		if ev.frame >= end {
			if !e.pending.push(ev) {
				e.stats.dropped.Add(1)
			}
			continue
		}
		if ev.kind.starts() {
			starts++
		}
		now = append(now, ev)
	}
	e.slots.Unrank()
	for e.pending.due(end) {
		ev := e.pending.pop()
		e.apply(&ev, start, &starts)
	}
	for i := range now {
		e.apply(&now[i], start, &starts)
	}
}

// apply applies one event of the block that starts at frame start; starts
// counts the note-starting events of the block not yet applied.
func (e *Engine) apply(ev *event, start int64, starts *int) {
	offset := int(max(ev.frame-start, 0))
	if ev.kind.starts() {
		e.startNote(ev, offset, *starts)
		*starts--
		return
	}
	switch ev.kind {
	case evKeyOff:
		c := &e.chans[ev.ch]
		idx := c.keys[ev.a]
		if idx < 0 {
			return
		}
		if c.state.Sustained() {
			e.notes.recs[idx].sustained = true
			return
		}
		e.release(idx, offset)
	case evControl:
		e.control(&e.chans[ev.ch], ev.a, ev.b, offset)
	case evBend:
		c := &e.chans[ev.ch]
		e.updateChannel(c, c.state.PitchBend(ev.bend))
	case evPressure:
		c := &e.chans[ev.ch]
		c.state.Pressure = ev.a
		e.updateChannel(c, instrument.ChangeOther)
	case evProgram:
		c := &e.chans[ev.ch]
		c.state.Program = ev.a
		c.program(e.instruments)
	case evSystemReset:
		for i := range e.chans {
			c := &e.chans[i]
			pedal := c.state.Sustained()
			c.reset(uint8(i), e.instruments)
			if pedal {
				e.releaseChannel(c, offset, true)
			}
			e.updateChannel(c, instrument.ChangeAll)
		}
	default:
		e.noteEvent(ev, offset)
	}
}

// control applies controller cc = v to channel c.
func (e *Engine) control(c *channel, cc, v uint8, offset int) {
	pedal := c.state.Sustained()
	change := c.state.Control(cc, v)
	switch cc {
	case instrument.CCAllSoundOff:
		e.silenceChannel(c)
	case instrument.CCAllNotesOff:
		e.releaseChannel(c, offset, false)
	}
	if pedal && !c.state.Sustained() {
		e.releaseChannel(c, offset, true)
	}
	e.updateChannel(c, change)
}

// noteEvent applies an event addressed to one note by its VoiceID.
func (e *Engine) noteEvent(ev *event, offset int) {
	idx, ok := e.notes.ids.Get(uint64(ev.id))
	if !ok {
		e.stats.orphaned.Add(1)
		return
	}
	t := &e.notes
	r := &t.recs[idx]
	if ev.kind == evNoteOff {
		e.release(idx, offset)
		return
	}
	if r.played {
		switch ev.kind {
		case evGain:
			r.gain = ev.value
			e.updateLive(idx, instrument.ChangeGain)
			return
		case evPan:
			r.pan = ev.value
			e.updateLive(idx, instrument.ChangePan)
			return
		case evFreqRatio:
			r.ratio = ev.value
			e.updateLive(idx, instrument.ChangePitch)
			return
		}
	}
	for s := r.first; s >= 0; s = t.slotNext[s] {
		switch ev.kind {
		case evGain:
			e.bank.SetGain(int(s), ev.value)
		case evPan:
			e.bank.SetPan(int(s), ev.value)
		case evFreqRatio:
			e.bank.SetFreqRatio(int(s), ev.value)
		case evCutoff:
			e.bank.SetCutoff(int(s), ev.value)
		case evResonance:
			e.bank.SetResonance(int(s), ev.value)
		}
	}
}

// eventHeap holds events posted for a later block: a min-heap by frame,
// then by drain order, in a slice allocated once.
type eventHeap struct{ h []event }

func newEventHeap(capacity int) eventHeap { return eventHeap{h: make([]event, 0, capacity)} }

func (q *eventHeap) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	return a.frame < b.frame || a.frame == b.frame && a.seq < b.seq
}

// push adds ev; it reports false, adding nothing, when the heap is full.
func (q *eventHeap) push(ev event) bool {
	if len(q.h) == cap(q.h) {
		return false
	}
	q.h = append(q.h, ev)
	for i := len(q.h) - 1; i > 0; {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
	return true
}

// due reports whether the earliest event is for a frame before end.
func (q *eventHeap) due(end int64) bool { return len(q.h) > 0 && q.h[0].frame < end }

// pop removes and returns the earliest event.
func (q *eventHeap) pop() event {
	top := q.h[0]
	n := len(q.h) - 1
	q.h[0] = q.h[n]
	q.h[n] = event{} // let go of its instrument
	q.h = q.h[:n]
	for i := 0; ; {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q.less(c+1, c) {
			c++
		}
		if !q.less(c, i) {
			break
		}
		q.h[i], q.h[c] = q.h[c], q.h[i]
		i = c
	}
	return top
}

// startsBefore counts the note-starting events for frames before end.
func (q *eventHeap) startsBefore(end int64) int {
	n := 0
	for i := range q.h {
		if q.h[i].frame < end && q.h[i].kind.starts() {
			n++
		}
	}
	return n
}
