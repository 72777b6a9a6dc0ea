// Package alloc hands out the voice slots of a bank: which slots are in
// use, which free slot comes next (the lowest, so voices stay packed in few
// chunks), which voices to steal when every voice that may sound is
// sounding (releasing before held, then the quietest, then the oldest), and
// a table from note IDs to indexes. One goroutine drives it (the engine's
// render goroutine), except that renderers of disjoint chunks may mark
// finished slots at once; it allocates nothing after New.
package alloc

import "math/bits"

// Levels is what stealing asks of the voices: whether the voice in a slot
// is releasing, and how loud it is. *voice.Bank has both.
type Levels interface {
	Releasing(slot int) bool
	Level(slot int) float32
}

// Slots tracks a bank's slots. Some voices in use do not count against
// the limit: a stolen voice fades in its own slot for a block while the
// note that stole it starts in another.
type Slots struct {
	limit   int      // the most counted voices at once
	live    int      // slots in use that count
	free    []int32  // stack of free slots, lowest on top
	used    []uint64 // bitmap of slots in use (sounding or fading)
	done    []uint64 // bitmap of slots whose voice finished in the last block
	counted []bool   // slot -> counts against limit
	startAt []uint64 // slot -> block in which its voice started
	order   []uint64 // slot -> when it was taken
	taken   uint64
	changes uint64 // Takes and Frees so far: see Changes
	victims victimHeap
}

// New returns slots 0..slots-1, all free, of which at most limit count at
// once; up to maxSteals voices can be stolen in one block.
func New(slots, limit, maxSteals int) *Slots {
	s := &Slots{
		limit:   limit,
		free:    make([]int32, slots),
		used:    make([]uint64, (slots+63)/64),
		done:    make([]uint64, (slots+63)/64),
		counted: make([]bool, slots),
		startAt: make([]uint64, slots),
		order:   make([]uint64, slots),
		victims: newVictimHeap(maxSteals),
	}
	for i := range s.free {
		s.free[i] = int32(slots - 1 - i) // lowest slot on top
	}
	return s
}

// Live returns how many slots in use count against the limit.
func (s *Slots) Live() int { return s.live }

// Full reports whether a new voice must steal one that sounds.
func (s *Slots) Full() bool { return s.live >= s.limit }

// Take puts the lowest free slot in use for a voice that starts in block,
// counted against the limit; ok is false when no slot is free.
func (s *Slots) Take(block uint64) (slot int32, ok bool) {
	if len(s.free) == 0 {
		return 0, false
	}
	slot = s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	s.used[slot>>6] |= 1 << (slot & 63)
	s.counted[slot] = true
	s.startAt[slot] = block
	s.taken++
	s.order[slot] = s.taken
	s.live++
	s.changes++
	return slot, true
}

// Uncount stops slot counting against the limit (its voice was stolen and
// fades out); it stays in use until Free.
func (s *Slots) Uncount(slot int32) {
	if s.counted[slot] {
		s.counted[slot] = false
		s.live--
	}
}

// Free returns slot to the free slots.
func (s *Slots) Free(slot int32) {
	s.Uncount(slot)
	s.used[slot>>6] &^= 1 << (slot & 63)
	s.free = append(s.free, slot)
	s.changes++
}

// Changes counts the changes to Used so far: a list of the slots in use
// made when it read n stays right while it still reads n.
func (s *Slots) Changes() uint64 { return s.changes }

// Used is the bitmap of slots in use, 64 a word: bit i of word w is slot
// 64w+i. Renderers read it; only Take and Free change it.
func (s *Slots) Used() []uint64 { return s.used }

// Words returns how many words of Used cover the slots in use: up to the
// word of the highest one.
func (s *Slots) Words() int {
	for w := len(s.used) - 1; w >= 0; w-- {
		if s.used[w] != 0 {
			return w + 1
		}
	}
	return 0
}

// MarkDone records that slot's voice finished. Renderers of chunks may
// call it at once for slots in different words of Used.
func (s *Slots) MarkDone(slot int32) { s.done[slot>>6] |= 1 << (slot & 63) }

// NextDone returns a slot marked done among the first words words and
// clears its mark, highest slot first (so that once all are freed the
// lowest is reused first); ok is false when none is left.
func (s *Slots) NextDone(words int) (slot int32, ok bool) {
	for w := min(words, len(s.done)) - 1; w >= 0; w-- {
		if word := s.done[w]; word != 0 {
			top := 63 - bits.LeadingZeros64(word)
			s.done[w] = word &^ (1 << top)
			return int32(w<<6 + top), true
		}
	}
	return 0, false
}

// Rank finds, in one scan, the k best victims among the counted voices
// that started before block (a voice started in this block has not sounded
// yet, so its level says nothing): releasing ones first, then the quietest,
// then the oldest. NextVictim hands them out best first.
func (s *Slots) Rank(k int, block uint64, lv Levels) {
	s.victims.begin(k)
	for w, word := range s.used {
		for word != 0 {
			slot := int32(w<<6 + bits.TrailingZeros64(word))
			word &= word - 1
			if !s.counted[slot] || s.startAt[slot] == block {
				continue
			}
			s.victims.offer(victim{
				slot:      slot,
				releasing: lv.Releasing(int(slot)),
				level:     lv.Level(int(slot)),
				order:     s.order[slot],
			})
		}
	}
	s.victims.rank()
}

// Ranked reports whether Rank ran since the last Unrank.
func (s *Slots) Ranked() bool { return s.victims.ranked }

// Unrank forgets the ranking (at the start of each block).
func (s *Slots) Unrank() { s.victims.reset() }

// NextVictim returns the best victim not yet taken; ok is false when the
// ranking has none left.
func (s *Slots) NextVictim() (slot int32, ok bool) {
	if !s.victims.more() {
		return 0, false
	}
	return s.victims.next(), true
}
