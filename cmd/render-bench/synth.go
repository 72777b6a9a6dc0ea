package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
	"github.com/aether-audio/aether/scheduler"
	"github.com/aether-audio/aether/voice"
)

// newSynth is the factory render-bench measures: an aether Engine whose
// notes all play the voice kind asked for (or, for "mix", a fixed rotation
// of every kind).
func newSynth(cfg bench.SynthConfig) (bench.Synth, error) {
	if err := setKernel(cfg.Kernel); err != nil {
		return nil, err
	}
	patches, err := patchesFor(cfg.Kind, cfg.SampleRate)
	if err != nil {
		return nil, err
	}
	var threadInit func(int)
	wait := scheduler.Hybrid
	if cfg.Realtime {
		// Paced blocks come from a SCHED_FIFO thread; a worker at normal
		// priority would be preempted mid-chunk by any other process and
		// stall the block. Real-time workers must sleep between blocks
		// (a spinning one would run into the kernel's real-time throttle,
		// 950 ms a second, and stop for 50 ms); parked, they wake in about
		// 15 us, a hundredth of the 1.333 ms period.
		threadInit = func(w int) { bench.RealtimeThread(w) }
		wait = scheduler.Park
	}
	e, err := aether.NewEngine(aether.Config{
		Wait:       wait,
		ThreadInit: threadInit,
		SampleRate: cfg.SampleRate,
		Workers:    cfg.Workers,
		Voices:     cfg.Capacity,
		// The harness starts up to 256 notes a block while it fills the
		// voices, and churn replaces about voices/94 a block at 48 kHz;
		// a queue of an eighth of the voices covers both with room.
		QueueSize: max(aether.DefaultQueueSize, cfg.Capacity/8),
	})
	if err != nil {
		return nil, err
	}
	return &engineSynth{engine: e, patches: patches}, nil
}

// setKernel forces the mix tier; "auto" keeps the one chosen at start-up
// (the best this CPU has, or what AETHER_KERNEL asked for).
func setKernel(name string) error {
	if name == "auto" {
		return nil
	}
	if err := mix.SetTier(name); err != nil {
		return fmt.Errorf("-kernel %s: %v: %w", name, err, bench.ErrUnsupported)
	}
	return nil
}

// engineSynth adapts the Engine to bench.Synth. Every note takes the next
// patch in turn and only its frequency, gain and pan from the harness.
type engineSynth struct {
	engine  *aether.Engine
	patches []voice.Params
	next    int
	seed    uint64
}

func (s *engineSynth) NoteOn(freq float64, gain, pan float32, offset int) (bench.Voice, error) {
	p := s.patches[s.next]
	s.next = (s.next + 1) % len(s.patches)
	p.Freq, p.Gain, p.Pan = freq, gain, pan
	s.seed++
	p.Seed = s.seed
	id, err := s.engine.NoteOn(p, offset)
	return bench.Voice(id), err
}

func (s *engineSynth) NoteOff(v bench.Voice, offset int) error {
	return s.engine.NoteOff(aether.VoiceID(v), offset)
}

func (s *engineSynth) RenderBlock(left, right *block.Block) error {
	return s.engine.RenderBlock(left, right)
}

func (s *engineSynth) Kernel() string { return mix.Tier() }

func (s *engineSynth) Close() error { return s.engine.Close() }

// synthPatch is the full synth voice: a band-limited saw through an ADSR
// and a resonant low-pass filter, panned.
var synthPatch = voice.Params{
	Kind:   voice.Saw,
	Env:    voice.ADSR{Attack: 0.005, Decay: 0.2, Sustain: 0.7, Release: 0.3},
	Filter: voice.Filter{Type: voice.Lowpass, Cutoff: 2400, Resonance: 0.3},
}

// patchesFor returns the patches notes of kind rotate through.
func patchesFor(kind bench.VoiceKind, rate int) ([]voice.Params, error) {
	simple := map[bench.VoiceKind]voice.Kind{
		bench.Sine: voice.Sine, bench.Saw: voice.Saw, bench.Square: voice.Square,
		bench.Triangle: voice.Triangle, bench.Noise: voice.Noise,
	}
	if k, ok := simple[kind]; ok {
		return []voice.Params{{Kind: k}}, nil
	}
	table, sample, err := instruments(rate)
	if err != nil {
		return nil, err
	}
	wavetable := voice.Params{Kind: voice.Wavetable, Table: table}
	sampler := voice.Params{Kind: voice.Sampler, Sample: sample}
	switch kind {
	case bench.Wavetable:
		return []voice.Params{wavetable}, nil
	case bench.Sample:
		return []voice.Params{sampler}, nil
	case bench.SynthVoice:
		return []voice.Params{synthPatch}, nil
	case bench.Mix:
		// A plausible arrangement: pads and leads (synth), organ-like
		// sines, wavetable and sampled instruments, a little noise.
		return []voice.Params{
			synthPatch, {Kind: voice.Sine}, wavetable, sampler, synthPatch,
			{Kind: voice.Sine}, {Kind: voice.Square, PulseWidth: 0.3}, wavetable,
			{Kind: voice.Triangle}, {Kind: voice.Noise, Filter: voice.Filter{Type: voice.Bandpass, Cutoff: 3000, Resonance: 0.5}},
		}, nil
	}
	return nil, fmt.Errorf("-voice %s: %w", kind, bench.ErrUnsupported)
}

// instruments builds the shared wavetable (a bright single cycle of eight
// harmonics) and sample (one second of a decaying two-partial tone, looped
// over its last half) that wavetable and sample voices play.
func instruments(rate int) (*voice.Table, *voice.Sample, error) {
	cycle := make([]float32, 2048)
	for i := range cycle {
		x := 2 * math.Pi * float64(i) / float64(len(cycle))
		for h := 1; h <= 8; h++ {
			cycle[i] += float32(math.Sin(float64(h)*x) / float64(h))
		}
	}
	table, err := voice.NewTable(cycle)
	if err != nil {
		return nil, nil, err
	}
	const root = 440.0
	tone := make([]float32, rate)
	for i := range tone {
		t := float64(i) / float64(rate)
		tone[i] = float32(math.Exp(-2*t) * (math.Sin(2*math.Pi*root*t) + 0.3*math.Sin(2*math.Pi*2*root*t)))
	}
	sample, err := voice.NewSample(rate, [][]float32{tone}, root, true, rate/2, rate, voice.Cubic)
	if err != nil {
		return nil, nil, errors.Join(errors.New("render-bench: building the test sample"), err)
	}
	return table, sample, nil
}
