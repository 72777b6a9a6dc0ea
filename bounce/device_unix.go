//go:build unix

package bounce

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// pipeRetry is how often openDevice looks for the reader of a named pipe:
// a reader that comes later is found within 20 ms, at a cost of 50 failed
// opens a second.
const pipeRetry = 20 * time.Millisecond

// openDevice opens a device or named pipe for writing without blocking:
// open(2) of a pipe with no reader would wait for one forever, deaf to
// cancellation, so it is opened non-blocking and retried until a reader
// comes or ctx is cancelled.
func openDevice(ctx context.Context, path string) (*os.File, error) {
	for {
		f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if !errors.Is(err, syscall.ENXIO) { // ENXIO: a pipe without a reader
			return f, err
		}
		select {
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		case <-time.After(pipeRetry):
		}
	}
}
