package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aether-audio/aether/wav"
)

// clipJSON sounds eight loud sines at once: it passes full scale.
const clipJSON = `{"sample_rate": 8000, "instruments": {"a": {"osc": "sine", "release": 0.01}}, "notes": [
	{"time": 0, "duration": 0.2, "instrument": "a", "key": 60, "gain": 0.5},
	{"time": 0, "duration": 0.2, "instrument": "a", "key": 64, "gain": 0.5},
	{"time": 0, "duration": 0.2, "instrument": "a", "key": 67, "gain": 0.5},
	{"time": 0, "duration": 0.2, "instrument": "a", "key": 72, "gain": 0.5}]}`

// peakOf decodes a WAV file and returns its peak in dBFS, the samples over
// full scale, its channels and rate.
func peakOf(t *testing.T, path string) (db float64, over int, a *wav.Audio) {
	t.Helper()
	a, err := wav.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	peak := 0.0
	for _, ch := range a.Channels {
		for _, v := range ch {
			peak = math.Max(peak, math.Abs(float64(v)))
			if math.Abs(float64(v)) > 1 {
				over++
			}
		}
	}
	return 20 * math.Log10(peak), over, a
}

// A render that clips says so: the count in its line, a warning on
// standard error, the summary of a batch, the report; -gain and
// -normalize fix it.
func TestClippingIsReported(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"loud.json": clipJSON, "ok.json": `{"sample_rate": 8000, ` + okNote + `}`, "list": "loud.json\nok.json\n"})
	out := filepath.Join(dir, "loud.wav")
	code, _, stderr := runBounce(t, "", filepath.Join(dir, "loud.json"), "-o", out)
	_, over, _ := peakOf(t, out)
	m := regexp.MustCompile(`, (\d+) clipped,`).FindStringSubmatch(stderr)
	if code != exitOK || over == 0 || m == nil || m[1] != strconv.Itoa(over) {
		t.Fatalf("exit %d, %d samples over full scale in the file, stderr:\n%s", code, over, stderr)
	}
	if !strings.Contains(stderr, "bounce: warning: "+filepath.Join(dir, "loud.json")+": "+m[1]+" samples clipped, peak +") ||
		!strings.Contains(stderr, "lower the level with -gain -") {
		t.Errorf("no clipping warning:\n%s", stderr)
	}
	// -quiet drops the line, never the warning.
	_, _, stderr = runBounce(t, "", filepath.Join(dir, "loud.json"), "-o", out, "-quiet")
	if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "warning") {
		t.Errorf("-quiet:\n%s", stderr)
	}
	suggested := regexp.MustCompile(`-gain (-[0-9.]+)`).FindStringSubmatch(stderr)[1]
	code, _, stderr = runBounce(t, "", filepath.Join(dir, "loud.json"), "-o", out, "-gain", suggested, "-format", "pcm16")
	if db, over, _ := peakOf(t, out); code != exitOK || over != 0 || db > -0.05 || strings.Contains(stderr, "warning") {
		t.Errorf("-gain %s: peak %.2f dBFS, %d over: %s", suggested, db, over, stderr)
	}
	code, _, stderr = runBounce(t, "", filepath.Join(dir, "loud.json"), "-o", out, "-normalize", "-1")
	if db, _, _ := peakOf(t, out); code != exitOK || math.Abs(db+1) > 0.01 || strings.Contains(stderr, "warning") {
		t.Errorf("-normalize -1: peak %.3f dBFS: %s", db, stderr)
	}
	report := filepath.Join(dir, "r.jsonl")
	_, stdout, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", filepath.Join(dir, "out"), "-report", report, "-quiet")
	if !strings.Contains(string(stdout), "1 clipped ("+m[1]+" samples)") || strings.Count(stderr, "warning") != 1 {
		t.Errorf("batch: %s%s", stdout, stderr)
	}
	recs := readJSONL(t, report)
	slices.SortFunc(recs, func(a, b map[string]any) int { return int(a["index"].(float64) - b["index"].(float64)) })
	if recs[0]["clipped_samples"].(float64) != float64(over) || recs[1]["clipped_samples"].(float64) != 0 {
		t.Errorf("report: %v", recs)
	}
}

func readJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("report line %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// The report has one line per input of the shard with the documented
// fields, as JSON lines or CSV, whatever became of the input; the names
// are those docs/bounce.md lists.
func TestReport(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.json":     `{"sample_rate": 8000, ` + okNote + `}`,
		"bad.json":   `{"sample_rate": 8000, "notes": [}`,
		"quiet.json": `{"sample_rate": 8000, "duration": 0.5}`,
		"list":       "a.json\nbad.json\nquiet.json\n",
	})
	out := filepath.Join(dir, "out")
	jsonl, csvPath := filepath.Join(dir, "r.jsonl"), filepath.Join(dir, "r.csv")
	runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out, "-report", jsonl, "-quiet")
	runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out, "-report", csvPath, "-quiet", "-skip-existing")
	recs := readJSONL(t, jsonl)
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	byInput := map[string]map[string]any{}
	for _, r := range recs {
		if got := slices.Sorted(mapsKeys(r)); !slices.Equal(got, slices.Sorted(slices.Values(reportFields))) {
			t.Fatalf("fields %v, want %v", got, reportFields)
		}
		byInput[filepath.Base(r["input"].(string))] = r
	}
	a, bad, quiet := byInput["a.json"], byInput["bad.json"], byInput["quiet.json"]
	if a["status"] != "ok" || a["output"] != filepath.Join(out, "a.wav") || a["error"] != "" || a["notes"].(float64) != 1 ||
		a["voices_max"].(float64) < 1 || a["audio_seconds"].(float64) != 0.15 || a["peak_dbfs"] == nil || a["silent"] != false ||
		a["index"].(float64) != 0 || a["render_seconds"].(float64) <= 0 {
		t.Errorf("a.json: %v", a)
	}
	if bad["status"] != "failed" || !strings.Contains(bad["error"].(string), "syntax error") || bad["peak_dbfs"] != nil {
		t.Errorf("bad.json: %v", bad)
	}
	if quiet["status"] != "ok" || quiet["silent"] != true || quiet["peak_dbfs"] != nil || quiet["audio_seconds"].(float64) != 0.5 {
		t.Errorf("quiet.json: %v", quiet)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 4 || !slices.Equal(rows[0], reportFields) {
		t.Fatalf("csv: %v %v", rows, err)
	}
	for _, row := range rows[1:] {
		if want := map[string]string{"a.json": "skipped", "quiet.json": "skipped", "bad.json": "failed"}[filepath.Base(row[1])]; row[3] != want {
			t.Errorf("csv row %v: status %s, want %s", row, row[3], want)
		}
	}
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "bounce.md"))
	if err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)` \\| [a-z]").FindAllStringSubmatch(string(doc), -1) {
		if slices.Contains(reportFields, m[1]) || strings.Contains(m[1], "_") || m[1] == "index" {
			documented = append(documented, m[1])
		}
	}
	if !slices.Equal(documented, reportFields) {
		t.Errorf("docs/bounce.md documents report fields %v, the report writes %v", documented, reportFields)
	}
}

func mapsKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// -skip-existing on a half-done directory renders only what is missing
// and leaves the finished outputs as they are.
func TestSkipExisting(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"list": ""}
	for _, n := range []string{"a", "b", "c", "d"} {
		files[n+".json"] = `{"sample_rate": 8000, ` + okNote + `}`
		files["list"] += n + ".json\n"
	}
	writeFiles(t, dir, files)
	out := filepath.Join(dir, "out")
	writeFiles(t, out, map[string]string{"a.wav": "finished", "c.wav": "finished"})
	code, stdout, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out, "-skip-existing")
	if code != exitOK || !strings.Contains(string(stdout), "4 files, 0 failed, 2 skipped") || strings.Count(stderr, "skipped, the output exists") != 2 {
		t.Errorf("exit %d: %s%s", code, stdout, stderr)
	}
	for n, want := range map[string]bool{"a": false, "b": true, "c": false, "d": true} {
		b, _ := os.ReadFile(filepath.Join(out, n+".wav"))
		if rendered := bytes.HasPrefix(b, []byte("RIFF")); rendered != want {
			t.Errorf("%s.wav rendered: %v, want %v", n, rendered, want)
		}
	}
	// One file too.
	code, _, stderr = runBounce(t, "", filepath.Join(dir, "a.json"), "-o", filepath.Join(out, "a.wav"), "-skip-existing")
	if b, _ := os.ReadFile(filepath.Join(out, "a.wav")); code != exitOK || string(b) != "finished" || !strings.Contains(stderr, "skipped") {
		t.Errorf("one file: exit %d: %s", code, stderr)
	}
}

// -rate renders JSON scores at that rate, -channels 1 writes mono, and
// -version says what was built.
func TestRateChannelsVersion(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": `{"sample_rate": 48000, ` + okNote + `}`})
	out := filepath.Join(dir, "a.wav")
	if code, _, stderr := runBounce(t, "", filepath.Join(dir, "a.json"), "-rate", "22050", "-channels", "1", "-o", out); code != exitOK {
		t.Fatal(stderr)
	}
	if _, _, a := peakOf(t, out); a.Rate != 22050 || len(a.Channels) != 1 || a.Frames() != int(0.15*22050+0.5) {
		t.Errorf("rate %d, %d channels, %d frames", a.Rate, len(a.Channels), a.Frames())
	}
	code, stdout, _ := runBounce(t, "", "-version")
	if code != exitOK || !regexp.MustCompile(`^bounce \S+.* go1\.\d+.* \w+/\w+( pgo)?\n$`).Match(stdout) {
		t.Errorf("-version: exit %d: %q", code, stdout)
	}
	// This test binary is built as go build builds bounce: with the
	// profile beside the package unless -pgo=off was given.
	profile := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-pgo" {
				profile = s.Value
			}
		}
	}
	if says := bytes.HasSuffix(stdout, []byte(" pgo\n")); says != (profile != "") {
		t.Errorf("-version %q for a build with profile %q", stdout, profile)
	}
	if _, err := os.Stat("default.pgo"); err != nil {
		t.Errorf("cmd/bounce/default.pgo is missing: bounce builds without its profile (make pgo records one)")
	}
}

// MIDI plays with headroom by default (FluidSynth's master gain of 0.2):
// a single loud note peaks well below full scale, 14 dB under what -gain
// 14 gives.
func TestMIDIHeadroom(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"one.mid": string(minimalMIDI())})
	a, b := filepath.Join(dir, "a.wav"), filepath.Join(dir, "b.wav")
	runBounce(t, "", filepath.Join(dir, "one.mid"), "-o", a)
	runBounce(t, "", filepath.Join(dir, "one.mid"), "-o", b, "-gain", "13.9794") // 20 log10(5)
	da, _, _ := peakOf(t, a)
	db, _, _ := peakOf(t, b)
	if da > -12 || math.Abs(db-da-13.9794) > 0.01 {
		t.Errorf("one note peaks at %.2f dBFS, %.2f dBFS at +14 dB", da, db)
	}
}
