//go:build !unix

package bounce

import "io/fs"

// fileID would identify a file's contents; without inode numbers the
// cache keeps nothing.
type fileID struct{}

func identify(fs.FileInfo) (fileID, bool) { return fileID{}, false }
