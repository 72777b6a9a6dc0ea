package mix

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// A level is one implementation tier of the kernels, from the pure-Go twins
// up; higher levels are faster where the CPU has them.
type level uint8

const (
	levelGeneric level = iota
	levelSSE2
	levelAVX2
	levelAVX512
	levelNEON
)

var levelNames = [...]string{"generic", "sse2", "avx2", "avx512", "neon"}

// A kernel indexes the per-kernel choice of level.
type kernel uint8

const (
	kAddScaled kernel = iota
	kAddRamp
	kPanAddRamp
	kAdd
	kScale
	kPeak
	kSumSquares
	kInterleave
	kSine
	kSineVoices
	kWavetable
	kSVFVoices
	kSampleVoices
	kPanAddRampVoices
	numKernels
)

// use holds the level each kernel runs at. It is a plain array read by the
// entry points' switch: one load and a compare per call, no function-pointer
// call. Only setLevel writes it (at init, or from SetTier before rendering).
var use [numKernels]level

// tier is the level chosen for the package as a whole, as Tier reports it.
var tier level

// preferAVX2 marks the kernels that run their AVX2 code even on the avx512
// tier. Zen 4 runs 512-bit instructions as two 256-bit halves, so AVX-512
// need not win on a 64-sample block; measured there (docs/mix.md, ns per
// 64-sample call, AVX2 / AVX-512), it won every kernel, so none is marked:
//
//	AddScaled   6.52 / 5.47    Scale        4.55 / 3.84
//	AddRamp     8.39 / 6.30    Peak         4.04 / 3.72
//	PanAddRamp  9.27 / 8.15    RMS          6.55 / 5.75
//	AddBuses×8 43.57 / 37.16   Interleave   8.59 / 7.96
//	Sine       18.30 / 9.30    Wavetable   41.98 / 35.39
//
// Mark a kernel here when a benchmark on the target machine shows AVX2
// faster for it.
var preferAVX2 = [numKernels]bool{
	kAddScaled: false, kAddRamp: false, kPanAddRamp: false, kAdd: false, kScale: false,
	kPeak: false, kSumSquares: false, kInterleave: false, kSine: false, kSineVoices: false,
	kWavetable: false, kSVFVoices: false, kSampleVoices: false, kPanAddRampVoices: false,
}

// Errors returned by SetTier.
var (
	ErrUnknownTier     = errors.New("mix: unknown kernel tier")
	ErrTierUnavailable = errors.New("mix: kernel tier not available on this CPU or build")
)

// tierEnv names the environment variable read at init to force a tier.
const tierEnv = "AETHER_KERNEL"

func init() {
	avail := archLevels()
	setLevel(avail[len(avail)-1])
	if name := os.Getenv(tierEnv); name != "" {
		// A bad value must not stop a program that merely imports mix:
		// keep the best tier and say so once on stderr.
		if err := SetTier(name); err != nil {
			fmt.Fprintf(os.Stderr, "%s=%s: %v; using %s\n", tierEnv, name, err, Tier())
		}
	}
}

// Tier returns the name of the tier in use: generic, sse2, avx2, avx512 or
// neon. On avx512 a few kernels run their AVX2 code where that was measured
// faster (see preferAVX2).
func Tier() string { return levelNames[tier] }

// Tiers returns the names of the tiers this CPU and build can run, slowest
// first; generic is always among them and the last is the default.
func Tiers() []string {
	avail := archLevels()
	names := make([]string, len(avail))
	for i, l := range avail {
		names[i] = levelNames[l]
	}
	return names
}

// SetTier forces the kernels to the named tier (one of Tiers, or "best"
// for the default). It is for tests, benchmarks and command-line flags and
// must not be called while another goroutine runs a kernel.
func SetTier(name string) error {
	avail := archLevels()
	if name == "best" {
		setLevel(avail[len(avail)-1])
		return nil
	}
	for l, n := range levelNames {
		if n != name {
			continue
		}
		for _, a := range avail {
			if a == level(l) {
				setLevel(a)
				return nil
			}
		}
		return fmt.Errorf("%w: %q (have %s)", ErrTierUnavailable, name, strings.Join(Tiers(), ", "))
	}
	return fmt.Errorf("%w: %q (want one of %s)", ErrUnknownTier, name, strings.Join(levelNames[:], ", "))
}

func setLevel(l level) {
	tier = l
	for k := range use {
		use[k] = l
		if l == levelAVX512 && preferAVX2[k] {
			use[k] = levelAVX2
		}
	}
}
