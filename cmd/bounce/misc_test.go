package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The bar is drawn only on a terminal; it counts audio seconds across the
// files of a batch, estimates the rest from the files loaded, and shows
// the speed and the time left.
func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	if newProgressBar(&buf, "x", 1) != nil {
		t.Error("a bar on a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if newProgressBar(f, "x", 1) != nil {
		t.Error("a bar on a regular file")
	}
	var nilBar *progressBar
	nilBar.loadedFile(1) // does nothing, no panic
	nilBar.rendering(0, 1)
	nilBar.finished(0, 1, false)
	printed := false
	nilBar.above(func() { printed = true })
	if !printed {
		t.Error("a nil bar did not print")
	}
	nilBar.finish()

	now := time.Unix(1000, 0)
	b := newBar(&buf, "shard 0/1", 4, func() time.Time { return now })
	b.loadedFile(100) // two files of 100 s loaded: the other two are guessed alike
	b.loadedFile(100)
	now = now.Add(10 * time.Second)
	b.rendering(0, 50)
	if got, want := buf.String(), "\rshard 0/1 [###                     ]  12% 0/4 files, 0:50 of audio, 5.0x real time, ETA 1:10"; got != want {
		t.Errorf("bar drew\n%q, want\n%q", got, want)
	}
	buf.Reset()
	now = now.Add(50 * time.Millisecond)
	b.rendering(1, 50) // within progressEvery of the last draw: not drawn, but counted
	if buf.Len() != 0 {
		t.Errorf("redrawn too soon: %q", buf.String())
	}
	if got, want := b.line(10*time.Second), "shard 0/1 [######                  ]  25% 0/4 files, 1:40 of audio, 10.0x real time, ETA 0:30"; got != want {
		t.Errorf("line\n%q, want\n%q", got, want)
	}
	b.finished(0, 100, false)
	b.finished(1, 100, false)
	b.finished(2, 0, true) // skipped: out of the estimate
	now = now.Add(10 * time.Second)
	b.finished(3, 0, false) // failed: the last always draws
	if got := buf.String(); !strings.HasSuffix(got, "100% 4/4 files, 3:20 of audio, 10.0x real time") {
		t.Errorf("last draw %q", got)
	}
	buf.Reset()
	b.above(func() { buf.WriteString("line\n") })
	b.finish()
	if buf.String() != "\r\x1b[Kline\n" {
		t.Errorf("a line above the bar, then finish: %q", buf.String())
	}
	one := newBar(&buf, "song", 1, func() time.Time { return now })
	one.loadedFile(3725)
	if got, want := one.line(time.Minute), "song [                        ]   0% 0:00 of audio"; got != want {
		t.Errorf("single file: %q, want %q", got, want)
	}
	one.rendering(0, 3600)
	if got, want := one.line(time.Minute), "song [####################### ]  97% 1:00:00 of audio, 60.0x real time, ETA 0:02"; got != want {
		t.Errorf("single file: %q, want %q", got, want)
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
	if !strings.Contains(stderr.String(), "interrupted: 2 files stopped or not started") || !strings.Contains(stdout.String(), "2 failed") {
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
