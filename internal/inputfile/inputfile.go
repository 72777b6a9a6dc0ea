// Package inputfile opens the files the readers are given (scores, MIDI
// files, WAV samples, manifests) so that no input can hang or exhaust the
// process: a file is opened without blocking (a named pipe with no writer
// would otherwise block open(2) forever), refused unless it is a regular
// file, and read within a byte budget into a buffer sized from its length.
package inputfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/aether-audio/aether/internal/errtext"
)

// ErrNotRegular: the path names a directory, a named pipe, a device or a
// socket, which no reader accepts as input.
var ErrNotRegular = errors.New("not a regular file")

// Open opens the regular file at path for reading and returns it with its
// size. Anything else is refused with an error wrapping ErrNotRegular that
// says what the path is. Errors are one line, "PATH: reason", the path
// quoted if it holds control or format characters.
func Open(path string) (*os.File, int64, error) {
	f, size, err := check(os.OpenFile(path, os.O_RDONLY|oNonblock, 0))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, 0, fmt.Errorf("%s: %w", errtext.Name(path), err)
	}
	return f, size, nil
}

// OpenIn is Open for name inside root: name cannot leave root, by ".." or
// through a symbolic link (see os.Root). Its errors are *fs.PathError.
func OpenIn(root *os.Root, name string) (*os.File, int64, error) {
	return check(root.OpenFile(name, os.O_RDONLY|oNonblock, 0))
}

func check(f *os.File, err error) (*os.File, int64, error) {
	if err != nil {
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, &fs.PathError{Op: "open", Path: f.Name(), Err: fmt.Errorf("%w: %s", ErrNotRegular, Kind(fi.Mode()))}
	}
	return f, fi.Size(), nil
}

// Kind names a file mode's type for an error message.
func Kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "is a directory"
	case m&fs.ModeNamedPipe != 0:
		return "is a named pipe"
	case m&fs.ModeSocket != 0:
		return "is a socket"
	case m&fs.ModeDevice != 0:
		return "is a device"
	case m&fs.ModeSymlink != 0:
		return "is a symbolic link"
	}
	return "is not a regular file"
}

// Size returns the length of r when r is a regular file, and -1 when it
// cannot be known before reading (a pipe, a network stream).
func Size(r io.Reader) int64 {
	if s, ok := r.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := s.Stat(); err == nil && fi.Mode().IsRegular() {
			return fi.Size()
		}
	}
	return -1
}

// ReadAll reads r to its end, but never more than limit+1 bytes, and
// reports whether r holds more than limit. size, when known (see Size),
// sizes the buffer up front, so a file costs its length in memory rather
// than the up to twice as much of a growing buffer; a size over limit
// returns at once without reading.
func ReadAll(r io.Reader, size, limit int64) (data []byte, tooLarge bool, err error) {
	if size > limit {
		return nil, true, nil
	}
	c := 512
	if size >= 0 {
		c = int(size) + 1 // +1: room to see the end, or growth
	}
	buf := make([]byte, 0, c)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := cap(buf)
		if rest := limit + 1 - int64(len(buf)); int64(room-len(buf)) > rest {
			room = len(buf) + int(rest)
		}
		n, err := r.Read(buf[len(buf):room])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, true, nil
		}
		if err == io.EOF {
			return buf, false, nil
		}
		if err != nil {
			return nil, false, err
		}
	}
}
