//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lookParallel finds GNU parallel, or skips the test; with
// AETHER_REQUIRE_PARALLEL set (as CI does) a missing one fails it.
func lookParallel(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("parallel")
	if err != nil {
		if os.Getenv("AETHER_REQUIRE_PARALLEL") != "" {
			t.Fatal("GNU parallel not found but AETHER_REQUIRE_PARALLEL is set")
		}
		t.Skip("GNU parallel not installed (Debian package parallel; set AETHER_REQUIRE_PARALLEL=1 to require it)")
	}
	return p
}

// Four shards run by GNU parallel into one -outdir, as docs/bounce.md
// shows, write exactly what one run writes, byte for byte, each file by
// one shard only.
func TestShardsUnderGNUParallel(t *testing.T) {
	par := lookParallel(t)
	dir := t.TempDir()
	files := map[string]string{}
	var list strings.Builder
	for i := range 10 {
		name := fmt.Sprintf("in/s%02d.json", i)
		files[name] = songJSON(i)
		fmt.Fprintln(&list, name)
	}
	files["in/one.mid"] = string(minimalMIDI())
	fmt.Fprintln(&list, "in/one.mid")
	files["list"] = list.String()
	writeFiles(t, dir, files)
	writeSample(t, filepath.Join(dir, "in", "pluck.wav"))
	manifest := filepath.Join(dir, "list")

	whole := filepath.Join(dir, "whole")
	if code, _, stderr := runBounce(t, "", "-manifest", manifest, "-outdir", whole, "-format", "pcm16", "-seed", "5", "-quiet"); code != exitOK {
		t.Fatalf("one run: exit %d: %s", code, stderr)
	}
	want := readAll(t, whole)
	if len(want) != 11 {
		t.Fatalf("one run wrote %d files", len(want))
	}

	shared := filepath.Join(dir, "shared")
	cmd := exec.Command(par, "--will-cite", "--halt", "now,fail=1", "-j4",
		os.Args[0], "-manifest", manifest, "-outdir", shared, "-format", "pcm16", "-seed", "5", "-quiet",
		"-shard", "{}/4", "-report", filepath.Join(dir, "report-{}.jsonl"), ":::", "0", "1", "2", "3")
	cmd.Env = append(os.Environ(), "BOUNCE_TEST_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("parallel: %v\n%s", err, out)
	}
	got := readAll(t, shared)
	if len(got) != len(want) {
		t.Errorf("the shards wrote %d files, one run %d", len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs from the one-run output", name)
		}
	}
	writer := map[string]int{}
	for shard := range 4 {
		for _, r := range readJSONL(t, filepath.Join(dir, fmt.Sprintf("report-%d.jsonl", shard))) {
			name := filepath.Base(r["output"].(string))
			if r["status"] != "ok" || int(r["index"].(float64))%4 != shard {
				t.Errorf("shard %d: %v", shard, r)
			}
			if prev, dup := writer[name]; dup {
				t.Errorf("%s written by shards %d and %d", name, prev, shard)
			}
			writer[name] = shard
		}
	}
	if len(writer) != len(want) {
		t.Errorf("the reports name %d outputs, want %d", len(writer), len(want))
	}
}
