package score

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
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
	// SampleRate, when not 0, is the rate the score renders at instead of
	// its sample_rate: its times are seconds, so they become frames at
	// this rate. A note or filter cutoff at or above the new Nyquist
	// frequency is then an error that says so.
	SampleRate int
	// Dir is the directory sample paths are relative to. ReadFile sets it
	// to the score file's directory when empty.
	Dir string
	// SampleRoot is the directory every sample must lie in; empty means
	// Dir. It is a sandbox for scores from untrusted sources: a sample
	// path that is absolute, climbs out with "..", or leads out through a
	// symbolic link is refused, and so is anything but a regular file (a
	// named pipe, a device), with an error that does not tell whether
	// anything exists outside. When SampleRoot and Dir are both empty (a
	// score read from a stream), a score cannot use samples.
	SampleRoot string
	// LoadSample decodes a sample file that the reader has opened inside
	// SampleRoot, a regular file of size bytes; nil means wav.Read. A
	// batch renderer passes a caching loader so a sample shared by many
	// scores is decoded once.
	LoadSample func(f *os.File, size int64) (*wav.Audio, error)
	// LoadSoundFont reads the SoundFont file a preset names (its field
	// "soundfont", spelt name in the score), opened inside SampleRoot as a
	// sample is, a regular file of size bytes counted against
	// Limits.MaxSampleBytes. nil: scores cannot name SoundFonts (package
	// score reads none itself; bounce.Loader passes a loader that keeps
	// each font for every score that names it).
	LoadSoundFont func(name string, f *os.File, size int64) (SoundFont, error)
}

// The JSON shapes of instruments, filters and notes; their json tags are
// the format's field names, which a test compares with
// docs/score.schema.json. The top level is decoded as a stream (see
// decodeScore), so that notes and instruments are counted against the
// limits as they arrive rather than after all are in memory.
type jsonInstrument struct {
	Preset     *jsonPreset `json:"preset"`
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
	Table      jsonTable   `json:"table"`
}

// MaxTableCap is the hard upper bound on Limits.MaxTable: the JSON reader
// counts a table's elements in the raw input and refuses more than this
// before decoding any, so a huge table costs no memory.
const MaxTableCap = 1 << 20

// jsonTable is a wavetable that refuses to decode more than MaxTableCap
// elements.
type jsonTable []float64

// UnmarshalJSON counts the elements before allocating them.
func (t *jsonTable) UnmarshalJSON(raw []byte) error {
	if n := bytes.Count(raw, []byte{','}) + 1; n > MaxTableCap {
		return fmt.Errorf("%w: about %d samples, hard limit %d", ErrLimit, n, MaxTableCap)
	}
	return json.Unmarshal(raw, (*[]float64)(t))
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
	Velocity   *float64 `json:"velocity"`
	Channel    *float64 `json:"channel"`
	Gain       *float64 `json:"gain"`
	Pan        *float64 `json:"pan"`
}

// jsonPreset names a program of the renderer's instrument bank, or of a
// SoundFont file.
type jsonPreset struct {
	Bank      *float64 `json:"bank"`
	Program   *float64 `json:"program"`
	Drums     bool     `json:"drums"`
	SoundFont *string  `json:"soundfont"`
}

// ReadFile reads the JSON score at path; sample paths are relative to the
// score's directory unless opt.Dir is set. Anything that is not a regular
// file (a directory, a named pipe, a device) is refused without blocking
// on it. Errors name the path.
func ReadFile(path string, opt Options) (*Score, error) {
	f, _, err := inputfile.Open(path)
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
	data, tooLarge, err := inputfile.ReadAll(r, inputfile.Size(r), lim.MaxInputBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: read: %v", errtext.Name(name), ErrSyntax, err)
	}
	if tooLarge {
		return nil, fmt.Errorf("%s: %w: input is larger than %d bytes", errtext.Name(name), ErrLimit, lim.MaxInputBytes)
	}
	d := &decoder{name: errtext.Name(name), raw: name, data: data, lim: lim, dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.DisallowUnknownFields()
	if err := d.decodeScore(); err != nil {
		return nil, err
	}
	return d.resolve(opt)
}

func (ji *jsonInstrument) resolve(name string, lim Limits, samples *sampleFiles) (Instrument, error) {
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
	if p := ji.Preset; p != nil {
		if ji.Osc != "" {
			return in, fmt.Errorf("osc: %w: a preset instrument has no oscillator", ErrInvalid)
		}
		if p.Program == nil {
			return in, fmt.Errorf("preset.program: %w: required", ErrInvalid)
		}
		if !inRange(*p.Program, 0, 127) || *p.Program != math.Trunc(*p.Program) {
			return in, bad("preset.program", "a whole number in 0..127", *p.Program)
		}
		in.Preset = &Preset{Program: uint8(*p.Program), Drums: p.Drums}
		if p.Bank != nil {
			if !inRange(*p.Bank, 0, 16383) || *p.Bank != math.Trunc(*p.Bank) {
				return in, bad("preset.bank", "a whole number in 0..16383", *p.Bank)
			}
			in.Preset.Bank = uint16(*p.Bank)
		}
		if p.SoundFont != nil {
			f, err := samples.loadSoundFont(*p.SoundFont, lim)
			if err != nil {
				return in, fmt.Errorf("preset.soundfont: %w", err)
			}
			in.Preset.SoundFont = f
		}
		return in, nil
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
		a, err := samples.load(ji.Sample, lim)
		if err != nil {
			return in, fmt.Errorf("sample: %w", err)
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
