package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/pitch"
)

// decoder streams a JSON score: the top-level object key by key, the
// instruments and notes one at a time, counting them against the limits.
type decoder struct {
	name string // the input's name as errors show it (errtext.Name)
	raw  string // the input's name, for Score.Name
	data []byte
	lim  Limits
	dec  *json.Decoder

	rate        *int
	duration    *float64
	instruments map[string]*jsonInstrument
	notes       []pendingNote
	instNames   []string         // instrument names used by notes, by first use
	instIndex   map[string]int32 // into instNames
	keys        keyScanner       // finds keys given twice in an object
}

// pendingNote is a note checked as far as it can be before the sample rate
// and the instruments are known (JSON keys come in any order).
type pendingNote struct {
	time, duration, freq   float64
	inst                   int32 // into decoder.instNames
	key, velocity, channel uint8
	gain, pan              float32
}

func (d *decoder) decodeScore() error {
	if err := d.delim('{', ""); err != nil {
		return err
	}
	seen := map[string]bool{}
	for d.dec.More() {
		key, err := d.key("")
		if err != nil {
			return err
		}
		if seen[key] {
			return fmt.Errorf("%s: %s: %s: %w: the key is given twice", d.name, d.at(), errtext.Name(key), ErrInvalid)
		}
		seen[key] = true
		switch key {
		case "sample_rate":
			err = d.value(&d.rate, key)
		case "duration":
			err = d.value(&d.duration, key)
		case "instruments":
			err = d.decodeInstruments()
		case "notes":
			err = d.decodeNotes()
		default:
			return fmt.Errorf("%s: %s: %w %q", d.name, d.at(), ErrUnknownField, key)
		}
		if err != nil {
			return err
		}
	}
	if err := d.delim('}', ""); err != nil {
		return err
	}
	if _, err := d.dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: %s: %w: trailing data after the score", d.name, d.at(), ErrSyntax)
	}
	return nil
}

func (d *decoder) decodeInstruments() error {
	if err := d.delim('{', "instruments"); err != nil {
		return err
	}
	d.instruments = map[string]*jsonInstrument{}
	for d.dec.More() {
		name, err := d.key("instruments")
		if err != nil {
			return err
		}
		if len(d.instruments) >= d.lim.MaxInstruments {
			return fmt.Errorf("%s: instruments: %w: more than %d instruments", d.name, ErrLimit, d.lim.MaxInstruments)
		}
		if _, dup := d.instruments[name]; dup {
			return fmt.Errorf("%s: %s: instruments.%s: %w: the instrument is defined twice", d.name, d.at(), errtext.Name(name), ErrInvalid)
		}
		var ji *jsonInstrument
		if err := d.object(&ji, "instruments."+errtext.Name(name)); err != nil {
			return err
		}
		if ji != nil && len(ji.Table) > d.lim.MaxTable {
			return fmt.Errorf("%s: instruments.%s.table: %w: %d samples, limit %d", d.name, errtext.Name(name), ErrLimit, len(ji.Table), d.lim.MaxTable)
		}
		d.instruments[name] = ji
	}
	return d.delim('}', "instruments")
}

func (d *decoder) decodeNotes() error {
	if err := d.delim('[', "notes"); err != nil {
		return err
	}
	d.instIndex = map[string]int32{}
	for i := 0; d.dec.More(); i++ {
		if i >= d.lim.MaxNotes {
			return fmt.Errorf("%s: notes: %w: more than %d notes", d.name, ErrLimit, d.lim.MaxNotes)
		}
		var jn jsonNote
		path := fmt.Sprintf("notes[%d]", i)
		if err := d.object(&jn, path); err != nil {
			return err
		}
		n, err := jn.check(d.lim)
		if err != nil {
			return fmt.Errorf("%s: %s.%w", d.name, path, err)
		}
		idx, ok := d.instIndex[jn.Instrument]
		if !ok {
			idx = int32(len(d.instNames))
			d.instIndex[jn.Instrument] = idx
			d.instNames = append(d.instNames, jn.Instrument)
		}
		n.inst = idx
		d.notes = append(d.notes, n)
	}
	return d.delim(']', "notes")
}

// delim reads the JSON delimiter want.
func (d *decoder) delim(want json.Delim, path string) error {
	tok, err := d.dec.Token()
	if err != nil {
		return d.fail(err, path)
	}
	if tok != want {
		return fmt.Errorf("%s: %s: %s: %w: want %q, got %s", d.name, d.at(), orTop(path), ErrInvalid, want, tokenText(tok))
	}
	return nil
}

// key reads an object key.
func (d *decoder) key(path string) (string, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return "", d.fail(err, path)
	}
	k, _ := tok.(string)
	return k, nil
}

// value decodes the next value into v.
func (d *decoder) value(v any, path string) error {
	if err := d.dec.Decode(v); err != nil {
		return d.fail(err, path)
	}
	return nil
}

// object decodes the next value, a JSON object, into v, and refuses it if
// the object (or one inside it) gives a key twice.
func (d *decoder) object(v any, path string) error {
	start := d.dec.InputOffset()
	if err := d.value(v, path); err != nil {
		return err
	}
	if key, off := d.keys.duplicate(d.data[start:d.dec.InputOffset()]); key != "" {
		return fmt.Errorf("%s: %s: %s.%s: %w: the key is given twice", d.name, lineCol(d.data, start+int64(off)), path, errtext.Name(key), ErrInvalid)
	}
	return nil
}

// fail turns an encoding/json error into one line naming the place.
func (d *decoder) fail(err error, path string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, ErrLimit):
		return fmt.Errorf("%s: %s: %s.table: %w", d.name, d.at(), orTop(path), err)
	case errors.As(err, &syn):
		return fmt.Errorf("%s: %s: %w: %v", d.name, lineCol(d.data, syn.Offset), ErrSyntax, syn)
	case errors.As(err, &typ):
		field := path
		if typ.Field != "" {
			field = strings.TrimPrefix(path+"."+typ.Field, ".")
		}
		return fmt.Errorf("%s: %s: %s: %w: want %v, got JSON %s", d.name, d.at(), orTop(field), ErrInvalid, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: %s: %w: unexpected end of input", d.name, lineCol(d.data, int64(len(d.data))), ErrSyntax)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%s: %s: %s: %w %s", d.name, d.at(), orTop(path), ErrUnknownField, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("%s: %s: %s: %w: %v", d.name, d.at(), orTop(path), ErrSyntax, err)
}

// tokenText shows a JSON token in a message: strings quoted (they may
// hold any character), delimiters and numbers as they are.
func tokenText(tok json.Token) string {
	if s, ok := tok.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(tok)
}

func orTop(path string) string {
	if path == "" {
		return "(top level)"
	}
	return path
}

// at names the decoder's position as "line L, col C".
func (d *decoder) at() string { return lineCol(d.data, d.dec.InputOffset()) }

// lineCol names a byte offset as "line L, col C" (1-based).
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := len(before) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, col %d", line, col)
}

// check validates what a note can be checked for on its own.
func (jn *jsonNote) check(lim Limits) (pendingNote, error) {
	n := pendingNote{gain: 1}
	switch {
	case jn.Time == nil:
		return n, fmt.Errorf("time: %w: required", ErrInvalid)
	case !inRange(*jn.Time, 0, lim.MaxSeconds):
		return n, bad("time", fmt.Sprintf("seconds in 0..%g", lim.MaxSeconds), *jn.Time)
	case jn.Duration == nil:
		return n, fmt.Errorf("duration: %w: required", ErrInvalid)
	case !(*jn.Duration > 0 && *jn.Duration <= lim.MaxSeconds):
		return n, bad("duration", fmt.Sprintf("seconds in (0, %g]", lim.MaxSeconds), *jn.Duration)
	case (jn.Freq == nil) == (jn.Key == nil):
		return n, fmt.Errorf("freq: %w: give exactly one of freq and key", ErrInvalid)
	case jn.Key != nil && !inRange(*jn.Key, 0, 127):
		return n, bad("key", "a MIDI key number in 0..127", *jn.Key)
	case jn.Velocity != nil && !(inRange(*jn.Velocity, 1, 127) && *jn.Velocity == math.Trunc(*jn.Velocity)):
		return n, bad("velocity", "a whole number in 1..127", *jn.Velocity)
	case jn.Channel != nil && !(inRange(*jn.Channel, 0, Channels-1) && *jn.Channel == math.Trunc(*jn.Channel)):
		return n, bad("channel", fmt.Sprintf("a whole number in 0..%d", Channels-1), *jn.Channel)
	}
	n.time, n.duration = *jn.Time, *jn.Duration
	n.velocity = 127
	if jn.Velocity != nil {
		n.velocity = uint8(*jn.Velocity)
	}
	if jn.Channel != nil {
		n.channel = uint8(*jn.Channel)
	}
	// The key chooses zones; a fractional key, or a frequency, is the
	// pitch, with the nearest key.
	if jn.Key != nil {
		n.freq = pitch.KeyFreq(*jn.Key)
		n.key = uint8(math.Round(*jn.Key))
	} else {
		n.freq = *jn.Freq
		if n.freq > 0 { // else Validate names the bad frequency
			n.key = uint8(min(max(math.Round(69+12*math.Log2(n.freq/pitch.A4)), 0), 127))
		}
	}
	setF32(&n.gain, jn.Gain)
	setF32(&n.pan, jn.Pan)
	return n, nil
}

// resolve builds and validates the Score once the whole input is read.
func (d *decoder) resolve(opt Options) (*Score, error) {
	name, lim := d.name, d.lim
	if d.rate == nil {
		return nil, fmt.Errorf("%s: sample_rate: %w: required", name, ErrInvalid)
	}
	if err := lim.CheckRate(name, *d.rate); err != nil {
		return nil, err
	}
	s := &Score{Name: d.raw, SampleRate: *d.rate}
	if opt.SampleRate != 0 {
		if err := lim.CheckRate(name, opt.SampleRate); err != nil {
			return nil, err
		}
		s.SampleRate = opt.SampleRate
	}
	rate := float64(s.SampleRate)
	names := make([]string, 0, len(d.instruments))
	for n := range d.instruments {
		names = append(names, n)
	}
	sort.Strings(names) // map order is random; the render must not be
	index := make(map[string]int, len(names))
	samples := &sampleFiles{opt: opt}
	defer samples.close()
	for i, n := range names {
		in, err := d.instruments[n].resolve(n, lim, samples)
		if err != nil {
			return nil, fmt.Errorf("%s: instruments.%s.%w", name, errtext.Name(n), err)
		}
		s.Instruments = append(s.Instruments, in)
		index[n] = i
	}
	used := make([]int, len(d.instNames))
	for i, n := range d.instNames {
		idx, ok := index[n]
		if !ok {
			for j := range d.notes { // name the first note that uses it
				if d.notes[j].inst == int32(i) {
					return nil, fmt.Errorf("%s: notes[%d].instrument: %w %q", name, j, ErrUnknownInstrument, n)
				}
			}
		}
		used[i] = idx
	}
	s.Notes = make([]Note, len(d.notes))
	for i, p := range d.notes {
		n := Note{
			Start:      int64(math.Round(p.time * rate)),
			Length:     max(1, int64(math.Round(p.duration*rate))),
			Instrument: used[p.inst],
			Channel:    p.channel,
			Key:        p.key,
			Velocity:   p.velocity,
			Freq:       p.freq,
			Gain:       p.gain,
			Pan:        p.pan,
		}
		s.Notes[i] = n
		s.Frames = max(s.Frames, n.Start+n.Length+s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate))
	}
	for _, in := range s.Instruments {
		if in.Preset != nil {
			s.Tail = true // how long a preset's release lasts is the bank's
		}
	}
	if d.duration != nil {
		s.Tail = false
		v := *d.duration
		if !(v >= 0) {
			return nil, fmt.Errorf("%s: %w", name, bad("duration", "seconds, not negative", v))
		}
		if v > lim.MaxSeconds {
			return nil, fmt.Errorf("%s: duration: %w: %g s is longer than the limit of %g s", name, ErrLimit, v, lim.MaxSeconds)
		}
		s.Frames = int64(math.Round(v * rate))
	}
	if err := s.validateContent(lim); err != nil {
		if s.SampleRate != *d.rate {
			return nil, fmt.Errorf("%w (rendering at %d Hz instead of the score's sample_rate of %d Hz)", err, s.SampleRate, *d.rate)
		}
		return nil, err
	}
	sort.SliceStable(s.Notes, func(i, j int) bool { return s.Notes[i].Start < s.Notes[j].Start })
	return s, nil
}
