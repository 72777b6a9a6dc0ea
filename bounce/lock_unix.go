//go:build unix

package bounce

import (
	"errors"
	"os"
	"syscall"
)

// oNoFollow makes opening a temporary file fail on a symbolic link, which
// whoever can write to the output directory could plant to aim the write
// at another file.
const oNoFollow = syscall.O_NOFOLLOW

// lockFile takes an exclusive lock on f without waiting (flock, which the
// kernel drops when the process dies however it dies); ErrBusy when
// another holds it.
func lockFile(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return ErrBusy
		}
		return err
	}
}
