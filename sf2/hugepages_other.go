//go:build !linux

package sf2

// adviseHugePages is a no-op outside Linux.
func adviseHugePages([]float32) {}
