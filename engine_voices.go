package aether

import "math/bits"

// applyEvents drains the queue and applies its events in the order they
// were posted. Only the rendering goroutine calls it.
func (e *Engine) applyEvents() {
	n := e.events.Drain(e.batch)
	e.stats.events.Add(uint64(n))
	noteOns := 0
	for i := range e.batch[:n] {
		if e.batch[i].kind == evNoteOn {
			noteOns++
		}
	}
	e.victims.reset()
	for i := range e.batch[:n] {
		ev := &e.batch[i]
		if ev.kind == evNoteOn {
			e.startVoice(ev, noteOns)
			noteOns--
			continue
		}
		slot, ok := e.ids.get(ev.id)
		if !ok {
			e.stats.orphaned.Add(1)
			continue
		}
		switch ev.kind {
		case evNoteOff:
			e.bank.NoteOff(int(slot), int(ev.offset))
		case evGain:
			e.bank.SetGain(int(slot), ev.value)
		case evPan:
			e.bank.SetPan(int(slot), ev.value)
		case evFreqRatio:
			e.bank.SetFreqRatio(int(slot), ev.value)
		}
	}
}

// startVoice starts ev's note in a free slot and, if Voices were already
// sounding, steals the least audible voice that started before this block.
// pending is the number of note-ons left in this batch, ev's included: how
// many victims one scan must find.
func (e *Engine) startVoice(ev *event, pending int) {
	steal := e.live >= e.voices
	if steal {
		if !e.victims.ranked {
			e.rankVictims(pending)
		}
		if !e.victims.more() {
			// Every sounding voice started in this very block: a batch
			// with more note-ons than Voices. This note cannot sound.
			e.stats.rejected.Add(1)
			return
		}
	}
	if len(e.free) == 0 {
		// NewEngine sized the bank so that this cannot happen.
		e.stats.rejected.Add(1)
		return
	}
	slot := e.free[len(e.free)-1]
	if err := e.bank.NoteOn(int(slot), &ev.params, int(ev.offset)); err != nil {
		e.stats.rejected.Add(1)
		return
	}
	e.free = e.free[:len(e.free)-1]
	e.idOf[slot] = ev.id
	e.ids.put(ev.id, slot)
	e.startAt[slot] = e.block
	e.counted[slot] = true
	e.used[slot>>6] |= 1 << (slot & 63)
	e.live++
	e.stats.started.Add(1)
	if steal {
		e.steal(e.victims.next())
	}
}

// steal fades out the voice in slot (bank.Steal: a short fade, no click);
// its slot is freed once the fade has been rendered.
func (e *Engine) steal(slot int32) {
	e.bank.Steal(int(slot))
	e.ids.remove(e.idOf[slot]) // later events for it are orphaned
	e.idOf[slot] = 0
	e.counted[slot] = false
	e.live--
	e.stats.stolen.Add(1)
	if !e.bank.Active(int(slot)) {
		e.freeSlot(slot)
	}
}

// rankVictims finds, in one O(voices log k) scan, the k least audible
// voices (releasing voices first, then the quietest, then the oldest) that
// started before this block: a note started in this block has not sounded
// yet, so its level says nothing. Later steals of the block take the next
// in this ranking.
func (e *Engine) rankVictims(k int) {
	e.victims.begin(k)
	for w, word := range e.used {
		for word != 0 {
			slot := int32(w<<6 + bits.TrailingZeros64(word))
			word &= word - 1
			if !e.counted[slot] || e.startAt[slot] == e.block {
				continue
			}
			e.victims.offer(victim{
				slot:      slot,
				releasing: e.bank.Releasing(int(slot)),
				level:     e.bank.Level(int(slot)),
				id:        e.idOf[slot],
			})
		}
	}
	e.victims.rank()
}

// reap frees the slots of voices that finished in the block just rendered
// (their release ended, their steal fade ended, or they were silenced), as
// the chunks marked them. It frees from the highest slot down, so the
// lowest freed slot is reused first and voices stay packed in few chunks.
func (e *Engine) reap(chunks int) {
	for w := min(chunks*e.chunkWords, len(e.finished)) - 1; w >= 0; w-- {
		for word := e.finished[w]; word != 0; {
			top := 63 - bits.LeadingZeros64(word)
			word &^= 1 << top
			e.freeSlot(int32(w<<6 + top))
		}
		e.finished[w] = 0
	}
	e.stats.voices.Store(int64(e.live))
}

func (e *Engine) freeSlot(slot int32) {
	if e.counted[slot] {
		e.counted[slot] = false
		e.live--
	}
	if id := e.idOf[slot]; id != 0 {
		e.ids.remove(id)
		e.idOf[slot] = 0
	}
	e.used[slot>>6] &^= 1 << (slot & 63)
	e.free = append(e.free, slot)
	e.stats.finished.Add(1)
}
