// Package testfiles finds the test data shared by every developer and CI
// (../shared/testdata beside the repository) and reads what the project's
// docs promise about it, and reports the memory a benchmark's load took.
// Only tests import it.
package testfiles

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Find returns the shared test-data folder sub (for example
// "midi-jazz-soft"), walking up from the current directory, which is the
// package's under go test, or "" when there is none.
func Find(sub string) string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, "shared", "testdata", sub)
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Dir is Find for tests that need the data: it skips the test, saying
// why, when the shared test data is absent.
func Dir(tb testing.TB, sub string) string {
	tb.Helper()
	p := Find(sub)
	if p == "" {
		tb.Skipf("shared test data %q not found beside the repository (../shared/testdata): skipping", sub)
	}
	return p
}

// CorpusOutcomes reads the per-file outcome table of the MIDI page (doc,
// docs/midi.md): file name -> "plays", "silent by design" or "rejected",
// the documented expectations for the jazz-soft corpus.
func CorpusOutcomes(tb testing.TB, doc string) map[string]string {
	tb.Helper()
	f, err := os.Open(doc)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) > 3 && strings.HasSuffix(strings.TrimSpace(cells[1]), ".mid") {
			out[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
		}
	}
	if len(out) < 70 {
		tb.Fatalf("%s: found %d corpus rows, want the whole table", doc, len(out))
	}
	return out
}
