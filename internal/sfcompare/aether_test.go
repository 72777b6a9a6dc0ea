package sfcompare

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var reportDir = flag.String("sfcompare.report", "", "write each comparison's figures to a file in this directory")

// writeReport writes text to the file name in the report directory, when
// one is given.
func writeReport(t *testing.T, name, text string) {
	t.Helper()
	if *reportDir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(*reportDir, name), []byte(text), 0o644); err != nil {
		t.Error(err)
	}
}

// Aether's render of FluidR3_GM against FluidSynth's, probe note by probe
// note: at least 98 % of the notes within every tolerance.
func TestAetherAgainstFluidSynth(t *testing.T) {
	needReference(t)
	cmp := compareProbes(t, reference, aether, fluidR3, testing.Short())
	sum := cmp.summary()
	fails := cmp.failures()
	t.Log("\n" + sum)
	for _, f := range fails {
		t.Log(f)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "fluidsynth %s against %s, %s probe set\n\n", fluidVersion, aether.name, map[bool]string{true: "short", false: "full"}[testing.Short()])
	b.WriteString(sum)
	b.WriteString("\nnotes outside the tolerances:\n")
	for _, f := range fails {
		b.WriteString("- " + f + "\n")
	}
	writeReport(t, "probes-aether.txt", b.String())
	if pass, total := cmp.passed(); float64(pass) < minPassShare*float64(total) {
		t.Errorf("%d of %d notes within every tolerance, want %.0f %%", pass, total, 100*minPassShare)
	}
}
