package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/block"
)

func testOptions(mode Mode, sc Scenario) Options {
	return Options{
		SampleRate: 48000,
		Voice:      Sine,
		Scenario:   sc,
		Mode:       mode,
		Kernel:     "auto",
		Duration:   20 * time.Millisecond,
		Headroom:   0.7,
		Resolution: 1.0 / 64,
		Searches:   1,
		MaxVoices:  1 << 22,
	}
}

// newFakeRunner returns a runner whose clock only moves when the fake synth
// renders, so every block costs exactly fixed + perVoice*active ns.
func newFakeRunner(t *testing.T, opts Options, fixed, perVoice int64) (*Runner, *fakeFactory) {
	t.Helper()
	clock := new(int64)
	ff := &fakeFactory{clock: clock, fixedCost: fixed, costPerVoice: perVoice}
	r, err := NewRunner(ff.build, opts)
	if err != nil {
		t.Fatal(err)
	}
	r.now = func() int64 { return *clock }
	return r, ff
}

func TestPercentileNearestRank(t *testing.T) {
	seq := func(n int) []int64 {
		s := make([]int64, n)
		for i := range s {
			s[i] = int64(i + 1)
		}
		return s
	}
	for _, c := range []struct {
		n, ppm int
		want   int64
	}{
		{0, P50, 0},
		{1, P50, 1}, {1, P999, 1}, {1, Max, 1},
		{2, P50, 1}, {2, P99, 2},
		{10, P50, 5}, {10, P99, 10}, {10, 1, 1},
		{100, P99, 99}, {100, P999, 100},
		{1000, P50, 500}, {1000, P99, 990}, {1000, P999, 999}, {1000, Max, 1000},
		{1001, P999, 1000}, // ceil(999.999) = 1000
		{2000, P999, 1998},
		{1000, 0, 1}, {1000, 2 * Max, 1000}, // clamped
	} {
		if got := Percentile(seq(c.n), c.ppm); got != c.want {
			t.Errorf("Percentile(1..%d, %d ppm) = %d, want %d", c.n, c.ppm, got, c.want)
		}
	}
}

// TestPercentileDefinition checks the nearest-rank definition on random
// data: the result was measured, at least p of the values are at or below
// it, and fewer than p are strictly below it.
func TestPercentileDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		n := 1 + rng.IntN(3000)
		s := make([]int64, n)
		for i := range s {
			s[i] = rng.Int64N(50) // many ties
		}
		slices.Sort(s)
		for _, ppm := range []int{1, P50, P99, P999, Max, 1 + rng.IntN(Max)} {
			v := Percentile(s, ppm)
			atOrBelow, below := 0, 0
			for _, x := range s {
				if x <= v {
					atOrBelow++
				}
				if x < v {
					below++
				}
			}
			need := float64(ppm) / Max * float64(n)
			if float64(atOrBelow) < need-1e-9 || float64(below) >= need {
				t.Fatalf("n=%d ppm=%d: value %d has %d at or below, %d below; need %.3f", n, ppm, v, atOrBelow, below, need)
			}
		}
	}
}

func TestSearchLandsWithinOneStep(t *testing.T) {
	for _, truth := range []int{0, 1, 2, 3, 63, 64, 65, 100, 1000, 4095, 4096, 40000, 123457, 1 << 20} {
		for _, res := range []float64{1.0 / 64, 1.0 / 8} {
			probes := 0
			got, err := Search(searchStart, 1<<22, res, 1, func(_, n int) (Verdict, error) {
				probes++
				if n <= truth {
					return Passes, nil
				}
				return Fails, nil
			})
			if err != nil || len(got.Answers) != 1 || got.Undecided != 0 {
				t.Fatalf("truth %d: %+v, %v", truth, got, err)
			}
			a := got.Answers[0]
			step := max(1, int(res*float64(a)))
			if a > truth || truth-a > step || got.Floor != a {
				t.Errorf("truth %d res %v: got %d (floor %d), not within one step (%d)", truth, res, a, got.Floor, step)
			}
			if probes > 64 {
				t.Errorf("truth %d: %d probes", truth, probes)
			}
		}
	}
}

// TestSearchRepeatsTheBisection gives each search its own truth, as a
// noisy machine would: each answer lands within a step of its truth, even
// above the bracket the first search found, the later searches start near
// the previous answer instead of doubling from the start, and the median
// is a measured answer.
func TestSearchRepeatsTheBisection(t *testing.T) {
	truths := []int{10000, 25000, 9000}
	probes := make([]int, len(truths)+1)
	got, err := Search(searchStart, 1<<22, 1.0/64, len(truths), func(search, n int) (Verdict, error) {
		probes[search]++
		if search > 1 && n < 7000 {
			t.Errorf("search %d probed %d, far below the previous answers", search, n)
		}
		if n <= truths[search-1] {
			return Passes, nil
		}
		return Fails, nil
	})
	if err != nil || len(got.Answers) != 3 {
		t.Fatalf("%+v, %v", got, err)
	}
	for i, a := range got.Answers {
		if a > truths[i] || truths[i]-a > a/64 {
			t.Errorf("search %d: answer %d, truth %d", i+1, a, truths[i])
		}
	}
	if probes[1] < 12 || probes[3] > 10 {
		t.Errorf("probes per search %v: the later searches should start near the answer", probes[1:])
	}
	med, lo, hi := median(got.Answers)
	if med != got.Answers[0] || lo != got.Answers[2] || hi != got.Answers[1] {
		t.Errorf("median %d of %v, range %d..%d", med, got.Answers, lo, hi)
	}
	if m, _, _ := median([]int{4, 1, 3, 2}); m != 2 {
		t.Errorf("median of 1..4 = %d, want the lower middle, 2", m)
	}
}

func TestSearchStopsUndecided(t *testing.T) {
	got, err := Search(64, 1<<20, 0.01, 3, func(search, n int) (Verdict, error) {
		switch {
		case search == 2 && n > 3000:
			return Undecided, nil
		case n <= 5000:
			return Passes, nil
		}
		return Fails, nil
	})
	if err != nil || got.Undecided == 0 || got.Search != 2 || len(got.Answers) != 1 || got.Floor < 4096 {
		t.Errorf("undecided in search 2: %+v, %v", got, err)
	}
	got, _ = Search(64, 1<<20, 0.01, 3, func(_, n int) (Verdict, error) {
		if n >= 256 {
			return Undecided, nil
		}
		return Passes, nil
	})
	if got.Undecided != 256 || got.Floor != 128 || len(got.Answers) != 0 {
		t.Errorf("undecided while doubling: %+v", got)
	}
}

func TestSearchLimitAndError(t *testing.T) {
	got, err := Search(64, 1000, 0.01, 3, func(int, int) (Verdict, error) { return Passes, nil })
	if err != nil || !slices.Equal(got.Answers, []int{1000, 1000, 1000}) {
		t.Errorf("always passing, limit 1000: got %+v, %v", got, err)
	}
	got, err = Search(64, 1000, 0.01, 2, func(int, int) (Verdict, error) { return Fails, nil })
	if err != nil || !slices.Equal(got.Answers, []int{0, 0}) {
		t.Errorf("always failing: got %+v, %v", got, err)
	}
	boom := errors.New("boom")
	got, err = Search(64, 1000, 0.01, 3, func(_, n int) (Verdict, error) {
		if n > 200 {
			return Undecided, boom
		}
		return Passes, nil
	})
	if !errors.Is(err, boom) || got.Floor != 128 {
		t.Errorf("error at 256: got %+v, %v; want floor 128, boom", got, err)
	}
}

// TestRunFindsFakeCapacity runs the whole harness (player, timing,
// percentiles, search) on a synth whose cost is known: 50 ns a voice plus 2
// µs a block against 70% of 1333.333 µs.
func TestRunFindsFakeCapacity(t *testing.T) {
	const fixed, perVoice = 2000, 50
	for _, sc := range Scenarios {
		t.Run(string(sc), func(t *testing.T) {
			opts := testOptions(Free, sc)
			r, ff := newFakeRunner(t, opts, fixed, perVoice)
			limit := int64(opts.Headroom * float64(opts.Period()))
			truth := int((limit - fixed) / perVoice)
			rep, err := r.Run(context.Background(), []int{1, 2}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Results) != 2 {
				t.Fatalf("got %d results, want 2", len(rep.Results))
			}
			for _, res := range rep.Results {
				step := max(1, int(opts.Resolution*float64(res.MaxVoices)))
				if res.MaxVoices > truth || truth-res.MaxVoices > step {
					t.Errorf("%d workers: max voices %d, true capacity %d, step %d", res.Workers, res.MaxVoices, truth, step)
				}
				if res.P999us > opts.Headroom*res.DeadlineUs || res.P50us <= 0 || res.P50us > res.MaxUs {
					t.Errorf("%d workers: implausible times %+v", res.Workers, res)
				}
				if res.Allocs != 0 || res.GCCycles != 0 {
					t.Errorf("%d workers: harness allocated %d objects, %d GC cycles while timing", res.Workers, res.Allocs, res.GCCycles)
				}
				if len(res.Steps) < 10 || !res.Decided || len(res.Answers) != 1 {
					t.Errorf("%d workers: %d steps, decided %v, answers %v", res.Workers, len(res.Steps), res.Decided, res.Answers)
				}
			}
			if first := rep.Results[1].Steps[0].Voices; first != rep.Results[0].MaxVoices {
				t.Errorf("2 workers started at %d voices, not at 1 worker's answer %d", first, rep.Results[0].MaxVoices)
			}
			// The fake costs the same whatever the workers, so 2 workers scale at 50%.
			if e := rep.Results[1].ScalingEfficiency; e < 0.45 || e > 0.55 {
				t.Errorf("scaling efficiency %v, want about 0.5", e)
			}
			if rep.Kernel != "fake" || !ff.last.closed {
				t.Errorf("kernel %q, last synth closed %v", rep.Kernel, ff.last.closed)
			}
		})
	}
}

func TestScenariosPlayTheirNotes(t *testing.T) {
	const voices = 4000
	for _, c := range []struct {
		sc                  Scenario
		wantOffs, wantSteal bool
	}{{Steady, false, false}, {Churn, true, false}, {Overload, false, true}} {
		opts := testOptions(Free, c.sc)
		opts.Duration = 500 * time.Millisecond
		r, ff := newFakeRunner(t, opts, 1000, 0) // 1 µs a block: 500k blocks
		st, err := r.Measure(context.Background(), 1, voices)
		if err != nil {
			t.Fatal(err)
		}
		f := ff.last
		if f.active != voices {
			t.Errorf("%s: %d voices active at the end, want %d", c.sc, f.active, voices)
		}
		// Notes per second of audio: voices / note length.
		audio := float64(st.Blocks+warmupBlocks) * float64(opts.Period()) / float64(time.Second)
		wantRate := audio * voices * 1000 / noteLengthMs
		extra := float64(f.noteOns - voices)
		switch {
		case c.wantOffs && (float64(f.noteOffs) < 0.9*wantRate || float64(f.noteOffs) > 1.1*wantRate):
			t.Errorf("churn: %d note-offs, want about %.0f", f.noteOffs, wantRate)
		case c.wantSteal && (float64(f.steals) < 0.9*wantRate || float64(f.steals) > 1.1*wantRate):
			t.Errorf("overload: %d steals, want about %.0f", f.steals, wantRate)
		case !c.wantOffs && f.noteOffs != 0, !c.wantSteal && f.steals != 0:
			t.Errorf("%s: %d note-offs, %d steals", c.sc, f.noteOffs, f.steals)
		case c.sc == Steady && extra != 0:
			t.Errorf("steady: %v extra note-ons", extra)
		}
		if st.Allocs != 0 || st.GCCycles != 0 {
			t.Errorf("%s: %d allocs, %d GC cycles while timing", c.sc, st.Allocs, st.GCCycles)
		}
	}
}

func TestRenderAndPostAllocateNothing(t *testing.T) {
	for _, sc := range Scenarios {
		opts := testOptions(Free, sc)
		r, ff := newFakeRunner(t, opts, 1000, 1)
		s, _ := ff.build(SynthConfig{Capacity: capacity(sc, 1000)})
		p := newPlayer(s, sc, 1000, opts.SampleRate)
		if err := p.fill(context.Background(), &r.left, &r.right); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(1000, func() {
			if err := r.renderNext(s, p); err != nil {
				t.Fatal(err)
			}
		}); a != 0 {
			t.Errorf("%s: %v allocations per block", sc, a)
		}
	}
}

func TestJSONFieldNames(t *testing.T) {
	r, _ := newFakeRunner(t, testOptions(Free, Steady), 1000, 50)
	rep, err := r.Run(context.Background(), []int{1}, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	// The documented schema, docs/render-bench.md: scripts rely on it.
	checkKeys(t, "top level", m, "cpu", "os", "kernel", "sample_rate", "block", "voice", "scenario", "mode", "headroom",
		"searches", "paced_thread", "interrupted", "results")
	checkKeys(t, "cpu", m["cpu"].(map[string]any), "brand", "physical_cores", "cores", "features")
	results := m["results"].([]any)
	if len(results) != 1 {
		t.Fatalf("%d results, want 1", len(results))
	}
	res := results[0].(map[string]any)
	checkKeys(t, "result", res, "workers", "max_voices", "max_voices_min", "max_voices_max", "answers", "decided",
		"voices_per_core", "scaling_efficiency", "p50_us", "p99_us", "p999_us", "max_us", "deadline_us",
		"render_overruns", "xruns", "wake_p99_us", "wake_max_us", "late_wake_xruns", "allocs", "gc_cycles", "steps")
	steps := res["steps"].([]any)
	if len(steps) != 1 {
		t.Fatalf("%d steps, want 1", len(steps))
	}
	checkKeys(t, "step", steps[0].(map[string]any), "search", "voices", "outcome", "blocks", "p50_us", "p99_us", "p999_us",
		"max_us", "render_overruns", "xruns", "late_wake_xruns", "wake_p99_us", "wake_max_us", "allocs", "gc_cycles")
	if steps[0].(map[string]any)["outcome"] != "pass" {
		t.Errorf("step %v: want a pass", steps[0])
	}
	if m["block"].(float64) != 64 || m["sample_rate"].(float64) != 48000 || results[0].(map[string]any)["max_voices"].(float64) != 100 {
		t.Errorf("wrong values: %s", buf.String())
	}
}

func checkKeys(t *testing.T, what string, m map[string]any, want ...string) {
	t.Helper()
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s keys %v, want %v", what, got, want)
	}
}

func TestCSV(t *testing.T) {
	r, _ := newFakeRunner(t, testOptions(Free, Steady), 1000, 50)
	rep, err := r.Run(context.Background(), []int{1, 2}, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "cpu_brand,physical_cores,kernel,sample_rate,block,voice,scenario,mode,headroom," +
		"workers,max_voices,voices_per_core,scaling_efficiency,p50_us,p99_us,p999_us,max_us,deadline_us," +
		"xruns,wake_p99_us,allocs,gc_cycles,wake_max_us,late_wake_xruns," +
		"render_overruns,max_voices_min,max_voices_max,decided"
	if len(rows) != 3 || strings.Join(rows[0], ",") != want {
		t.Fatalf("got %d rows, header %v", len(rows), rows[0])
	}
	if rows[2][9] != "2" || rows[2][10] != "100" || rows[2][7] != "free" || rows[2][27] != "true" {
		t.Errorf("second row %v", rows[2])
	}
}

func TestTable(t *testing.T) {
	r, _ := newFakeRunner(t, testOptions(Free, Steady), 1000, 50)
	rep, err := r.Run(context.Background(), []int{1, 2}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, verbose := range []bool{false, true} {
		var table bytes.Buffer
		if err := rep.WriteTable(&table, verbose); err != nil {
			t.Fatal(err)
		}
		out := table.String()
		// 18,626 voices fit 70% of the deadline; 1/64 resolution.
		if !strings.HasPrefix(out, "This machine renders 18,") || !strings.Contains(out, "sine voices on 1 core (2 cores: 18,") || !strings.Contains(out, "Free mode renders blocks back to back") ||
			!strings.Contains(out, "deadline 1333.3 µs") || !strings.Contains(out, "max voices") || !strings.Contains(out, "one search per worker count") {
			t.Errorf("verbose %v: table:\n%s", verbose, out)
		}
		if strings.Contains(out, "cpu features") != verbose || strings.Contains(out, "steps, in the order measured") != verbose {
			t.Errorf("verbose %v: features or steps shown wrongly:\n%s", verbose, out)
		}
	}
}

func TestInterruptKeepsMeasured(t *testing.T) {
	r, _ := newFakeRunner(t, testOptions(Free, Steady), 1000, 50)
	ctx, cancel := context.WithCancel(context.Background())
	steps := 0
	rep, err := r.Run(ctx, []int{1, 2}, 0, func(w int, s Step) {
		steps++
		if steps == 5 {
			cancel()
		}
	})
	if !errors.Is(err, ErrInterrupted) || rep == nil || !rep.Interrupted {
		t.Fatalf("err %v, report %+v", err, rep)
	}
	if len(rep.Results) != 1 || len(rep.Results[0].Steps) != 5 || rep.Results[0].MaxVoices != 1024 {
		t.Errorf("partial report %+v", rep.Results)
	}
}

func TestOptionsRejectImpossible(t *testing.T) {
	for name, mut := range map[string]func(*Options){
		"rate":       func(o *Options) { o.SampleRate = 0 },
		"duration":   func(o *Options) { o.Duration = 0 },
		"short":      func(o *Options) { o.Duration = time.Millisecond }, // under one 1.333 ms block
		"headroom":   func(o *Options) { o.Headroom = 1.5 },
		"resolution": func(o *Options) { o.Resolution = 0 },
		"searches":   func(o *Options) { o.Searches = 0 },
		"maxvoices":  func(o *Options) { o.MaxVoices = 0 },
		"voice":      func(o *Options) { o.Voice = "kazoo" },
		"scenario":   func(o *Options) { o.Scenario = "chaos" },
		"mode":       func(o *Options) { o.Mode = "turbo" },
		"kernel":     func(o *Options) { o.Kernel = "" },
	} {
		o := testOptions(Free, Steady)
		mut(&o)
		if _, err := NewRunner(nil, o); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: err %v, want a one-line error", name, err)
		}
	}
}

func TestMeasureRejectsZero(t *testing.T) {
	r, _ := newFakeRunner(t, testOptions(Free, Steady), 1000, 50)
	for _, wv := range [][2]int{{0, 10}, {1, 0}, {-1, -1}} {
		if _, err := r.Measure(context.Background(), wv[0], wv[1]); err == nil {
			t.Errorf("Measure(%d workers, %d voices) succeeded", wv[0], wv[1])
		}
	}
}

// TestPacedSmoke runs paced mode on the real clock. The machine may be
// loaded, so it checks structure, not timings.
func TestPacedSmoke(t *testing.T) {
	opts := testOptions(Paced, Churn)
	opts.Duration = 200 * time.Millisecond
	ff := &fakeFactory{}
	r, err := NewRunner(ff.build, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.Measure(context.Background(), 1, 256)
	if err != nil {
		t.Fatal(err)
	}
	ticks := int(opts.Duration / opts.Period())
	if st.Blocks < 1 || st.Blocks > ticks || st.Xruns > st.Blocks {
		t.Errorf("%d blocks, %d xruns in %d ticks", st.Blocks, st.Xruns, ticks)
	}
	if st.P50 > st.P99 || st.P99 > st.P999 || st.P999 > st.Max || st.WakeP99 < 0 || st.WakeP99 > st.WakeMax {
		t.Errorf("percentiles out of order: %+v", st)
	}
	if st.Xruns == 0 && st.Blocks != ticks {
		t.Errorf("no xruns but %d of %d blocks rendered", st.Blocks, ticks)
	}
	if r.Realtime() == "" || ff.last.noteOffs == 0 || !ff.lastConfig.Realtime {
		t.Errorf("realtime %q (synth told: %v), %d churn note-offs", r.Realtime(), ff.lastConfig.Realtime, ff.last.noteOffs)
	}
	t.Logf("paced: %+v; %s", st, r.Realtime())
}

// BenchmarkHarnessPerBlock measures the harness's own work per block with a
// synth that does nothing: the two clock reads that bracket RenderBlock
// (the only part inside a measured block time) plus the scenario's note
// posting between blocks (outside it) at 40,000 voices.
func BenchmarkHarnessPerBlock(b *testing.B) {
	for _, sc := range Scenarios {
		b.Run(string(sc), func(b *testing.B) {
			opts := testOptions(Free, sc)
			ff := &fakeFactory{}
			r, err := NewRunner(ff.build, opts)
			if err != nil {
				b.Fatal(err)
			}
			s, _ := ff.build(SynthConfig{Capacity: capacity(sc, 40000)})
			p := newPlayer(s, sc, 40000, opts.SampleRate)
			if err := p.fill(context.Background(), &r.left, &r.right); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				t0 := r.now()
				if err := r.renderNext(s, p); err != nil {
					b.Fatal(err)
				}
				r.times[i%len(r.times)] = r.now() - t0
			}
		})
	}
}

// TestInterruptDuringPacedRun cancels from another goroutine while the
// paced thread is mid-step, as Ctrl-C does; run it with -race.
func TestInterruptDuringPacedRun(t *testing.T) {
	opts := testOptions(Paced, Churn)
	opts.Duration = 10 * time.Second
	ff := &fakeFactory{}
	r, err := NewRunner(ff.build, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(150*time.Millisecond, cancel)
	defer timer.Stop()
	start := time.Now()
	rep, err := r.Run(ctx, []int{1, 2}, 0, nil)
	if !errors.Is(err, ErrInterrupted) || !rep.Interrupted {
		t.Fatalf("err %v, interrupted %v", err, rep.Interrupted)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v to stop", took)
	}
	if r.pacer != nil || !ff.last.closed {
		t.Errorf("pacer still running %v, last synth closed %v", r.pacer != nil, ff.last.closed)
	}
}

// TestSearchShrugsOffOneDisturbance spoils one step at 128 voices, far
// below capacity; the search must confirm the failure, see it pass, and
// still find the true capacity.
func TestSearchShrugsOffOneDisturbance(t *testing.T) {
	const fixed, perVoice = 2000, 50
	opts := testOptions(Free, Steady)
	r, ff := newFakeRunner(t, opts, fixed, perVoice)
	spiked := false
	r.factory = func(cfg SynthConfig) (Synth, error) {
		s, err := ff.build(cfg)
		if cfg.Capacity == 128 && !spiked {
			spiked = true
			// 64 slow blocks: warm-up takes 32, so 32 land in the timed step.
			return &spikeOnce{Synth: s, clock: ff.clock, blocks: 64}, err
		}
		return s, err
	}
	rep, err := r.Run(context.Background(), []int{1}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	truth := int((int64(opts.Headroom*float64(opts.Period())) - fixed) / perVoice)
	got := rep.Results[0].MaxVoices
	if !spiked || got > truth || truth-got > max(1, int(opts.Resolution*float64(got))) {
		t.Errorf("spiked %v: max voices %d, true capacity %d", spiked, got, truth)
	}
	fails := 0
	for _, st := range rep.Results[0].Steps {
		if st.Voices == 128 && !st.Passed() {
			fails++
		}
	}
	if fails != 1 {
		t.Errorf("%d failing steps at 128 voices, want the one disturbed", fails)
	}
}

// slowSynth renders each block in a millisecond of real time, so filling
// a large voice count takes long enough to interrupt.
type slowSynth struct{ Synth }

func (s slowSynth) RenderBlock(left, right *block.Block) error {
	time.Sleep(time.Millisecond)
	return s.Synth.RenderBlock(left, right)
}

// TestInterruptDuringFill cancels while a step is still starting its
// voices (about 10 s of fill here): it must stop promptly, not after.
func TestInterruptDuringFill(t *testing.T) {
	opts := testOptions(Free, Steady)
	ff := &fakeFactory{}
	r, err := NewRunner(func(cfg SynthConfig) (Synth, error) {
		s, err := ff.build(cfg)
		return slowSynth{s}, err
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(100*time.Millisecond, cancel)
	defer timer.Stop()
	start := time.Now()
	_, err = r.Measure(ctx, 1, 10000*setupBatch)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err %v, want ErrInterrupted", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v to stop", took)
	}
}

// TestLateWakeXruns checks the xrun attribution on hand-made blocks: an
// xrun counts as a late wake only when the thread woke later than the time
// a render at the limit leaves (400 µs at 70% of 1333 µs), and a render
// longer than the period is a render overrun whenever the thread woke.
func TestLateWakeXruns(t *testing.T) {
	r, err := NewRunner((&fakeFactory{}).build, testOptions(Paced, Steady))
	if err != nil {
		t.Fatal(err)
	}
	us := int64(time.Microsecond)
	blocks := []struct {
		wake, render int64
		missed       bool
	}{
		{10, 500, false}, {20, 480, false}, {5, 520, false}, {15, 510, false}, {8, 490, false},
		{10, 1400, true},  // a render overrun
		{900, 500, true},  // woke 900 us late: a late-wake xrun
		{350, 990, true},  // 350 us late, but the render was over the limit: the renderer's
		{1400, 100, true}, // woke after the deadline
		{450, 100, false}, // woke late, but the render was quick enough
	}
	for i, b := range blocks {
		r.wakes[i], r.times[i], r.missed[i] = b.wake*us, b.render*us, b.missed
	}
	st := r.summarise(100, len(blocks), 4)
	if st.LateWakeXruns != 2 || st.Xruns != 4 || st.RenderOverruns != 1 {
		t.Errorf("%d xruns, %d of them late wakes, %d render overruns; want 4, 2, 1", st.Xruns, st.LateWakeXruns, st.RenderOverruns)
	}
	if st.P50 != 500*time.Microsecond || st.WakeMax != 1400*time.Microsecond {
		t.Errorf("p50 %v, wake max %v; want 500us and 1.4ms", st.P50, st.WakeMax)
	}
	if r.times[5] != 1400*us {
		t.Error("summarise reordered the block times")
	}
	if w := r.wake.report(r.opts.Period()); w == nil || w.Late != 3 || w.MaxUs != 1400 || !strings.Contains(w.Verdict, "cannot hold a 1.333 ms period") {
		t.Errorf("wake report %+v", w)
	}
}

// TestJudge checks each outcome on hand-made steps against the defaults:
// limit 933.3 µs (70%), deadline 1333.3 µs.
func TestJudge(t *testing.T) {
	opts := testOptions(Paced, Steady)
	limit, period := opts.Limit(), opts.Period()
	us := time.Microsecond
	for _, c := range []struct {
		name  string
		step  Step
		want  Outcome
		words string
	}{
		{"within", Step{Blocks: 1500, P99: 800 * us, P999: 900 * us, Max: 1300 * us}, Pass, ""},
		{"late wakes do not count", Step{Blocks: 1500, P99: 800 * us, P999: 900 * us, Max: 900 * us, Xruns: 9, LateWakeXruns: 9}, Pass, ""},
		{"p99.9 over", Step{Blocks: 1500, P99: 900 * us, P999: 950 * us, Max: 990 * us}, Fail, "p99.9 render time 950.0 µs over the 933.3 µs limit"},
		{"one overrun near the limit", Step{Blocks: 1500, P99: 600 * us, P999: 700 * us, Max: 1400 * us, RenderOverruns: 1}, Fail, "1 block rendered longer than the 1.333 ms deadline (slowest 1.40 ms)"},
		{"a stall far below the limit", Step{Blocks: 150, P99: 40 * us, P999: 3 * time.Millisecond, Max: 3 * time.Millisecond, RenderOverruns: 1}, Disturbed, "while 99% of blocks took 40.0 µs or less"},
		{"nothing timed", Step{}, Fail, "no block"},
	} {
		got, why := judge(c.step, limit, period)
		if got != c.want || !strings.Contains(why, c.words) || (got == Pass) != (why == "") {
			t.Errorf("%s: %s, %q; want %s with %q", c.name, got, why, c.want, c.words)
		}
	}
}

// TestSearchUndecidedWhenEveryStepStalls stalls one block of every step by
// 3 ms while the renderer needs microseconds: the search must not answer
// with a figure, but say it could not decide, and why. Stalled once, it
// must measure again and find the capacity.
func TestSearchUndecidedWhenEveryStepStalls(t *testing.T) {
	const fixed, perVoice = 2000, 50
	opts := testOptions(Free, Steady)
	opts.Duration = 200 * time.Millisecond
	r, ff := newFakeRunner(t, opts, fixed, perVoice)
	ff.stallCost = int64(3 * time.Millisecond)
	rep, err := r.Run(context.Background(), []int{1}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := rep.Results[0]
	if res.Decided || res.MaxVoices != 0 || len(res.Steps) != maxDisturbed || !strings.Contains(res.Undecided, "3 steps at 64 voices were disturbed") {
		t.Fatalf("decided %v, max voices %d, %d steps, undecided %q", res.Decided, res.MaxVoices, len(res.Steps), res.Undecided)
	}
	for _, st := range res.Steps {
		if st.Outcome != Disturbed || st.RenderOverruns != 1 {
			t.Errorf("step %+v: want disturbed by one overrun", st)
		}
	}
	if res.Answers == nil || res.ScalingEfficiency != 0 || rep.PerfectScaling(2) != 0 {
		t.Errorf("undecided: answers %v (want [], not null), scaling %v, perfect scaling %v", res.Answers, res.ScalingEfficiency, rep.PerfectScaling(2))
	}
	summary := strings.Join(rep.Summary(), "\n")
	if strings.Contains(summary, "This machine renders") || !strings.Contains(summary, "Undecided on 1 core: 3 steps at 64 voices") {
		t.Errorf("summary:\n%s", summary)
	}

	// Once only.
	r, ff = newFakeRunner(t, opts, fixed, perVoice)
	ff.stallCost = int64(3 * time.Millisecond)
	build := ff.build
	r.factory = func(cfg SynthConfig) (Synth, error) {
		s, err := build(cfg)
		ff.stallCost = 0
		return s, err
	}
	rep, err = r.Run(context.Background(), []int{1}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	res = rep.Results[0]
	truth := int((int64(opts.Limit()) - fixed) / perVoice)
	if !res.Decided || res.Steps[0].Outcome != Disturbed || res.Steps[1].Outcome != Pass || res.Steps[1].Voices != 64 ||
		res.MaxVoices > truth || truth-res.MaxVoices > max(1, int(opts.Resolution*float64(res.MaxVoices))) {
		t.Errorf("stalled once: decided %v, first steps %s %s, max voices %d, truth %d",
			res.Decided, res.Steps[0].Outcome, res.Steps[1].Outcome, res.MaxVoices, truth)
	}
}
