package voice

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/aether-audio/aether/block"
)

// dcSample is a looped constant 1: a Sampler voice playing it at pan -1
// outputs exactly its envelope times its gain on the left channel.
func dcSample(t testing.TB) *Sample {
	t.Helper()
	s, err := NewSample(testRate, [][]float32{{1, 1, 1, 1}}, 100, true, 0, 4, Linear)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refEnvelope is the envelope written for clarity, one sample at a time:
// value n is the level of the voice's n-th sample (n = 0 is its first), for
// a note-off at sample off (-1: none).
func refEnvelope(a ADSR, rate float64, n, off int) []float64 {
	samples := func(sec float32) int { return int(math.Round(float64(sec) * rate)) }
	atk, dec, rel, sus := samples(a.Attack), samples(a.Decay), samples(a.Release), float64(a.Sustain)
	if a.Attack == 0 && a.Decay == 0 && a.Sustain == 0 {
		sus = 1
	}
	if a.Release == 0 {
		rel = MinRelease
	}
	rel = max(rel, 1)
	held := func(i int) float64 { // level while the key is down
		switch {
		case i < atk:
			return float64(i) / float64(atk)
		case i < atk+dec:
			return 1 + (sus-1)*float64(i-atk)/float64(dec)
		}
		return sus
	}
	env := make([]float64, n)
	for i := range env {
		ended := sus == 0 && i >= atk+dec && (off < 0 || off >= atk+dec)
		switch {
		case ended:
			env[i] = 0 // a percussive envelope ends with its decay
		case off < 0 || i < off:
			env[i] = held(i)
		case i < off+rel:
			env[i] = held(off) * (1 - float64(i-off)/float64(rel))
		}
	}
	return env
}

// renderEnvelope renders a DC voice with envelope a, started at offset in
// block 0 and released at sample off of the voice (-1: never).
func renderEnvelope(t *testing.T, a ADSR, offset, off, blocks int) (left []float32, activeAfter bool) {
	t.Helper()
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 1, Pan: -1, Env: a, Sample: dcSample(t)}, offset)
	left, _ = renderBlocks(b, 0, blocks, func(i int) {
		if off >= 0 && (offset+off)/block.Size == i {
			b.NoteOff(0, (offset+off)%block.Size)
		}
	})
	return left, b.Active(0)
}

func TestEnvelopeSegmentsExactToTheSample(t *testing.T) {
	a := ADSR{Attack: 0.01, Decay: 0.02, Sustain: 0.5, Release: 0.005} // 480, 960, 240 samples
	const offset, off = 17, 2000
	left, active := renderEnvelope(t, a, offset, off, 60)
	v := func(i int) float32 { return left[offset+i] }
	for i := range offset {
		if left[i] != 0 {
			t.Fatalf("sample %d before the start offset is %v", i, left[i])
		}
	}
	checks := []struct {
		name string
		ok   bool
	}{
		{"attack starts at 0", v(0) == 0},
		{"attack still below 1 one sample before its end", v(479) < 1},
		{"attack reaches 1 after exactly 480 samples", v(480) == 1},
		{"decay still above sustain one sample before its end", v(480+959) > 0.5},
		{"decay reaches sustain after exactly 960 samples", v(480+960) == 0.5},
		{"sustain holds up to the note-off sample", v(off-1) == 0.5},
		{"release starts on the note-off sample from the sustain level", v(off) == 0.5},
		{"release has moved one sample after note-off", v(off+1) < 0.5},
		{"release still sounding on its last sample", v(off+239) > 0},
		{"release silent after exactly 240 samples", v(off+240) == 0},
	}
	for _, c := range checks {
		if !c.ok {
			t.Error(c.name)
		}
	}
	if active {
		t.Error("voice still active after its release ended")
	}
}

func TestEnvelopeMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		a := ADSR{
			Attack:  float32(rng.IntN(3)) * rng.Float32() * 0.02,
			Decay:   float32(rng.IntN(3)) * rng.Float32() * 0.02,
			Sustain: float32(rng.IntN(3)) * rng.Float32() / 2,
			Release: float32(rng.IntN(3)) * rng.Float32() * 0.02,
		}
		if rng.IntN(8) == 0 {
			a = ADSR{}
		}
		offset, off := rng.IntN(block.Size), rng.IntN(3000)-100
		if off < 0 {
			off = -1
		}
		const blocks = 70
		left, _ := renderEnvelope(t, a, offset, off, blocks)
		want := refEnvelope(a, testRate, blocks*block.Size-offset, off)
		for i, w := range want {
			if d := math.Abs(float64(left[offset+i]) - w); d > 2e-6 {
				t.Fatalf("trial %d %+v offset %d off %d: sample %d is %v, want %v",
					trial, a, offset, off, i, left[offset+i], w)
			}
		}
	}
}

func TestZeroEnvelopeIsInstantOnWithMinimumRelease(t *testing.T) {
	left, active := renderEnvelope(t, ADSR{}, 5, 100, 4)
	if left[5] != 1 || left[5+99] != 1 {
		t.Errorf("zero ADSR: first sample %v, sample before note-off %v, want 1", left[5], left[104])
	}
	if left[5+100+MinRelease-1] == 0 || left[5+100+MinRelease] != 0 {
		t.Errorf("zero ADSR: release is not exactly %d samples", MinRelease)
	}
	if active {
		t.Error("voice active after release")
	}
}

func TestPercussiveEnvelopeFinishes(t *testing.T) {
	left, active := renderEnvelope(t, ADSR{Attack: 0.001, Decay: 0.01}, 0, -1, 20)
	if active {
		t.Error("sustain-0 voice still active after its decay")
	}
	if left[48] != 1 || left[48+480] != 0 {
		t.Errorf("attack peak %v, level after decay %v", left[48], left[48+480])
	}
}

// maxStep returns the largest |x[i]-x[i-1]|.
func maxStep(x []float32) float64 {
	var m float64
	for i := 1; i < len(x); i++ {
		m = max(m, math.Abs(float64(x[i]-x[i-1])))
	}
	return m
}

func TestGainAndPanJumpsAreRamped(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 0.2, Pan: -1, Sample: dcSample(t)}, 0)
	left, right := renderBlocks(b, 0, 6, func(i int) {
		switch i {
		case 2:
			b.SetGain(0, 1)
		case 4:
			b.SetPan(0, 1)
		}
	})
	// A gain jump of 0.8 spread over a block moves 0.8/64 per sample; the
	// pan jump moves each side by at most 1/64 per sample.
	if s := maxStep(left[:4*block.Size]); s > 0.8/block.Size+1e-6 {
		t.Errorf("gain jump: left steps by %v in one sample, ramp allows %v", s, 0.8/block.Size)
	}
	if s := maxStep(right); s > 1.0/block.Size+1e-6 {
		t.Errorf("pan jump: right steps by %v in one sample, ramp allows %v", s, 1.0/block.Size)
	}
	if left[2*block.Size-1] != 0.2 || left[3*block.Size] != 1 || right[5*block.Size] != 1 || left[5*block.Size] > 1e-7 {
		t.Errorf("levels after the ramps: %v %v %v %v", left[2*block.Size-1], left[3*block.Size], right[5*block.Size], left[5*block.Size])
	}
	if b.Level(0) != 1 {
		t.Errorf("Level = %v, want 1", b.Level(0))
	}
}

func TestStealFadesOverMinRelease(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 1, Pan: -1, Sample: dcSample(t),
		Env: ADSR{Sustain: 1, Release: 5}}, 0)
	left, _ := renderBlocks(b, 0, 3, func(i int) {
		if i == 1 {
			b.Steal(0)
			if !b.Releasing(0) {
				t.Error("stolen voice not releasing")
			}
		}
	})
	if left[block.Size] != 1 || left[2*block.Size-1] == 0 || left[2*block.Size] != 0 {
		t.Errorf("steal fade: %v .. %v then %v", left[block.Size], left[2*block.Size-1], left[2*block.Size])
	}
	if s := maxStep(left); s > 1.0/MinRelease+1e-6 {
		t.Errorf("steal steps by %v", s)
	}
	if b.Active(0) {
		t.Error("stolen voice still active")
	}
}

func TestStealBeforeStartFinishesAtOnce(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sine, Freq: 100, Gain: 1}, 10)
	b.Steal(0)
	if b.Active(0) {
		t.Error("voice that never sounded still active after Steal")
	}
}

func TestSecondNoteOffDoesNotRestartRelease(t *testing.T) {
	a := ADSR{Sustain: 1, Release: 0.002} // 96 samples
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 1, Pan: -1, Env: a, Sample: dcSample(t)}, 0)
	left, _ := renderBlocks(b, 0, 4, func(i int) {
		if i == 1 || i == 2 {
			b.NoteOff(0, 10)
		}
	})
	want := refEnvelope(a, testRate, len(left), block.Size+10)
	for i, w := range want {
		if math.Abs(float64(left[i])-w) > 2e-6 {
			t.Fatalf("sample %d: %v, want %v", i, left[i], w)
		}
	}
}

func TestReleaseOnlyEnvelopeSustainsAtOne(t *testing.T) {
	left, active := renderEnvelope(t, ADSR{Release: 0.01}, 0, 200, 20)
	if left[0] != 1 || left[199] != 1 || left[200+479] == 0 || left[200+480] != 0 || active {
		t.Errorf("release-only envelope: %v %v %v %v, active %v", left[0], left[199], left[679], left[680], active)
	}
}

func TestPanOutOfRangeIsClamped(t *testing.T) {
	b := newTestBank(t, 1)
	start(t, b, 0, Params{Kind: Sampler, Freq: 100, Gain: 1, Sample: dcSample(t)}, 0)
	b.SetPan(0, 5)
	left, right := renderBlocks(b, 0, 3, nil)
	if n := len(left) - 1; left[n] > 1e-7 || right[n] != 1 || maxStep(right) > 0.3/block.Size {
		t.Errorf("pan 5: left %v right %v, step %v", left[n], right[n], maxStep(right))
	}
}
