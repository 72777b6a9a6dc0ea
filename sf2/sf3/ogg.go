package sf3

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// The Ogg framing and Vorbis headers are checked here before the decoder
// sees a stream: the decoder sizes tables from header fields (codebook
// entries, comment counts) without bounding them, so a few crafted bytes
// could otherwise make it allocate gigabytes.

// maxTableWords bounds the table entries a stream's codebooks may ask
// the decoder for (Huffman tree nodes and lookup values), in 4-byte
// words. Real streams stay far below (docs/sf2.md).
const maxTableWords = 1 << 22

// page is one Ogg page's header fields that matter here.
type page struct {
	flags   byte
	granule int64
	body    []byte // the page's packet data
	lacing  []byte // its segment table
}

// nextPage parses the page at the start of b and returns it and its size.
func nextPage(b []byte) (page, int, error) {
	if len(b) < 27 || string(b[:4]) != "OggS" {
		return page{}, 0, errors.New("not an Ogg page")
	}
	if b[4] != 0 {
		return page{}, 0, fmt.Errorf("Ogg version %d", b[4])
	}
	n := int(b[26])
	if len(b) < 27+n {
		return page{}, 0, errors.New("Ogg page cut short")
	}
	lacing := b[27 : 27+n]
	size := 27 + n
	for _, l := range lacing {
		size += int(l)
	}
	if len(b) < size {
		return page{}, 0, errors.New("Ogg page cut short")
	}
	return page{flags: b[5], granule: int64(binary.LittleEndian.Uint64(b[6:])), body: b[27+n : size], lacing: lacing}, size, nil
}

// streamInfo walks every page of the stream (headers only) and returns
// the frames its last page declares and its first three packets (the
// Vorbis identification, comment and setup headers).
func streamInfo(stream []byte) (frames int64, headers [][]byte, err error) {
	var cur []byte
	last := page{granule: -1}
	for pos := 0; pos < len(stream); {
		p, size, err := nextPage(stream[pos:])
		if err != nil {
			return 0, nil, fmt.Errorf("byte %d: %w", pos, err)
		}
		pos += size
		last = p
		body := p.body
		for _, l := range p.lacing {
			if len(headers) == 3 {
				break
			}
			cur = append(cur, body[:l]...)
			body = body[l:]
			if l < 255 {
				headers = append(headers, cur)
				cur = nil
			}
		}
	}
	if len(headers) < 3 {
		return 0, nil, errors.New("no Vorbis headers")
	}
	return last.granule, headers, nil
}

// checkHeaders checks the three Vorbis headers: a mono identification
// header, a comment header whose count fits its bytes, and a setup header
// whose codebooks ask for at most maxTableWords table entries.
func checkHeaders(h [][]byte) error {
	id, comment, setup := h[0], h[1], h[2]
	if len(id) < 30 || string(id[:7]) != "\x01vorbis" {
		return errors.New("no Vorbis identification header")
	}
	if ch := id[11]; ch != 1 {
		return fmt.Errorf("%d channels, not 1", ch)
	}
	if len(comment) < 15 || string(comment[:7]) != "\x03vorbis" {
		return errors.New("no Vorbis comment header")
	}
	rest := comment[7:]
	vendor := int64(binary.LittleEndian.Uint32(rest))
	if vendor > int64(len(rest))-8 {
		return errors.New("comment header cut short")
	}
	rest = rest[4+vendor:]
	if n := int64(binary.LittleEndian.Uint32(rest)); 4*n > int64(len(rest))-4 {
		return fmt.Errorf("comment header: %d comments in %d bytes", n, len(rest))
	}
	if len(setup) < 8 || string(setup[:7]) != "\x05vorbis" {
		return errors.New("no Vorbis setup header")
	}
	return checkCodebooks(&bitReader{b: setup[7:]})
}

// checkCodebooks reads the setup header's codebooks as the Vorbis I
// specification (section 3.2.1) lays them out, adding up the table
// entries the decoder will allocate for them.
func checkCodebooks(r *bitReader) error {
	words := int64(0)
	books := int(r.read(8)) + 1
	for k := range books {
		if r.read(24) != 0x564342 {
			return fmt.Errorf("codebook %d: no sync pattern", k)
		}
		dims, entries := int64(r.read(16)), int64(r.read(24))
		if entries == 0 {
			return fmt.Errorf("codebook %d: no entries", k)
		}
		if r.read(1) == 0 { // not ordered: a length per entry
			sparse := r.read(1) == 1
			for range entries {
				if !sparse || r.read(1) == 1 {
					r.read(5)
				}
				if r.short {
					return fmt.Errorf("codebook %d: cut short", k)
				}
			}
		} else {
			r.read(5)
			for cur := int64(0); cur < entries; {
				cur += int64(r.read(bitLen(entries - cur)))
				if r.short || cur > entries {
					return fmt.Errorf("codebook %d: bad lengths", k)
				}
			}
		}
		words += 2 * entries
		switch lookup := r.read(4); lookup {
		case 0:
		case 1, 2:
			if dims == 0 {
				return fmt.Errorf("codebook %d: lookup of no dimensions", k)
			}
			r.read(32)
			r.read(32)
			valueBits := int64(r.read(4)) + 1
			r.read(1)
			values := entries * dims
			if lookup == 1 {
				values = int64(math.Floor(math.Pow(float64(entries), 1/float64(dims))))
			}
			if values*valueBits > r.left() {
				return fmt.Errorf("codebook %d: cut short", k)
			}
			r.skip(values * valueBits)
			words += values + entries*dims
		default:
			return fmt.Errorf("codebook %d: lookup type %d", k, lookup)
		}
		if r.short {
			return fmt.Errorf("codebook %d: cut short", k)
		}
		if words > maxTableWords {
			return fmt.Errorf("codebooks ask for over %d table entries", maxTableWords)
		}
	}
	return nil
}

// bitLen is the number of bits of v (ilog in the Vorbis specification).
func bitLen(v int64) int {
	n := 0
	for ; v > 0; v >>= 1 {
		n++
	}
	return n
}

// bitReader reads a Vorbis packet's bits, least significant first.
// Reading past the end gives zeros and sets short.
type bitReader struct {
	b     []byte
	pos   int64 // in bits
	short bool
}

func (r *bitReader) left() int64 { return 8*int64(len(r.b)) - r.pos }

func (r *bitReader) skip(n int64) {
	if n > r.left() {
		r.short = true
		r.pos = 8 * int64(len(r.b))
		return
	}
	r.pos += n
}

func (r *bitReader) read(n int) uint32 {
	v := uint32(0)
	for i := range n {
		if r.pos >= 8*int64(len(r.b)) {
			r.short = true
			return v
		}
		v |= uint32(r.b[r.pos/8]>>(r.pos%8)&1) << i
		r.pos++
	}
	return v
}
