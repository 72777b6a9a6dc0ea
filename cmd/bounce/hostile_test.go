//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the command itself when the test binary is started as a
// child process (see command), so tests can signal it and measure it.
func TestMain(m *testing.M) {
	if os.Getenv("BOUNCE_TEST_RUN_MAIN") == "1" {
		code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
		if path := os.Getenv("BOUNCE_TEST_PEAK_RSS"); path != "" {
			reportPeakRSS(path)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// reportPeakRSS writes the process's peak resident set (VmHWM, in KiB) to
// path, where /proc tells it.
func reportPeakRSS(path string) {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			os.WriteFile(path, []byte(strings.TrimSuffix(strings.TrimSpace(v), " kB")), 0o644)
		}
	}
}

// command returns the bounce command run by the test binary in a child
// process.
func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "BOUNCE_TEST_RUN_MAIN=1")
	return cmd
}

// runWithin runs the command in-process and fails the test if it has not
// returned within limit (it is then left blocked: the test binary exits
// anyway).
func runWithin(t *testing.T, limit time.Duration, stdin string, args ...string) (int, string) {
	t.Helper()
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := runBounce(t, stdin, args...)
		done <- result{code, stderr}
	}()
	select {
	case r := <-done:
		return r.code, r.stderr
	case <-time.After(limit):
		t.Fatalf("bounce %v still running after %v", args, limit)
		return 0, ""
	}
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
}

// A named pipe or a directory given as an input, as a manifest entry or as
// a sample is refused at once with one line saying what it is; before,
// opening a pipe with no writer blocked forever.
func TestPipesAndDirectoriesAsInputs(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"p.json", "p.mid", "q.json", "s/pipe.wav"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		mkfifo(t, filepath.Join(dir, name))
	}
	writeFiles(t, dir, map[string]string{
		"uses-pipe.json": `{"sample_rate": 8000, "instruments": {"s": {"osc": "sample", "sample": "s/pipe.wav"}}, "notes": [{"time": 0, "duration": 0.1, "instrument": "s", "key": 60}]}`,
		"list":           "p.mid\nq.json\n",
		"d.json/x":       "",
	})
	out := filepath.Join(dir, "out")
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{filepath.Join(dir, "p.json"), "-o", filepath.Join(dir, "x.wav")}, []string{"p.json", "is a named pipe"}},
		{[]string{filepath.Join(dir, "p.mid"), "-o", filepath.Join(dir, "x.wav")}, []string{"p.mid", "is a named pipe"}},
		{[]string{filepath.Join(dir, "uses-pipe.json"), "-o", filepath.Join(dir, "x.wav")}, []string{"pipe.wav", "is a named pipe"}},
		{[]string{"-manifest", filepath.Join(dir, "list"), "-outdir", out}, []string{"p.mid", "q.json", "is a named pipe"}},
		{[]string{filepath.Join(dir, "d.json"), "-o", filepath.Join(dir, "x.wav")}, []string{"d.json", "is a directory"}},
	} {
		code, stderr := runWithin(t, 10*time.Second, "", c.args...)
		if code != exitFailed {
			t.Errorf("%v: exit %d: %s", c.args, code, stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", c.args, stderr, w)
			}
		}
		if strings.Contains(stderr, "syntax error") {
			t.Errorf("%v: %q", c.args, stderr)
		}
	}
}

// A named pipe as the output waits for its reader, yet SIGTERM (and
// SIGINT) still end the process at once, with exit status 130.
func TestSignalEndsAWaitOnAPipe(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"ok.json": `{"sample_rate": 8000, ` + okNote + `}`})
	fifo := filepath.Join(dir, "out.wav")
	mkfifo(t, fifo)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := command(t, filepath.Join(dir, "ok.json"), "-o", fifo)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond) // let it reach the wait for a reader
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
			if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
				t.Errorf("%v: exit %d, want %d: %s", sig, code, exitInterrupted, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Fatalf("%v did not end a bounce waiting on a named pipe", sig)
		}
	}
}
