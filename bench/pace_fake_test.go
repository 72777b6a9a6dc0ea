//go:build linux

package bench

import (
	"context"
	"strings"
	"testing"
	"time"
)

// lateWaker is a paced loop's sleep on the fake clock that wakes every
// 40th block 1.2 ms late, more than the 400 µs a block at the limit
// leaves, and the others 10 µs late: a machine that cannot hold the period.
func lateWaker(clock *int64) func(int64) error {
	n := 0
	return func(until int64) error {
		n++
		late := 10 * time.Microsecond
		if n%40 == 0 {
			late = 1200 * time.Microsecond
		}
		*clock = max(*clock, until) + int64(late)
		return nil
	}
}

// TestPacedSearchIgnoresLateWakes runs the paced search on a fake renderer
// (2 µs a block plus 50 ns a voice) whose thread wakes late every 40th
// block: the search must find the renderer's capacity, with passing steps
// that had late-wake xruns, and report the wake-ups apart.
func TestPacedSearchIgnoresLateWakes(t *testing.T) {
	const fixed, perVoice = 2000, 50
	opts := testOptions(Paced, Steady)
	opts.Duration = 200 * time.Millisecond
	r, ff := newFakeRunner(t, opts, fixed, perVoice)
	r.sleep = lateWaker(ff.clock)
	rep, err := r.Run(context.Background(), []int{1}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Results[0]
	truth := int((int64(opts.Limit()) - fixed) / perVoice)
	if !res.Decided || res.MaxVoices > truth || truth-res.MaxVoices > max(1, int(opts.Resolution*float64(res.MaxVoices))) {
		t.Errorf("max voices %d (decided %v), true capacity %d", res.MaxVoices, res.Decided, truth)
	}
	lateButPassed := 0
	for _, st := range res.Steps {
		if st.Passed() && st.Xruns > 0 {
			lateButPassed++
			if st.LateWakeXruns != st.Xruns || st.RenderOverruns != 0 {
				t.Errorf("%d voices: %d xruns, %d from late wakes, %d render overruns", st.Voices, st.Xruns, st.LateWakeXruns, st.RenderOverruns)
			}
		}
	}
	if lateButPassed < 3 {
		t.Errorf("%d passing steps had late-wake xruns: the late wakes did not reach the search", lateButPassed)
	}
	w := rep.Wake
	if w == nil || w.Late == 0 || w.MaxUs < 1200 || !strings.Contains(w.Verdict, "cannot hold a 1.333 ms period") {
		t.Errorf("wake report %+v", w)
	}
}

// TestPacedSearchFailsOnRenderOverruns adds, from 10,000 voices on, one
// block a step whose render takes a period longer. 1500 blocks a step keep
// that block out of p99.9, so only the render overrun can fail the step:
// the search must stop below 10,000 voices although the late wakes go on.
func TestPacedSearchFailsOnRenderOverruns(t *testing.T) {
	const fixed, perVoice, from = 2000, 50, 10000
	opts := testOptions(Paced, Steady)
	opts.Duration = 2 * time.Second
	r, ff := newFakeRunner(t, opts, fixed, perVoice)
	ff.stallCost, ff.stallFrom = int64(opts.Period()), from
	r.sleep = lateWaker(ff.clock)
	rep, err := r.Run(context.Background(), []int{1}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Results[0]
	if !res.Decided || res.MaxVoices >= from || from-res.MaxVoices > max(1, int(opts.Resolution*float64(res.MaxVoices))) {
		t.Errorf("max voices %d (decided %v), want just under %d", res.MaxVoices, res.Decided, from)
	}
	overrunFails := 0
	for _, st := range res.Steps {
		if st.Voices < from || st.P999 > opts.Limit() {
			continue
		}
		overrunFails++
		if st.Outcome != Fail || st.RenderOverruns != 1 || !strings.Contains(st.Reason, "longer than the 1.333 ms deadline") {
			t.Errorf("%d voices: %s (%q), %d render overruns; want a fail on one overrun", st.Voices, st.Outcome, st.Reason, st.RenderOverruns)
		}
	}
	if overrunFails == 0 {
		t.Error("no step within the p99.9 limit met the overrun")
	}
}
