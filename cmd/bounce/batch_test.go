package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"

	"github.com/aether-audio/aether/wav"
)

// A batch renders every good entry, reports each bad one in one line
// naming it, skips blanks and comments, and ends with the summary; the
// exit code says that something failed.
func TestBatch(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"in/a.json":     songJSON(0),
		"in/b.json":     songJSON(2),
		"in/c.json":     songJSON(4),
		"in/bad.json":   `{"sample_rate": 48000, "notes": [}`,
		"in/quiet.json": `{"sample_rate": 48000, "duration": 0.5}`,
		"list.txt":      "# inputs, relative to this file\nin/a.json\n\n  in/b.json  \nin/bad.json\nin/missing.mid\n# in/skipped.json\nin/quiet.json\n" + filepath.Join(dir, "in", "c.json") + "\n",
	})
	writeSample(t, filepath.Join(dir, "in", "pluck.wav"))
	out := filepath.Join(dir, "out")
	code, stdout, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list.txt"), "-outdir", out, "-format", "pcm24", "-jobs", "3")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	slices.Sort(lines)
	if len(lines) != 2 || !strings.Contains(lines[0], "bad.json") || !strings.Contains(lines[1], "missing.mid") {
		t.Errorf("stderr should name bad.json and missing.mid, one line each:\n%s", stderr)
	}
	if got := dirFiles(t, out); !slices.Equal(got, []string{"a.wav", "b.wav", "c.wav", "quiet.wav"}) {
		t.Errorf("outputs %v", got)
	}
	if !strings.Contains(string(stdout), "shard 0/1: 6 files, 2 failed, 1 silent without notes, 2.9 s of audio") ||
		strings.Count(string(stdout), "\n") != 1 {
		t.Errorf("summary: %q", stdout)
	}
	// Each output is what a single bounce writes.
	for _, name := range []string{"a", "c"} {
		code, want, stderr := runBounce(t, "", filepath.Join(dir, "in", name+".json"), "-format", "pcm24", "-o", "-")
		got, _ := os.ReadFile(filepath.Join(out, name+".wav"))
		if code != 0 || !bytes.Equal(got, want) {
			t.Errorf("%s: batch output differs from a single bounce (%s)", name, stderr)
		}
	}
	// A directory stands for its inputs; all good, exit 0.
	os.Remove(filepath.Join(dir, "in", "bad.json"))
	code, stdout, stderr = runBounce(t, "", "-manifest", filepath.Join(dir, "in"), "-outdir", filepath.Join(dir, "out2"))
	if code != 0 || !strings.Contains(string(stdout), "4 files, 0 failed") {
		t.Errorf("directory: exit %d: %s%s", code, stdout, stderr)
	}
}

// Inputs whose output names collide are refused, by every shard alike,
// and the others render.
func TestBatchCollisions(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a/x.json": `{"sample_rate": 8000, ` + okNote + `}`,
		"b/x.json": `{"sample_rate": 8000, ` + okNote + `}`,
		"b/X.mid":  string(minimalMIDI()),
		"c/y.json": `{"sample_rate": 8000, ` + okNote + `}`,
		"list":     "a/x.json\nb/x.json\nc/y.json\nb/X.mid\n",
	})
	for _, shard := range []string{"0/1", "0/2", "1/2"} {
		out := filepath.Join(dir, "out"+strings.ReplaceAll(shard, "/", "-"))
		_, _, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out, "-shard", shard)
		if n := strings.Count(stderr, "is also the output of"); n != map[string]int{"0/1": 3, "0/2": 1, "1/2": 2}[shard] {
			t.Errorf("shard %s: %d collision lines:\n%s", shard, n, stderr)
		}
		if shard != "1/2" && !slices.Contains(dirFiles(t, out), "y.wav") || slices.Contains(dirFiles(t, out), "x.wav") {
			t.Errorf("shard %s: outputs %v", shard, dirFiles(t, out))
		}
	}
}

// n shards of a manifest render disjoint sets of files whose union is
// exactly, byte for byte, what one machine renders.
func TestShardsMakeTheWhole(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	var list strings.Builder
	for i := range 7 {
		name := fmt.Sprintf("s%d.json", i)
		files["in/"+name] = songJSON(i)
		fmt.Fprintln(&list, "in/"+name)
	}
	files["list"] = list.String()
	writeFiles(t, dir, files)
	writeSample(t, filepath.Join(dir, "in", "pluck.wav"))
	render := func(out, shard string) {
		code, _, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out, "-shard", shard, "-format", "pcm16", "-seed", "9")
		if code != 0 {
			t.Fatalf("shard %s: exit %d: %s", shard, code, stderr)
		}
	}
	whole := filepath.Join(dir, "whole")
	render(whole, "0/1")
	want := readAll(t, whole)
	if len(want) != 7 {
		t.Fatalf("one machine wrote %d files", len(want))
	}
	for _, n := range []int{1, 2, 3} {
		union := map[string][]byte{}
		for i := range n {
			out := filepath.Join(dir, fmt.Sprintf("n%d-%d", n, i))
			render(out, fmt.Sprintf("%d/%d", i, n))
			for name, b := range readAll(t, out) {
				if _, dup := union[name]; dup {
					t.Errorf("n=%d: %s rendered by two shards", n, name)
				}
				union[name] = b
			}
		}
		if len(union) != len(want) {
			t.Errorf("n=%d: shards wrote %d files, one machine %d", n, len(union), len(want))
		}
		for name, b := range want {
			if !bytes.Equal(union[name], b) {
				t.Errorf("n=%d: %s differs from the single-machine output", n, name)
			}
		}
	}
}

func readAll(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range dirFiles(t, dir) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	return out
}

// The jazz-soft corpus through batch mode: the files docs/midi.md says
// are rejected are reported (one line each) and nothing else is; every
// file that plays bounces above -100 dBFS, every file without notes to
// silence. Rendered at 16 kHz to stay fast (all its notes are below 8 kHz).
func TestBatchJazzSoftCorpus(t *testing.T) {
	corpus := testfiles.Dir(t, "midi-jazz-soft")
	outcomes := testfiles.CorpusOutcomes(t, filepath.Join("..", "..", "docs", "midi.md"))
	// Leave out the four files that play every GM2, GS, XG and Microsoft
	// sound: 2.2 of the corpus's 2.4 hours, 1 GB of float output even at
	// 16 kHz. TestBounceJazzSoftCorpus bounces them. In -short mode leave
	// out the other two "test-all" files too.
	var list strings.Builder
	for name := range outcomes {
		long := strings.HasPrefix(name, "test-all-") && (testing.Short() || !strings.HasPrefix(name, "test-all-gm-"))
		if !long {
			fmt.Fprintln(&list, filepath.Join(corpus, name))
		}
	}
	manifest := filepath.Join(t.TempDir(), "list")
	if err := os.WriteFile(manifest, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	// Float output, so that silence is exactly zero rather than dither.
	code, stdout, stderr := runBounce(t, "", "-manifest", manifest, "-outdir", out, "-rate", "16000")
	if code != 1 {
		t.Errorf("exit %d, want 1 (three files are rejected)", code)
	}
	var rejected []string
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		rejected = append(rejected, strings.TrimSuffix(filepath.Base(strings.Fields(line)[1]), ":"))
	}
	slices.Sort(rejected)
	var want []string
	for name, o := range outcomes {
		if o == "rejected" {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	if !slices.Equal(rejected, want) {
		t.Errorf("rejected %v, docs/midi.md says %v", rejected, want)
	}
	rendered := dirFiles(t, out)
	for _, name := range rendered {
		mid := strings.TrimSuffix(name, ".wav") + ".mid"
		a, err := wav.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		peak := 0.0
		for _, ch := range a.Channels {
			for _, v := range ch {
				peak = math.Max(peak, math.Abs(float64(v)))
			}
		}
		audible := 20*math.Log10(peak) > -100
		if audible != (outcomes[mid] == "plays") {
			t.Errorf("%s: peak %.1f dBFS, docs/midi.md says %q", mid, 20*math.Log10(peak), outcomes[mid])
		}
	}
	if len(rendered)+len(want) != strings.Count(readManifestCount(t, manifest), "\n") {
		t.Errorf("%d outputs and %d rejections for the manifest's files", len(rendered), len(want))
	}
	if !strings.Contains(string(stdout), "3 failed, 12 silent without notes") {
		t.Errorf("summary: %s", stdout)
	}
}

// readManifestCount returns one line per input of a manifest or directory.
func readManifestCount(t *testing.T, path string) string {
	t.Helper()
	all, err := readManifest(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Repeat("\n", len(all))
}
