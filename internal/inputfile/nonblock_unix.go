//go:build unix

package inputfile

import "syscall"

// oNonblock makes open(2) return at once on a named pipe with no writer.
const oNonblock = syscall.O_NONBLOCK
