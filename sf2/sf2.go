// Package sf2 reads SoundFont 2 files into a read-only Font: samples
// converted once into one float32 pool, and every preset flattened into
// regions that hold everything a note-on needs, so a note finds its
// regions without allocating.
//
// The reader follows the SoundFont 2.04 specification and, where the spec
// leaves room or real fonts break it, FluidSynth 2.3.1: it sanitises what
// FluidSynth sanitises (broken loops, samples outside the sample data,
// misplaced generators and global zones) instead of rejecting the font,
// and rejects what FluidSynth rejects, with a one-line error naming the
// chunk and record. docs/sf2.md has every rule.
package sf2

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync/atomic"
)

// Errors returned by Read, wrapped in a one-line message that names the
// chunk and record ("sf2: pdta/pbag record 12: generator index 40 goes
// backwards (previous 44)"); test them with errors.Is.
var (
	// ErrNotSoundFont: the input is not a RIFF sfbk file (a WAV, say).
	ErrNotSoundFont = errors.New("not a SoundFont")
	// ErrTruncated: a chunk ends past its parent or the end of the input.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: the structure cannot be read reliably (bad record
	// sizes, missing chunks or terminal records, indexes out of range or
	// going backwards).
	ErrCorrupt = errors.New("corrupt")
	// ErrUnsupported: a valid file this reader does not play (SF3
	// compressed samples without Options.Decoder, a version other than 2
	// or 3).
	ErrUnsupported = errors.New("unsupported")
	// ErrLimit: the font would flatten into more regions than its size
	// allows, or its compressed samples would decode to more frames than
	// their size allows (docs/sf2.md).
	ErrLimit = errors.New("over limit")
)

// formatError is the one-line error of this package: "sf2: " and a
// message, unwrapping to one of the Err variables.
type formatError struct {
	kind error
	msg  string
}

func (e *formatError) Error() string { return "sf2: " + e.msg }
func (e *formatError) Unwrap() error { return e.kind }

func errorf(kind error, format string, args ...any) error {
	return &formatError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// Font is a SoundFont loaded into memory. It is read-only after Read,
// but for what Prepare fills in (a lazy font's samples and regions), and
// safe for any number of goroutines; nothing in it may be modified.
type Font struct {
	Info Info
	// Pool holds every sample, converted to float32 (16-bit data / 32768,
	// 24-bit / 8388608), each surrounded by at least Guard zero frames; in
	// a font read with Options.Lazy, a preset's samples once Prepare has
	// converted them, zeros until then.
	// Its first element is 64-byte aligned and so is each sample's first
	// frame. It holds no pointers, so the garbage collector never scans it.
	Pool []float32
	// Samples are the sample headers in file order (the shdr records
	// less the terminal one), with positions into Pool.
	Samples []Sample
	// Presets are sorted by (Bank, Program); presets that share both keep
	// their file order.
	Presets []Preset

	lazy *lazyFont // nil unless read with Options.Lazy
}

// Info holds the LIST INFO strings and versions (spec section 5).
type Info struct {
	Version    Version // ifil: the SoundFont version (2.01, 2.04, 3.x)
	Engine     string  // isng: the sound engine the font was made for
	Name       string  // INAM: the font's name
	ROM        string  // irom: the wavetable ROM it uses, if any
	ROMVersion Version // iver
	Date       string  // ICRD: creation date
	Engineers  string  // IENG
	Product    string  // IPRD: the product it was made for
	Copyright  string  // ICOP
	Comment    string  // ICMT
	Software   string  // ISFT: the tools that made and edited it
}

// Version is a major.minor version number.
type Version struct{ Major, Minor uint16 }

// String returns "major.minor" with two-digit minor ("2.01").
func (v Version) String() string { return fmt.Sprintf("%d.%02d", v.Major, v.Minor) }

// Sample types (the shdr sfSampleType bits).
const (
	SampleMono   = 1
	SampleRight  = 2
	SampleLeft   = 4
	SampleLinked = 8
	SampleVorbis = 0x10 // SF3: Ogg Vorbis compressed
	SampleROM    = 0x8000
)

// Sample is one sample header. SF2 samples are mono; a stereo pair is two
// samples linked left to right (Type SampleLeft or SampleRight, Link the
// other's index).
type Sample struct {
	Name string
	// Start and End bound the sample's frames in Font.Pool: [Start, End).
	// Start == End for a sample that cannot be played (a ROM sample, one
	// outside the sample data, shorter than 2 frames or of rate 0); no
	// region uses such a sample.
	Start, End int
	// LoopStart and LoopEnd are the loop in Pool after sanitising
	// (docs/sf2.md), within [Start, End].
	LoopStart, LoopEnd int
	Rate               int    // sample rate in Hz
	RootKey            uint8  // original pitch: MIDI key; 255 means unpitched (see Region.RootKey)
	Correction         int8   // pitch correction in cents, to apply on playback
	Type               uint16 // sfSampleType bits: SampleMono, SampleLeft, ...
	// Link is the index in Font.Samples of the other sample of a stereo
	// pair, or -1 (a mono sample, or a link out of range).
	Link int

	// The file's positions in smpl after the loop sanitising, in frames
	// of the sample data chunk (of the decoded sample for a compressed
	// one); the region windows are computed from them.
	fileStart, fileEnd, fileLoopStart, fileLoopEnd int
	// poolBase is the Pool index of file frame 0 of this sample's segment:
	// Pool index = poolBase + file frame.
	poolBase int
	// seg is the index of the sample's segment among the 16- and 24-bit
	// ones (what a lazy font converts), -1 for a compressed or unplayable
	// sample.
	seg int
}

// playable reports whether regions may use the sample.
func (s *Sample) playable() bool { return s.End > s.Start }

// Preset is one preset, flattened into regions.
type Preset struct {
	Name          string
	Bank, Program uint16
	// AllRegions are the preset's regions: one per pair of a preset zone
	// and an instrument zone whose key and velocity ranges intersect, in
	// file order (preset zone, then instrument zone). In a font read with
	// Options.Lazy they are made by the preset's first Prepare: nil until
	// then (NumRegions counts them at load).
	AllRegions []Region

	index    int // in Font.Presets
	rec      int // the phdr record
	nregions int // len(AllRegions) once made
}

// NumRegions returns the number of regions of all the font's presets,
// made or, in a lazy font, still to make.
func (f *Font) NumRegions() int {
	n := 0
	for i := range f.Presets {
		n += f.Presets[i].nregions
	}
	return n
}

// Region is what a note-on in its key and velocity range plays: one
// voice, with every parameter resolved from the preset and instrument
// zones.
type Region struct {
	// KeyLo..KeyHi and VelLo..VelHi (inclusive) are the intersection of
	// the preset and instrument zones' ranges.
	KeyLo, KeyHi, VelLo, VelHi uint8
	// Gen holds every generator's value before modulators: the instrument
	// zone's (or its global zone's, or the spec default), plus the preset
	// zone's (or its global zone's) for the generators a preset may set.
	// Sums saturate at the int16 range; no value is clamped to its spec
	// range: clamp at note-on, after adding the modulators (Clamp).
	// initialAttenuation is the file's value: synthesizers scale it by
	// 0.4 (EMU's hardware did, FluidSynth does at load), not its
	// modulators. keyRange, velRange, instrument and sampleID hold 0.
	Gen [NumGenerators]int16
	// Sample is the index of the region's sample in Font.Samples.
	Sample int
	// Start and End bound the frames played, in Font.Pool, after the
	// sample offset generators: [Start, End). Start == End means the
	// region plays nothing (FluidSynth starts the voice and ends it at
	// once: its exclusive class still cuts other voices).
	Start, End int
	// LoopStart and LoopEnd bound the loop in Font.Pool, within the
	// sample (not necessarily within [Start, End)). A voice starting past
	// LoopEnd jumps to LoopStart when it loops (FluidSynth does).
	LoopStart, LoopEnd int
	// LoopMode is 0 (no loop), 1 (loop continuously) or 3 (loop until
	// the note is released, then play on to End). sampleModes 2 and any
	// other value play unlooped, as does a loop shorter than 2 frames.
	LoopMode uint8
	// RootKey is the MIDI key at which the sample plays at its recorded
	// pitch: overridingRootKey if set (clamped to 127), else the sample's
	// original pitch as the file gives it. The spec says 128-255 mean 60;
	// FluidSynth uses the raw value, and so does this field.
	RootKey uint8
	// Correction is the sample's pitch correction in cents.
	Correction int8
	// Rate is the sample's rate in Hz.
	Rate int
	// ExclusiveClass is the exclusiveClass generator (0: none).
	ExclusiveClass int16
	// Mods is the region's modulator list, resolved (see ModulatorRules
	// and docs/sf2.md); shared between regions, never to be modified.
	Mods []Modulator
}

// Options configure Read. The zero Options read as the spec says.
type Options struct {
	// Rules resolve each region's modulators (nil: SpecRules).
	Rules *ModulatorRules
	// Decoder decodes SF3 fonts' compressed samples (type bit
	// SampleVorbis). Nil: a font with such a sample is refused with
	// ErrUnsupported. Package sf2/sf3 provides one; it is kept out of
	// this package so that programs reading only SF2 do not link a
	// Vorbis decoder.
	Decoder SampleDecoder
	// Lazy leaves the 16- and 24-bit samples in the file at load: Pool
	// is allocated but untouched (the operating system gives its pages
	// only once written), and Font.Prepare converts the samples of a
	// preset before it plays, and makes its regions, so a program that
	// plays a few presets of a large font reads, converts and flattens
	// only theirs. Until then Prepared reports false, Pool holds zeros
	// there and the preset's AllRegions is nil. The font keeps reading
	// from the file (Read's r, or the file ReadFile opened, closed when
	// the font is no longer reachable), which must stay unchanged. SF3's
	// compressed samples are decoded at load either way.
	Lazy bool
}

// SampleDecoder decodes the compressed samples of SF3 fonts: each is one
// mono Ogg Vorbis stream. Read calls its methods from several goroutines
// at once, each call with its own stream.
type SampleDecoder interface {
	// Frames returns the number of frames the stream declares, reading
	// only as much of it as that takes. A stream that is not mono Ogg
	// Vorbis, or declares no length, is an error.
	Frames(stream []byte) (int, error)
	// Decode decodes the stream into dst, whose length is what Frames
	// returned, as float32 in [-1, 1]. A stream that decodes to more
	// frames than dst holds (it stops there) or to fewer is an error.
	Decode(dst []float32, stream []byte) error
}

// ReadFile reads the SoundFont at path. Errors name the path.
func ReadFile(path string) (*Font, error) {
	return Options{}.ReadFile(path)
}

// Read reads a SoundFont of size bytes from r. Sample data is read once,
// straight into the pool, in file order (see Options.Lazy for reading
// only what plays).
func Read(r io.ReaderAt, size int64) (*Font, error) {
	return Options{}.Read(r, size)
}

// ReadFile is ReadFile with these options. With Lazy, the font keeps the
// file open for Prepare.
func (o Options) ReadFile(path string) (*Font, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	font, err := o.Read(f, fi.Size())
	if err != nil || !o.Lazy {
		f.Close()
	}
	if err != nil {
		var fe *formatError
		if errors.As(err, &fe) {
			return nil, &formatError{kind: fe.kind, msg: path + ": " + fe.msg}
		}
		return nil, fmt.Errorf("sf2: %s: %w", path, err)
	}
	return font, nil
}

// Read is Read with these options. With Lazy, r must stay readable for
// as long as presets are prepared.
func (o Options) Read(r io.ReaderAt, size int64) (*Font, error) {
	rules := o.Rules
	if rules == nil {
		rules = &SpecRules
	}
	lay, err := scanRIFF(r, size)
	if err != nil {
		return nil, err
	}
	font := &Font{}
	if err := readInfo(r, lay, &font.Info); err != nil {
		return nil, err
	}
	if v := font.Info.Version.Major; lay.hasIfil && (v < 2 || v > 3) {
		return nil, errorf(ErrUnsupported, "INFO/ifil: SoundFont version %s (only 2.x and 3.x are read)", font.Info.Version)
	}
	h, err := readHydra(r, lay, rules)
	if err != nil {
		return nil, err
	}
	if err := font.loadSamples(r, lay, h, o.Decoder, o.Lazy); err != nil {
		return nil, err
	}
	if err := font.flatten(h, rules, size); err != nil {
		return nil, err
	}
	sort.SliceStable(font.Presets, func(i, j int) bool {
		a, b := &font.Presets[i], &font.Presets[j]
		if a.Bank != b.Bank {
			return a.Bank < b.Bank
		}
		return a.Program < b.Program
	})
	for i := range font.Presets {
		font.Presets[i].index = i
	}
	if font.lazy != nil {
		font.lazy.ready = make([]atomic.Bool, len(font.Presets))
	}
	return font, nil
}

// Preset returns the preset of the bank and program, or nil. Where two
// presets share both, it returns the first in file order.
func (f *Font) Preset(bank, program uint16) *Preset {
	i := sort.Search(len(f.Presets), func(i int) bool {
		p := &f.Presets[i]
		return p.Bank > bank || p.Bank == bank && p.Program >= program
	})
	if i < len(f.Presets) && f.Presets[i].Bank == bank && f.Presets[i].Program == program {
		return &f.Presets[i]
	}
	return nil
}

// DrumBank is the bank of General MIDI drum kits in a SoundFont.
const DrumBank = 128

// PresetWithFallback returns the preset FluidSynth 2.3.1 plays for a
// program change in its default bank-select mode (GS), or nil if the font
// has none of the candidates (fluid_synth_program_change,
// fluid_channel_set_bank_msb):
//   - On a drum channel (MIDI channel 10 by default) the bank is always
//     DrumBank: bank select is ignored there. A missing kit falls back to
//     kit 0 of DrumBank.
//   - On a melodic channel the bank is the bank select MSB (CC0; the LSB,
//     CC32, is ignored in GS mode), so 0-127. A missing (bank, program)
//     falls back to (0, program), then to (0, 0).
func (f *Font) PresetWithFallback(bank, program uint16, drum bool) *Preset {
	if drum {
		if p := f.Preset(DrumBank, program); p != nil {
			return p
		}
		return f.Preset(DrumBank, 0)
	}
	if p := f.Preset(bank, program); p != nil {
		return p
	}
	if p := f.Preset(0, program); p != nil {
		return p
	}
	return f.Preset(0, 0)
}

// Regions appends to dst the preset's regions whose key and velocity
// ranges hold key and vel, in AllRegions order, and returns the extended
// slice. It allocates nothing when dst has the capacity. A nil preset
// (a lookup that found none) has no regions, nor has a lazy font's
// preset before its Prepare.
func (p *Preset) Regions(key, vel uint8, dst []*Region) []*Region {
	if p == nil {
		return dst
	}
	for i := range p.AllRegions {
		r := &p.AllRegions[i]
		if key >= r.KeyLo && key <= r.KeyHi && vel >= r.VelLo && vel <= r.VelHi {
			dst = append(dst, r)
		}
	}
	return dst
}
