package sf2

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks Linux to back p with 2 MiB pages (MADV_HUGEPAGE;
// transparent huge pages are commonly in "madvise" mode). The pool is
// written once, page by page, right after it is allocated: with 4 KiB
// pages FluidR3_GM's 296 MB take 72,000 page faults, which cost most of
// the load in a VM (docs/sf2.md). Only the 2 MiB-aligned interior is
// advised; a refusal changes nothing but speed.
func adviseHugePages(p []float32) {
	const huge = 2 << 20
	if len(p)*4 < 2*huge {
		return
	}
	start := uintptr(unsafe.Pointer(&p[0]))
	end := start + uintptr(len(p))*4
	lo := (start + huge - 1) &^ (huge - 1)
	hi := end &^ (huge - 1)
	b := unsafe.Slice((*byte)(unsafe.Pointer(&p[(lo-start)/4])), hi-lo)
	_ = unix.Madvise(b, unix.MADV_HUGEPAGE)
}
