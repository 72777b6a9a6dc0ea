package bench

import "golang.org/x/sys/unix"

// osRelease names the operating system and its kernel release, as uname
// reports them: "Linux 6.18.44".
func osRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "Linux"
	}
	return unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:])
}
