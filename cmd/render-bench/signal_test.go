//go:build unix

package main

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDoubleInterruptKeepsReport signals a running render-bench as
// `timeout -s INT` does, the process and then its process group, so that
// SIGINT arrives twice at once: the partial report must still be written,
// with exit code 130, every time.
func TestDoubleInterruptKeepsReport(t *testing.T) {
	for i := range 5 {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), "RENDER_BENCH_ARGS=-mode free -quick -v -workers 1 -searches 1")
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		var stdout bytes.Buffer
		cmd.Stdout = &stdout
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// -v logs each step: after the first, the run is measuring.
		lines := bufio.NewScanner(stderr)
		var log []string
		for lines.Scan() {
			log = append(log, lines.Text())
			if strings.Contains(lines.Text(), "step 1:") {
				break
			}
		}
		pid := cmd.Process.Pid
		syscall.Kill(pid, syscall.SIGINT)
		syscall.Kill(-pid, syscall.SIGINT)
		rest, _ := io.ReadAll(stderr)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			syscall.Kill(-pid, syscall.SIGKILL)
			t.Fatalf("run %d: still running 30 s after SIGINT", i)
		}
		code := cmd.ProcessState.ExitCode()
		if code != exitInterrupted || !strings.Contains(stdout.String(), "INTERRUPTED") || !strings.Contains(stdout.String(), "max voices") ||
			!strings.Contains(string(rest), "render-bench: interrupted; the report holds what was measured so far") {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q %q", i, code, stdout.String(), log, rest)
		}
	}
}
