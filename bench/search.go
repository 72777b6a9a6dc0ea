package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aether-audio/aether/block"
)

// searchStart is the first voice count the search tries: small enough that
// any synth passes it, and doubling from it reaches 40,000 voices in ten
// steps.
const searchStart = 64

// failsToConfirm is how many failed steps reject a voice count. Anything
// outside the synth can only add time to a block, never take it away, so
// one passing step shows the synth can do it. On a shared machine the
// render time's tail has noisy spells lasting seconds (measured on a 2-core
// VM: 150-block steps at three quarters of the capacity failed 20 to 60%
// of the time); three failures in a row leave a count that passes half the
// time one chance in eight to be rejected, where two left one in four.
const failsToConfirm = 3

// maxDisturbed is how many disturbed steps at one voice count end the
// search undecided: a machine that stalls that often cannot be measured.
const maxDisturbed = 3

// refineFactor is how far apart the first two counts of a repeated search
// are: it starts from the previous answer and steps by a quarter until a
// count fails (or passes, going down), a bracket three bisections wide at
// a resolution of 1/32.
const refineFactor = 1.25

// Verdict is what the steps at one voice count decided.
type Verdict int

// The verdicts.
const (
	Passes    Verdict = iota // a step passed
	Fails                    // failsToConfirm steps failed
	Undecided                // maxDisturbed steps were disturbed first
)

// SearchResult is what Search found.
type SearchResult struct {
	// Answers holds one answer per finished search: the largest count that
	// passed in its bisection.
	Answers []int
	// Floor is the largest count known to pass when the search stopped.
	Floor int
	// Undecided is the count that could not be decided, 0 if none.
	Undecided int
	// Search is the search that met Undecided.
	Search int
}

// Search looks for the largest n in 0..limit that passes, assuming that
// passing is monotone (if n passes, every smaller n does), searches times
// over. Each search brackets the answer, then bisects the bracket until it
// is at most max(1, resolution*lo) wide and answers its lower end. The
// first search brackets by doubling from start; each later one starts from
// the previous answer and steps by refineFactor, up while counts pass or
// down while they fail. So every search measures its own bracket: a count
// one search rejected in a noisy spell does not bound the next. A count
// that cannot be decided ends the search; so does an error from decide,
// which Search returns with what it found so far. decide gets the
// search's number, from 1.
func Search(start, limit int, resolution float64, searches int, decide func(search, n int) (Verdict, error)) (SearchResult, error) {
	var res SearchResult
	from, factor := start, 2.0
	for search := 1; search <= searches; search++ {
		lo, hi, v, n, err := bracket(search, from, limit, factor, decide)
		res.Floor = max(res.Floor, lo)
		if err != nil || v == Undecided {
			res.Undecided, res.Search = n, search
			return res, err
		}
		for hi-lo > max(1, int(resolution*float64(lo))) {
			mid := lo + (hi-lo)/2
			v, err := decide(search, mid)
			if err != nil || v == Undecided {
				res.Undecided, res.Search = mid, search
				return res, err
			}
			if v == Passes {
				lo = mid
				res.Floor = max(res.Floor, lo)
			} else {
				hi = mid
			}
		}
		res.Answers = append(res.Answers, lo)
		from, factor = max(lo, 1), refineFactor
	}
	return res, nil
}

// bracket finds lo < hi with lo passing (0 when even 1 fails) and hi
// failing (limit+1 when limit passes) by stepping from from by factor. It
// returns the verdict and count that stopped it when that was Undecided
// or an error.
func bracket(search, from, limit int, factor float64, decide func(search, n int) (Verdict, error)) (lo, hi int, v Verdict, n int, err error) {
	n = min(max(from, 1), limit)
	if v, err = decide(search, n); err != nil || v == Undecided {
		return 0, 0, v, n, err
	}
	if v == Passes {
		for {
			lo = n
			if n == limit {
				return lo, limit + 1, v, n, nil
			}
			n = min(max(int(float64(n)*factor), n+1), limit)
			if v, err = decide(search, n); err != nil || v == Undecided {
				return lo, 0, v, n, err
			}
			if v == Fails {
				return lo, n, v, n, nil
			}
		}
	}
	for {
		hi = n
		n = int(float64(n) / factor)
		if n < 1 {
			return 0, hi, v, n, nil
		}
		if v, err = decide(search, n); err != nil || v == Undecided {
			return 0, hi, v, n, err
		}
		if v == Passes {
			return n, hi, v, n, nil
		}
	}
}

// median returns the median of the answers (the lower one of an even
// count, so it is always an answer measured) and their range.
func median(answers []int) (med, lo, hi int) {
	if len(answers) == 0 {
		return 0, 0, 0
	}
	s := slices.Clone(answers)
	slices.Sort(s)
	return s[(len(s)-1)/2], s[0], s[len(s)-1]
}

// Run measures each worker count in turn: a search for the largest voice
// count that passes, or, when fixedVoices > 0, one step at that count. The
// first worker count's search doubles from searchStart, each next one's
// from the answer before.
// progress, when not nil, is called after every step, outside the timed
// loop. When ctx ends the run, Run returns ErrInterrupted with a report of
// the worker counts measured so far, the one in progress included with the
// searches it had finished.
func (r *Runner) Run(ctx context.Context, workers []int, fixedVoices int, progress func(workers int, s Step)) (*Report, error) {
	rep := &Report{
		CPU:        DetectCPU(),
		OS:         osRelease(),
		SampleRate: r.opts.SampleRate,
		Block:      block.Size,
		Voice:      r.opts.Voice,
		Scenario:   r.opts.Scenario,
		Mode:       r.opts.Mode,
		Headroom:   r.opts.Headroom,
		Searches:   r.opts.Searches,
		Results:    []Result{}, // JSON [] rather than null when nothing was measured
	}
	if fixedVoices > 0 {
		rep.Searches = 0
	}
	if r.opts.Mode == Paced && r.startPacer() {
		defer r.stopPacer()
	}
	var runErr error
	start := searchStart
	for _, w := range workers {
		res, err := r.runWorkers(ctx, w, fixedVoices, start, progress)
		if len(res.Steps) > 0 {
			rep.Results = append(rep.Results, res)
		}
		if res.Decided && res.MaxVoices > start {
			// The next worker count starts from this answer rather than
			// doubling up to it again.
			start = res.MaxVoices
		}
		if err != nil {
			runErr = err
			break
		}
	}
	rep.Kernel, rep.Realtime = r.kernel, r.realtime
	rep.Interrupted = errors.Is(runErr, ErrInterrupted)
	rep.Wake = r.wake.report(r.opts.Period())
	rep.finish(r.opts.Period())
	return rep, runErr
}

// runWorkers measures one worker count.
func (r *Runner) runWorkers(ctx context.Context, workers, fixedVoices, start int, progress func(int, Step)) (Result, error) {
	res := Result{Workers: workers, Steps: []Step{}}
	measure := func(search, n int) (Step, error) {
		st, err := r.Measure(ctx, workers, n)
		if err != nil {
			return st, err
		}
		st.Search = search
		res.Steps = append(res.Steps, st)
		if progress != nil {
			progress(workers, st)
		}
		return st, nil
	}
	if fixedVoices > 0 {
		st, err := measure(0, fixedVoices)
		if err == nil {
			// A fixed count is reported whether or not it passed.
			res.Answers, res.Decided = []int{fixedVoices}, true
			res.set(st)
		}
		return res, err
	}

	undecidedWhy := ""
	decide := func(search, n int) (Verdict, error) {
		fails, disturbed := 0, 0
		for {
			st, err := measure(search, n)
			if err != nil {
				return Undecided, err
			}
			switch st.Outcome {
			case Pass:
				return Passes, nil
			case Fail:
				if fails++; fails == failsToConfirm {
					return Fails, nil
				}
			case Disturbed:
				if disturbed++; disturbed == maxDisturbed {
					undecidedWhy = fmt.Sprintf("%d steps at %s voices were disturbed (the last: %s); the machine is too busy to measure, or the synth stalls on its own",
						maxDisturbed, commas(n), st.Reason)
					return Undecided, nil
				}
			}
		}
	}
	found, err := Search(start, r.opts.MaxVoices, r.opts.Resolution, r.opts.Searches, decide)
	res.Answers = append([]int{}, found.Answers...) // [] rather than null in JSON
	res.Decided = found.Undecided == 0 && err == nil
	if found.Undecided != 0 && err == nil {
		res.Undecided = undecidedWhy
		if len(found.Answers) > 0 {
			res.Undecided = fmt.Sprintf("search %d of %d: %s", found.Search, r.opts.Searches, undecidedWhy)
		}
	}
	med := found.Floor
	if len(found.Answers) > 0 {
		med, res.MaxVoicesMin, res.MaxVoicesMax = median(found.Answers)
	}
	res.set(r.stepAt(res.Steps, med))
	res.MaxVoices = med
	return res, err
}

// stepAt returns the last passing step at voices, or, when none passed
// there, the last step at the smallest count measured with its voices set
// to 0 (nothing passed: it shows how the smallest count fared).
func (r *Runner) stepAt(steps []Step, voices int) Step {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].Voices == voices && steps[i].Passed() {
			return steps[i]
		}
	}
	var smallest Step
	for _, st := range steps {
		if smallest.Voices == 0 || st.Voices <= smallest.Voices {
			smallest = st
		}
	}
	smallest.Voices = 0
	return smallest
}
