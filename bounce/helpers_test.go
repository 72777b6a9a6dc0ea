package bounce

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/aether-audio/aether/pitch"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
)

// richScore is a score built in Go that uses every oscillator, every
// filter, overlapping notes, notes inside blocks, and all control kinds.
func richScore(seconds float64) *score.Score {
	const rate = 48000
	cycle := []float32{0, 0.7, 1, 0.7, 0, -0.7, -1, -0.7}
	smp := &wav.Audio{Rate: 44100, Channels: [][]float32{make([]float32, 4410), make([]float32, 4410)}}
	for i := range smp.Channels[0] {
		smp.Channels[0][i] = float32(math.Sin(2 * math.Pi * 261.63 * float64(i) / 44100))
		smp.Channels[1][i] = 0.5 * smp.Channels[0][i]
	}
	s := &score.Score{
		Name:       "rich",
		SampleRate: rate,
		Frames:     int64(seconds * rate),
		Instruments: []score.Instrument{
			{Name: "sine", Osc: score.Sine, Attack: 0.01, Release: 0.1, Sustain: 0.8, Gain: 1},
			{Name: "saw", Osc: score.Saw, Attack: 0.005, Decay: 0.1, Sustain: 0.5, Release: 0.05, Gain: 0.5,
				Filter: &score.Filter{Type: score.Lowpass, Cutoff: 1500, Resonance: 0.3}},
			{Name: "square", Osc: score.Square, PulseWidth: 0.3, Attack: 0.002, Release: 0.02, Sustain: 1, Gain: 0.3,
				Filter: &score.Filter{Type: score.Highpass, Cutoff: 300}},
			{Name: "triangle", Osc: score.Triangle, Attack: 0.02, Release: 0.3, Sustain: 1, Gain: 0.7},
			{Name: "noise", Osc: score.Noise, Decay: 0.05, Release: 0.01, Gain: 0.2,
				Filter: &score.Filter{Type: score.Bandpass, Cutoff: 3000, Resonance: 0.5}},
			{Name: "table", Osc: score.Wavetable, Wavetable: cycle, Attack: 0.05, Release: 0.2, Sustain: 1, Gain: 0.4},
			{Name: "sample", Osc: score.Sample, Sample: smp, RootFreq: 261.63, Loop: true, LoopStart: 100, LoopEnd: 4000,
				Attack: 0.001, Release: 0.05, Sustain: 1, Gain: 0.5},
		},
	}
	// Deterministic pseudo-random notes: starts at odd frames inside
	// blocks, every instrument, overlapping.
	x := uint64(12345)
	rnd := func(n uint64) uint64 { x = x*6364136223846793005 + 1442695040888963407; return (x >> 33) % n }
	for i := 0; i < int(seconds*40); i++ {
		start := int64(rnd(uint64(s.Frames - rate))) // every control lands inside the score
		s.Notes = append(s.Notes, score.Note{
			Start:      start,
			Length:     int64(rnd(rate/2)) + 1,
			Instrument: i % len(s.Instruments),
			Freq:       pitch.KeyFreq(float64(36 + rnd(60))),
			Gain:       0.05 + float32(rnd(100))/400,
			Pan:        float32(rnd(201))/100 - 1,
		})
	}
	sortNotes(s.Notes)
	for i := 0; i < len(s.Notes); i += 3 {
		n := s.Notes[i]
		at := n.Start + n.Length/2
		s.Controls = append(s.Controls,
			score.Control{Frame: at, Note: i, Kind: score.FreqRatio, Value: 1.05},
			score.Control{Frame: at, Note: i, Kind: score.Gain, Value: n.Gain / 2},
			score.Control{Frame: at + 1, Note: i, Kind: score.Pan, Value: -n.Pan})
	}
	sortControls(s.Controls)
	return s
}

func sortNotes(n []score.Note) {
	for i := 1; i < len(n); i++ { // insertion sort: stable, and tests are small
		for j := i; j > 0 && n[j].Start < n[j-1].Start; j-- {
			n[j], n[j-1] = n[j-1], n[j]
		}
	}
}

func sortControls(c []score.Control) {
	for i := 1; i < len(c); i++ {
		for j := i; j > 0 && c[j].Frame < c[j-1].Frame; j-- {
			c[j], c[j-1] = c[j-1], c[j]
		}
	}
}

// sineScore holds n sine notes of the given length, all starting at 0.
func sineScore(n int, seconds float64) *score.Score {
	const rate = 48000
	s := &score.Score{
		Name:        "sines",
		SampleRate:  rate,
		Frames:      int64(seconds * rate),
		Instruments: []score.Instrument{{Name: "sine", Osc: score.Sine, Attack: 0.005, Release: 0.05, Sustain: 1, Gain: 1}},
	}
	for i := range n {
		s.Notes = append(s.Notes, score.Note{
			Length: s.Frames, Freq: 100 + float64(i%1000)*7.3, Gain: 1 / float32(n), Pan: float32(i%21)/10 - 1,
		})
	}
	return s
}

// wavSamples decodes the float32 samples of a bounce in Float32 format
// after checking its header's length.
func wavSamples(t *testing.T, b []byte) []float32 {
	t.Helper()
	i := bytes.Index(b, []byte("data"))
	if i < 0 {
		t.Fatal("no data chunk")
	}
	n := int(binary.LittleEndian.Uint32(b[i+4:]))
	data := b[i+8:]
	if len(data) != n {
		t.Fatalf("data chunk says %d bytes, file holds %d", n, len(data))
	}
	out := make([]float32, n/4)
	for k := range out {
		out[k] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:]))
	}
	return out
}
