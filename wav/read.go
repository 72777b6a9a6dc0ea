package wav

import (
	"encoding/binary"
	"io"
	"math"

	"github.com/aether-audio/aether/internal/inputfile"
)

// DefaultMaxBytes bounds what Read and ReadFile load: 256 MiB holds over
// 11 minutes of stereo float32 at 48 kHz, far more than a sample instrument
// needs, while keeping a hostile input from exhausting memory.
const DefaultMaxBytes = 256 << 20

// Format tags from the WAVE specification.
const (
	tagPCM        = 1
	tagFloat      = 3
	tagExtensible = 0xFFFE
)

// ReadFile reads and decodes the WAV file at path, refusing files larger
// than DefaultMaxBytes and anything that is not a regular file (a named
// pipe, a device), without blocking on either. Errors name the path.
func ReadFile(path string) (*Audio, error) {
	f, _, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f, DefaultMaxBytes)
}

// Read reads at most maxBytes from r and decodes them; a longer input is an
// ErrLimit error, found before reading when r is a file. name is used in
// error messages.
func Read(name string, r io.Reader, maxBytes int64) (*Audio, error) {
	data, tooLarge, err := inputfile.ReadAll(r, inputfile.Size(r), maxBytes)
	if err != nil {
		return nil, errAt(name, 0, ErrTruncated, "read: %v", err)
	}
	if tooLarge {
		return nil, errAt(name, maxBytes, ErrLimit, "file is larger than %d bytes", maxBytes)
	}
	return Decode(name, data)
}

// format is the decoded fmt chunk.
type format struct {
	tag      uint16
	channels int
	rate     int
	bits     int
	align    int
}

// Decode decodes a complete WAV file held in data. Unknown chunks are
// skipped (with their pad byte when their size is odd); the sample data
// must be whole frames and lie inside data, so nothing is allocated beyond
// what the file really holds.
func Decode(name string, data []byte) (*Audio, error) {
	if len(data) < 12 || string(data[0:4]) != "RIFF" || string(data[8:12]) != "WAVE" {
		return nil, errAt(name, 0, ErrNotWAV, "missing RIFF/WAVE header")
	}
	var fmtc *format
	off := int64(12)
	end := int64(len(data))
	for off+8 <= end {
		id := string(data[off : off+4])
		size := int64(binary.LittleEndian.Uint32(data[off+4 : off+8]))
		body := off + 8
		if size > end-body {
			return nil, errAt(name, off, ErrTruncated, "chunk %q declares %d bytes, only %d remain", id, size, end-body)
		}
		switch id {
		case "fmt ":
			f, err := parseFmt(name, body, data[body:body+size])
			if err != nil {
				return nil, err
			}
			fmtc = f
		case "data":
			if fmtc == nil {
				return nil, errAt(name, off, ErrCorrupt, "data chunk before fmt chunk")
			}
			return decodeSamples(name, body, fmtc, data[body:body+size])
		}
		off = body + size + size&1 // chunks are padded to even sizes
	}
	if fmtc == nil {
		return nil, errAt(name, off, ErrCorrupt, "no fmt chunk")
	}
	return nil, errAt(name, off, ErrCorrupt, "no data chunk")
}

func parseFmt(name string, off int64, b []byte) (*format, error) {
	if len(b) < 16 {
		return nil, errAt(name, off, ErrCorrupt, "fmt chunk is %d bytes, need 16", len(b))
	}
	f := &format{
		tag:      binary.LittleEndian.Uint16(b[0:2]),
		channels: int(binary.LittleEndian.Uint16(b[2:4])),
		rate:     int(binary.LittleEndian.Uint32(b[4:8])),
		align:    int(binary.LittleEndian.Uint16(b[12:14])),
		bits:     int(binary.LittleEndian.Uint16(b[14:16])),
	}
	if f.tag == tagExtensible {
		if len(b) < 40 {
			return nil, errAt(name, off, ErrCorrupt, "extensible fmt chunk is %d bytes, need 40", len(b))
		}
		// The sub-format GUID starts with the plain format tag.
		f.tag = binary.LittleEndian.Uint16(b[24:26])
	}
	switch {
	case f.channels != 1 && f.channels != 2:
		return nil, errAt(name, off, ErrUnsupported, "%d channels (want 1 or 2)", f.channels)
	case f.rate < 1000 || f.rate > 768000:
		return nil, errAt(name, off, ErrUnsupported, "sample rate %d Hz (want 1000..768000)", f.rate)
	case f.tag == tagPCM && (f.bits == 16 || f.bits == 24 || f.bits == 32):
	case f.tag == tagFloat && f.bits == 32:
	default:
		return nil, errAt(name, off, ErrUnsupported, "format tag 0x%x with %d bits per sample", f.tag, f.bits)
	}
	if f.align != f.channels*f.bits/8 {
		return nil, errAt(name, off, ErrCorrupt, "block align %d, want %d", f.align, f.channels*f.bits/8)
	}
	return f, nil
}

func decodeSamples(name string, off int64, f *format, b []byte) (*Audio, error) {
	if len(b)%f.align != 0 {
		return nil, errAt(name, off, ErrTruncated, "data chunk of %d bytes is not whole %d-byte frames", len(b), f.align)
	}
	frames := len(b) / f.align
	a := &Audio{Rate: f.rate, Channels: make([][]float32, f.channels)}
	for c := range a.Channels {
		a.Channels[c] = make([]float32, frames)
	}
	width := f.bits / 8
	for i := 0; i < frames; i++ {
		for c := 0; c < f.channels; c++ {
			at := i*f.align + c*width
			v := sample(f.tag, f.bits, b[at:])
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				// Refused, not zeroed: NaN or Inf would poison every mix the
				// sample reaches, and silently dropping it hides a broken file.
				return nil, errAt(name, off+int64(at), ErrCorrupt, "channel %d, frame %d: %v is not a finite sample", c, i, v)
			}
			a.Channels[c][i] = v
		}
	}
	return a, nil
}

// sample converts one little-endian sample to float32: PCM to [-1, 1),
// float as stored (which may be any value, NaN included).
func sample(tag uint16, bits int, p []byte) float32 {
	switch {
	case tag == tagFloat:
		return math.Float32frombits(binary.LittleEndian.Uint32(p))
	case bits == 16:
		return float32(int16(binary.LittleEndian.Uint16(p))) / (1 << 15)
	case bits == 24:
		v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
		return float32(v) / (1 << 23)
	default:
		return float32(float64(int32(binary.LittleEndian.Uint32(p))) / (1 << 31))
	}
}
