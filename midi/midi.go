// Package midi reads Standard MIDI Files (formats 0, 1 and 2) into a
// score.Score: notes by channel, key and velocity that play presets of
// the renderer's instrument bank (the program and bank select of their
// channel, or the drum kit on channel 10), channel controls (volume, pan,
// expression, pitch bend, pressure, the registered parameters) at their
// frames, and the sustain pedal, all notes off and re-struck keys resolved
// into note lengths.
//
// The reader is tolerant where real players are and where the meaning is
// unambiguous, and strict where a file cannot be read reliably; the exact
// behaviour and the outcome for every file of the jazz-soft test corpus are
// in docs/midi.md. In short:
//
//   - Format 0 and 1 tracks play together on one tempo map collected from
//     all tracks; format 2 tracks play one after another, each with its own
//     tempo map. A format 0 file with several tracks is read as format 1.
//   - Running status survives meta and sysex events. System common and
//     real-time bytes (0xF1..0xF6, 0xF8..0xFE), which have no place in a
//     file, are skipped with the data bytes their message defines.
//   - Unknown chunks, up to 7 trailing bytes after the last chunk and
//     tracks beyond the header's count are accepted; a chunk whose length
//     runs past the end of the file, fewer tracks than the header
//     declares, a truncated event, a variable-length quantity over 4
//     bytes, or a data byte with no status to run on is an error.
package midi

import (
	"errors"
	"fmt"
	"io"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
	"github.com/aether-audio/aether/score"
)

// Errors returned by this package, wrapped with the input's name and the
// place (track and byte offset); test them with errors.Is.
var (
	// ErrNotMIDI: the input does not start with an MThd header chunk.
	ErrNotMIDI = errors.New("not a Standard MIDI File")
	// ErrTruncated: a chunk or event ends before its declared size.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: the bytes cannot be read as MIDI events reliably.
	ErrCorrupt = errors.New("corrupt")
	// ErrUnsupported: a valid header this reader does not play.
	ErrUnsupported = errors.New("unsupported")
	// ErrLimit is score.ErrLimit: the file exceeds a limit of Options.
	ErrLimit = score.ErrLimit
)

// DefaultSampleRate is the render rate used when Options.SampleRate is 0.
const DefaultSampleRate = block.DefaultRate

// DefaultMaxBytes bounds the file size when Options.MaxBytes is 0: the
// largest real-world MIDI files are a few MiB, and a hostile file of
// 3-byte events costs about 32 bytes of events per file byte (twice that
// while multi-track files are merged), under 200 MiB at this size.
const DefaultMaxBytes = 8 << 20

// Options configures the reader.
type Options struct {
	// SampleRate is the render rate in Hz (default DefaultSampleRate).
	SampleRate int
	// Limits bound notes, controls and duration; zero fields take the
	// defaults of score.DefaultLimits.
	Limits score.Limits
	// MaxBytes bounds the file size (default DefaultMaxBytes).
	MaxBytes int64
}

// ReadFile reads the MIDI file at path, refusing anything that is not a
// regular file (a directory, a named pipe, a device) without blocking on
// it. Errors name the path.
func ReadFile(path string, opt Options) (*score.Score, error) {
	f, _, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f, opt)
}

// Read reads a MIDI file from r; name is used in every error message.
func Read(name string, r io.Reader, opt Options) (*score.Score, error) {
	maxBytes := opt.MaxBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxBytes
	}
	data, tooLarge, err := inputfile.ReadAll(r, inputfile.Size(r), maxBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: read: %v", errtext.Name(name), ErrTruncated, err)
	}
	if tooLarge {
		return nil, fmt.Errorf("%s: %w: file is larger than %d bytes", errtext.Name(name), ErrLimit, maxBytes)
	}
	return Decode(name, data, opt)
}

// Decode reads a MIDI file held in data.
func Decode(name string, data []byte, opt Options) (*score.Score, error) {
	f, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	return perform(name, f, opt)
}

// errAt formats the one-line error every parse failure returns. track is
// 1-based; 0 means the header.
func errAt(name string, track int, off int64, err error, format string, args ...any) error {
	where := fmt.Sprintf("byte 0x%x", off)
	if track > 0 {
		where = fmt.Sprintf("track %d, %s", track, where)
	}
	return fmt.Errorf("%s: %s: %w: %s", errtext.Name(name), where, err, fmt.Sprintf(format, args...))
}
