package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"time"

	"github.com/aether-audio/aether/block"
)

// warmupBlocks are rendered untimed before each measured step, so page
// faults, cold caches and sleeping workers of the first blocks do not
// count: 32 blocks is 43 ms of audio, long enough for all of that to settle.
const warmupBlocks = 32

// maxBlocksPerStep bounds the per-step sample buffers (8 MiB each). In
// free mode a cheap step can run millions of blocks per second; a million
// samples already pins p99.9 to within a thousand blocks.
const maxBlocksPerStep = 1 << 20

// ErrInterrupted is returned when the context ends a run early; the report
// returned with it holds what was measured so far.
var ErrInterrupted = errors.New("interrupted")

// Options describes a run.
type Options struct {
	// SampleRate is the output rate in Hz; the deadline is block.Size/SampleRate.
	SampleRate int
	// Voice is the kind of voice every note plays.
	Voice VoiceKind
	// Scenario is how notes are played.
	Scenario Scenario
	// Mode is free-running or paced.
	Mode Mode
	// Kernel is the requested kernel tier, passed to the synth factory:
	// "auto" or a tier name the synth knows.
	Kernel string
	// Duration is the measured time of each step.
	Duration time.Duration
	// Headroom is the fraction of the deadline p99.9 may use (0 < h <= 1).
	Headroom float64
	// Resolution is the bisection's stopping width as a fraction of the
	// voice count (0 < r < 1); coarser is faster.
	Resolution float64
	// Searches is how many bisections each worker count gets (at least 1);
	// the answer is their median and their spread is reported.
	Searches int
	// MaxVoices caps the search, so a synth that never slows down ends.
	MaxVoices int
}

// Validate reports the first impossible setting in o.
func (o *Options) Validate() error {
	switch {
	case o.SampleRate < 8000 || o.SampleRate > 768000:
		return fmt.Errorf("sample rate %d Hz out of range 8000..768000", o.SampleRate)
	case o.Duration < o.Period():
		return fmt.Errorf("duration %v is shorter than one block (%v)", o.Duration, o.Period())
	case !(o.Headroom > 0 && o.Headroom <= 1):
		return fmt.Errorf("headroom %v must be in (0, 1]", o.Headroom)
	case !(o.Resolution > 0 && o.Resolution < 1):
		return fmt.Errorf("resolution %v must be in (0, 1)", o.Resolution)
	case o.Searches < 1 || o.Searches > maxSearches:
		return fmt.Errorf("searches %d must be in 1..%d", o.Searches, maxSearches)
	case o.MaxVoices < 1:
		return fmt.Errorf("max voices %d must be at least 1", o.MaxVoices)
	case o.Kernel == "":
		return errors.New("no kernel tier named (want auto or a tier)")
	}
	if _, err := ParseVoiceKind(string(o.Voice)); err != nil {
		return err
	}
	if _, err := ParseScenario(string(o.Scenario)); err != nil {
		return err
	}
	_, err := ParseMode(string(o.Mode))
	return err
}

// maxSearches bounds Options.Searches against typos: each search costs
// several steps per worker count.
const maxSearches = 99

// Period is the real-time length of one block in nanoseconds.
func (o *Options) Period() time.Duration {
	return time.Duration(int64(block.Size) * int64(time.Second) / int64(o.SampleRate))
}

// Limit is the render time p99.9 may reach: Headroom of the period.
func (o *Options) Limit() time.Duration {
	return time.Duration(o.Headroom * float64(o.Period()))
}

// Runner measures steps. It owns the per-step sample buffers, allocated
// once, so that measuring allocates nothing.
type Runner struct {
	factory SynthFactory
	opts    Options

	times   []int64 // per block render time, ns
	wakes   []int64 // per block wake lateness, ns (paced)
	missed  []bool  // per block: finished after its deadline (paced)
	sorted  []int64 // scratch: the render times sorted, times kept in block order
	samples []metrics.Sample
	left    block.Block
	right   block.Block

	// now returns monotonic nanoseconds; tests replace it with a fake clock.
	now func() int64
	// sleep, when set, replaces the paced loop's clock_nanosleep: it
	// returns once now() has reached until. Tests use it to inject late
	// wake-ups on a fake clock.
	sleep func(until int64) error

	allocs, cycles uint64 // counted during the last timed loop

	pacer *pacer // the paced thread, while a paced run lasts

	wake wakeStats // every paced block of the run

	kernel   string // as the first synth reported it
	realtime string // what the paced thread was granted, for the report
}

// NewRunner returns a Runner that builds synths with factory.
func NewRunner(factory SynthFactory, opts Options) (*Runner, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	blocks := int(opts.Duration/opts.Period()) + 1
	if opts.Mode == Free {
		blocks = maxBlocksPerStep
	}
	blocks = min(blocks, maxBlocksPerStep)
	base := time.Now()
	times, wakes, sorted := make([]int64, blocks), make([]int64, blocks), make([]int64, blocks)
	missed := make([]bool, blocks)
	// Written now, so that recording a block time never takes the page
	// fault of a page's first write (a 60 s paced run wrote a fresh page
	// every 0.7 s; see pool.AlignedSamples).
	clear(times)
	clear(wakes)
	clear(sorted)
	clear(missed)
	r := &Runner{
		factory: factory,
		opts:    opts,
		times:   times,
		wakes:   wakes,
		missed:  missed,
		sorted:  sorted,
		samples: []metrics.Sample{
			{Name: "/gc/heap/allocs:objects"},
			{Name: "/gc/cycles/total:gc-cycles"},
		},
		now: func() int64 { return int64(time.Since(base)) },
	}
	if opts.Mode == Paced {
		r.wake.hist = make([]uint32, wakeBuckets)
	}
	return r, nil
}

// Kernel is the kernel tier the synth reported, once a step has run.
func (r *Runner) Kernel() string { return r.kernel }

// Realtime says what scheduling the paced thread was granted, once a paced
// step has run; empty in free mode.
func (r *Runner) Realtime() string { return r.realtime }

// Measure builds a synth with the given workers, plays the scenario at the
// given voice count, and times one step. It returns ErrInterrupted when ctx
// ends during the step.
func (r *Runner) Measure(ctx context.Context, workers, voices int) (Step, error) {
	if workers < 1 || voices < 1 {
		return Step{}, fmt.Errorf("measure %d voices on %d workers: both must be at least 1", voices, workers)
	}
	s, err := r.factory(SynthConfig{
		Workers:    workers,
		Capacity:   capacity(r.opts.Scenario, voices),
		Kind:       r.opts.Voice,
		Kernel:     r.opts.Kernel,
		SampleRate: r.opts.SampleRate,
		Realtime:   r.opts.Mode == Paced,
	})
	if err != nil {
		return Step{}, err
	}
	if r.kernel == "" {
		r.kernel = s.Kernel()
	}
	step, err := r.measure(ctx, s, voices)
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close synth: %w", cerr)
	}
	return step, err
}

func (r *Runner) measure(ctx context.Context, s Synth, voices int) (Step, error) {
	p := newPlayer(s, r.opts.Scenario, voices, r.opts.SampleRate)
	if err := p.fill(ctx, &r.left, &r.right); err != nil {
		return Step{}, err
	}
	for range warmupBlocks {
		if err := r.renderNext(s, p); err != nil {
			return Step{}, err
		}
	}
	// Collect the setup's garbage now, so no cycle it started finishes
	// inside the timed loop and gets counted against the synth.
	runtime.GC()

	var n, xruns int
	var err error
	if r.opts.Mode == Paced {
		n, xruns, err = r.pacedLoop(ctx, s, p)
	} else {
		n, err = r.freeLoop(ctx, s, p)
	}
	if err != nil {
		return Step{}, err
	}
	return r.summarise(voices, n, xruns), nil
}

// renderNext renders one block and posts the events for the next one.
func (r *Runner) renderNext(s Synth, p *player) error {
	if err := s.RenderBlock(&r.left, &r.right); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return p.post()
}

// readMetrics returns the cumulative heap allocation and GC cycle counts.
func (r *Runner) readMetrics() (allocs, cycles uint64) {
	metrics.Read(r.samples)
	return r.samples[0].Value.Uint64(), r.samples[1].Value.Uint64()
}

// freeLoop renders blocks back to back for the step's duration and returns
// how many it timed.
func (r *Runner) freeLoop(ctx context.Context, s Synth, p *player) (int, error) {
	done := ctx.Done()
	a0, g0 := r.readMetrics()
	end := r.now() + int64(r.opts.Duration)
	n := 0
	for n < len(r.times) {
		select {
		case <-done:
			return 0, ErrInterrupted
		default:
		}
		t0 := r.now()
		if err := s.RenderBlock(&r.left, &r.right); err != nil {
			return 0, fmt.Errorf("render: %w", err)
		}
		t1 := r.now()
		r.times[n] = t1 - t0
		n++
		if t1 >= end {
			break
		}
		if err := p.post(); err != nil {
			return 0, err
		}
	}
	a1, g1 := r.readMetrics()
	r.allocs, r.cycles = a1-a0, g1-g0
	return n, nil
}

// summarise sorts the step's samples, computes its percentiles, sorts its
// xruns by cause and judges it.
func (r *Runner) summarise(voices, n, xruns int) Step {
	times := r.sorted[:n]
	copy(times, r.times[:n])
	slices.Sort(times)
	period := int64(r.opts.Period())
	st := Step{
		Voices:   voices,
		Blocks:   n,
		P50:      time.Duration(Percentile(times, P50)),
		P99:      time.Duration(Percentile(times, P99)),
		P999:     time.Duration(Percentile(times, P999)),
		Max:      time.Duration(Percentile(times, Max)),
		Xruns:    xruns,
		Allocs:   r.allocs,
		GCCycles: r.cycles,
	}
	// Sorted, so the overruns are the tail.
	st.RenderOverruns = n - sortedCountAtMost(times, period)
	if r.opts.Mode == Paced {
		// A block woke late when the lateness alone left less time than a
		// render within the limit needs: then no renderer that passes
		// could have made the deadline.
		spare := period - int64(r.opts.Limit())
		for i, w := range r.wakes[:n] {
			if r.missed[i] && w > spare {
				st.LateWakeXruns++
			}
		}
		r.wake.add(r.wakes[:n], spare)
		wakes := r.wakes[:n]
		slices.Sort(wakes)
		st.WakeP99 = time.Duration(Percentile(wakes, P99))
		st.WakeMax = time.Duration(Percentile(wakes, Max))
	}
	st.Outcome, st.Reason = judge(st, r.opts.Limit(), r.opts.Period())
	return st
}

// sortedCountAtMost returns how many values of sorted (ascending) are at
// most v.
func sortedCountAtMost(sorted []int64, v int64) int {
	i, _ := slices.BinarySearch(sorted, v+1)
	return i
}
