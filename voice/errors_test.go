package voice

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/audiotest"
)

func TestNewBankRejectsBadArguments(t *testing.T) {
	for _, c := range [][2]int{{0, 48000}, {-1, 48000}, {8, 0}, {8, 100}, {8, 10_000_000}} {
		if _, err := NewBank(c[0], c[1]); !errors.Is(err, ErrCapacity) {
			t.Errorf("NewBank(%d, %d): err %v, want ErrCapacity", c[0], c[1], err)
		}
	}
}

func TestNoteOnRejectsBadParams(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := Params{Kind: Sine, Freq: 440, Gain: 1}
	tbl, _ := NewTable([]float32{0, 1})
	cases := map[string]func(p *Params){
		"Kind":             func(p *Params) { p.Kind = numKinds },
		"Freq":             func(p *Params) { p.Freq = nan },
		"Freq=Inf":         func(p *Params) { p.Freq = inf },
		"Freq=0":           func(p *Params) { p.Freq = 0 },
		"Freq=Nyquist":     func(p *Params) { p.Freq = testRate / 2 },
		"Gain":             func(p *Params) { p.Gain = float32(nan) },
		"Gain<0":           func(p *Params) { p.Gain = -1 },
		"Gain big":         func(p *Params) { p.Gain = 2 * MaxLevel },
		"Pan":              func(p *Params) { p.Pan = 1.5 },
		"Pan=NaN":          func(p *Params) { p.Pan = float32(nan) },
		"PulseWidth":       func(p *Params) { p.PulseWidth = 1 },
		"Env.Attack":       func(p *Params) { p.Env.Attack = float32(inf) },
		"Env.Decay":        func(p *Params) { p.Env.Decay = -1 },
		"Env.Release":      func(p *Params) { p.Env.Release = float32(nan) },
		"Env.Sustain":      func(p *Params) { p.Env.Sustain = 2 },
		"Filter.Type":      func(p *Params) { p.Filter.Type = 9 },
		"Filter.Cutoff":    func(p *Params) { p.Filter = Filter{Type: Lowpass, Cutoff: float32(nan)} },
		"Filter.Resonance": func(p *Params) { p.Filter = Filter{Type: Lowpass, Cutoff: 100, Resonance: 2} },
		"Table":            func(p *Params) { p.Kind = Wavetable },
		"Sample":           func(p *Params) { p.Kind = Sampler },
		"Freq/RootFreq": func(p *Params) {
			p.Kind, p.Freq = Sampler, 1e6
			p.Sample, _ = NewSample(testRate, [][]float32{{1}}, 100, false, 0, 0, Linear)
		},
		"Freq (wavetable)": func(p *Params) { p.Kind, p.Table, p.Freq = Wavetable, tbl, 30000 },
	}
	for name, spoil := range cases {
		b := newTestBank(t, 1)
		p := good
		spoil(&p)
		err := b.NoteOn(0, &p, 0)
		field, _, _ := strings.Cut(name, " ")
		field, _, _ = strings.Cut(field, "=")
		field, _, _ = strings.Cut(field, "<")
		if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), field) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err %v, want a one-line ErrParams naming %s", name, err, field)
		}
		if b.Active(0) {
			t.Errorf("%s: voice started despite the error", name)
		}
	}
	b := newTestBank(t, 2)
	if err := b.NoteOn(2, &good, 0); !errors.Is(err, ErrSlot) {
		t.Errorf("slot 2 of 2: %v", err)
	}
	if err := b.NoteOn(-1, &good, 0); !errors.Is(err, ErrSlot) {
		t.Errorf("slot -1: %v", err)
	}
	for _, off := range []int{-1, 64} {
		if err := b.NoteOn(0, &good, off); !errors.Is(err, ErrOffset) {
			t.Errorf("offset %d: %v", off, err)
		}
	}
	if err := b.NoteOn(0, nil, 0); !errors.Is(err, ErrParams) {
		t.Errorf("nil params: %v", err)
	}
}

func TestBadNoteOnLeavesPlayingVoiceAlone(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sine, Freq: 440, Gain: 1}, 0)
	bad := Params{Kind: Sine, Freq: math.NaN(), Gain: 1}
	if err := b.NoteOn(0, &bad, 0); err == nil {
		t.Fatal("NaN frequency accepted")
	}
	left, _ := renderBlocks(b, 0, 10, nil)
	if f := audiotest.ZeroCrossingHz(left, testRate); math.Abs(f-440) > 1 {
		t.Errorf("voice now plays %v Hz", f)
	}
}

func TestOutOfRangeCallsAreHarmless(t *testing.T) {
	b := newTestBank(t, 1)
	b.NoteOff(5, 0)
	b.Steal(-1)
	b.SetGain(7, 1)
	var l, r block.Block
	b.Render([]int32{-1, 3, 0}, &l, &r)
	if b.Active(9) || b.Releasing(9) || b.Level(9) != 0 || peak(l[:]) != 0 {
		t.Error("out-of-range slots had an effect")
	}
}

func TestNewSampleRejectsBadInput(t *testing.T) {
	one := []float32{0, 1, 0, -1}
	cases := map[string]func() (*Sample, error){
		"rate":       func() (*Sample, error) { return NewSample(0, [][]float32{one}, 100, false, 0, 0, Linear) },
		"channels":   func() (*Sample, error) { return NewSample(48000, nil, 100, false, 0, 0, Linear) },
		"3 channels": func() (*Sample, error) { return NewSample(48000, [][]float32{one, one, one}, 100, false, 0, 0, Linear) },
		"empty":      func() (*Sample, error) { return NewSample(48000, [][]float32{{}}, 100, false, 0, 0, Linear) },
		"lengths":    func() (*Sample, error) { return NewSample(48000, [][]float32{one, one[:2]}, 100, false, 0, 0, Linear) },
		"root":       func() (*Sample, error) { return NewSample(48000, [][]float32{one}, math.NaN(), false, 0, 0, Linear) },
		"interp":     func() (*Sample, error) { return NewSample(48000, [][]float32{one}, 100, false, 0, 0, 7) },
		"loop order": func() (*Sample, error) { return NewSample(48000, [][]float32{one}, 100, true, 3, 3, Linear) },
		"loop end":   func() (*Sample, error) { return NewSample(48000, [][]float32{one}, 100, true, 0, 5, Linear) },
		"loop start": func() (*Sample, error) { return NewSample(48000, [][]float32{one}, 100, true, -1, 2, Linear) },
		"NaN in data": func() (*Sample, error) {
			return NewSample(48000, [][]float32{{0, float32(math.NaN())}}, 100, false, 0, 0, Linear)
		},
	}
	for name, f := range cases {
		if s, err := f(); !errors.Is(err, ErrParams) || s != nil {
			t.Errorf("%s: %v, %v", name, s, err)
		}
	}
}

func TestNewTableRejectsBadInput(t *testing.T) {
	for name, c := range map[string][]float32{
		"empty": nil, "one sample": {1}, "NaN": {0, float32(math.NaN()), 1}, "huge": {0, -2e6},
	} {
		if tb, err := NewTable(c); !errors.Is(err, ErrParams) || tb != nil {
			t.Errorf("%s: %v, %v", name, tb, err)
		}
	}
}

func TestHugeGainIsClampedAndStaysFinite(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Square, Freq: 1000, Gain: 1, Filter: Filter{Type: Lowpass, Cutoff: 1000, Resonance: 1}}, 0)
	b.SetGain(0, math.MaxFloat32)
	left, right := renderBlocks(b, 0, 50, nil)
	p := max(peak(left), peak(right))
	if !(p > 1e6 && p < 1e9) || !b.Active(0) || b.Silenced() != 0 {
		t.Errorf("peak %v, active %v, silenced %d: want a finite, loud, live voice", p, b.Active(0), b.Silenced())
	}
}

func TestNoiseIgnoresFreq(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Noise, Freq: math.NaN(), Gain: 1}, 0)
	left, _ := renderBlocks(b, 0, 2, nil)
	if p := peak(left); !(p > 0 && p < 1) {
		t.Errorf("noise with Freq NaN: peak %v", p)
	}
}

func TestAccessors(t *testing.T) {
	b := newTestBank(t, 7)
	s, err := NewSample(44100, [][]float32{{1, 2}, {3, 4}}, 100, false, 0, 0, Cubic)
	if err != nil {
		t.Fatal(err)
	}
	if b.Capacity() != 7 || b.SampleRate() != testRate || s.Channels() != 2 {
		t.Errorf("Capacity %d, SampleRate %d, Channels %d", b.Capacity(), b.SampleRate(), s.Channels())
	}
	if Saw.String() != "saw" || Kind(99).String() != "Kind(99)" || Cubic.String() != "cubic" {
		t.Error("names")
	}
}
