// Package wav reads RIFF/WAVE files for sample instruments and writes the
// stereo WAV stream of an offline bounce.
//
// The reader accepts PCM 16/24/32-bit, IEEE float32 and WAVE_FORMAT_EXTENSIBLE
// wrappers of those, mono or stereo, and returns planar float32 channels
// (one slice per channel), because sample playback reads one channel at a
// time. The writer streams a header that is correct before the first sample,
// so it works on pipes and standard output.
package wav

import (
	"errors"
	"fmt"

	"github.com/aether-audio/aether/internal/errtext"
)

// Errors returned by this package, wrapped with the input's name and the
// byte offset; test them with errors.Is.
var (
	// ErrNotWAV: the input is not a RIFF/WAVE file.
	ErrNotWAV = errors.New("not a RIFF/WAVE file")
	// ErrTruncated: a chunk or the sample data ends before its declared size.
	ErrTruncated = errors.New("truncated")
	// ErrUnsupported: a valid WAV whose encoding this package does not read.
	ErrUnsupported = errors.New("unsupported encoding")
	// ErrCorrupt: a header field contradicts itself or the file.
	ErrCorrupt = errors.New("corrupt")
	// ErrLimit: the input exceeds a size limit.
	ErrLimit = errors.New("limit exceeded")
	// ErrFrameCount: a Writer was closed or fed with a frame count other
	// than the one promised to NewWriter.
	ErrFrameCount = errors.New("frame count mismatch")
)

// Audio is decoded sample data: Channels[c][i] is frame i of channel c,
// scaled to [-1, 1). All channels have the same length.
type Audio struct {
	Rate     int
	Channels [][]float32
}

// Frames returns the number of sample frames.
func (a *Audio) Frames() int {
	if len(a.Channels) == 0 {
		return 0
	}
	return len(a.Channels[0])
}

// errAt formats the one-line error every failure of this package returns.
func errAt(name string, off int64, err error, format string, args ...any) error {
	return fmt.Errorf("%s: byte 0x%x: %w: %s", errtext.Name(name), off, err, fmt.Sprintf(format, args...))
}
