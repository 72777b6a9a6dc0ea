//go:build unix

package bounce

import (
	"io/fs"
	"syscall"
)

// fileID identifies a file's contents: the same file under any path (a
// hard link, "a/../b", /proc/self/root/...) has the same ID, and a file
// rewritten in place gets another.
type fileID struct {
	dev, ino    uint64
	size, mtime int64
}

func identify(fi fs.FileInfo) (fileID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), size: fi.Size(), mtime: fi.ModTime().UnixNano()}, true
}
