//go:build linux

package bench

import (
	"strings"
	"testing"
)

// TestHoldZeroLatency checks that the latency request is either held, with
// an open file to release, or refused with the reason, in one line.
func TestHoldZeroLatency(t *testing.T) {
	f, held := holdZeroLatency()
	if strings.Contains(held, "\n") || !strings.HasPrefix(held, "CPU wake-up latency") {
		t.Errorf("report %q: want one line about the CPU wake-up latency", held)
	}
	if (f != nil) != strings.Contains(held, "held at 0") {
		t.Errorf("file %v but report %q", f, held)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			t.Errorf("releasing the request: %v", err)
		}
	}
}
