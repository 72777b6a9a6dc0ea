package voice

import (
	"math"
	"sync"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// The band-limited kinds: each reads the mip-mapped Table of its waveform
// (see Table), so it never aliases.
const (
	// Saw is a rising sawtooth.
	Saw Kind = 1
	// Square is a pulse wave, high for Params.PulseWidth of each cycle
	// (0 means 0.5, a square wave).
	Square Kind = 2
	// Triangle is a triangle wave.
	Triangle Kind = 3
)

// tableVoice is one voice reading a mip-mapped Table. Phases are 32-bit
// fixed point, one cycle being 2^32, as in mix.Wavetable.
type tableVoice struct {
	phase   uint32
	inc     uint32     // phase step per sample at the current ratio
	baseInc float64    // phase step per sample at ratio 1
	table   *Table     //
	level   *mix.Table // the table's mip-map level for inc (retune)
}

func (o *tableVoice) begin(t *Table, freq, rate float64) {
	*o = tableVoice{baseInc: freq / rate * (1 << 32), table: t}
	o.retune(1)
}

func (o *tableVoice) retune(r float32) {
	o.inc = phaseInc(o.baseInc, r)
	o.level = o.table.level(o.inc)
}

// tableVoices are the voices of a kind that plays one Table per voice
// with mix.Wavetable: Saw, Triangle and Wavetable.
type tableVoices struct{ v []tableVoice }

func newTableVoices(capacity int) tableVoices {
	return tableVoices{v: make([]tableVoice, capacity)}
}

func (t *tableVoices) retune(i int32, r float32) { t.v[i].retune(r) }

func (t *tableVoices) render(b *Bank, sc *scratch) {
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		o := &t.v[v.idx]
		o.phase = mix.Wavetable(sc.lane(v.lane)[v.first:], o.level, o.phase, o.inc)
		v.end = block.Size
		b.finish(sc, v)
	}
}

// bandLimited is Saw or Triangle: every voice reads the kind's built-in
// table.
type bandLimited struct {
	tableVoices
	table *Table
}

func newSaws(capacity int) source {
	builtinTables()
	return &bandLimited{tableVoices: newTableVoices(capacity), table: sawTable}
}

func newTriangles(capacity int) source {
	builtinTables()
	return &bandLimited{tableVoices: newTableVoices(capacity), table: triangleTable}
}

func (*bandLimited) check(p *Params, rate float64) error { return checkPitch(p, rate) }

func (t *bandLimited) start(i int32, p *Params, rate float64) bool {
	t.v[i].begin(t.table, p.Freq, rate)
	return false
}

// pulseVoice is a Square voice: a saw read at two phases.
type pulseVoice struct {
	tableVoice
	pwOff uint32 // the pulse width as a phase offset
}

// pulses are the Square voices. A zero-mean pulse is saw(x - w) - saw(x):
// two lookups of the same band-limited saw, so the pulse is band-limited
// too, and any pulse width is.
type pulses struct{ v []pulseVoice }

func newPulses(capacity int) source {
	builtinTables()
	return &pulses{v: make([]pulseVoice, capacity)}
}

func (*pulses) check(p *Params, rate float64) error { return checkPitch(p, rate) }

func (q *pulses) start(i int32, p *Params, rate float64) bool {
	pw := float64(p.PulseWidth)
	if pw == 0 {
		pw = 0.5
	}
	o := &q.v[i]
	o.begin(sawTable, p.Freq, rate)
	o.pwOff = uint32(math.Round(pw * (1 << 32)))
	return false
}

func (q *pulses) retune(i int32, r float32) { q.v[i].retune(r) }

func (q *pulses) render(b *Bank, sc *scratch) {
	var tmp block.Block
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		o := &q.v[v.idx]
		dst, t := sc.lane(v.lane)[v.first:], tmp[v.first:]
		mix.Wavetable(dst, o.level, o.phase-o.pwOff, o.inc)
		o.phase = mix.Wavetable(t, o.level, o.phase, o.inc)
		mix.AddScaled(dst, t, -1) // exact: dst[i] - t[i]
		v.end = block.Size
		b.finish(sc, v)
	}
}

var (
	sawTable, triangleTable *Table
	tablesOnce              sync.Once
)

// builtinTables builds the band-limited saw and triangle once. The square
// and pulse are the difference of two phase-shifted saws.
func builtinTables() {
	tablesOnce.Do(func() {
		// Rising saw 2x-1 on [0,1): -(2/π) Σ sin(2πkx)/k.
		sawTable = newTableFromHarmonics(func(k int) complex128 {
			return complex(0, 1/(math.Pi*float64(k)))
		})
		// Triangle peaking at x = 1/4: (8/π²) Σ_odd (-1)^((k-1)/2) sin(2πkx)/k².
		triangleTable = newTableFromHarmonics(func(k int) complex128 {
			if k%2 == 0 {
				return 0
			}
			b := 8 / (math.Pi * math.Pi * float64(k*k))
			if k%4 == 3 {
				b = -b
			}
			return complex(0, -b/2)
		})
	})
}
