package bounce

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/aether-audio/aether/wav"
)

// lookSox finds sox, or skips the test; with AETHER_REQUIRE_SOX set (as
// CI does) a missing sox fails it instead.
func lookSox(t *testing.T) string {
	t.Helper()
	sox, err := exec.LookPath("sox")
	if err != nil {
		if os.Getenv("AETHER_REQUIRE_SOX") != "" {
			t.Fatal("sox not found but AETHER_REQUIRE_SOX is set")
		}
		t.Skip("sox not installed; it is the outside check of the bounce output (set AETHER_REQUIRE_SOX=1 to require it)")
	}
	return sox
}

// soxField returns the number after label in sox's output.
func soxField(t *testing.T, out []byte, label string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + `\s*:?\s*(-?[0-9.]+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("sox output has no %q:\n%s", label, out)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// sox reads every format we write, and reports the duration, channels,
// rate and peak we rendered.
func TestBounceReadBySox(t *testing.T) {
	sox := lookSox(t)
	s := richScore(2)
	s.SampleRate = 44100 // a rate other than the default, so a wrong header shows
	s.Frames = 2*44100 + 17
	for _, f := range []wav.Format{wav.Float32, wav.PCM16, wav.PCM24} {
		path := filepath.Join(t.TempDir(), f.String()+".wav")
		res, err := RenderFile(context.Background(), s, path, Options{Format: f, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Peak >= 1 || res.Silent() {
			t.Fatalf("peak %v: the test needs an audible, unclipped render", res.Peak)
		}
		info, err := exec.Command(sox, "--i", path).CombinedOutput()
		if err != nil {
			t.Fatalf("sox --i %s: %v\n%s", f, err, info)
		}
		if got := soxField(t, info, "Channels"); got != 2 {
			t.Errorf("%v: sox says %v channels", f, got)
		}
		if got := soxField(t, info, "Sample Rate"); got != 44100 {
			t.Errorf("%v: sox says rate %v", f, got)
		}
		if m := regexp.MustCompile(`= (\d+) samples`).FindSubmatch(info); m == nil || string(m[1]) != fmt.Sprint(s.Frames) {
			t.Errorf("%v: sox --i does not give %d samples:\n%s", f, s.Frames, info)
		}
		if got := soxField(t, info, "Precision"); got != map[wav.Format]float64{wav.Float32: 25, wav.PCM16: 16, wav.PCM24: 24}[f] {
			t.Errorf("%v: sox says precision %v bits", f, got)
		}
		stat, err := exec.Command(sox, path, "-n", "stat").CombinedOutput()
		if err != nil {
			t.Fatalf("sox stat %s: %v\n%s", f, err, stat)
		}
		if got := soxField(t, stat, "Length (seconds)"); math.Abs(got-res.Seconds()) > 1e-5 {
			t.Errorf("%v: sox length %v s, rendered %v s", f, got, res.Seconds())
		}
		peak := math.Max(soxField(t, stat, "Maximum amplitude"), -soxField(t, stat, "Minimum amplitude"))
		// Dither adds up to 1 LSB of TPDF noise plus the rounding.
		tol := map[wav.Format]float64{wav.Float32: 1e-6, wav.PCM16: 2.0 / 32768, wav.PCM24: 2.0 / (1 << 23)}[f]
		if math.Abs(peak-float64(res.Peak)) > tol+1e-6 {
			t.Errorf("%v: sox peak %v, rendered %v", f, peak, res.Peak)
		}
	}
}
