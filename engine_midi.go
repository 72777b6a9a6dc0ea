package aether

import (
	"errors"
	"fmt"
)

// Channels is the number of MIDI channels an Engine plays.
const Channels = 16

// ErrMIDI reports a MIDI message that is malformed or out of range.
var ErrMIDI = errors.New("aether: invalid MIDI message")

// Channel posts MIDI channel events to an Engine. Get one with
// Engine.Channel; it is a small value, free to copy. Every method posts to
// the engine's lock-free queue for frame at (see Engine.Frame: an earlier
// frame means the start of the next block), never blocks, never allocates,
// and may be called from any goroutine; a full queue returns ErrQueueFull.
type Channel struct {
	e  *Engine
	ch uint8
}

// Channel returns channel ch (0..15; 9 plays drums, as in General MIDI).
// It panics for a channel out of range, as indexing would.
func (e *Engine) Channel(ch int) Channel {
	if uint(ch) >= Channels {
		panic(fmt.Sprintf("aether: channel %d out of range 0..%d", ch, Channels-1))
	}
	return Channel{e: e, ch: uint8(ch)}
}

// NoteOn starts key (0..127) at velocity (1..127; 0 is a note-off, as in
// MIDI) with the channel's program. A key already sounding on the channel
// is released first, as FluidSynth does, and also under the sustain pedal,
// where FluidSynth lets it ring on (a piano string struck again stops its
// earlier sound, and a key struck many times under the pedal then sounds
// one voice, not one per strike).
func (c Channel) NoteOn(key, velocity uint8, at int64) error {
	if key > 127 || velocity > 127 {
		return fmt.Errorf("%w: note on key %d velocity %d", ErrMIDI, key, velocity)
	}
	if velocity == 0 {
		return c.NoteOff(key, at)
	}
	return c.post(event{kind: evKeyOn, a: key, b: velocity}, at, true)
}

// NoteOff releases key (0..127), or holds it until the sustain pedal
// (controller 64) comes up.
func (c Channel) NoteOff(key uint8, at int64) error {
	if key > 127 {
		return fmt.Errorf("%w: note off key %d", ErrMIDI, key)
	}
	return c.post(event{kind: evKeyOff, a: key}, at, false)
}

// ControlChange sets controller cc (0..127) to value (0..127). Volume (7),
// expression (11) and pan (10) reach the voices the channel sounds and
// those it starts later; 64 is the sustain pedal; 120 (all sound off)
// fades every voice of the channel out at once, 123 (all notes off)
// releases them; 121 resets the controllers; 101/100 and 6/38 set the
// pitch-bend range and the tuning (registered parameters 0,0, 0,1, 0,2);
// bank select (0) takes effect at the next program change.
func (c Channel) ControlChange(cc, value uint8, at int64) error {
	if cc > 127 || value > 127 {
		return fmt.Errorf("%w: control change %d value %d", ErrMIDI, cc, value)
	}
	return c.post(event{kind: evControl, a: cc, b: value}, at, false)
}

// PitchBend sets the pitch wheel: 0..16383, 8192 at rest; its range is 2
// semitones unless registered parameter 0,0 says otherwise.
func (c Channel) PitchBend(value uint16, at int64) error {
	if value > 16383 {
		return fmt.Errorf("%w: pitch bend %d", ErrMIDI, value)
	}
	return c.post(event{kind: evBend, bend: value}, at, false)
}

// ProgramChange selects program (0..127) of the bank chosen by bank select,
// for the notes the channel starts from now on.
func (c Channel) ProgramChange(program uint8, at int64) error {
	if program > 127 {
		return fmt.Errorf("%w: program change %d", ErrMIDI, program)
	}
	return c.post(event{kind: evProgram, a: program}, at, false)
}

// ChannelPressure sets the channel's aftertouch (0..127).
func (c Channel) ChannelPressure(value uint8, at int64) error {
	if value > 127 {
		return fmt.Errorf("%w: channel pressure %d", ErrMIDI, value)
	}
	return c.post(event{kind: evPressure, a: value}, at, false)
}

func (c Channel) post(ev event, at int64, start bool) error {
	if c.e.closed.Load() {
		return ErrClosed
	}
	ev.ch, ev.frame = c.ch, at
	if start {
		ev.id = VoiceID(c.e.nextID.Add(1))
	}
	return c.e.post(ev)
}

// MIDI posts one complete MIDI message (status byte first; running status
// is not accepted) for frame at: note on and off, control change, program
// change, channel pressure and pitch bend go to their channel; polyphonic
// key pressure and system real-time messages are ignored; a System
// Exclusive General MIDI System On (F0 7E xx 09 01 F7) resets every
// channel; other system messages are ignored. It never allocates.
func (e *Engine) MIDI(msg []byte, at int64) error {
	if len(msg) == 0 {
		return fmt.Errorf("%w: empty message", ErrMIDI)
	}
	status := msg[0]
	if status < 0x80 {
		return fmt.Errorf("%w: data byte %#02x where a status byte belongs", ErrMIDI, status)
	}
	if status >= 0xF0 {
		if status == 0xF0 && len(msg) == 6 && msg[1] == 0x7E && msg[3] == 0x09 && msg[4] == 0x01 && msg[5] == 0xF7 {
			if e.closed.Load() {
				return ErrClosed
			}
			return e.post(event{kind: evSystemReset, frame: at})
		}
		return nil
	}
	want := 3
	if op := status & 0xF0; op == 0xC0 || op == 0xD0 {
		want = 2
	}
	if len(msg) != want {
		return fmt.Errorf("%w: status %#02x takes %d bytes, got %d", ErrMIDI, status, want, len(msg))
	}
	for _, d := range msg[1:] {
		if d > 127 {
			return fmt.Errorf("%w: data byte %#02x above 127", ErrMIDI, d)
		}
	}
	c := e.Channel(int(status & 0x0F))
	switch status & 0xF0 {
	case 0x80:
		return c.NoteOff(msg[1], at)
	case 0x90:
		return c.NoteOn(msg[1], msg[2], at)
	case 0xB0:
		return c.ControlChange(msg[1], msg[2], at)
	case 0xC0:
		return c.ProgramChange(msg[1], at)
	case 0xD0:
		return c.ChannelPressure(msg[1], at)
	case 0xE0:
		return c.PitchBend(uint16(msg[1])|uint16(msg[2])<<7, at)
	}
	return nil // polyphonic key pressure
}
