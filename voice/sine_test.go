package voice

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/audiotest"
)

func TestSine440FrequencyAndTHDN(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sine, Freq: 440, Gain: 1}, 0)
	left, right := renderBlocks(b, 0, testRate/block.Size, nil) // 1 s
	f := audiotest.ZeroCrossingHz(left, testRate)
	t.Logf("measured %.6f Hz", f)
	if math.Abs(f-440) > 0.01 {
		t.Errorf("measured %.6f Hz, want 440 ± 0.01", f)
	}
	cps := float64(sineOf(b, 0).inc) / (1 << 32)
	for name, x := range map[string][]float32{"left": left, "right": right} {
		d := residualDB(x, cps)
		t.Logf("%s THD+N %.1f dB", name, d)
		if d > -100 {
			t.Errorf("%s THD+N %.1f dB, want < -100", name, d)
		}
	}
	// Centre pan is equal power: each side at cos(π/4).
	if p, want := peak(left), float32(math.Sqrt2/2); math.Abs(float64(p-want)) > 1e-5 {
		t.Errorf("left peak %v, want %v", p, want)
	}
}

func peak(x []float32) float32 {
	var m float32
	for _, v := range x {
		m = max(m, float32(math.Abs(float64(v))))
	}
	return m
}

func TestRenderDoesNotAllocate(t *testing.T) {
	b := newTestBank(t, 256)
	smp, err := NewSample(testRate, [][]float32{{0, 1, 0, -1, 0, 1, 0, -1}}, 440, true, 0, 8, Cubic)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := NewTable([]float32{0, 1, 0.5, -1})
	if err != nil {
		t.Fatal(err)
	}
	slots := make([]int32, 256)
	for i := range slots {
		slots[i] = int32(i)
		p := Params{Kind: Kind(i % int(numKinds)), Freq: 100 + float64(i), Gain: 0.1, Pan: 0.3,
			Env:   ADSR{Attack: 0.01, Decay: 0.1, Sustain: 0.5, Release: 0.2},
			Table: tbl, Sample: smp, Seed: uint64(i), SoundFont: testSoundFont()}
		if i%2 == 0 {
			p.Filter = Filter{Type: FilterType(1 + i%3), Cutoff: 2000, Resonance: 0.5}
		}
		start(t, b, i, p, i%block.Size)
	}
	var l, r block.Block
	n := 0
	allocs := testing.AllocsPerRun(100, func() {
		n++
		b.SetGain(n%256, float32(n%7)*0.1)
		b.SetPan(n%256, -0.5)
		b.SetFreqRatio(n%256, 1.01)
		b.SetCutoff(n%256, 3000)
		if n == 50 {
			for i := range 256 {
				b.NoteOff(i, i%block.Size)
			}
		}
		b.Render(slots, &l, &r)
	})
	if allocs != 0 {
		t.Errorf("Render allocates %v times per call", allocs)
	}
	if p := peak(l[:]); p == 0 || math.IsNaN(float64(p)) {
		t.Errorf("bus peak %v after rendering 256 voices", p)
	}
}
