package sf3

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/aether-audio/aether/sf2"
)

// headerOnlyStream is a mono Vorbis identification header and a comment
// header, with no setup header or audio: a seed that needs no encoder.
func headerOnlyStream() []byte {
	id := []byte("\x01vorbis\x00\x00\x00\x00\x01")
	id = binary.LittleEndian.AppendUint32(id, 44100)
	id = append(id, make([]byte, 12)...)
	id = append(id, 0xb8, 1)
	comment := []byte("\x03vorbis\x00\x00\x00\x00\x00\x00\x00\x00\x01")
	return append(oggPage(2, 0, 0, id), oggPage(4, 100, 1, comment)...)
}

// seedStreams are the fuzz seeds: a sine encoded by oggenc when it is
// installed, and the header-only stream.
func seedStreams(f *testing.F) [][]byte {
	seeds := [][]byte{headerOnlyStream()}
	if _, err := exec.LookPath("oggenc"); err == nil {
		seeds = append(seeds, oggSine(f, 441, 2000, 22050, 0.5, 1))
	}
	return seeds
}

// fixChecksums rewrites the checksum of every whole Ogg page at the start
// of b, so that mutations reach the Vorbis decoder instead of failing
// the page checksum.
func fixChecksums(b []byte) []byte {
	b = bytes.Clone(b)
	for pos := 0; pos < len(b); {
		_, size, err := nextPage(b[pos:])
		if err != nil {
			break
		}
		pg := b[pos : pos+size]
		binary.LittleEndian.PutUint32(pg[22:], 0)
		binary.LittleEndian.PutUint32(pg[22:], oggCRC(pg))
		pos += size
	}
	return b
}

// FuzzDecode feeds mutated streams, their page checksums fixed, to the
// decoder: it must never panic, decode at most what it declared, and
// give only values in [-1, 1].
func FuzzDecode(f *testing.F) {
	for _, s := range seedStreams(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = fixChecksums(data)
		n, err := Decoder{}.Frames(data)
		if err != nil {
			return
		}
		if n <= 0 || int64(n) > maxDecodeInFuzz {
			return
		}
		dst := make([]float32, n)
		if err := (Decoder{}).Decode(dst, data); err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for i, x := range dst {
			if !(x >= -1 && x <= 1) {
				t.Fatalf("frame %d = %v", i, x)
			}
		}
	})
}

// maxDecodeInFuzz keeps each fuzz input's decode small.
const maxDecodeInFuzz = 1 << 16

// FuzzReadSF3 reads mutated SF3 fonts with the decoder: one-line errors
// wrapping a package error, never a panic, and a pool within the limits
// for the input's size.
func FuzzReadSF3(f *testing.F) {
	for _, s := range seedStreams(f) {
		f.Add(sf3Font(s, 10, 100, 22050))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := read(data)
		if err != nil {
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, "sf2: ") {
				t.Fatalf("bad error text %q", msg)
			}
			for _, k := range []error{sf2.ErrNotSoundFont, sf2.ErrTruncated, sf2.ErrCorrupt, sf2.ErrUnsupported, sf2.ErrLimit} {
				if errors.Is(err, k) {
					return
				}
			}
			t.Fatalf("error %q wraps no package error", msg)
		}
		// The font budget: 16 frames per byte plus 1 M, plus guards and
		// alignment per sample.
		if limit := 17*len(data) + 1<<20 + 64*(len(font.Samples)+1); len(font.Pool) > limit {
			t.Fatalf("pool of %d floats from %d bytes (limit %d)", len(font.Pool), len(data), limit)
		}
		for i, s := range font.Samples {
			if s.Start > s.End || s.End > len(font.Pool) || s.End > s.Start && (s.LoopStart < s.Start || s.LoopEnd > s.End) {
				t.Fatalf("sample %d: [%d,%d) loop [%d,%d) in a pool of %d", i, s.Start, s.End, s.LoopStart, s.LoopEnd, len(font.Pool))
			}
		}
	})
}
