package wav

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSoxReadsOutput checks the writer's files with an outside reader:
// sox must report the rate, channels, length and peak we wrote.
func TestSoxReadsOutput(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox not installed; it is the outside check of the WAV writer")
	}
	const frames = 4800
	l, r := make([]float32, frames), make([]float32, frames)
	for i := range l {
		l[i] = float32(0.5 * math.Sin(2*math.Pi*440*float64(i)/48000))
		r[i] = float32(0.25 * math.Sin(2*math.Pi*660*float64(i)/48000))
	}
	for _, f := range []Format{Float32, PCM16, PCM24} {
		t.Run(f.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.wav")
			if err := os.WriteFile(path, bounce(t, f, 3, l, r, 1000), 0o644); err != nil {
				t.Fatal(err)
			}
			info, err := exec.Command(sox, "--i", path).CombinedOutput()
			if err != nil {
				t.Fatalf("sox --i: %v\n%s", err, info)
			}
			for _, want := range []string{"Channels       : 2", "Sample Rate    : 48000", "= 4800 samples", "Precision      : " + map[Format]string{Float32: "25-bit", PCM16: "16-bit", PCM24: "24-bit"}[f]} {
				if !strings.Contains(string(info), want) {
					t.Errorf("sox --i does not say %q:\n%s", want, info)
				}
			}
			stat, err := exec.Command(sox, path, "-n", "stat").CombinedOutput()
			if err != nil {
				t.Fatalf("sox stat: %v\n%s", err, stat)
			}
			m := regexp.MustCompile(`Maximum amplitude:\s+([0-9.]+)`).FindSubmatch(stat)
			if m == nil {
				t.Fatalf("no peak in sox stat:\n%s", stat)
			}
			peak, _ := strconv.ParseFloat(string(m[1]), 64)
			if math.Abs(peak-0.5) > 0.001 {
				t.Errorf("sox peak %v, want 0.5", peak)
			}
		})
	}
}
