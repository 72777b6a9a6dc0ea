package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aether-audio/aether/wav"
)

// Defaults the JSON format applies to omitted instrument fields; see
// docs/score.md. A 5 ms attack and 50 ms release are short enough to sound
// immediate and long enough not to click.
const (
	DefaultAttack     = 0.005
	DefaultRelease    = 0.05
	DefaultSustain    = 1
	DefaultPulseWidth = 0.5
	// DefaultRootFreq is middle C (MIDI key 60), the usual root of a sample.
	DefaultRootFreq = 261.6255653005986
)

// Options configures the JSON reader.
type Options struct {
	// Limits bound the input; zero fields take their defaults.
	Limits Limits
	// Dir is the directory sample paths are relative to. ReadFile sets it
	// to the score file's directory when empty.
	Dir string
	// LoadSample loads a sample instrument's WAV file; nil means
	// wav.ReadFile. A batch renderer passes a caching loader so a sample
	// shared by many scores is decoded once.
	LoadSample func(path string) (*wav.Audio, error)
}

// The JSON shapes; their json tags are the format's field names, which a
// test compares with docs/score.schema.json.
type jsonScore struct {
	SampleRate  *int                       `json:"sample_rate"`
	Duration    *float64                   `json:"duration"`
	Instruments map[string]*jsonInstrument `json:"instruments"`
	Notes       []jsonNote                 `json:"notes"`
}

type jsonInstrument struct {
	Osc        string      `json:"osc"`
	Attack     *float64    `json:"attack"`
	Decay      *float64    `json:"decay"`
	Sustain    *float64    `json:"sustain"`
	Release    *float64    `json:"release"`
	PulseWidth *float64    `json:"pulse_width"`
	Gain       *float64    `json:"gain"`
	Filter     *jsonFilter `json:"filter"`
	Sample     string      `json:"sample"`
	RootFreq   *float64    `json:"root_freq"`
	Loop       bool        `json:"loop"`
	LoopStart  *int64      `json:"loop_start"`
	LoopEnd    *int64      `json:"loop_end"`
	Table      []float64   `json:"table"`
}

type jsonFilter struct {
	Type      string   `json:"type"`
	Cutoff    *float64 `json:"cutoff"`
	Resonance *float64 `json:"resonance"`
}

type jsonNote struct {
	Time       *float64 `json:"time"`
	Duration   *float64 `json:"duration"`
	Instrument string   `json:"instrument"`
	Freq       *float64 `json:"freq"`
	Key        *float64 `json:"key"`
	Gain       *float64 `json:"gain"`
	Pan        *float64 `json:"pan"`
}

// ReadFile reads the JSON score at path; sample paths are relative to the
// score's directory unless opt.Dir is set. Errors name the path.
func ReadFile(path string, opt Options) (*Score, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if opt.Dir == "" {
		opt.Dir = filepath.Dir(path)
	}
	return Read(path, f, opt)
}

// Read reads a JSON score from r, validates it and returns it resolved:
// instruments sorted by name, notes sorted by start. name is used in every
// error message.
func Read(name string, r io.Reader, opt Options) (*Score, error) {
	lim := opt.Limits.WithDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: read: %v", name, ErrSyntax, err)
	}
	if int64(len(data)) > lim.MaxInputBytes {
		return nil, fmt.Errorf("%s: %w: input is larger than %d bytes", name, ErrLimit, lim.MaxInputBytes)
	}
	var js jsonScore
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&js); err != nil {
		return nil, decodeError(name, data, dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		return nil, fmt.Errorf("%s: %s: %w: trailing data after the score", name, lineCol(data, off), ErrSyntax)
	}
	return js.resolve(name, lim, opt)
}

// decodeError turns an encoding/json error into one line naming the place.
func decodeError(name string, data []byte, off int64, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("%s: %s: %w: %v", name, lineCol(data, syn.Offset), ErrSyntax, syn)
	case errors.As(err, &typ):
		return fmt.Errorf("%s: %s: %s: %w: want %v, got JSON %s", name, lineCol(data, typ.Offset), typ.Field, ErrInvalid, typ.Type, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: %s: %w: unexpected end of input", name, lineCol(data, int64(len(data))), ErrSyntax)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%s: %s: %w %s", name, lineCol(data, off), ErrUnknownField, strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return fmt.Errorf("%s: %s: %w: %v", name, lineCol(data, off), ErrSyntax, err)
}

// lineCol names a byte offset as "line L, col C" (1-based).
func lineCol(data []byte, off int64) string {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte{'\n'}) + 1
	col := int64(len(before)-bytes.LastIndexByte(before, '\n')) - 1
	return fmt.Sprintf("line %d, col %d", line, col+1)
}

func (js *jsonScore) resolve(name string, lim Limits, opt Options) (*Score, error) {
	if js.SampleRate == nil {
		return nil, fmt.Errorf("%s: sample_rate: %w: required", name, ErrInvalid)
	}
	if err := lim.CheckRate(name, *js.SampleRate); err != nil {
		return nil, err
	}
	rate := float64(*js.SampleRate)
	if len(js.Instruments) > lim.MaxInstruments {
		return nil, fmt.Errorf("%s: instruments: %w: %d instruments, limit %d", name, ErrLimit, len(js.Instruments), lim.MaxInstruments)
	}
	if len(js.Notes) > lim.MaxNotes {
		return nil, fmt.Errorf("%s: notes: %w: %d notes, limit %d", name, ErrLimit, len(js.Notes), lim.MaxNotes)
	}
	s := &Score{Name: name, SampleRate: *js.SampleRate}
	names := make([]string, 0, len(js.Instruments))
	for n := range js.Instruments {
		names = append(names, n)
	}
	sort.Strings(names) // map order is random; the render must not be
	index := make(map[string]int, len(names))
	for i, n := range names {
		in, err := js.Instruments[n].resolve(n, lim, opt)
		if err != nil {
			return nil, fmt.Errorf("%s: instruments.%s.%w", name, n, err)
		}
		s.Instruments = append(s.Instruments, in)
		index[n] = i
	}
	end := int64(0)
	s.Notes = make([]Note, len(js.Notes))
	for i := range js.Notes {
		n, err := js.Notes[i].resolve(rate, lim, index)
		if err != nil {
			return nil, fmt.Errorf("%s: notes[%d].%w", name, i, err)
		}
		s.Notes[i] = n
		end = max(end, n.Start+n.Length+s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate))
	}
	s.Frames = end
	if js.Duration != nil {
		d := *js.Duration
		if !inRange(d, 0, math.MaxFloat64) {
			return nil, fmt.Errorf("%s: %w", name, bad("duration", "seconds, not negative", d))
		}
		if d > lim.MaxSeconds {
			return nil, fmt.Errorf("%s: duration: %w: %g s is longer than the limit of %g s", name, ErrLimit, d, lim.MaxSeconds)
		}
		s.Frames = int64(math.Round(d * rate))
	}
	if err := s.validateContent(lim); err != nil {
		return nil, err
	}
	sort.SliceStable(s.Notes, func(i, j int) bool { return s.Notes[i].Start < s.Notes[j].Start })
	return s, nil
}

func (ji *jsonInstrument) resolve(name string, lim Limits, opt Options) (Instrument, error) {
	in := Instrument{
		Name:       name,
		Attack:     DefaultAttack,
		Release:    DefaultRelease,
		Sustain:    DefaultSustain,
		PulseWidth: DefaultPulseWidth,
		Gain:       1,
		RootFreq:   DefaultRootFreq,
	}
	if ji == nil {
		return in, fmt.Errorf("osc: %w: required", ErrInvalid)
	}
	osc := -1
	for i, n := range oscNames {
		if ji.Osc == n {
			osc = i
		}
	}
	if osc < 0 {
		return in, fmt.Errorf("osc: %w: must be one of %s, got %q", ErrInvalid, strings.Join(oscNames[:], ", "), ji.Osc)
	}
	in.Osc = Osc(osc)
	setF64(&in.Attack, ji.Attack)
	setF64(&in.Decay, ji.Decay)
	setF64(&in.Release, ji.Release)
	setF32(&in.Sustain, ji.Sustain)
	setF32(&in.PulseWidth, ji.PulseWidth)
	setF32(&in.Gain, ji.Gain)
	setF64(&in.RootFreq, ji.RootFreq)
	if f := ji.Filter; f != nil {
		in.Filter = &Filter{Cutoff: math.NaN()}
		t := -1
		for i, n := range filterNames {
			if f.Type == n {
				t = i
			}
		}
		if t < 0 {
			return in, fmt.Errorf("filter.type: %w: must be lowpass, highpass or bandpass, got %q", ErrInvalid, f.Type)
		}
		in.Filter.Type = FilterType(t)
		setF64(&in.Filter.Cutoff, f.Cutoff)
		setF32(&in.Filter.Resonance, f.Resonance)
	}
	if (ji.Table != nil) != (in.Osc == Wavetable) {
		return in, fmt.Errorf("table: %w: given if and only if osc is wavetable", ErrInvalid)
	}
	if (ji.Sample != "") != (in.Osc == Sample) {
		return in, fmt.Errorf("sample: %w: given if and only if osc is sample", ErrInvalid)
	}
	if in.Osc == Wavetable {
		if len(ji.Table) > lim.MaxTable {
			return in, fmt.Errorf("table: %w: %d samples, limit %d", ErrLimit, len(ji.Table), lim.MaxTable)
		}
		in.Wavetable = make([]float32, len(ji.Table))
		for i, v := range ji.Table {
			in.Wavetable[i] = float32(v)
		}
	}
	if in.Osc == Sample {
		path := ji.Sample
		if !filepath.IsAbs(path) {
			path = filepath.Join(opt.Dir, path)
		}
		load := opt.LoadSample
		if load == nil {
			load = wav.ReadFile
		}
		a, err := load(path)
		if err != nil {
			return in, fmt.Errorf("sample: %w: %v", ErrSample, err)
		}
		in.Sample = a
		in.Loop = ji.Loop
		in.LoopEnd = int64(a.Frames())
		if ji.LoopStart != nil {
			in.LoopStart = *ji.LoopStart
		}
		if ji.LoopEnd != nil {
			in.LoopEnd = *ji.LoopEnd
		}
	}
	return in, nil
}

func setF64(dst *float64, src *float64) {
	if src != nil {
		*dst = *src
	}
}

func setF32(dst *float32, src *float64) {
	if src != nil {
		*dst = float32(*src)
	}
}

// KeyFreq returns the equal-tempered frequency of MIDI key k (A4 = 69 =
// 440 Hz); fractional keys are microtones.
func KeyFreq(k float64) float64 { return 440 * math.Exp2((k-69)/12) }

func (jn *jsonNote) resolve(rate float64, lim Limits, index map[string]int) (Note, error) {
	n := Note{Gain: 1}
	inst, ok := index[jn.Instrument]
	if !ok {
		return n, fmt.Errorf("instrument: %w %q", ErrUnknownInstrument, jn.Instrument)
	}
	n.Instrument = inst
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
	}
	n.Start = int64(math.Round(*jn.Time * rate))
	n.Length = max(1, int64(math.Round(*jn.Duration*rate)))
	if jn.Key != nil {
		n.Freq = KeyFreq(*jn.Key)
	} else {
		n.Freq = *jn.Freq
	}
	setF32(&n.Gain, jn.Gain)
	setF32(&n.Pan, jn.Pan)
	return n, nil
}
