package sfcompare

import (
	"encoding/binary"
	"slices"
)

// ticksPerSecond: the files the tests write keep the default tempo (120
// quarter notes a minute) at 500 ticks a quarter note, so one tick is one
// millisecond and every time is a whole number of them.
const ticksPerSecond = 1000

// smfEvent is one event of a track: a channel message, or a meta event
// (status 0xFF, then its type and data).
type smfEvent struct {
	ms   int // time in milliseconds (ticks)
	data []byte
}

// smfTrack collects the events of one track in any order; sorted by time
// (stable) when written.
type smfTrack struct{ events []smfEvent }

func (t *smfTrack) add(sec float64, data ...byte) {
	t.events = append(t.events, smfEvent{ms: msOf(sec), data: data})
}

// msOf rounds seconds to the millisecond tick.
func msOf(sec float64) int { return int(sec*ticksPerSecond + 0.5) }

func (t *smfTrack) noteOn(sec float64, ch, key, vel byte) { t.add(sec, 0x90|ch, key, vel) }
func (t *smfTrack) noteOff(sec float64, ch, key byte)     { t.add(sec, 0x80|ch, key, 0) }
func (t *smfTrack) cc(sec float64, ch, cc, v byte)        { t.add(sec, 0xB0|ch, cc, v) }
func (t *smfTrack) program(sec float64, ch, p byte)       { t.add(sec, 0xC0|ch, p) }

// bend sets the pitch wheel to v (0..16383, centre 8192).
func (t *smfTrack) bend(sec float64, ch byte, v int) {
	t.add(sec, 0xE0|ch, byte(v&0x7f), byte(v>>7&0x7f))
}

// smf returns a format 1 Standard MIDI File of the tracks, with a tempo
// track first (500,000 µs a quarter note, 500 ticks a quarter note).
func smf(tracks ...*smfTrack) []byte {
	var out []byte
	out = append(out, "MThd"...)
	out = binary.BigEndian.AppendUint32(out, 6)
	out = binary.BigEndian.AppendUint16(out, 1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(tracks)+1))
	out = binary.BigEndian.AppendUint16(out, 500)
	tempo := &smfTrack{events: []smfEvent{{0, []byte{0xFF, 0x51, 0x07, 0xA1, 0x20}}}}
	for _, t := range append([]*smfTrack{tempo}, tracks...) {
		evs := slices.Clone(t.events)
		slices.SortStableFunc(evs, func(a, b smfEvent) int { return a.ms - b.ms })
		var body []byte
		last := 0
		for _, e := range evs {
			body = appendVLQ(body, uint32(e.ms-last))
			last = e.ms
			if e.data[0] == 0xFF {
				body = append(body, e.data[0], e.data[1])
				body = appendVLQ(body, uint32(len(e.data)-2))
				body = append(body, e.data[2:]...)
			} else {
				body = append(body, e.data...)
			}
		}
		body = append(body, 0, 0xFF, 0x2F, 0) // end of track
		out = append(out, "MTrk"...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
		out = append(out, body...)
	}
	return out
}

// appendVLQ appends v as a MIDI variable-length quantity.
func appendVLQ(b []byte, v uint32) []byte {
	var tmp [5]byte
	n := len(tmp) - 1
	tmp[n] = byte(v & 0x7f)
	for v >>= 7; v > 0; v >>= 7 {
		n--
		tmp[n] = byte(v&0x7f) | 0x80
	}
	return append(b, tmp[n:]...)
}
