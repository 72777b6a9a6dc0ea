package bounce

import (
	"context"
	"errors"
	"io"
	"math"
	"testing"

	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/shard"
	"github.com/aether-audio/aether/wav"
)

// loudScore holds eight full-gain sines at once: their sum passes full
// scale.
func loudScore() *score.Score {
	s := sineScore(8, 0.5)
	for i := range s.Notes {
		s.Notes[i].Gain = 0.5
	}
	return s
}

// countOver counts the samples beyond full scale, the independent way.
func countOver(x []float32) (n int64, peak float64) {
	for _, v := range x {
		if math.Abs(float64(v)) > 1 {
			n++
		}
		peak = math.Max(peak, math.Abs(float64(v)))
	}
	return n, peak
}

// A render built to clip reports the samples beyond full scale, exactly as
// many as the float output holds, and its peak; a gain that leaves
// headroom clips nothing.
func TestClipCounting(t *testing.T) {
	s := loudScore()
	b, res := bounceBytes(t, s, Options{Workers: 1})
	n, peak := countOver(wavSamples(t, b))
	if n == 0 || res.Clipped != n || math.Abs(float64(res.Peak)-peak) > 0 {
		t.Fatalf("clipped %d, peak %v; the output holds %d over full scale, peak %v", res.Clipped, res.Peak, n, peak)
	}
	if res.PeakDBFS() <= 0 {
		t.Errorf("peak %.1f dBFS for a clipping render", res.PeakDBFS())
	}
	quiet, qres := bounceBytes(t, s, Options{Workers: 1, GainDB: -math.Ceil(res.PeakDBFS()) - 1})
	if n, _ := countOver(wavSamples(t, quiet)); qres.Clipped != 0 || n != 0 {
		t.Errorf("with headroom: %d clipped, %d in the output", qres.Clipped, n)
	}
}

// GainDB scales every sample; -6.0206 dB halves them exactly.
func TestGain(t *testing.T) {
	s := richScore(2)
	a, ares := bounceBytes(t, s, Options{Workers: 1})
	b, bres := bounceBytes(t, s, Options{Workers: 1, GainDB: 20 * math.Log10(0.5)})
	x, y := wavSamples(t, a), wavSamples(t, b)
	for i := range x {
		if y[i] != x[i]*0.5 {
			t.Fatalf("sample %d: %v, want half of %v", i, y[i], x[i])
		}
	}
	if bres.Peak != ares.Peak*0.5 || bres.Gain != 0.5 || ares.Gain != 1 {
		t.Errorf("peaks %v and %v, gains %v and %v", ares.Peak, bres.Peak, ares.Gain, bres.Gain)
	}
}

// NormalizeDBFS puts the peak at the target, loud or quiet; a silent
// render keeps its level.
func TestNormalize(t *testing.T) {
	for _, s := range []*score.Score{loudScore(), richScore(2)} {
		for _, target := range []float64{-1, -20} {
			var calls [][2]int64
			b, res := bounceBytes(t, s, Options{Workers: 1, Format: wav.Float32, NormalizeDBFS: target,
				Progress: func(done, total int64) { calls = append(calls, [2]int64{done, total}) }})
			_, peak := countOver(wavSamples(t, b))
			if math.Abs(20*math.Log10(peak)-target) > 0.01 || math.Abs(res.PeakDBFS()-target) > 0.01 || res.Clipped != 0 {
				t.Errorf("%s to %g dBFS: peak %.3f dBFS (result %.3f), %d clipped", s.Name, target, 20*math.Log10(peak), res.PeakDBFS(), res.Clipped)
			}
			for i := 1; i < len(calls); i++ {
				if calls[i][0] < calls[i-1][0] || calls[i][1] != s.Frames {
					t.Fatalf("progress goes back or changes total: %v", calls)
				}
			}
			if last := calls[len(calls)-1]; last[0] != s.Frames {
				t.Errorf("progress ends at %v", last)
			}
		}
	}
	silent := &score.Score{Name: "empty", SampleRate: 8000, Frames: 800}
	if _, res := bounceBytes(t, silent, Options{NormalizeDBFS: -1}); res.Gain != 1 || !res.Silent() {
		t.Errorf("silence normalised: gain %v", res.Gain)
	}
}

// Channels 1 writes the average of the two channels.
func TestMono(t *testing.T) {
	s := richScore(2)
	st, _ := bounceBytes(t, s, Options{Workers: 1})
	mono, res := bounceBytes(t, s, Options{Workers: 1, Channels: 1})
	x, m := wavSamples(t, st), wavSamples(t, mono)
	if len(m) != len(x)/2 || res.Frames != int64(len(m)) {
		t.Fatalf("%d mono samples for %d stereo", len(m), len(x))
	}
	a, err := wav.Decode("mono.wav", mono)
	if err != nil || len(a.Channels) != 1 {
		t.Fatalf("not a mono file: %v", err)
	}
	for i := range m {
		if want := x[2*i]*0.5 + x[2*i+1]*0.5; math.Abs(float64(m[i]-want)) > 1e-7 {
			t.Fatalf("frame %d: %v, want %v", i, m[i], want)
		}
	}
}

// The default worker count follows the polyphony: one for a score that
// fills less than two chunks, more for a dense one, never more than the
// cores; and the bytes do not depend on it.
func TestDefaultWorkers(t *testing.T) {
	cores := shard.DefaultWorkers()
	for voices, want := range map[int]int{1: 1, 255: 1, 511: 1, 512: min(2, cores), 100000: cores} {
		if got := autoWorkers(voices); got != want {
			t.Errorf("%d voices: %d workers, want %d", voices, got, want)
		}
	}
	s := richScore(2)
	a, res := bounceBytes(t, s, Options{})
	if res.Workers != 1 {
		t.Errorf("a %d-voice score got %d workers", res.Voices, res.Workers)
	}
	b, _ := bounceBytes(t, s, Options{Workers: 2})
	if string(a) != string(b) {
		t.Error("the default and 2 workers give other bytes")
	}
	dense := sineScore(1200, 0.2)
	if _, res := bounceBytes(t, dense, Options{}); res.Workers != min(4, cores) {
		t.Errorf("1200 voices: %d workers, want %d", res.Workers, min(4, cores))
	}
}

func TestBadOptions(t *testing.T) {
	for _, opt := range []Options{{Channels: 3}, {Channels: -1}, {GainDB: math.NaN()}, {GainDB: 200},
		{NormalizeDBFS: 1}, {NormalizeDBFS: math.Inf(-1)}, {Workers: -1}} {
		if _, err := Render(context.Background(), sineScore(1, 0.1), io.Discard, opt); !errors.Is(err, ErrOptions) {
			t.Errorf("%+v: %v", opt, err)
		}
	}
}
