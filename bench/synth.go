// Package bench is the measuring harness behind render-bench: it drives a
// polyphonic Synth block by block, times every block, and searches for the
// largest voice count a machine renders within the real-time deadline.
//
// The harness depends only on the small Synth interface below, so any
// renderer (the aether engine, another synth, a test fake) can be measured.
package bench

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aether-audio/aether/block"
)

// Voice is the handle a Synth returns for a started note.
type Voice uint64

// Synth is what the harness drives: a polyphonic renderer of 64-sample
// stereo blocks. The harness calls every method from one goroutine.
type Synth interface {
	// NoteOn starts a note at sample offset 0..63 of the next block. When the
	// voice table is full the synth steals a voice; it does not fail.
	NoteOn(freq float64, gain, pan float32, offset int) (Voice, error)
	// NoteOff releases v at sample offset 0..63 of the next block. Releasing
	// a voice that has already ended or was stolen is not an error.
	NoteOff(v Voice, offset int) error
	// RenderBlock renders the next block into left and right, overwriting
	// them. It must not allocate.
	RenderBlock(left, right *block.Block) error
	// Kernel names the mixing kernel tier in use (for example "avx512" or
	// "generic"), as the report shows it.
	Kernel() string
	// Close stops the synth's workers and frees its resources.
	Close() error
}

// SynthConfig is what a SynthFactory needs to build a Synth.
type SynthConfig struct {
	// Workers is the number of goroutines that render each block.
	Workers int
	// Capacity is the size of the voice table; notes beyond it steal.
	Capacity int
	// Kind is the kind of voice every note plays.
	Kind VoiceKind
	// Kernel is the requested kernel tier: "auto" for the synth's own
	// choice, or a tier name the synth knows (render-bench takes them from
	// package mix). A tier the synth lacks is ErrUnsupported.
	Kernel string
	// SampleRate is the output rate in Hz.
	SampleRate int
	// Realtime is set for paced runs: blocks are rendered from a real-time
	// thread, so the synth's own render threads should be real-time too
	// (see RealtimeThread) and should sleep, not spin, between blocks.
	Realtime bool
}

// SynthFactory builds a Synth; it returns an error (wrapping ErrUnsupported
// when the request is impossible) rather than a degraded synth.
type SynthFactory func(SynthConfig) (Synth, error)

// ErrUnsupported marks a request the synth or the harness cannot honour,
// such as a voice kind or kernel tier that is not available.
var ErrUnsupported = errors.New("unsupported")

// VoiceKind is the kind of voice every note of a run plays.
type VoiceKind string

// The voice kinds, as -voice spells them.
const (
	Sine       VoiceKind = "sine"
	Saw        VoiceKind = "saw"
	Square     VoiceKind = "square"
	Triangle   VoiceKind = "triangle"
	Noise      VoiceKind = "noise"
	Wavetable  VoiceKind = "wavetable"
	Sample     VoiceKind = "sample"
	SynthVoice VoiceKind = "synth" // full synth voice: oscillators, filter, envelope
	Mix        VoiceKind = "mix"   // a realistic mix of the other kinds
)

// VoiceKinds lists every voice kind in the order help text shows them.
var VoiceKinds = []VoiceKind{Sine, Saw, Square, Triangle, Noise, Wavetable, Sample, SynthVoice, Mix}

// Scenario is how notes are played during a measured step.
type Scenario string

// The scenarios, as -scenario spells them.
const (
	// Steady holds N voices for the whole step.
	Steady Scenario = "steady"
	// Churn holds N voices while notes end and start at a steady rate, so
	// voice allocation is exercised every block.
	Churn Scenario = "churn"
	// Overload fills a voice table of N and keeps starting notes without
	// ending any, so every new note steals a voice.
	Overload Scenario = "overload"
)

// Scenarios lists every scenario.
var Scenarios = []Scenario{Steady, Churn, Overload}

// Mode is how blocks are released.
type Mode string

// The modes, as -mode spells them.
const (
	// Free renders blocks back to back, measuring capacity.
	Free Mode = "free"
	// Paced releases one block per period from a real-time clock, as an
	// audio callback would, counting deadline misses.
	Paced Mode = "paced"
)

// Modes lists every mode.
var Modes = []Mode{Free, Paced}

// ParseVoiceKind returns the kind named s.
func ParseVoiceKind(s string) (VoiceKind, error) {
	return parseName(s, VoiceKinds, "voice kind")
}

// ParseScenario returns the scenario named s.
func ParseScenario(s string) (Scenario, error) {
	return parseName(s, Scenarios, "scenario")
}

// ParseMode returns the mode named s.
func ParseMode(s string) (Mode, error) {
	return parseName(s, Modes, "mode")
}

func parseName[T ~string](s string, valid []T, what string) (T, error) {
	for _, v := range valid {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	return "", fmt.Errorf("unknown %s %q (want one of %s)", what, s, strings.Join(names, ", "))
}
