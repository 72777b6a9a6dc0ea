package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// TestMain runs the command itself when a test starts this binary with
// RENDER_BENCH_ARGS set, so that tests can signal a real process.
func TestMain(m *testing.M) {
	if args, ok := os.LookupEnv("RENDER_BENCH_ARGS"); ok {
		os.Args = append([]string{"render-bench"}, strings.Fields(args)...)
		main() // exits
	}
	os.Exit(m.Run())
}

func runArgs(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb, newSynth)
	return code, out.String(), errb.String()
}

func TestBadFlagsExit2WithOneLine(t *testing.T) {
	absent := "neon" // a tier of package mix this CPU or build lacks
	if slices.Contains(mix.Tiers(), absent) {
		absent = "avx512"
	}
	for _, args := range [][]string{
		{"-block", "128"},
		{"-voice", "kazoo"},
		{"-kernel", absent},
		{"-kernel", "avx1024"},
		{"-scenario", "chaos"},
		{"-mode", "turbo"},
		{"-workers", "0"},
		{"-workers", "1,x"},
		{"-workers", "1,1"},
		{"-workers", ""},
		{"-duration", "0s"},
		{"-duration", "soon"},
		{"-duration", "1ms"},
		{"-headroom", "0"},
		{"-headroom", "1.5"},
		{"-voices", "-1"},
		{"-rate", "100"},
		{"-json", "-csv"},
		{"-plot", "out.pdf"},
		{"-plot", "out.png"},
		{"-plot", "/nonexistent/x.svg"},
		{"-searches", "0"},
		{"-searches", "1000"},
		{"-tiers", "-voices", "5"},
		{"-tiers", "-csv"},
		{"-tiers", "-plot", "x.svg"},
		{"-nosuchflag"},
		{"stray"},
	} {
		if args[0] == "-workers" && args[1] == "" {
			continue // empty means the default list
		}
		code, out, errs := runArgs(context.Background(), args...)
		lines := strings.Split(strings.TrimRight(errs, "\n"), "\n")
		if code != exitUsage || out != "" || len(lines) != 1 || !strings.HasPrefix(errs, "render-bench: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 and one line", args, code, out, errs)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	code, _, errs := runArgs(context.Background(), "-h")
	if code != exitOK || !strings.Contains(errs, "-voices") {
		t.Errorf("-h: exit %d, stderr %q", code, errs)
	}
}

func TestJSONEndToEnd(t *testing.T) {
	plot := filepath.Join(t.TempDir(), "r.svg")
	code, out, errs := runArgs(context.Background(),
		"-mode", "free", "-workers", "1,2", "-voices", "256", "-duration", "50ms", "-json", "-plot", plot)
	if code != exitOK || !strings.HasPrefix(errs, "render-bench: 1 worker rendered 256 sine voices") || strings.Contains(errs, "\r") {
		t.Fatalf("exit %d, stderr %q: want the answer in words and no progress bar (stderr is not a terminal)", code, errs)
	}
	var rep struct {
		Kernel  string `json:"kernel"`
		Block   int    `json:"block"`
		Results []struct {
			Workers   int     `json:"workers"`
			MaxVoices int     `json:"max_voices"`
			P50       float64 `json:"p50_us"`
			Allocs    uint64  `json:"allocs"`
			Steps     []struct {
				Voices  int    `json:"voices"`
				Outcome string `json:"outcome"`
			} `json:"steps"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Kernel != mix.Tier() || rep.Block != 64 || len(rep.Results) != 2 || rep.Results[1].Workers != 2 ||
		rep.Results[0].MaxVoices != 256 || rep.Results[0].P50 <= 0 ||
		len(rep.Results[0].Steps) != 1 || rep.Results[0].Steps[0].Voices != 256 || rep.Results[0].Steps[0].Outcome == "" {
		t.Errorf("report %+v", rep)
	}
	for _, r := range rep.Results {
		if r.Allocs != 0 {
			t.Errorf("%d workers: the engine allocated %d objects while timed", r.Workers, r.Allocs)
		}
	}
	if b, err := os.ReadFile(plot); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Errorf("plot file: %v, %d bytes", err, len(b))
	}
}

func TestCSVAndPacedEndToEnd(t *testing.T) {
	code, out, errs := runArgs(context.Background(),
		"-workers", "1", "-voices", "64", "-duration", "100ms", "-scenario", "churn", "-csv")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != strings.Join(bench.CSVHeader, ",") || !strings.Contains(lines[1], ",churn,paced,") {
		t.Errorf("csv:\n%s", out)
	}
	if !strings.Contains(errs, "paced thread: ") {
		t.Errorf("stderr %q does not say what scheduling the paced thread got", errs)
	}
}

func TestInterruptPrintsPartialReport(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, out, errs := runArgs(ctx, "-mode", "free", "-workers", "1", "-quick")
	if code != exitInterrupted || !strings.Contains(out, "INTERRUPTED") || !strings.Contains(errs, "interrupted") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// TestEngineSynth checks the adapter renders what it is asked: sound from
// every voice kind, bounded output, the same bits whatever the worker
// count, and stale or stolen handles ignored.
func TestEngineSynth(t *testing.T) {
	render := func(kind bench.VoiceKind, workers int) [2]block.Block {
		s, err := newSynth(bench.SynthConfig{Workers: workers, Capacity: 8, Kind: kind, Kernel: "auto", SampleRate: 48000})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var l, r block.Block
		var v []bench.Voice
		for i := range 10 { // two more than capacity: the engine refuses them
			h, err := s.NoteOn(110*float64(i+1), 0.1, 0, i)
			if err != nil {
				t.Fatal(err)
			}
			v = append(v, h)
		}
		for _, h := range []bench.Voice{v[9], v[9], v[0]} { // refused, twice, live
			if err := s.NoteOff(h, 0); err != nil {
				t.Fatal(err)
			}
		}
		for range 3 {
			if err := s.RenderBlock(&l, &r); err != nil {
				t.Fatal(err)
			}
		}
		return [2]block.Block{l, r}
	}
	for _, kind := range bench.VoiceKinds {
		one := render(kind, 1)
		peak := float32(0)
		for _, x := range one[0] {
			peak = max(peak, x, -x)
		}
		if peak < 1e-3 || peak > 8*0.1 {
			t.Errorf("%s: peak %v with 8 voices at gain 0.1", kind, peak)
		}
		for _, w := range []int{2, 3} {
			if got := render(kind, w); got != one {
				t.Fatalf("%s: %d workers render other bits than 1", kind, w)
			}
		}
	}
	s, _ := newSynth(bench.SynthConfig{Workers: 1, Capacity: 4, Kind: bench.Sine, Kernel: "auto", SampleRate: 48000})
	defer s.Close()
	if _, err := s.NoteOn(440, 1, 0, 64); err == nil {
		t.Error("offset 64 was accepted")
	}
}

// TestQuickSettings checks what -quick changes: shorter steps and coarser
// bisections, the number of searches kept.
func TestQuickSettings(t *testing.T) {
	cfg, err := parseFlags([]string{"-quick"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.opts
	if o.Duration != quickDuration || o.Resolution != quickResolution || o.Searches != defaultSearches || cfg.workers[0] != 1 {
		t.Errorf("-quick: %+v, workers %v", o, cfg.workers)
	}
	cfg, _ = parseFlags([]string{"-quick", "-duration", "1s", "-searches", "5"}, io.Discard)
	if cfg.opts.Duration != time.Second || cfg.opts.Searches != 5 {
		t.Errorf("-quick -duration 1s -searches 5: %+v", cfg.opts)
	}
}

// TestKernelFlagTakesEveryTier checks -kernel against package mix's own
// list: every tier this CPU and build have is accepted and used.
func TestKernelFlagTakesEveryTier(t *testing.T) {
	for _, tier := range mix.Tiers() {
		code, out, errs := runArgs(context.Background(), "-kernel", tier, "-mode", "free", "-workers", "1", "-voices", "64", "-duration", "10ms", "-json")
		if code != exitOK || !strings.Contains(out, `"kernel": "`+tier+`"`) {
			t.Errorf("-kernel %s: exit %d, %s", tier, code, errs)
		}
	}
	if err := mix.SetTier("best"); err != nil {
		t.Fatal(err)
	}
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{out: &buf, bar: true, counts: 2}
	p.step(1, bench.Step{Search: 1, Voices: 64, P999: 12345 * time.Nanosecond, Outcome: bench.Pass})
	p.step(2, bench.Step{Search: 2, Voices: 12800, Outcome: bench.Fail, Reason: "too slow"})
	p.clear()
	got := buf.String()
	for _, want := range []string{"1 worker, search 1, step 1: 64 voices, p99.9 12.3 µs, pass", "2 workers, search 2, step 1: 12,800 voices", "fail", "[##########", "\r\033[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "too slow") {
		t.Error("the bar shows a reason; it has room for the figures only")
	}
	if silent := newProgress(&buf, 1, false); silent.out != nil {
		t.Error("a bytes.Buffer was taken for a terminal")
	}
	buf.Reset()
	logged := newProgress(&buf, 1, true)
	logged.step(2, bench.Step{Search: 1, Voices: 128, Outcome: bench.Disturbed, Reason: "a stall"})
	logged.clear()
	if buf.String() != "render-bench: 2 workers, search 1, step 1: 128 voices, p99.9 0.0 µs, disturbed: a stall\n" {
		t.Errorf("-v progress to a file: %q", buf.String())
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"-version"}, {"-version", "-voice", "kazoo"}} {
		code, out, errs := runArgs(context.Background(), args...)
		if code != exitOK || errs != "" || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "render-bench ") ||
			!strings.Contains(out, runtime.Version()) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	for _, c := range []struct {
		bi   *debug.BuildInfo
		want string
	}{
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/aether-audio/aether", Version: "v0.3.1"}},
			"render-bench v0.3.1 (github.com/aether-audio/aether, "},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/aether-audio/aether", Version: "v0.0.0-20261206080000-7be43c0a1b2c+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "7be43c0a1b2c3d4e5f"}, {Key: "vcs.modified", Value: "true"}}},
			"render-bench v0.0.0-20261206080000-7be43c0a1b2c+dirty (github.com/aether-audio/aether, "},
		{&debug.BuildInfo{Main: debug.Module{Path: "github.com/aether-audio/aether", Version: "(devel)"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "7be43c0a1b2c3d4e5f"}, {Key: "vcs.modified", Value: "true"}}},
			"render-bench (devel) commit 7be43c0a1b2c+dirty (github.com/aether-audio/aether, "},
		{nil, "render-bench (unknown) (github.com/aether-audio/aether, "},
	} {
		got := versionLine(c.bi, c.bi != nil)
		if !strings.HasPrefix(got, c.want) || !strings.HasSuffix(got, runtime.GOOS+"/"+runtime.GOARCH+")") {
			t.Errorf("versionLine: %q, want it to start %q", got, c.want)
		}
	}
}

// TestInterruptsTwice checks the signal handling: the first signal cancels
// the run, a second one at once is the same request and changes nothing,
// one after repeatWindow exits.
func TestInterruptsTwice(t *testing.T) {
	sigs := make(chan os.Signal, 4)
	ctx, cancel := context.WithCancel(context.Background())
	exited := make(chan struct{})
	go interrupts(sigs, cancel, io.Discard, func() { close(exited) })
	sigs <- os.Interrupt
	sigs <- os.Interrupt
	select {
	case <-exited:
		t.Fatal("a signal delivered twice at once exited without the report")
	case <-time.After(repeatWindow / 2):
	}
	if ctx.Err() == nil {
		t.Fatal("the first signal did not cancel the run")
	}
	time.Sleep(repeatWindow / 2)
	sigs <- os.Interrupt
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		t.Fatal("a second Ctrl-C after the window did not exit")
	}
}

func TestTiers(t *testing.T) {
	if testing.Short() {
		t.Skip("measures every voice kind on every tier (seconds)")
	}
	code, out, errs := runArgs(context.Background(), "-tiers", "-json", "-duration", "5ms")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tt tierTable
	if err := json.Unmarshal([]byte(out), &tt); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if !slices.Equal(tt.Tiers, mix.Tiers()) || tt.Picked != mix.Tier() || len(tt.Rows) != len(bench.VoiceKinds) || tt.Voices != tierVoices {
		t.Fatalf("table %+v", tt)
	}
	for i, r := range tt.Rows {
		if r.Voice != bench.VoiceKinds[i] || !slices.Contains(tt.Tiers, r.Fastest) {
			t.Errorf("row %+v", r)
		}
		for _, tier := range tt.Tiers {
			// Any voice costs more than a nanosecond and less than the
			// whole block's deadline shared by 2,048 voices ten times over.
			if ns := r.NsPerVoice[tier]; !(ns > 1 && ns < 10*1333333/tierVoices) {
				t.Errorf("%s on %s: %v ns per voice", r.Voice, tier, ns)
			}
		}
	}
	var table bytes.Buffer
	if err := tt.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), tt.Picked+"*") || !strings.Contains(table.String(), "is the fastest tier for") {
		t.Errorf("table:\n%s", table.String())
	}
	if mix.Tier() != tt.Picked {
		t.Errorf("-tiers left the kernels on %s", mix.Tier())
	}
}
