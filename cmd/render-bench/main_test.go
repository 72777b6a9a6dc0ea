package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

func runArgs(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(ctx, args, &out, &errb, newSynth)
	return code, out.String(), errb.String()
}

func TestBadFlagsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"-block", "128"},
		{"-voice", "kazoo"},
		{"-kernel", "neon"}, // not an amd64 tier; the arm64 build has its own list
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
		{"-plot", "/nonexistent/x.svg"},
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
	if code != exitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q (no progress bar when stderr is not a terminal)", code, errs)
	}
	var rep struct {
		Kernel  string `json:"kernel"`
		Block   int    `json:"block"`
		Results []struct {
			Workers   int     `json:"workers"`
			MaxVoices int     `json:"max_voices"`
			P50       float64 `json:"p50_us"`
			Allocs    uint64  `json:"allocs"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if rep.Kernel != mix.Tier() || rep.Block != 64 || len(rep.Results) != 2 || rep.Results[1].Workers != 2 ||
		rep.Results[0].MaxVoices != 256 || rep.Results[0].P50 <= 0 {
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

// TestQuickRunIsQuick runs the README's short run, as shipped (paced, every
// worker count), and holds it to its promise of under 30 s.
func TestQuickRunIsQuick(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the full -quick search (several seconds)")
	}
	start := time.Now()
	code, out, errs := runArgs(context.Background(), "-quick")
	if took := time.Since(start); code != exitOK || took > 30*time.Second {
		t.Fatalf("exit %d after %v: %s", code, took, errs)
	}
	if !strings.Contains(out, "max voices") || !strings.Contains(out, "paced thread: ") {
		t.Errorf("table:\n%s", out)
	}
	t.Logf("-quick took %v", time.Since(start))
}

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{out: &buf, counts: 2}
	p.step(1, bench.Step{Voices: 64, P999: 12345 * time.Nanosecond, Pass: true})
	p.step(2, bench.Step{Voices: 128})
	p.clear()
	got := buf.String()
	for _, want := range []string{"1 workers, step 1: 64 voices, p99.9 12.3 µs, ok", "2 workers, step 1: 128 voices", "over", "[##########", "\r\033[K"} {
		if !strings.Contains(got, want) {
			t.Errorf("progress output %q lacks %q", got, want)
		}
	}
	if silent := newProgress(&buf, 1); silent.out != nil {
		t.Error("a bytes.Buffer was taken for a terminal")
	}
}
