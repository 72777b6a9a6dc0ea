package alloc

import (
	"slices"
	"testing"
)

// levels is a fake voice bank for Rank.
type levels struct {
	releasing map[int]bool
	level     map[int]float32
}

func (l levels) Releasing(slot int) bool { return l.releasing[slot] }
func (l levels) Level(slot int) float32  { return l.level[slot] }

func TestTakeLowestFirstAndFreeReuses(t *testing.T) {
	s := New(130, 130, 4)
	for want := range int32(130) {
		got, ok := s.Take(0)
		if !ok || got != want {
			t.Fatalf("Take %d = %d, %v", want, got, ok)
		}
	}
	if _, ok := s.Take(0); ok {
		t.Fatal("Take succeeded with no slot free")
	}
	if s.Words() != 3 || s.Live() != 130 || !s.Full() {
		t.Fatalf("Words %d Live %d Full %v", s.Words(), s.Live(), s.Full())
	}
	for _, slot := range []int32{5, 129, 64} {
		s.MarkDone(slot)
	}
	var freed []int32
	for {
		slot, ok := s.NextDone(s.Words())
		if !ok {
			break
		}
		freed = append(freed, slot)
		s.Free(slot)
	}
	if !slices.Equal(freed, []int32{129, 64, 5}) {
		t.Fatalf("NextDone order %v, want highest first", freed)
	}
	if s.Words() != 3 || s.Live() != 127 { // slot 128 is still in use
		t.Fatalf("after freeing: Words %d Live %d", s.Words(), s.Live())
	}
	for _, want := range []int32{5, 64, 129} {
		if got, _ := s.Take(1); got != want {
			t.Fatalf("Take after Free = %d, want %d (lowest first)", got, want)
		}
	}
}

func TestUncountKeepsSlotInUse(t *testing.T) {
	s := New(4, 2, 2)
	a, _ := s.Take(0)
	s.Take(0)
	if !s.Full() {
		t.Fatal("two of limit 2 not full")
	}
	s.Uncount(a)
	s.Uncount(a) // twice is once
	if s.Full() || s.Live() != 1 || s.Used()[0]&1 == 0 {
		t.Fatalf("Full %v Live %d used %b", s.Full(), s.Live(), s.Used()[0])
	}
	s.Free(a)
	if s.Live() != 1 || s.Used()[0]&1 != 0 {
		t.Fatalf("after Free: Live %d used %b", s.Live(), s.Used()[0])
	}
}

// TestStealingOrder: releasing voices go first, then the quietest, then
// the oldest; a voice started in this block and an uncounted (fading) one
// are never victims; Rank keeps only k.
func TestStealingOrder(t *testing.T) {
	s := New(8, 8, 8)
	for range 7 {
		s.Take(0)
	}
	s.Take(1) // slot 7 starts in block 1: not a victim in block 1
	s.Uncount(6)
	lv := levels{
		releasing: map[int]bool{4: true, 2: true},
		level:     map[int]float32{0: 0.5, 1: 0.1, 2: 0.9, 3: 0.1, 4: 0.2, 5: 0.3, 6: 0, 7: 0},
	}
	s.Rank(8, 1, lv)
	var got []int32
	for {
		slot, ok := s.NextVictim()
		if !ok {
			break
		}
		got = append(got, slot)
	}
	// Releasing: 4 (0.2) before 2 (0.9). Held: 1 and 3 both 0.1, 1 older;
	// then 5 (0.3), 0 (0.5).
	if want := []int32{4, 2, 1, 3, 5, 0}; !slices.Equal(got, want) {
		t.Fatalf("victims %v, want %v", got, want)
	}
	s.Unrank()
	if s.Ranked() {
		t.Fatal("Ranked after Unrank")
	}
	s.Rank(2, 1, lv)
	a, _ := s.NextVictim()
	b, _ := s.NextVictim()
	if _, ok := s.NextVictim(); ok || a != 4 || b != 2 {
		t.Fatalf("k=2 gave %d, %d and more", a, b)
	}
}

func TestSlotsAllocateNothing(t *testing.T) {
	s := New(256, 200, 16)
	lv := levels{}
	allocs := testing.AllocsPerRun(100, func() {
		for range 200 {
			s.Take(3)
		}
		s.Rank(16, 4, &lv)
		for {
			if _, ok := s.NextVictim(); !ok {
				break
			}
		}
		for slot := range int32(200) {
			s.MarkDone(slot)
		}
		for {
			slot, ok := s.NextDone(s.Words())
			if !ok {
				break
			}
			s.Free(slot)
		}
		s.Unrank()
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per run", allocs)
	}
}

// Changes moves with every Take and Free, the changes to Used, and with
// nothing else, so a list of the slots in use stays valid while it holds.
func TestChangesFollowUsed(t *testing.T) {
	s := New(4, 4, 1)
	c := s.Changes()
	a, _ := s.Take(0)
	if s.Changes() == c {
		t.Fatal("Take left Changes alone")
	}
	c = s.Changes()
	s.Uncount(a)
	s.MarkDone(a)
	if s.Changes() != c {
		t.Fatal("Uncount or MarkDone, which leave Used alone, moved Changes")
	}
	if got, ok := s.NextDone(1); !ok || got != a {
		t.Fatalf("NextDone = %d, %v", got, ok)
	}
	if s.Changes() != c {
		t.Fatal("NextDone moved Changes")
	}
	s.Free(a)
	if s.Changes() == c {
		t.Fatal("Free left Changes alone")
	}
}
