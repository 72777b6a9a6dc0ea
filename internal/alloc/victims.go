package alloc

// victim is a candidate for stealing.
type victim struct {
	slot      int32
	releasing bool
	level     float32
	order     uint64 // when the slot was taken: a smaller one is older
}

// quieter reports whether a is a better victim than b: releasing before
// held, then the lower level, then the older voice.
func quieter(a, b victim) bool {
	if a.releasing != b.releasing {
		return a.releasing
	}
	if a.level != b.level {
		return a.level < b.level
	}
	return a.order < b.order
}

// victimHeap keeps the k best victims seen in one scan: a max-heap (the
// least quiet on top, ready to be displaced) in a slice allocated once.
// rank then sorts it so next hands them out best first.
type victimHeap struct {
	h      []victim
	k      int
	taken  int
	ranked bool
}

func newVictimHeap(capacity int) victimHeap {
	return victimHeap{h: make([]victim, 0, capacity)}
}

// reset forgets the last block's ranking.
func (v *victimHeap) reset() { v.ranked = false }

func (v *victimHeap) begin(k int) {
	v.h, v.k, v.taken = v.h[:0], min(k, cap(v.h)), 0
}

func (v *victimHeap) offer(c victim) {
	if len(v.h) < v.k {
		v.h = append(v.h, c)
		v.up(len(v.h) - 1)
		return
	}
	if v.k > 0 && quieter(c, v.h[0]) {
		v.h[0] = c
		v.down(0, len(v.h))
	}
}

// rank heap-sorts the kept victims in place, best (quietest) first.
func (v *victimHeap) rank() {
	for n := len(v.h) - 1; n > 0; n-- {
		v.h[0], v.h[n] = v.h[n], v.h[0]
		v.down(0, n)
	}
	v.ranked = true
}

// more reports whether next has a victim left.
func (v *victimHeap) more() bool { return v.taken < len(v.h) }

// next returns the best victim not yet taken; call it only when more.
func (v *victimHeap) next() int32 {
	v.taken++
	return v.h[v.taken-1].slot
}

func (v *victimHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !quieter(v.h[p], v.h[i]) {
			return
		}
		v.h[p], v.h[i] = v.h[i], v.h[p]
		i = p
	}
}

func (v *victimHeap) down(i, n int) {
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && quieter(v.h[c], v.h[c+1]) {
			c++
		}
		if !quieter(v.h[i], v.h[c]) {
			return
		}
		v.h[i], v.h[c] = v.h[c], v.h[i]
		i = c
	}
}
