package sfcompare

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var reportPath = flag.String("sfcompare.report", "", "write the comparison with FluidSynth (figures and failing notes) to this file")

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
	if *reportPath != "" {
		var b strings.Builder
		fmt.Fprintf(&b, "fluidsynth %s against %s, %s probe set\n\n", fluidVersion, aether.name, map[bool]string{true: "short", false: "full"}[testing.Short()])
		b.WriteString(sum)
		b.WriteString("\nnotes outside the tolerances:\n")
		for _, f := range fails {
			b.WriteString("- " + f + "\n")
		}
		if err := os.WriteFile(*reportPath, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
	if pass, total := cmp.passed(); float64(pass) < minPassShare*float64(total) {
		t.Errorf("%d of %d notes within every tolerance, want %.0f %%", pass, total, 100*minPassShare)
	}
}
