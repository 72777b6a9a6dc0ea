package aether

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/aether-audio/aether/score"
)

// fileBuffer is the write buffer of BounceFile: 256 KiB turns the WAV
// writer's 4 to 8 KiB chunks into few, large system calls.
const fileBuffer = 256 << 10

// BounceFile bounces s into the file at path without ever leaving a
// half-written file there: it writes a temporary file in the same
// directory, syncs it to disk and renames it over path only when the whole
// bounce succeeded; on any error (a bad score, a full disk, a cancelled
// ctx) the temporary file is removed and path is untouched. The file is
// created with mode 0644. Errors name path or the score.
func BounceFile(ctx context.Context, s *score.Score, path string, opt BounceOptions) (res BounceResult, err error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return res, fmt.Errorf("%s: cannot write output: is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", path, withoutPath(err))
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	bw := bufio.NewWriterSize(f, fileBuffer)
	if res, err = Bounce(ctx, s, bw, opt); err != nil {
		return res, err
	}
	if err = bw.Flush(); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Chmod(0o644); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Sync(); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", path, withoutPath(err))
	}
	return res, nil
}

// withoutPath drops the temporary file's random name from an error: the
// message names path instead, the same on every run.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
