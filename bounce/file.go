package bounce

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/score"
)

// fileBuffer is the write buffer of RenderFile: 256 KiB turns the WAV
// writer's 4 to 8 KiB chunks into few, large system calls.
const fileBuffer = 256 << 10

// TempSuffix ends the name of the temporary file RenderFile writes beside
// its output: ".NAME.wav" + TempSuffix.
const TempSuffix = ".bounce-tmp"

// maxLinks bounds the symbolic links RenderFile follows from path, as the
// kernel does (ELOOP).
const maxLinks = 40

// ErrBusy: another render, in this process or another, is writing the
// same output now.
var ErrBusy = errors.New("bounce: another render is writing this output")

// RenderFile renders s into the file at path without ever leaving a
// half-written file there: it writes a temporary file beside it (named
// after it: ".NAME.wav.bounce-tmp"), syncs it to disk and renames it over
// path only when the whole render succeeded (and opt.Accept approved it).
// On any error (a bad score, a full disk, a cancelled ctx) the temporary
// file is removed and path is untouched. The temporary file is locked
// while it is written, so two renders of one output fail (ErrBusy)
// instead of mixing, and one left by a killed process is reused by the
// next render of the same output, or removed by CleanTemp.
//
// The file is created with mode 0644. A symbolic link at path is
// followed, even one whose target does not exist yet, so the file it
// names is written and the link kept, unless opt.ReplaceLinks is set. A
// path that is neither a regular file nor absent (a device such as
// /dev/null, a named pipe) is written directly, since it cannot be
// replaced. Errors are one line and name path or the score.
func RenderFile(ctx context.Context, s *score.Score, path string, opt Options) (res Result, err error) {
	name := errtext.Name(path)
	target := path
	if !opt.ReplaceLinks {
		if target, err = resolveLinks(path); err != nil {
			return res, fmt.Errorf("%s: cannot write output: %w", name, withoutPath(err))
		}
	}
	if fi, err := os.Lstat(target); err == nil {
		switch {
		case fi.IsDir():
			return res, fmt.Errorf("%s: cannot write output: is a directory", name)
		case !fi.Mode().IsRegular() && !opt.ReplaceLinks:
			return renderInto(ctx, s, name, target, opt)
		}
	}
	tmp := filepath.Join(filepath.Dir(target), "."+filepath.Base(target)+TempSuffix)
	f, err := lockTemp(tmp)
	if err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", name, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp) // still ours: the lock is held until f closes
		}
		f.Close()
	}()
	bw := bufio.NewWriterSize(namedWriter{f, name}, fileBuffer)
	if res, err = Render(ctx, s, bw, opt); err != nil {
		return res, err
	}
	if err = bw.Flush(); err != nil {
		return res, fmt.Errorf("%s: %w", name, withoutPath(err))
	}
	if opt.Accept != nil {
		if err = opt.Accept(res); err != nil {
			return res, err
		}
	}
	if err = f.Chmod(0o644); err != nil {
		return res, fmt.Errorf("%s: %w", name, withoutPath(err))
	}
	if err = f.Sync(); err != nil {
		return res, fmt.Errorf("%s: %w", name, withoutPath(err))
	}
	if err = os.Rename(tmp, target); err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", name, withoutPath(err))
	}
	return res, nil
}

// resolveLinks follows the symbolic links from path to the file they end
// at, which need not exist yet (a dangling link names the file to create).
func resolveLinks(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || err == nil && fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		to, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return "", errors.New("too many levels of symbolic links")
}

// lockTemp opens the temporary file at path, creating it or taking over
// one a killed render left, and locks it. It never follows a symbolic
// link planted at path, and if another render holds the file it fails
// with ErrBusy. The file is emptied once it is ours.
func lockTemp(path string) (*os.File, error) {
	for range 3 {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
			os.Remove(path) // planted, or left by hand: never written through
		}
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|oNoFollow, 0o600)
		if err != nil {
			return nil, withoutPath(err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			return nil, err
		}
		// The holder before us may have renamed the file into place and
		// let go: then path names another file (or none), and this one is
		// someone's output.
		if still(f, path) {
			if err := f.Truncate(0); err != nil {
				f.Close()
				return nil, withoutPath(err)
			}
			return f, nil
		}
		f.Close()
	}
	return nil, ErrBusy
}

// still reports whether path still names the open file f.
func still(f *os.File, path string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Lstat(path)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// CleanTemp removes the temporary files RenderFile left in dir when its
// process was killed (SIGKILL, a power cut): the ".NAME.wav.bounce-tmp"
// files no running render holds. It returns how many it removed. A batch
// that writes into one directory calls it first; a render of the same
// output would reuse its file anyway, so only outputs never rendered again
// need it.
func CleanTemp(dir string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || !strings.HasPrefix(n, ".") || !strings.HasSuffix(n, TempSuffix) {
			continue
		}
		path := filepath.Join(dir, n)
		f, err := os.OpenFile(path, os.O_RDWR|oNoFollow, 0)
		if err != nil {
			continue
		}
		if lockFile(f) == nil && still(f, path) && os.Remove(path) == nil {
			removed++
		}
		f.Close()
	}
	return removed, nil
}

// namedWriter writes to a file, and names path rather than the file in
// its errors: a full disk reports the output the user asked for, not the
// temporary file.
type namedWriter struct {
	f    *os.File
	name string
}

func (w namedWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &fs.PathError{Op: "write", Path: w.name, Err: withoutPath(err)}
	}
	return n, err
}

// renderInto writes the render straight into target, an existing device or
// named pipe, which has no half-written state to avoid and cannot be
// renamed over. Waiting for a pipe's reader, and writing to it, end when
// ctx is cancelled. name is the output as errors show it.
func renderInto(ctx context.Context, s *score.Score, name, target string, opt Options) (res Result, err error) {
	f, err := openDevice(ctx, target)
	if err != nil {
		return res, fmt.Errorf("%s: cannot write output: %w", name, withoutPath(err))
	}
	// A write blocked on a stalled reader returns once the deadline is
	// set (devices that cannot take one never block).
	defer context.AfterFunc(ctx, func() { f.SetWriteDeadline(time.Unix(1, 0)) })()
	bw := bufio.NewWriterSize(namedWriter{f, name}, fileBuffer)
	res, err = Render(ctx, s, bw, opt)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("%s: %w", name, withoutPath(cerr))
	}
	if err != nil {
		return res, err
	}
	if opt.Accept != nil {
		return res, opt.Accept(res)
	}
	return res, nil
}

// withoutPath drops the file name an os error carries: the message names
// the output instead, the same on every run.
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
