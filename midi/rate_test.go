package midi

import (
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
)

// The built-in instruments filter at up to several kHz (hats at 7 kHz):
// at a low sample rate their cutoffs must move under Nyquist, or every
// file using them would be refused.
func TestLowSampleRateKeepsFiltersValid(t *testing.T) {
	dir := testfiles.Dir(t, "midi-jazz-soft")
	for _, name := range []string{"test-all-gm-percussion.mid", "test-all-gm-sounds.mid"} {
		for _, rate := range []int{8000, 11025, 16000} {
			s, err := ReadFile(filepath.Join(dir, name), Options{SampleRate: rate})
			if err != nil {
				t.Fatalf("%s at %d Hz: %v", name, rate, err)
			}
			if len(s.Notes) == 0 {
				t.Fatalf("%s at %d Hz: no notes", name, rate)
			}
			for _, in := range s.Instruments {
				if in.Filter != nil && in.Filter.Cutoff >= float64(rate)/2 {
					t.Fatalf("%s at %d Hz: %s cutoff %v at or above Nyquist", name, rate, in.Name, in.Filter.Cutoff)
				}
			}
		}
	}
}
