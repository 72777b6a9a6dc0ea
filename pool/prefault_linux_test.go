//go:build linux

package pool

import (
	"os"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestAlignedSamplesArePrefaulted checks with mincore that every page of a
// large AlignedSamples slice is resident when it is returned, so a render
// that first touches one of its buffers takes no page fault.
func TestAlignedSamplesArePrefaulted(t *testing.T) {
	const n = 16 << 20 / 4 // 16 MiB: a fresh allocation from the OS
	s := AlignedSamples(n)
	page := os.Getpagesize()
	first := unsafe.Pointer(&s[0])
	start := unsafe.Add(first, -int(uintptr(first)%uintptr(page))) // page-aligned
	size := int(uintptr(unsafe.Pointer(&s[n-1])) + 4 - uintptr(start))
	vec := make([]byte, (size+page-1)/page)
	_, _, errno := unix.Syscall(unix.SYS_MINCORE, uintptr(start), uintptr(size), uintptr(unsafe.Pointer(&vec[0])))
	if errno != 0 {
		t.Skipf("mincore: %v", errno)
	}
	missing := 0
	for _, v := range vec {
		if v&1 == 0 {
			missing++
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d pages not resident after AlignedSamples", missing, len(vec))
	}
}
