package bounce

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
)

// Stdin is the path that stands for standard input in Loader.Load.
const Stdin = "-"

// LoaderOptions configures a Loader. The zero value reads MIDI files at
// midi.DefaultSampleRate and JSON scores at their own rate, under the
// default limits.
type LoaderOptions struct {
	// SampleRate is the render rate: MIDI files render at it (0 means
	// midi.DefaultSampleRate), and so do JSON scores when it is not 0,
	// instead of their own sample_rate (see score.Options.SampleRate).
	SampleRate int
	// Limits bound every input; zero fields take the defaults of
	// score.DefaultLimits.
	Limits score.Limits
	// Stdin is what Load reads for the path "-"; nil means no standard
	// input (an error).
	Stdin io.Reader
	// SampleRoot is the directory the samples of JSON scores must lie in
	// (see score.Options.SampleRoot): empty means each score file's own
	// directory, and no samples for a score read from a reader. Sample
	// paths stay relative to the score's directory.
	SampleRoot string
	// SampleCacheBytes bounds the WAV files the Loader keeps decoded for
	// the scores that follow, counted by file size (decoded, a sample
	// takes up to twice its size in memory); the least recently used go
	// first. 0 means DefaultSampleCacheBytes; a negative value keeps none.
	SampleCacheBytes int64
	// SoundFontProfile is how the SoundFonts that JSON scores name (a
	// preset's "soundfont") play; the zero value means
	// instrument.FluidSynthProfile.
	SoundFontProfile instrument.Profile
	// SoundFontCacheBytes bounds the SoundFonts the Loader keeps for the
	// scores that follow, counted by their decoded samples (FluidR3_GM:
	// 296 MB); the least recently used go first. 0 means
	// DefaultSoundFontCacheBytes; a negative value keeps none.
	SoundFontCacheBytes int64
}

// DefaultSampleCacheBytes is the sample cache of a Loader when
// LoaderOptions.SampleCacheBytes is 0: 1 GiB of WAV files holds any
// realistic set of sample instruments many times over, and bounds what a
// long batch keeps (at most twice this in memory).
const DefaultSampleCacheBytes = 1 << 30

// DefaultSoundFontCacheBytes is the SoundFont cache of a Loader when
// LoaderOptions.SoundFontCacheBytes is 0: room for a few General MIDI
// fonts, each read once for a whole batch.
const DefaultSoundFontCacheBytes = 1 << 30

// Loader opens inputs by content and extension: JSON scores (.json) and
// Standard MIDI Files (.mid, .midi), or either from standard input. One
// Loader may serve a whole batch from many goroutines: the WAV samples of
// sample instruments and the SoundFonts of presets are read once, however
// many scores use them and however their paths are spelled, as long as
// they stay in its caches.
type Loader struct {
	opt     LoaderOptions
	samples *fileCache[*wav.Audio]
	fonts   *fileCache[*SoundFont]
}

// NewLoader returns a Loader with the options opt.
func NewLoader(opt LoaderOptions) *Loader {
	if opt.SoundFontProfile.Modulators == nil {
		opt.SoundFontProfile = instrument.FluidSynthProfile
	}
	l := &Loader{opt: opt}
	l.samples = newFileCache(budget(opt.SampleCacheBytes, DefaultSampleCacheBytes), decodeSample)
	l.fonts = newFileCache(budget(opt.SoundFontCacheBytes, DefaultSoundFontCacheBytes), l.readSoundFont)
	return l
}

// budget is a cache's budget: b, or def for 0.
func budget(b, def int64) int64 {
	if b == 0 {
		return def
	}
	return b
}

// Limits returns the limits the Loader reads inputs under, defaults
// filled in: pass them to Options.Limits so the render checks the same.
func (l *Loader) Limits() score.Limits { return l.opt.Limits.WithDefaults() }

// Load reads the score or MIDI file at path ("-": standard input, MIDI if
// it starts with "MThd", a JSON score otherwise). Errors are one line and
// name path.
func (l *Loader) Load(path string) (*score.Score, error) {
	if path == Stdin {
		if l.opt.Stdin == nil {
			return nil, fmt.Errorf("standard input: none given to the loader")
		}
		return l.Read("standard input", l.opt.Stdin)
	}
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".json":
		return score.ReadFile(path, l.scoreOptions())
	case ".mid", ".midi":
		return midi.ReadFile(path, l.midiOptions())
	default:
		return nil, fmt.Errorf("%s: unknown input type %q: want .json, .mid or .midi", errtext.Name(path), ext)
	}
}

// Read reads a score or MIDI file from r, telling them apart by content:
// MIDI if it starts with "MThd", a JSON score otherwise. name is used in
// every error message; the samples of a JSON score are found in
// SampleRoot, and without one it cannot use samples.
func (l *Loader) Read(name string, r io.Reader) (*score.Score, error) {
	lim := l.Limits()
	data, tooLarge, err := inputfile.ReadAll(r, inputfile.Size(r), lim.MaxInputBytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", errtext.Name(name), err)
	}
	if tooLarge {
		return nil, fmt.Errorf("%s: %w: input is larger than %d bytes", errtext.Name(name), score.ErrLimit, lim.MaxInputBytes)
	}
	if bytes.HasPrefix(data, []byte("MThd")) {
		return midi.Read(name, bytes.NewReader(data), l.midiOptions()) // within the MIDI size limit
	}
	return score.Read(name, bytes.NewReader(data), l.scoreOptions())
}

func (l *Loader) scoreOptions() score.Options {
	return score.Options{Limits: l.opt.Limits, SampleRate: l.opt.SampleRate, SampleRoot: l.opt.SampleRoot,
		LoadSample: l.samples.load, LoadSoundFont: l.loadSoundFont}
}

// SoundFontBytes returns the bytes of decoded samples of the SoundFonts
// the Loader keeps for the scores that follow (those JSON presets named).
// A program can keep its memory limit above them (see docs/bounce.md).
func (l *Loader) SoundFontBytes() int64 {
	l.fonts.mu.Lock()
	defer l.fonts.mu.Unlock()
	return l.fonts.used
}

// loadSoundFont is the score.Options.LoadSoundFont of the Loader's
// scores. The font is named by its path, as the first score to load it
// reached it.
func (l *Loader) loadSoundFont(_ string, f *os.File, size int64) (score.SoundFont, error) {
	font, err := l.fonts.load(f, size)
	if err != nil {
		return nil, err
	}
	return font, nil
}

// readSoundFont reads the font in f, of size bytes, under the Loader's
// profile; its cost is its decoded samples' bytes.
func (l *Loader) readSoundFont(f *os.File, size int64) (*SoundFont, int64, error) {
	font, err := readFont(f, size, f.Name(), l.opt.SoundFontProfile, false)
	if err != nil {
		return nil, 0, err
	}
	return font, int64(len(font.Font().Pool)) * 4, nil
}

func (l *Loader) midiOptions() midi.Options {
	return midi.Options{SampleRate: l.opt.SampleRate, Limits: l.opt.Limits}
}
