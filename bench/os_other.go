//go:build !linux

package bench

import "runtime"

// osRelease names the operating system; its release is read on Linux only.
func osRelease() string { return runtime.GOOS }
