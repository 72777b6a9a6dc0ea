package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The bar is drawn only on a terminal, and draws a proportional line.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	if newProgressBar(&buf, "x") != nil {
		t.Error("a bar on a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgressBar(f, "x") != nil {
		t.Error("a bar on a regular file")
	}
	var nilBar *progressBar
	nilBar.update(1, 2) // does nothing, no panic
	nilBar.finish()
	b := &progressBar{w: &buf, label: "song"}
	b.update(1, 4)
	b.update(2, 4) // within progressEvery of the last: skipped
	b.update(4, 4) // the end is always drawn
	b.finish()
	want := "\rsong [#######                       ]  25%\rsong [##############################] 100%\n"
	if buf.String() != want {
		t.Errorf("bar drew %q, want %q", buf.String(), want)
	}
}

// MIDI on standard input, and a manifest read from standard input.
func TestStandardInput(t *testing.T) {
	code, out, stderr := runBounce(t, string(minimalMIDI()), "-", "-rate", "16000", "-o", "-")
	if code != 0 || !bytes.HasPrefix(out, []byte("RIFF")) {
		t.Errorf("MIDI on stdin: exit %d, %d bytes: %s", code, len(out), stderr)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": `{"sample_rate": 8000, ` + okNote + `}`})
	code, _, stderr = runBounce(t, filepath.Join(dir, "a.json")+"\n", "-manifest", "-", "-outdir", filepath.Join(dir, "out"))
	if code != 0 {
		t.Errorf("manifest on stdin: exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "a.wav")); err != nil {
		t.Error(err)
	}
}

// An interrupted run (its context cancelled, as SIGINT or SIGTERM do)
// starts nothing more, fails, and leaves no file.
func TestInterrupted(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.json": `{"sample_rate": 8000, ` + okNote + `}`,
		"b.json": `{"sample_rate": 8000, ` + okNote + `}`,
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	out := filepath.Join(dir, "out")
	cfg, err := parseArgs([]string{"-manifest", dir, "-outdir", out})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := runBatch(ctx, cfg, nil, &stdout, &stderr); code != exitFailed {
		t.Errorf("batch: exit %d", code)
	}
	if !strings.Contains(stderr.String(), "context canceled: 2 files not started") || !strings.Contains(stdout.String(), "2 failed") {
		t.Errorf("batch: %s%s", stderr.String(), stdout.String())
	}
	cfg, _ = parseArgs([]string{filepath.Join(dir, "a.json"), "-o", filepath.Join(out, "a.wav")})
	stderr.Reset()
	if code := runOne(ctx, cfg, nil, &stdout, &stderr); code != exitFailed || !strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("one file: exit %d: %s", code, stderr.String())
	}
	if left := dirFiles(t, out); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
