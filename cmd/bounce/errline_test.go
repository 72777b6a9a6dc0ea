package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestErrLineIsOnePrintableBoundedLine(t *testing.T) {
	got := errLine(errors.New("man/x\r.mid\x00y: bad\n\x1b[2J" + strings.Repeat("9", 100000)))
	if strings.ContainsAny(got, "\r\n\x00\x1b") {
		t.Fatalf("control characters left in %q", got[:60])
	}
	for _, want := range []string{`x\r.mid\x00y`, `bad\n\x1b[2J`, "bytes cut"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got[:80], want)
		}
	}
	if len(got) > maxErrLine+40 {
		t.Errorf("line of %d bytes, want about %d", len(got), maxErrLine)
	}
	if got := errLine(errors.New("a\ufeffb\u202ec\u200bd")); got != `a\ufeffb\u202ec\u200bd` {
		t.Errorf("format characters: %q", got)
	}
	if s := errLine(errors.New("plain error: π")); s != "plain error: π" {
		t.Errorf("a printable message changed: %q", s)
	}
}

// A manifest line with a carriage return names a file that does not exist;
// the error about it must still be one line on the terminal.
func TestManifestControlBytesEscaped(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.txt")
	if err := os.WriteFile(manifest, []byte("a\rb.mid\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runBounce(t, "", "-manifest", manifest, "-outdir", filepath.Join(dir, "out"))
	if code != exitFailed || strings.Contains(stderr, "\r") || !strings.Contains(stderr, `a\rb.mid`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
