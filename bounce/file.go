package bounce

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aether-audio/aether/score"
)

// fileBuffer is the write buffer of RenderFile: 256 KiB turns the WAV
// writer's 4 to 8 KiB chunks into few, large system calls.
const fileBuffer = 256 << 10

// RenderFile renders s into the file at path without ever leaving a
// half-written file there: it writes a temporary file in the same
// directory, syncs it to disk and renames it over path only when the whole
// render succeeded (and opt.Accept approved it); on any error (a bad score,
// a full disk, a cancelled ctx) the temporary file is removed and path is
// untouched. The file is created with mode 0644. A symbolic link at path
// is followed, so the file it names is replaced and the link kept; a path
// that is neither a regular file nor absent (a device such as /dev/null, a
// named pipe) is written directly, since it cannot be replaced. Errors name
// path or the score.
func RenderFile(ctx context.Context, s *score.Score, path string, opt Options) (res Result, err error) {
	target := path
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real
	}
	if fi, err := os.Stat(target); err == nil {
		switch {
		case fi.IsDir():
			return res, fmt.Errorf("%s: cannot write output: is a directory", path)
		case !fi.Mode().IsRegular():
			return renderInto(ctx, s, path, target, opt)
		}
	}
	f, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".*.tmp")
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
	if res, err = Render(ctx, s, bw, opt); err != nil {
		return res, err
	}
	if err = bw.Flush(); err != nil {
		return res, fmt.Errorf("%s: %w", path, withoutPath(err))
	}
	if opt.Accept != nil {
		if err = opt.Accept(res); err != nil {
			return res, err
		}
	}
	if err = f.Chmod(0o644); err != nil {
		return res, fmt.Errorf("%s: %w", path, withoutPath(err))
	}
	if err = f.Sync(); err != nil {
		return res, fmt.Errorf("%s: %w", path, withoutPath(err))
	}
	if err = f.Close(); err != nil {
		return res, fmt.Errorf("%s: %w", path, withoutPath(err))
	}
	if err = os.Rename(f.Name(), target); err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", path, withoutPath(err))
	}
	return res, nil
}

// renderInto writes the render straight into target, an existing device or
// named pipe, which has no half-written state to avoid and cannot be
// renamed over. Waiting for a pipe's reader, and writing to it, end when
// ctx is cancelled.
func renderInto(ctx context.Context, s *score.Score, path, target string, opt Options) (res Result, err error) {
	f, err := openDevice(ctx, target)
	if err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", path, withoutPath(err))
	}
	// A write blocked on a stalled reader returns once the deadline is
	// set (devices that cannot take one never block).
	defer context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })()
	bw := bufio.NewWriterSize(f, fileBuffer)
	res, err = Render(ctx, s, bw, opt)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return res, fmt.Errorf("%s: %w", path, withoutPath(err))
	}
	if opt.Accept != nil {
		return res, opt.Accept(res)
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
