package bench

import (
	"context"
	"errors"
	"slices"

	"github.com/aether-audio/aether/block"
)

// searchStart is the first voice count the search tries: small enough that
// any synth passes it, and doubling from it reaches 40,000 voices in ten
// steps.
const searchStart = 64

// failsToConfirm is how many steps in a row must fail before the search
// takes a voice count as too many. One disturbance from outside the synth
// (another process, the hypervisor) spoils one step, and the search must
// not stop short for it; a synth that cannot keep up fails every time, so a
// second step costs only time.
const failsToConfirm = 2

// Search returns the largest n in 0..limit for which pass(n) holds,
// assuming pass is monotone (if it holds for n it holds for every smaller
// n). It doubles from start until pass fails or limit passes, then bisects
// the bracket [lo, hi) until hi-lo is at most max(1, resolution*lo), so the
// answer is within one bisection step below the true largest n. It returns
// 0 when pass(1) fails, and the first error pass returns along with the
// best n found so far.
func Search(start, limit int, resolution float64, pass func(n int) (bool, error)) (int, error) {
	lo, hi := 0, 0
	for n := min(max(start, 1), limit); ; n = min(2*n, limit) {
		ok, err := pass(n)
		if err != nil {
			return lo, err
		}
		if !ok {
			hi = n
			break
		}
		lo = n
		if n == limit {
			return lo, nil
		}
	}
	for hi-lo > max(1, int(resolution*float64(lo))) {
		mid := lo + (hi-lo)/2
		ok, err := pass(mid)
		if err != nil {
			return lo, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// Run measures each worker count in turn: a search for the largest voice
// count that passes, or, when fixedVoices > 0, one step at that count.
// progress, when not nil, is called after every step, outside the timed
// loop. When ctx ends the run, Run returns ErrInterrupted with a report of
// the worker counts measured so far, the one in progress included with the
// best step it had found.
func (r *Runner) Run(ctx context.Context, workers []int, fixedVoices int, progress func(workers int, s Step)) (*Report, error) {
	rep := &Report{
		CPU:        DetectCPU(),
		SampleRate: r.opts.SampleRate,
		Block:      block.Size,
		Voice:      r.opts.Voice,
		Scenario:   r.opts.Scenario,
		Mode:       r.opts.Mode,
		Headroom:   r.opts.Headroom,
		Results:    []Result{}, // JSON [] rather than null when nothing was measured
	}
	if r.opts.Mode == Paced && r.startPacer() {
		defer r.stopPacer()
	}
	var runErr error
	for _, w := range workers {
		res, err := r.runWorkers(ctx, w, fixedVoices, progress)
		if len(res.Steps) > 0 {
			rep.Results = append(rep.Results, res)
		}
		if err != nil {
			runErr = err
			break
		}
	}
	rep.Kernel, rep.Realtime = r.kernel, r.realtime
	rep.Interrupted = errors.Is(runErr, ErrInterrupted)
	rep.finish(r.opts.Period())
	return rep, runErr
}

// runWorkers measures one worker count.
func (r *Runner) runWorkers(ctx context.Context, workers, fixedVoices int, progress func(int, Step)) (Result, error) {
	res := Result{Workers: workers}
	var best, last Step
	measure := func(n int) (bool, error) {
		st, err := r.Measure(ctx, workers, n)
		if err != nil {
			return false, err
		}
		res.Steps = append(res.Steps, st)
		last = st
		if st.Pass && st.Voices > best.Voices {
			best = st
		}
		if progress != nil {
			progress(workers, st)
		}
		return st.Pass, nil
	}
	// A voice count fails only when failsToConfirm steps in a row fail.
	pass := func(n int) (bool, error) {
		for range failsToConfirm {
			if ok, err := measure(n); ok || err != nil {
				return ok, err
			}
		}
		return false, nil
	}
	var err error
	if fixedVoices > 0 {
		_, err = measure(fixedVoices)
		best = last // a fixed count is reported whether or not it passed
	} else {
		_, err = Search(searchStart, r.opts.MaxVoices, r.opts.Resolution, pass)
		if best.Voices == 0 {
			best = last // nothing passed: show how the smallest count fared
			best.Voices = 0
		}
	}
	slices.SortFunc(res.Steps, func(a, b Step) int { return a.Voices - b.Voices })
	res.set(best)
	return res, err
}
