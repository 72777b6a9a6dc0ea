package sfcompare

import (
	"encoding/binary"
	"errors"
	"sort"
)

// midiEvent is a channel event of a Standard MIDI File at its time in
// seconds: status (with the channel in its low nibble) and data bytes.
type midiEvent struct {
	sec          float64
	status       byte
	data1, data2 byte
}

func (e midiEvent) channel() byte { return e.status & 0x0F }
func (e midiEvent) kind() byte    { return e.status & 0xF0 }

// readEvents returns the channel events of a format 0 or 1 file in time
// order, timed by the tempo map gathered from every track. It is the
// tests' reader of the spec test's MIDI file, which the project's reader
// turns into notes rather than events; it trusts its input.
func readEvents(data []byte) ([]midiEvent, error) {
	if len(data) < 14 || string(data[:4]) != "MThd" {
		return nil, errors.New("not a MIDI file")
	}
	division := float64(binary.BigEndian.Uint16(data[12:14]))
	type tick struct {
		at uint64
		e  midiEvent
	}
	var evs []tick
	type tempoAt struct {
		at uint64
		us float64
	}
	tempos := []tempoAt{{0, 500000}}
	for p := 8 + int(binary.BigEndian.Uint32(data[4:8])); p+8 <= len(data); {
		n := int(binary.BigEndian.Uint32(data[p+4 : p+8]))
		b := data[p+8 : min(p+8+n, len(data))]
		p += 8 + n
		var at uint64
		var running byte
		for i := 0; i < len(b); {
			dt, k := readVLQ(b[i:])
			i += k
			at += dt
			st := b[i]
			if st < 0x80 {
				st = running
			} else {
				i++
			}
			switch {
			case st == 0xFF:
				typ := b[i]
				l, k := readVLQ(b[i+1:])
				body := b[i+1+k : i+1+k+int(l)]
				if typ == 0x51 && len(body) == 3 {
					tempos = append(tempos, tempoAt{at, float64(int(body[0])<<16 | int(body[1])<<8 | int(body[2]))})
				}
				i += 1 + k + int(l)
			case st == 0xF0 || st == 0xF7:
				l, k := readVLQ(b[i:])
				i += k + int(l)
			default:
				running = st
				e := midiEvent{status: st, data1: b[i]}
				if st&0xF0 != 0xC0 && st&0xF0 != 0xD0 {
					e.data2 = b[i+1]
					i++
				}
				i++
				evs = append(evs, tick{at, e})
			}
		}
	}
	sort.SliceStable(tempos, func(i, j int) bool { return tempos[i].at < tempos[j].at })
	seconds := func(at uint64) float64 {
		sec, last, us := 0.0, uint64(0), 500000.0
		for _, t := range tempos {
			if t.at > at {
				break
			}
			sec += float64(t.at-last) * us / 1e6 / division
			last, us = t.at, t.us
		}
		return sec + float64(at-last)*us/1e6/division
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	out := make([]midiEvent, len(evs))
	for i, t := range evs {
		out[i] = t.e
		out[i].sec = seconds(t.at)
	}
	return out, nil
}

func readVLQ(b []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(b) && i < 4; i++ {
		v = v<<7 | uint64(b[i]&0x7F)
		if b[i]&0x80 == 0 {
			return v, i + 1
		}
	}
	return v, len(b)
}

// noteSpan is one note: channel, key, velocity, and its on and off times.
type noteSpan struct {
	ch, key, vel byte
	on, off      float64
}

// notes pairs the note-ons and note-offs (or note-ons of velocity 0) of
// the events into notes, in order of their note-on.
func notes(evs []midiEvent) []noteSpan {
	var out []noteSpan
	open := map[[2]byte][]int{}
	for _, e := range evs {
		k := [2]byte{e.channel(), e.data1}
		switch {
		case e.kind() == 0x90 && e.data2 > 0:
			open[k] = append(open[k], len(out))
			out = append(out, noteSpan{ch: e.channel(), key: e.data1, vel: e.data2, on: e.sec, off: -1})
		case e.kind() == 0x80 || e.kind() == 0x90:
			if q := open[k]; len(q) > 0 {
				out[q[0]].off = e.sec
				open[k] = q[1:]
			}
		}
	}
	return out
}
