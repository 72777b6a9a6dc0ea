package voice

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// TestKindTable checks the table of kinds: every Kind below numKinds has
// its entry (a constant given a value the table skips would leave a hole),
// and String names it.
func TestKindTable(t *testing.T) {
	seen := map[string]bool{}
	for k := range numKinds {
		e := kindTable[k]
		if e.name == "" || e.new == nil {
			t.Errorf("Kind %d has no entry in kindTable", k)
			continue
		}
		if k.String() != e.name || seen[e.name] {
			t.Errorf("Kind %d: String %q, table name %q (twice: %v)", k, k.String(), e.name, seen[e.name])
		}
		seen[e.name] = true
	}
	if got, want := numKinds.String(), fmt.Sprintf("Kind(%d)", numKinds); got != want {
		t.Errorf("String of a kind beyond the table: %q", got)
	}
}

// TestIndexesLowestFirst checks a kind's index allocator: lowest free
// index first, freed indices reused, never one twice.
func TestIndexesLowestFirst(t *testing.T) {
	x := newIndexes(130)
	for i := range int32(130) {
		if got := x.take(); got != i {
			t.Fatalf("take %d: %d", i, got)
		}
	}
	x.put(100)
	x.put(3)
	x.put(70)
	for _, want := range []int32{3, 70, 100} {
		if got := x.take(); got != want {
			t.Fatalf("take after puts: %d, want %d", got, want)
		}
	}
}

// TestKindIndicesFollowNoteOns replaces voices of one kind by voices of
// others and back: each kind's voices keep distinct indices, and exactly
// those are taken in the kind's allocator (a replaced voice's is freed).
func TestKindIndicesFollowNoteOns(t *testing.T) {
	tbl, smp := testTableAndSample(t)
	b := newTestBank(t, 8)
	for s := range 8 {
		start(t, b, s, Params{Kind: Saw, Freq: 100, Gain: 1}, 0)
	}
	for _, s := range []int{6, 2, 4} {
		start(t, b, s, Params{Kind: Sampler, Freq: 1000, Gain: 1, Sample: smp}, 0)
	}
	start(t, b, 2, Params{Kind: Wavetable, Freq: 100, Gain: 1, Table: tbl}, 0)
	start(t, b, 5, Params{Kind: Saw, Freq: 200, Gain: 1}, 0) // a saw replaced by a saw
	used := map[Kind]map[int32]int{}
	for s := range 8 {
		r := b.slots[s]
		if used[r.kind] == nil {
			used[r.kind] = map[int32]int{}
		}
		if other, ok := used[r.kind][r.idx]; ok {
			t.Fatalf("slots %d and %d share %v index %d", other, s, r.kind, r.idx)
		}
		used[r.kind][r.idx] = s
	}
	for k := range numKinds {
		x := b.ids[k]
		for i := range int32(8) {
			taken := x.free[0]>>i&1 == 0
			if _, ok := used[k][i]; ok != taken {
				t.Errorf("%v index %d: taken %v, used by a slot %v", k, i, taken, ok)
			}
		}
	}
}

// TestLongRunsOfFilteredVoices renders long runs of filtered voices of one
// kind, a few of other kinds among them, in one Render (32 filter channels
// per group, a group filling in the middle of a run of one kind), against
// one Render per slot into the same bus: the same bits.
func TestLongRunsOfFilteredVoices(t *testing.T) {
	const voices = 300
	rng := rand.New(rand.NewPCG(41, 42))
	a, b := newTestBank(t, voices), newTestBank(t, voices)
	for s := range voices {
		p := Params{Kind: Saw, Freq: 50 + 3000*rng.Float64(), Gain: 0.2, Pan: 2*rng.Float32() - 1,
			Filter: Filter{Type: Lowpass, Cutoff: 200 + 8000*rng.Float32(), Resonance: rng.Float32()}}
		switch {
		case s%53 == 7:
			p.Kind = Noise
		case s%61 == 3:
			p.Kind = Square
		}
		off := rng.IntN(block.Size)
		start(t, a, s, p, off)
		start(t, b, s, p, off)
	}
	slots := make([]int32, voices)
	for i := range slots {
		slots[i] = int32(i)
	}
	for blk := range 6 {
		var al, ar, bl, br block.Block
		a.Render(slots, &al, &ar)
		for _, s := range slots {
			b.Render([]int32{s}, &bl, &br)
		}
		for i := range al {
			if math.Float32bits(al[i]) != math.Float32bits(bl[i]) || math.Float32bits(ar[i]) != math.Float32bits(br[i]) {
				t.Fatalf("block %d sample %d: one Render %v %v, one per slot %v %v", blk, i, al[i], ar[i], bl[i], br[i])
			}
		}
	}
}

// dcVoices is a kind written as a new kind would be, in one file (this
// one), and plugged in through its entry in kindTable: a constant 1 whose
// level the kind shapes itself (a shaper), 0.5 while the key is held, then
// a straight fall to 0 over dcFall samples from the note-off, or over
// MinRelease samples when stolen.
type dcVoices struct{ v []dcVoice }

type dcVoice struct {
	offAt     int8 // sample of the next block where the release starts, or -1
	stealNext bool
	releasing bool
	pos, fall int32 // samples into the release, and its length
}

const dcFall = 32

func newDCVoices(capacity int) source { return &dcVoices{v: make([]dcVoice, capacity)} }

func (*dcVoices) check(*Params, float64) error { return nil }

func (d *dcVoices) start(i int32, _ *Params, _ float64) bool {
	d.v[i] = dcVoice{offAt: -1, fall: dcFall}
	return false
}

func (*dcVoices) retune(int32, float32) {}

func (d *dcVoices) render(b *Bank, sc *scratch) {
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		lane := sc.lane(v.lane)
		for j := v.first; j < block.Size; j++ {
			lane[j] = 1
		}
		b.finish(sc, v, block.Size)
	}
}

func (d *dcVoices) noteOff(i int32, offset int) {
	if o := &d.v[i]; !o.releasing {
		o.offAt = int8(offset)
	}
}

func (d *dcVoices) steal(i int32) { d.v[i].stealNext = true }

func (d *dcVoices) releasing(i int32) bool {
	o := &d.v[i]
	return o.releasing || o.offAt >= 0 || o.stealNext
}

func (d *dcVoices) walk(i int32, first, end int32, segs *[maxSegs]envSeg) (int, bool) {
	o := &d.v[i]
	if o.stealNext {
		o.stealNext, o.offAt, o.fall = false, 0, MinRelease
	}
	n, at := 0, first
	if o.offAt >= 0 && !o.releasing {
		if off := max(int32(o.offAt), first); off > at {
			segs[n] = envSeg{a: at, b: off, e0: 0.5, e1: 0.5}
			n, at = n+1, off
		}
		o.releasing, o.offAt = true, -1
	}
	if !o.releasing {
		segs[n] = envSeg{a: at, b: end, e0: 0.5, e1: 0.5}
		return n + 1, false
	}
	k := min(end-at, o.fall-o.pos)
	e0 := 0.5 * (1 - float32(o.pos)/float32(o.fall))
	o.pos += k
	segs[n] = envSeg{a: at, b: at + k, e0: e0, e1: 0.5 * (1 - float32(o.pos)/float32(o.fall))}
	return n + 1, o.pos == o.fall
}

// TestKindThatShapesItsLevel plugs dcVoices in as a kind (in place of
// Noise, for the test) and checks that the bank defers to it: the level
// it gives, NoteOff and Steal reaching it, Releasing and Level from it,
// the voice finished when it says so, gain and pan still the bank's.
func TestKindThatShapesItsLevel(t *testing.T) {
	saved := kindTable[Noise]
	kindTable[Noise] = kindEntry{"dc", newDCVoices}
	t.Cleanup(func() { kindTable[Noise] = saved })

	b := newTestBank(t, 2)
	start(t, b, 0, Params{Kind: Noise, Gain: 1, Pan: -1}, 10)
	start(t, b, 1, Params{Kind: Noise, Gain: 0.5, Pan: 1}, 0)
	slots := []int32{0, 1}
	var left, right []float32
	for blk := range 4 {
		if blk == 2 {
			b.NoteOff(0, 20)
			b.Steal(1)
			if !b.Releasing(0) || !b.Releasing(1) {
				t.Errorf("Releasing after NoteOff and Steal: %v %v", b.Releasing(0), b.Releasing(1))
			}
		}
		var l, r block.Block
		b.Render(slots, &l, &r)
		left, right = append(left, l[:]...), append(right, r[:]...)
		if blk == 1 && (b.Level(0) != 0.5 || b.Level(1) != 0.25) {
			t.Errorf("Level %v %v, want 0.5 and 0.25 (its 0.5 times the gain)", b.Level(0), b.Level(1))
		}
	}
	for i, x := range left {
		want := float32(0)
		switch j := i - 2*block.Size - 20; {
		case i >= 10 && j < 0:
			want = 0.5
		case j >= 0 && j < dcFall:
			want = 0.5 * (1 - float32(j)/dcFall)
		}
		if math.Abs(float64(x-want)) > 1e-6 {
			t.Fatalf("left sample %d: %v, want %v", i, x, want)
		}
	}
	for i, x := range right {
		want := float32(0.25)
		if j := i - 2*block.Size; j >= 0 {
			want = max(0.25*(1-float32(j)/MinRelease), 0)
		}
		if math.Abs(float64(x-want)) > 1e-6 {
			t.Fatalf("right sample %d: %v, want %v", i, x, want)
		}
	}
	if b.Active(0) || b.Active(1) {
		t.Errorf("active after their releases: %v %v", b.Active(0), b.Active(1))
	}
}
