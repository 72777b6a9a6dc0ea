package midi

import (
	"encoding/binary"
	"slices"
)

// Event kinds kept from a track; everything else (text, sysex, SMPTE
// offset, illegal system bytes) is consumed and dropped while parsing.
const (
	evChannel = iota // a channel voice message: status, a, b
	evTempo          // set tempo: tempo µs per quarter note
	evEnd            // end of track (or the last event of a track without one)
)

// event is one timed event of interest, 32 bytes.
type event struct {
	tick    uint64
	off     int64 // file offset, for error messages
	track   int32 // 1-based
	kind    uint8
	status  byte
	a, b    byte
	tempoUS uint32
}

// file is a parsed SMF: its header fields and each track's events.
type file struct {
	format   int
	division uint16
	tracks   [][]event
}

// vlq decodes a variable-length quantity from b, returning the value and
// the number of bytes used; n is 0 when b ends first and -1 when the
// quantity is longer than 4 bytes, which the SMF specification forbids.
func vlq(b []byte) (v uint64, n int) {
	for i := 0; i < 4; i++ {
		if i >= len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, -1
}

func parseFile(name string, data []byte) (*file, error) {
	if len(data) == 0 {
		return nil, errAt(name, 0, 0, ErrNotMIDI, "empty file")
	}
	if len(data) < 14 || string(data[:4]) != "MThd" {
		return nil, errAt(name, 0, 0, ErrNotMIDI, "missing MThd header chunk")
	}
	hlen := int64(binary.BigEndian.Uint32(data[4:8]))
	if hlen < 6 || hlen > int64(len(data))-8 {
		return nil, errAt(name, 0, 4, ErrCorrupt, "header length %d (want 6 within the file)", hlen)
	}
	f := &file{
		format:   int(binary.BigEndian.Uint16(data[8:10])),
		division: binary.BigEndian.Uint16(data[12:14]),
	}
	if f.format > 2 {
		return nil, errAt(name, 0, 8, ErrUnsupported, "format %d (want 0, 1 or 2)", f.format)
	}
	if err := checkDivision(name, f.division); err != nil {
		return nil, err
	}
	end := int64(len(data))
	for off := 8 + hlen; off < end; {
		if end-off < 8 {
			break // a few trailing bytes: ignored, as most players do
		}
		id := string(data[off : off+4])
		size := int64(binary.BigEndian.Uint32(data[off+4 : off+8]))
		body := off + 8
		if size > end-body {
			return nil, errAt(name, len(f.tracks)+1, off, ErrTruncated,
				"chunk %q length %d runs past the end of the file (%d bytes left)", id, size, end-body)
		}
		if id == "MTrk" {
			evs, err := parseTrack(name, len(f.tracks)+1, data[body:body+size], body)
			if err != nil {
				return nil, err
			}
			f.tracks = append(f.tracks, evs)
		}
		off = body + size
	}
	if len(f.tracks) == 0 {
		return nil, errAt(name, 0, 8+hlen, ErrCorrupt, "no MTrk chunk")
	}
	// Fewer tracks than the header declares: the file was cut at a chunk
	// boundary, and playing what is left would drop whole parts without a
	// word. (More than declared is a common writer bug; they are played.)
	if declared := int(binary.BigEndian.Uint16(data[10:12])); len(f.tracks) < declared {
		return nil, errAt(name, 0, end, ErrTruncated, "the header declares %d tracks, the file holds %d", declared, len(f.tracks))
	}
	return f, nil
}

func checkDivision(name string, d uint16) error {
	if d&0x8000 == 0 {
		if d == 0 {
			return errAt(name, 0, 12, ErrCorrupt, "division of 0 ticks per quarter note")
		}
		return nil
	}
	fps := -int(int8(d >> 8))
	if fps != 24 && fps != 25 && fps != 29 && fps != 30 {
		return errAt(name, 0, 12, ErrCorrupt, "SMPTE division with %d frames per second (want 24, 25, 29 or 30)", fps)
	}
	if d&0xff == 0 {
		return errAt(name, 0, 13, ErrCorrupt, "SMPTE division with 0 ticks per frame")
	}
	return nil
}

// systemDataBytes is how many data bytes follow each system common or
// real-time status byte (0xF1..0xFE, sysex excluded) on the wire; such
// bytes are illegal in a file, and are skipped together with their data.
var systemDataBytes = [16]int{0x1: 1, 0x2: 2, 0x3: 1}

// parseTrack decodes one MTrk body; base is its offset in the file.
func parseTrack(name string, track int, b []byte, base int64) ([]event, error) {
	var evs []event
	var tick uint64
	var running byte
	i := 0
	pos := 0 // start of the event being read, for error messages
	fail := func(err error, format string, args ...any) error {
		return errAt(name, track, base+int64(pos), err, format, args...)
	}
	for i < len(b) {
		pos = i
		d, n := vlq(b[i:])
		switch n {
		case 0:
			return nil, fail(ErrTruncated, "delta time cut off by the end of the track")
		case -1:
			return nil, fail(ErrCorrupt, "variable-length quantity longer than 4 bytes")
		}
		tick += d
		i += n
		if i >= len(b) {
			return nil, fail(ErrTruncated, "event missing after delta time")
		}
		start := i
		pos = i
		st := b[i]
		switch {
		case st == 0xFF: // meta event
			if i+2 > len(b) {
				return nil, fail(ErrTruncated, "meta event cut off")
			}
			typ := b[i+1]
			l, n := vlq(b[i+2:])
			if n <= 0 || l > uint64(len(b)-(i+2+n)) {
				return nil, fail(ErrTruncated, "meta event 0x%02x length runs past the end of the track", typ)
			}
			i += 2 + n
			body := b[i : i+int(l)]
			i += int(l)
			switch {
			case typ == 0x2F:
				return append(evs, event{tick: tick, off: base + int64(start), track: int32(track), kind: evEnd}), nil
			case typ == 0x51 && len(body) == 3:
				us := uint32(body[0])<<16 | uint32(body[1])<<8 | uint32(body[2])
				if us == 0 {
					return nil, fail(ErrCorrupt, "tempo of 0 µs per quarter note")
				}
				evs = append(evs, event{tick: tick, off: base + int64(start), track: int32(track), kind: evTempo, tempoUS: us})
			}
		case st == 0xF0 || st == 0xF7: // sysex or escape: skipped
			l, n := vlq(b[i+1:])
			if n <= 0 || l > uint64(len(b)-(i+1+n)) {
				return nil, fail(ErrTruncated, "sysex length runs past the end of the track")
			}
			i += 1 + n + int(l)
		case st > 0xF0: // illegal in a file: skip with its data bytes
			i++
			for k := 0; k < systemDataBytes[st&0xf] && i < len(b) && b[i] < 0x80; k++ {
				i++
			}
		default: // channel message, maybe with running status
			if st >= 0x80 {
				running = st
				i++
			} else if running == 0 {
				return nil, fail(ErrCorrupt, "data byte 0x%02x with no running status", st)
			}
			size := 2
			if running&0xF0 == 0xC0 || running&0xF0 == 0xD0 {
				size = 1
			}
			if i+size > len(b) {
				return nil, fail(ErrTruncated, "channel message 0x%02x cut off", running)
			}
			e := event{tick: tick, off: base + int64(start), track: int32(track), kind: evChannel, status: running, a: b[i]}
			if size == 2 {
				e.b = b[i+1]
			}
			if e.a >= 0x80 || e.b >= 0x80 {
				return nil, fail(ErrCorrupt, "status byte where a data byte of message 0x%02x belongs", running)
			}
			i += size
			evs = append(evs, e)
		}
	}
	// No end-of-track event: tolerated, the track ends at its last event.
	return append(evs, event{tick: tick, off: base + int64(len(b)), track: int32(track), kind: evEnd}), nil
}

// merged returns the events of all tracks in one stream ordered by tick;
// at equal ticks, lower tracks come first and each track keeps its order.
func (f *file) merged() []event {
	if len(f.tracks) == 1 {
		return f.tracks[0] // already in order
	}
	var all []event
	for i, t := range f.tracks {
		all = append(all, t...)
		f.tracks[i] = nil // let the collector have it while sorting
	}
	slices.SortStableFunc(all, func(x, y event) int {
		switch {
		case x.tick < y.tick:
			return -1
		case x.tick > y.tick:
			return 1
		}
		return 0
	})
	return all
}
