package sf2

import (
	"encoding/binary"
	"errors"
	"io"
)

// span is a chunk's data: size bytes from byte off of the file.
type span struct{ off, size int64 }

// layout is where the chunks of a SoundFont lie.
type layout struct {
	info, sdta, pdta span
	smpl, sm24       span
	hasSmpl, hasSm24 bool
	pdtaChunks       map[string]span
	hasIfil          bool
}

// pdtaIDs are the nine hydra chunks, in the spec's order.
var pdtaIDs = [...]string{"phdr", "pbag", "pmod", "pgen", "inst", "ibag", "imod", "igen", "shdr"}

// readAt reads n bytes at off; a short read is ErrTruncated (the input is
// shorter than the size it was given as).
func readAt(r io.ReaderAt, off, n int64, where string) ([]byte, error) {
	b := make([]byte, n)
	if err := readFull(r, b, off, where); err != nil {
		return nil, err
	}
	return b, nil
}

func readFull(r io.ReaderAt, b []byte, off int64, where string) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errorf(ErrTruncated, "%s: input ends at byte %d, before its declared size", where, off+int64(n))
	}
	return errorf(ErrTruncated, "%s: reading byte %d: %v", where, off+int64(n), err)
}

// isFourCC reports whether b is a plausible chunk ID: four printable
// ASCII characters.
func isFourCC(b []byte) bool {
	for _, c := range b[:4] {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// eachChunk calls fn for every chunk in [start, end) of the file. A chunk
// whose size runs past end is ErrTruncated. After an odd-sized chunk the
// RIFF pad byte is skipped, unless the chunk after it only makes sense
// without it (MuseScore's SF3 files omit it): then the next chunk is read
// at once. Fewer than 8 bytes left at the end are ignored.
func eachChunk(r io.ReaderAt, start, end int64, where string, fn func(id string, s span) error) error {
	var hdr [9]byte
	for pos := start; end-pos >= 8; {
		if err := readFull(r, hdr[:8], pos, where); err != nil {
			return err
		}
		id := string(hdr[:4])
		size := int64(binary.LittleEndian.Uint32(hdr[4:8]))
		if !isFourCC(hdr[:4]) {
			return errorf(ErrCorrupt, "%s: byte %d: no chunk ID (% x)", where, pos, hdr[:4])
		}
		if size > end-pos-8 {
			return errorf(ErrTruncated, "%s/%s at byte %d: declares %d bytes, only %d left", where, id, pos, size, end-pos-8)
		}
		if err := fn(id, span{pos + 8, size}); err != nil {
			return err
		}
		next := pos + 8 + size
		if size%2 == 1 && next < end {
			// A chunk header fits at next+1 (after the pad byte) or at next
			// (no pad byte): take next+1 unless only next holds one.
			if end-next >= 9 {
				if err := readFull(r, hdr[:9], next, where); err != nil {
					return err
				}
				if !fitsHeader(hdr[1:9], end-next-1) && fitsHeader(hdr[:8], end-next) {
					next-- // cancels the ++ below: no pad byte here
				}
			}
			next++
		}
		pos = next
	}
	return nil
}

// scanRIFF finds the LIST chunks of a SoundFont and the chunks inside
// sdta and pdta, in any order; unknown chunks are skipped. Bytes after
// the RIFF chunk are ignored.
func scanRIFF(r io.ReaderAt, size int64) (*layout, error) {
	var hdr [12]byte
	n, _ := r.ReadAt(hdr[:], 0)
	if n < 4 || string(hdr[:4]) != "RIFF" {
		return nil, errorf(ErrNotSoundFont, "not a RIFF file")
	}
	if n < 12 || size < 12 {
		return nil, errorf(ErrTruncated, "RIFF header: %d bytes", min(int64(n), size))
	}
	if form := string(hdr[8:12]); form != "sfbk" {
		return nil, errorf(ErrNotSoundFont, "RIFF form %q, not sfbk (a SoundFont)", form)
	}
	riffSize := int64(binary.LittleEndian.Uint32(hdr[4:8]))
	if riffSize < 4 {
		return nil, errorf(ErrCorrupt, "RIFF: size %d", riffSize)
	}
	if 8+riffSize > size {
		return nil, errorf(ErrTruncated, "RIFF: declares %d bytes, the input has %d", riffSize, size-8)
	}
	lay := &layout{pdtaChunks: map[string]span{}}
	seen := map[string]bool{}
	err := eachChunk(r, 12, 8+riffSize, "RIFF", func(id string, s span) error {
		if id != "LIST" {
			return nil
		}
		if s.size < 4 {
			return errorf(ErrCorrupt, "RIFF/LIST at byte %d: size %d, no list type", s.off-8, s.size)
		}
		var t [4]byte
		if err := readFull(r, t[:], s.off, "RIFF/LIST"); err != nil {
			return err
		}
		typ := string(t[:])
		body := span{s.off + 4, s.size - 4}
		switch typ {
		case "INFO":
			lay.info = body
		case "sdta":
			lay.sdta = body
		case "pdta":
			lay.pdta = body
		default:
			return nil
		}
		if seen[typ] {
			return errorf(ErrCorrupt, "RIFF: a second LIST %s", typ)
		}
		seen[typ] = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, typ := range []string{"INFO", "sdta", "pdta"} {
		if !seen[typ] {
			return nil, errorf(ErrCorrupt, "RIFF: no LIST %s", typ)
		}
	}
	err = eachChunk(r, lay.sdta.off, lay.sdta.off+lay.sdta.size, "sdta", func(id string, s span) error {
		switch id {
		case "smpl":
			if lay.hasSmpl {
				return errorf(ErrCorrupt, "sdta: a second smpl chunk")
			}
			lay.smpl, lay.hasSmpl = s, true
		case "sm24":
			if lay.hasSm24 {
				return errorf(ErrCorrupt, "sdta: a second sm24 chunk")
			}
			lay.sm24, lay.hasSm24 = s, true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = eachChunk(r, lay.pdta.off, lay.pdta.off+lay.pdta.size, "pdta", func(id string, s span) error {
		for _, want := range pdtaIDs {
			if id == want {
				if _, dup := lay.pdtaChunks[id]; dup {
					return errorf(ErrCorrupt, "pdta: a second %s chunk", id)
				}
				lay.pdtaChunks[id] = s
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range pdtaIDs {
		if _, ok := lay.pdtaChunks[id]; !ok {
			return nil, errorf(ErrCorrupt, "pdta: no %s chunk", id)
		}
	}
	return lay, nil
}

// readInfo reads the INFO sub-chunks: ifil and iver (4 bytes each) and
// the strings, each cut at its first NUL. Unknown sub-chunks are skipped.
func readInfo(r io.ReaderAt, lay *layout, out *Info) error {
	return eachChunk(r, lay.info.off, lay.info.off+lay.info.size, "INFO", func(id string, s span) error {
		var dst *string
		switch id {
		case "ifil", "iver":
			if s.size != 4 {
				return errorf(ErrCorrupt, "INFO/%s: %d bytes, want 4", id, s.size)
			}
			b, err := readAt(r, s.off, 4, "INFO/"+id)
			if err != nil {
				return err
			}
			v := Version{binary.LittleEndian.Uint16(b), binary.LittleEndian.Uint16(b[2:])}
			if id == "ifil" {
				out.Version, lay.hasIfil = v, true
			} else {
				out.ROMVersion = v
			}
			return nil
		case "isng":
			dst = &out.Engine
		case "INAM":
			dst = &out.Name
		case "irom":
			dst = &out.ROM
		case "ICRD":
			dst = &out.Date
		case "IENG":
			dst = &out.Engineers
		case "IPRD":
			dst = &out.Product
		case "ICOP":
			dst = &out.Copyright
		case "ICMT":
			dst = &out.Comment
		case "ISFT":
			dst = &out.Software
		default:
			return nil
		}
		// The spec caps strings at 256 bytes (ICMT at 65536); longer ones
		// are cut there rather than rejected.
		n := min(s.size, 65536)
		b, err := readAt(r, s.off, n, "INFO/"+id)
		if err != nil {
			return err
		}
		*dst = cString(b)
		return nil
	})
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// fitsHeader reports whether b (8 bytes) reads as a chunk header whose
// data fits in left bytes, left counted from b's first byte.
func fitsHeader(b []byte, left int64) bool {
	return isFourCC(b) && int64(binary.LittleEndian.Uint32(b[4:8])) <= left-8
}
