package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Format is the sample encoding a Writer produces.
type Format uint8

const (
	// Float32 writes IEEE 754 32-bit float samples (WAVE_FORMAT_IEEE_FLOAT).
	Float32 Format = iota
	// PCM16 writes 16-bit signed PCM with seeded TPDF dither.
	PCM16
	// PCM24 writes packed 24-bit signed PCM with seeded TPDF dither.
	PCM24
)

// String returns the name the bounce command uses for f.
func (f Format) String() string {
	switch f {
	case Float32:
		return "f32"
	case PCM16:
		return "pcm16"
	case PCM24:
		return "pcm24"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

func (f Format) bytesPerSample() int {
	switch f {
	case PCM16:
		return 2
	case PCM24:
		return 3
	}
	return 4
}

// chunkFrames is how many frames Write converts at a time: 1024 stereo
// frames are 8 KiB of float32, small enough to stay in L1 cache, large
// enough that the per-chunk io.Writer call is amortised.
const chunkFrames = 1024

// maxDataBytes is the largest data chunk a RIFF header can describe: the
// RIFF size field (32 bits) counts the data plus the rest of the header.
const maxDataBytes = math.MaxUint32 - 64

// Writer streams a stereo or mono WAV file whose length is known before
// the first sample, so the header is final when written and no seeking is
// needed. The header holds only the format, channels, rate and length: the
// same input gives the same bytes on every run. A Writer is not safe for
// concurrent use.
type Writer struct {
	w        io.Writer
	format   Format
	channels int
	frames   int64 // promised
	written  int64
	dither   *dither
	inter    []float32 // interleaved chunk
	out      []byte    // encoded chunk
	err      error     // first write error; every later call returns it
}

// NewWriter writes the header of a stereo WAV of frames frames at rate Hz in
// format to w and returns a Writer for the samples. seed selects the TPDF
// dither of the PCM formats: the same seed gives the same bytes. All buffers
// are allocated here, so Write allocates nothing.
func NewWriter(w io.Writer, format Format, rate int, frames int64, seed uint64) (*Writer, error) {
	return newWriter(w, format, 2, rate, frames, seed)
}

// NewMonoWriter is NewWriter for a mono file: Write then takes the one
// channel as left, and nil as right.
func NewMonoWriter(w io.Writer, format Format, rate int, frames int64, seed uint64) (*Writer, error) {
	return newWriter(w, format, 1, rate, frames, seed)
}

func newWriter(w io.Writer, format Format, channels, rate int, frames int64, seed uint64) (*Writer, error) {
	if format > PCM24 {
		return nil, fmt.Errorf("wav: %w: unknown output format %d", ErrUnsupported, format)
	}
	if rate < 1 || rate > math.MaxInt32 {
		return nil, fmt.Errorf("wav: %w: sample rate %d Hz out of range", ErrUnsupported, rate)
	}
	bps := format.bytesPerSample()
	if frames < 0 || frames > maxDataBytes/int64(channels*bps) {
		return nil, fmt.Errorf("wav: %w: %d frames do not fit a WAV file's 4 GiB data chunk in %v", ErrLimit, frames, format)
	}
	wr := &Writer{
		w:        w,
		format:   format,
		channels: channels,
		frames:   frames,
		dither:   newDither(seed),
		inter:    make([]float32, channels*chunkFrames),
		out:      make([]byte, channels*chunkFrames*bps),
	}
	if _, err := w.Write(header(format, channels, rate, frames)); err != nil {
		wr.err = fmt.Errorf("wav: writing header: %w", err)
		return nil, wr.err
	}
	return wr, nil
}

// header builds the RIFF header of a file of channels channels. Float
// output carries the 18-byte fmt chunk and the fact chunk the
// specification asks of non-PCM formats.
func header(format Format, channels, rate int, frames int64) []byte {
	bps := format.bytesPerSample()
	dataBytes := uint32(frames) * uint32(channels*bps)
	le := binary.LittleEndian
	var h []byte
	h = append(h, "RIFF\x00\x00\x00\x00WAVE"...)
	tag, fmtSize := uint16(tagPCM), uint32(16)
	if format == Float32 {
		tag, fmtSize = tagFloat, 18
	}
	h = append(h, "fmt "...)
	h = le.AppendUint32(h, fmtSize)
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*channels*bps))
	h = le.AppendUint16(h, uint16(channels*bps))
	h = le.AppendUint16(h, uint16(8*bps))
	if format == Float32 {
		h = le.AppendUint16(h, 0) // cbSize: no extension
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		h = le.AppendUint32(h, uint32(frames))
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, dataBytes)
	le.PutUint32(h[4:8], uint32(len(h))-8+dataBytes)
	return h
}

// Write appends len(left) frames; left and right must have the same
// length, and right must be nil for a mono Writer. Writing past the
// promised frame count is an ErrFrameCount error, and after any error
// every later call returns that error.
func (w *Writer) Write(left, right []float32) error {
	if w.err != nil {
		return w.err
	}
	if w.channels == 1 && right != nil {
		return fmt.Errorf("wav: Write: right channel given to a mono writer")
	}
	if w.channels == 2 && len(left) != len(right) {
		return fmt.Errorf("wav: Write: left has %d frames, right %d", len(left), len(right))
	}
	if int64(len(left)) > w.frames-w.written {
		w.err = fmt.Errorf("wav: %w: writing %d frames after %d of %d promised", ErrFrameCount, len(left), w.written, w.frames)
		return w.err
	}
	for len(left) > 0 {
		n := min(len(left), chunkFrames)
		inter := left[:n]
		if w.channels == 2 {
			inter = w.inter[:2*n]
			for i := range n {
				inter[2*i], inter[2*i+1] = left[i], right[i]
			}
			right = right[n:]
		}
		out := w.out[:w.channels*n*w.format.bytesPerSample()]
		switch w.format {
		case PCM16:
			pcm16(out, inter, w.dither)
		case PCM24:
			pcm24(out, inter, w.dither)
		default:
			for i, v := range inter {
				binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
			}
		}
		if _, err := w.w.Write(out); err != nil {
			w.err = fmt.Errorf("wav: writing samples at frame %d: %w", w.written, err)
			return w.err
		}
		w.written += int64(n)
		left = left[n:]
	}
	return nil
}

// Close checks that exactly the promised number of frames was written. It
// does not close the underlying io.Writer, which the caller owns.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.written != w.frames {
		w.err = fmt.Errorf("wav: %w: %d frames written, %d promised", ErrFrameCount, w.written, w.frames)
		return w.err
	}
	return nil
}
