package mix

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// forEachTier runs f as a subtest once per tier this CPU and build have,
// generic included, with that tier forced, and restores the best tier.
func forEachTier(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	have := Tiers()
	for _, w := range wantTiers() {
		if !slices.Contains(have, w) {
			t.Fatalf("this CPU has tier %s but Tiers() = %v", w, have)
		}
	}
	defer SetTier("best")
	for _, name := range have {
		if err := SetTier(name); err != nil {
			t.Fatal(err)
		}
		t.Run(name, f)
	}
}

func TestSetTier(t *testing.T) {
	defer SetTier("best")
	have := Tiers()
	if have[0] != "generic" {
		t.Fatalf("Tiers() = %v, want generic first", have)
	}
	if Tier() != have[len(have)-1] {
		t.Fatalf("default tier %s, want the best of %v", Tier(), have)
	}
	for _, name := range have {
		if err := SetTier(name); err != nil || Tier() != name {
			t.Fatalf("SetTier(%q) = %v, Tier() = %s", name, err, Tier())
		}
	}
	if err := SetTier("mmx"); !errors.Is(err, ErrUnknownTier) {
		t.Fatalf("SetTier(mmx) = %v, want ErrUnknownTier", err)
	}
	for _, name := range levelNames {
		if !slices.Contains(have, name) {
			if err := SetTier(name); !errors.Is(err, ErrTierUnavailable) {
				t.Fatalf("SetTier(%q) on %v = %v, want ErrTierUnavailable", name, have, err)
			}
		}
	}
	if Tier() != have[len(have)-1] {
		t.Fatalf("a failed SetTier changed the tier to %s", Tier())
	}
}

// TestTierEnv runs this test binary again with AETHER_KERNEL set and lets
// TestTierEnvChild report what init made of it.
func TestTierEnv(t *testing.T) {
	if os.Getenv("MIX_ENV_CHILD") != "" {
		t.Skip("in the child")
	}
	best := Tiers()[len(Tiers())-1]
	for _, c := range []struct{ env, tier, stderr string }{
		{"generic", "generic", ""},
		{best, best, ""},
		{"mmx", best, "AETHER_KERNEL=mmx: mix: unknown kernel tier"},
		{"neon", best, "not available"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTierEnvChild$", "-test.v")
		cmd.Env = append(os.Environ(), "MIX_ENV_CHILD="+c.tier, "AETHER_KERNEL="+c.env)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestTierEnvChild") {
			t.Fatalf("AETHER_KERNEL=%s: %v\n%s%s", c.env, err, out, stderr.String())
		}
		if !strings.Contains(stderr.String(), c.stderr) || (c.stderr == "") != (stderr.Len() == 0) {
			t.Fatalf("AETHER_KERNEL=%s: stderr %q, want %q", c.env, stderr.String(), c.stderr)
		}
	}
}

func TestTierEnvChild(t *testing.T) {
	want := os.Getenv("MIX_ENV_CHILD")
	if want == "" {
		t.Skip("run by TestTierEnv")
	}
	if Tier() != want {
		t.Fatalf("AETHER_KERNEL=%s gave tier %s, want %s", os.Getenv("AETHER_KERNEL"), Tier(), want)
	}
}
