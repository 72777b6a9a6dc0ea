package bounce

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/inputfile"
	"github.com/aether-audio/aether/sf2"
	"github.com/aether-audio/aether/sf2/sf3"
)

// SoundFont is a SoundFont read once and shared by every render that
// names it (Options.SoundFont), with the instrument bank that plays it
// made once per output rate, on first use. A batch reads its font once
// whatever the number of files, workers or rates; the font's samples (for
// FluidR3_GM, up to about 300 MB of float32) are held once, each
// converted the first time a render plays it (OpenSoundFont), and only
// read. A SoundFont is safe for any number of goroutines.
type SoundFont struct {
	name    string
	font    *sf2.Font
	profile instrument.Profile

	mu    sync.Mutex
	banks map[int]*instrument.SoundFontBank // by output rate
}

// OpenSoundFont reads the SoundFont file at path (SF2, or SF3 with Ogg
// Vorbis samples, decoded by package sf2/sf3) for profile p
// (instrument.FluidSynthProfile plays it as FluidSynth 2.3.1 does,
// instrument.SpecProfile as the SoundFont 2.04 specification says). The
// path must name a regular file: a directory, a named pipe or a device is
// refused at once, without blocking. Errors are one line naming the path
// and, for a bad font, the chunk and record (sf2's errors, which they
// wrap).
//
// The font is read lazily (sf2.Options.Lazy): a render converts the
// samples of the presets its score plays when it is planned, so a file
// that plays a few presets of a large font never reads the rest. The
// file stays open for that, and must not change, until the SoundFont is
// no longer reachable.
func OpenSoundFont(path string, p instrument.Profile) (*SoundFont, error) {
	if p.Modulators == nil {
		return nil, fmt.Errorf("%w: SoundFont profile %q has no modulator rules", ErrOptions, p.Name)
	}
	f, size, err := inputfile.Open(path)
	if err != nil {
		return nil, err
	}
	font, err := readFont(f, size, path, p, true)
	if err != nil {
		f.Close()
	}
	return font, err
}

// readFont reads the font in r, of size bytes, as NewSoundFont's name;
// lazily (sf2.Options.Lazy) if lazy, when r stays readable.
func readFont(r io.ReaderAt, size int64, name string, p instrument.Profile, lazy bool) (*SoundFont, error) {
	o := p.ReadOptions()
	o.Lazy = lazy
	font, err := sf3.Options(o).Read(r, size)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", errtext.Name(name), err)
	}
	return NewSoundFont(name, font, p)
}

// NewSoundFont wraps a font already read, under name (what Result and
// error messages call it, usually its path). The font must have been read
// with p's options (p.ReadOptions()): the modulator rules are resolved
// into its regions at load.
func NewSoundFont(name string, font *sf2.Font, p instrument.Profile) (*SoundFont, error) {
	switch {
	case font == nil:
		return nil, errors.New("bounce: NewSoundFont of a nil font")
	case p.Modulators == nil:
		return nil, fmt.Errorf("%w: SoundFont profile %q has no modulator rules", ErrOptions, p.Name)
	}
	return &SoundFont{name: name, font: font, profile: p, banks: map[int]*instrument.SoundFontBank{}}, nil
}

// Name returns the name the SoundFont was opened under (its path).
func (f *SoundFont) Name() string { return f.name }

// Font returns the font, read-only.
func (f *SoundFont) Font() *sf2.Font { return f.font }

// Profile returns the profile the font plays by.
func (f *SoundFont) Profile() instrument.Profile { return f.profile }

// Bank returns the instrument bank that plays the font at rate Hz, made
// on the first call for that rate and shared by every later one.
func (f *SoundFont) Bank(rate int) (*instrument.SoundFontBank, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if b, ok := f.banks[rate]; ok {
		return b, nil
	}
	b, err := instrument.SoundFont(f.font, rate, f.profile)
	if err != nil {
		return nil, fmt.Errorf("SoundFont %s: %w", errtext.Name(f.name), err)
	}
	f.banks[rate] = b
	return b, nil
}
