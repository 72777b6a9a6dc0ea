package alloc

// IDs maps the IDs of sounding notes (non-zero integers handed out in
// increasing order) to small indexes without a Go map, which would
// allocate as it grows: an open-addressing table with linear probing,
// sized at construction to at least twice the entries so a probe stays
// short, with backward-shift deletion so no tombstones pile up.
type IDs struct {
	keys  []uint64 // 0 marks an empty cell (IDs start at 1)
	slots []int32
	shift uint // 64 - log2(len(keys)), for Fibonacci hashing
}

// NewIDs returns a table for up to entries IDs at once.
func NewIDs(entries int) IDs {
	n, bits := 1, uint(0)
	for n < 2*entries {
		n <<= 1
		bits++
	}
	return IDs{keys: make([]uint64, n), slots: make([]int32, n), shift: 64 - bits}
}

// home returns the cell where id's probe starts. Multiplying by 2^64/φ
// spreads consecutive ids (which is what an atomic counter hands out)
// evenly over the table.
func (t *IDs) home(id uint64) int {
	if t.shift == 64 {
		return 0
	}
	return int((id * 0x9E3779B97F4A7C15) >> t.shift)
}

func (t *IDs) mask() int { return len(t.keys) - 1 }

// Put maps id to v; id must not be in the table.
func (t *IDs) Put(id uint64, v int32) {
	i := t.home(id)
	for t.keys[i] != 0 {
		i = (i + 1) & t.mask()
	}
	t.keys[i], t.slots[i] = id, v
}

// Get returns what id maps to, or ok=false if id is not mapped.
func (t *IDs) Get(id uint64) (v int32, ok bool) {
	for i := t.home(id); t.keys[i] != 0; i = (i + 1) & t.mask() {
		if t.keys[i] == id {
			return t.slots[i], true
		}
	}
	return 0, false
}

// Remove unmaps id, if mapped, and moves later entries of its probe run
// back into the gap so every remaining id is still found from its home.
func (t *IDs) Remove(id uint64) {
	i := t.home(id)
	for t.keys[i] != id {
		if t.keys[i] == 0 {
			return
		}
		i = (i + 1) & t.mask()
	}
	for j := (i + 1) & t.mask(); t.keys[j] != 0; j = (j + 1) & t.mask() {
		// Entry j may fill the gap at i only if its home is not in the
		// cyclic range (i, j]: otherwise a probe from its home would stop
		// at the gap before reaching i.
		h := t.home(t.keys[j])
		if (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.keys[i], t.slots[i] = t.keys[j], t.slots[j]
			i = j
		}
	}
	t.keys[i] = 0
}
