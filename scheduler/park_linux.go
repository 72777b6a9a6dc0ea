//go:build linux

package scheduler

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// parker puts a worker's own OS thread to sleep on a futex. A Go channel
// would wake the worker through the Go scheduler: the woken goroutine goes
// to the waker's run queue and, when it is locked to a thread of its own (a
// real-time render thread, see Config.ThreadInit), is handed to that thread
// by yet another runtime thread of ordinary priority. Measured in paced
// render-bench runs, that put the second worker's wake-up after most of the
// block, so two workers rendered no faster than one. A futex wakes the
// sleeping thread directly, at its own priority.
// The futex operations, from linux/futex.h (stable kernel ABI; x/sys/unix
// does not export them). PRIVATE: the word is not shared with other
// processes, which spares the kernel a lookup.
const (
	futexWaitPrivate = 0 | 128 // FUTEX_WAIT | FUTEX_PRIVATE_FLAG
	futexWakePrivate = 1 | 128 // FUTEX_WAKE | FUTEX_PRIVATE_FLAG
)

type parker struct {
	parked atomic.Uint32 // 1 while the worker is, or is about to be, asleep
}

func (p *parker) init() {}

// sleep returns once wake has cleared the flag. FUTEX_WAIT sleeps only if
// the flag still reads 1, so a wake between the check and the sleep is not
// lost; spurious returns (signals) just check again.
func (p *parker) sleep() {
	for p.parked.Load() == 1 {
		unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&p.parked)),
			futexWaitPrivate, 1, 0, 0, 0)
	}
}

// wake wakes the sleeper after the caller has cleared the flag.
func (p *parker) wake() {
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&p.parked)),
		futexWakePrivate, 1, 0, 0, 0)
}
