//go:build !linux

package bench

import (
	"context"
	"fmt"
)

// pacedLoop needs clock_nanosleep with TIMER_ABSTIME, which only the Linux
// build uses; elsewhere paced mode is refused rather than paced badly.
func (r *Runner) pacedLoop(context.Context, Synth, *player) (int, int, error) {
	return 0, 0, fmt.Errorf("paced mode needs Linux: %w", ErrUnsupported)
}

// pacer is empty where paced mode is refused.
type pacer struct{}

func (r *Runner) startPacer() bool { return false }

func (r *Runner) stopPacer() {}

// RealtimeThread does nothing where paced mode is refused.
func RealtimeThread(int) string { return "SCHED_OTHER (real-time threads need Linux)" }
