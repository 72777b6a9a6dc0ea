//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aether-audio/aether/bounce"
)

// TestMain runs the command itself when the test binary is started as a
// child process (see command), so tests can signal it and measure it.
func TestMain(m *testing.M) {
	if os.Getenv("BOUNCE_TEST_RUN_MAIN") == "1" {
		if v := os.Getenv("BOUNCE_TEST_FSIZE"); v != "" {
			n, _ := strconv.ParseUint(v, 10, 64)
			syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: n, Max: n})
		}
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

// A manifest is a text file of paths: a device is refused at once, a
// binary file at its first line with a NUL byte or invalid UTF-8, and one
// larger than the budget before it is read; a leading byte-order mark is
// no part of the first path.
func TestManifestMustBeText(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.json":   `{"sample_rate": 8000, ` + okNote + `}`,
		"bom.txt":  "\ufeffa.json\n",
		"nul.txt":  "a.json\nb\x00.json\n",
		"utf8.txt": "a.json\n# fine: π\nb\xff.json\n",
	})
	wavFile := filepath.Join(dir, "x.wav")
	if code, _, stderr := runBounce(t, "", filepath.Join(dir, "a.json"), "-o", wavFile); code != 0 {
		t.Fatal(stderr)
	}
	huge := filepath.Join(dir, "huge.txt")
	if err := os.WriteFile(huge, []byte("a.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, maxManifestBytes+1); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, c := range []struct{ manifest, want string }{
		{"/dev/urandom", "is a device"},
		{wavFile, "line 1: not a text file of paths"},
		{filepath.Join(dir, "nul.txt"), "line 2: not a text file of paths: a NUL byte"},
		{filepath.Join(dir, "utf8.txt"), "line 3: not a text file of paths: invalid UTF-8"},
		{huge, "larger than"},
	} {
		code, stderr := runWithin(t, 10*time.Second, "", "-manifest", c.manifest, "-outdir", out)
		if code != exitFailed || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("-manifest %s: exit %d, stderr %q, want one line with %q", c.manifest, code, stderr, c.want)
		}
	}
	code, stderr := runWithin(t, 10*time.Second, "", "-manifest", filepath.Join(dir, "bom.txt"), "-outdir", out)
	if _, err := os.Stat(filepath.Join(out, "a.wav")); code != 0 || err != nil {
		t.Errorf("manifest with a byte-order mark: exit %d: %s", code, stderr)
	}
}

// longScore is a JSON score of many sine voices that takes a while to
// render.
func longScore(voices int, seconds float64) string {
	var b strings.Builder
	b.WriteString(`{"sample_rate": 48000, "instruments": {"a": {"osc": "sine"}}, "notes": [`)
	for i := range voices {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"time": 0, "duration": %g, "instrument": "a", "key": %d, "gain": 0.001}`, seconds, 30+i%80)
	}
	b.WriteString("]}")
	return b.String()
}

// A render killed by SIGKILL leaves its temporary file; the next render
// of the output takes it over, and a batch removes those of outputs it
// does not render again, so nothing piles up.
func TestKilledRenderLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	writeFiles(t, dir, map[string]string{
		"long.json": longScore(2000, 120),
		"a.json":    `{"sample_rate": 8000, ` + okNote + `}`,
		"list":      "a.json\n",
	})
	os.Mkdir(out, 0o755)
	cmd := command(t, filepath.Join(dir, "long.json"), "-o", filepath.Join(out, "long.wav"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(out, ".long.wav"+bounce.TempSuffix)
	deadline := time.Now().Add(20 * time.Second)
	for {
		if fi, err := os.Stat(tmp); err == nil && fi.Size() > 0 {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("no temporary file appeared")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(tmp); err != nil {
		t.Fatalf("SIGKILL left no temporary file (%v): the test proves nothing", err)
	}
	code, _, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out)
	if code != exitOK || !strings.Contains(stderr, "removed 1 temporary file") {
		t.Errorf("batch: exit %d: %s", code, stderr)
	}
	if names := dirFiles(t, out); strings.Join(names, " ") != "a.wav" {
		t.Errorf("-outdir holds %v after the batch, want a.wav alone", names)
	}
}

// An output directory others can write to: a link planted at an output
// name is replaced, and the file it names left alone.
func TestBatchReplacesLinksInOutdir(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	os.Mkdir(out, 0o755)
	writeFiles(t, dir, map[string]string{"a.json": `{"sample_rate": 8000, ` + okNote + `}`, "list": "a.json\n", "victim": "precious"})
	if err := os.Symlink(filepath.Join(dir, "victim"), filepath.Join(out, "a.wav")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if code, _, stderr := runBounce(t, "", "-manifest", filepath.Join(dir, "list"), "-outdir", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "victim")); string(b) != "precious" {
		t.Error("the batch wrote through a link planted in -outdir")
	}
	if fi, err := os.Lstat(filepath.Join(out, "a.wav")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("a.wav is not the output (%v)", err)
	}
}

// A full disk (here a file-size limit) names the output, not the
// temporary file, and leaves nothing behind.
func TestFullDiskNamesTheOutput(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"long.json": longScore(2, 10)})
	out := filepath.Join(dir, "out.wav")
	cmd := command(t, filepath.Join(dir, "long.json"), "-o", out)
	cmd.Env = append(cmd.Env, "BOUNCE_TEST_FSIZE=100000")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	msg := stderr.String()
	if cmd.ProcessState.ExitCode() != exitFailed || strings.Count(msg, "\n") != 1 ||
		!strings.Contains(msg, out+": ") || strings.Contains(msg, bounce.TempSuffix) || !strings.Contains(msg, "file too large") {
		t.Errorf("exit %d: %q", cmd.ProcessState.ExitCode(), msg)
	}
	if names := dirFiles(t, dir); strings.Join(names, " ") != "long.json" {
		t.Errorf("left behind: %v", names)
	}
}

// -o - with standard output closed is an error, not a lost WAV.
func TestClosedStandardOutput(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.json": `{"sample_rate": 8000, ` + okNote + `}`})
	cmd := exec.Command("sh", "-c", `exec "$0" "$@" >&-`, os.Args[0], filepath.Join(dir, "a.json"), "-o", "-")
	cmd.Env = append(os.Environ(), "BOUNCE_TEST_RUN_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Run()
	if code := cmd.ProcessState.ExitCode(); code != exitFailed || !strings.Contains(stderr.String(), "standard output is closed") {
		t.Errorf("exit %d: %s", code, stderr.String())
	}
	// Standard output sent to /dev/null on purpose is fine.
	cmd = exec.Command("sh", "-c", `exec "$0" "$@" >/dev/null`, os.Args[0], filepath.Join(dir, "a.json"), "-o", "-")
	cmd.Env = append(os.Environ(), "BOUNCE_TEST_RUN_MAIN=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("-o - >/dev/null: %v: %s", err, out)
	}
}
