package alloc

import (
	"math/rand/v2"
	"testing"
)

// TestIDsMatchMap drives the table and a Go map with the same random
// puts and removes, keeping the table nearly full so probe runs wrap and
// deletions must shift entries back.
func TestIDsMatchMap(t *testing.T) {
	for _, entries := range []int{1, 3, 64, 1000} {
		tab := NewIDs(entries)
		ref := map[uint64]int32{}
		rng := rand.New(rand.NewPCG(1, uint64(entries)))
		next := uint64(1)
		for step := range 20000 {
			if len(ref) < entries && rng.IntN(2) == 0 {
				slot := int32(rng.IntN(1 << 20))
				tab.Put(next, slot)
				ref[next] = slot
				next++
			} else {
				// Remove a present id, or probe an absent one.
				id := uint64(rng.IntN(int(next)) + 1)
				tab.Remove(id)
				delete(ref, id)
			}
			if step%97 == 0 {
				for id := uint64(1); id <= next; id++ {
					want, wok := ref[id]
					got, ok := tab.Get(id)
					if ok != wok || got != want {
						t.Fatalf("entries %d step %d: get(%d) = %d,%v want %d,%v", entries, step, id, got, ok, want, wok)
					}
				}
			}
		}
	}
}
