package aether

import (
	"os"
	"strings"
	"testing"
)

// TestGettingStartedShowsTheBuiltProgram: the program the Engine's
// getting-started page shows is examples/play/main.go, which CI builds, to
// the byte.
func TestGettingStartedShowsTheBuiltProgram(t *testing.T) {
	doc, err := os.ReadFile("docs/getting-started-engine.md")
	if err != nil {
		t.Fatal(err)
	}
	prog, err := os.ReadFile("examples/play/main.go")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```go\n")
	shown, _, ok2 := strings.Cut(rest, "```\n")
	if !ok || !ok2 {
		t.Fatal("no Go code block in docs/getting-started-engine.md")
	}
	if shown != string(prog) {
		t.Fatal("docs/getting-started-engine.md shows a program other than examples/play/main.go")
	}
}
