//go:build !unix

package bounce

import (
	"context"
	"os"
)

// openDevice opens a device for writing.
func openDevice(_ context.Context, path string) (*os.File, error) {
	return os.OpenFile(path, os.O_WRONLY, 0)
}
