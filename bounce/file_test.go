//go:build unix

package bounce

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A temporary file left by a killed render (SIGKILL leaves no chance to
// remove it) is taken over by the next render of the same output, and
// CleanTemp removes those no render holds; a held one is left alone, and
// a second render of an output being written fails with ErrBusy.
func TestTemporaryFilesDoNotPileUp(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.wav")
	stale := filepath.Join(dir, ".out.wav"+TempSuffix)
	other := filepath.Join(dir, ".other.wav"+TempSuffix)
	for _, p := range []string{stale, other} {
		if err := os.WriteFile(p, bytes.Repeat([]byte("x"), 1<<20), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := sineScore(2, 0.1)
	want, _ := bounceBytes(t, s, Options{})
	if _, err := RenderFile(context.Background(), s, out, Options{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Error("output differs from the stream")
	}
	if names := dirNames(t, dir); strings.Join(names, " ") != ".other.wav"+TempSuffix+" out.wav" {
		t.Errorf("after a render over a stale temporary file: %v", names)
	}
	held, err := lockTemp(filepath.Join(dir, ".held.wav"+TempSuffix))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := CleanTemp(dir); n != 1 || err != nil {
		t.Errorf("CleanTemp removed %d (%v), want 1", n, err)
	}
	if names := dirNames(t, dir); strings.Join(names, " ") != ".held.wav"+TempSuffix+" out.wav" {
		t.Errorf("after CleanTemp: %v", names)
	}
	_, err = RenderFile(context.Background(), s, filepath.Join(dir, "held.wav"), Options{})
	if !errors.Is(err, ErrBusy) || strings.Contains(err.Error(), TempSuffix) {
		t.Errorf("render of an output being written: %v", err)
	}
	held.Close()
	if _, err := RenderFile(context.Background(), s, filepath.Join(dir, "held.wav"), Options{}); err != nil {
		t.Errorf("once released: %v", err)
	}
	assertOnly(t, dir, "held.wav", "out.wav")
}

// A symbolic link at the output is followed, a dangling one too (the file
// it names is created and the link kept), unless ReplaceLinks is set:
// then the link itself is replaced and its target left alone. A link
// planted at the temporary file's name is never written through.
func TestOutputLinks(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{"dangling.wav": "made.wav", "shared.wav": victim, ".planted.wav" + TempSuffix: victim}
	for name, to := range links {
		if err := os.Symlink(to, filepath.Join(dir, name)); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	s := sineScore(1, 0.1)
	if _, err := RenderFile(context.Background(), s, filepath.Join(dir, "dangling.wav"), Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "dangling.wav")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the dangling link was replaced")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "made.wav")); !bytes.HasPrefix(b, []byte("RIFF")) {
		t.Error("the dangling link's target was not written")
	}
	if _, err := RenderFile(context.Background(), s, filepath.Join(dir, "shared.wav"), Options{ReplaceLinks: true}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "shared.wav")); err != nil || !fi.Mode().IsRegular() {
		t.Error("ReplaceLinks: the link is still there")
	}
	if _, err := RenderFile(context.Background(), s, filepath.Join(dir, "planted.wav"), Options{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the link's target was written: %q", b[:min(len(b), 8)])
	}
	assertOnly(t, dir, "dangling.wav", "made.wav", "planted.wav", "shared.wav", "victim")
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	if got := dirNames(t, dir); strings.Join(got, " ") != strings.Join(names, " ") {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}
