package score

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/aether-audio/aether/internal/inputfile"
	"github.com/aether-audio/aether/wav"
)

// sampleFiles opens the files one score names, the WAV files of its
// sample instruments and the SoundFonts of its presets, inside its sample
// root, counts their bytes against Limits.MaxSampleBytes and reads each
// file once, however many instruments use it.
type sampleFiles struct {
	opt    Options
	root   *os.Root // opened at the first file
	dir    string   // opt.Dir relative to the root
	used   int64    // bytes of the distinct files loaded so far
	loaded []loadedFile
}

type loadedFile struct {
	fi    fs.FileInfo
	what  error // ErrSample or ErrSoundFont: what the file was read as
	value any   // *wav.Audio or SoundFont
}

func (sf *sampleFiles) close() {
	if sf.root != nil {
		sf.root.Close()
	}
}

// load returns the audio of the sample file name (as the score spells it).
// Errors wrap ErrSample or ErrLimit and never tell whether anything exists
// outside the root.
func (sf *sampleFiles) load(name string, lim Limits) (*wav.Audio, error) {
	v, err := sf.file(name, lim, ErrSample, func(f *os.File, size int64) (any, error) {
		if sf.opt.LoadSample != nil {
			return sf.opt.LoadSample(f, size)
		}
		return wav.Read(strconv.Quote(name), f, size)
	})
	if err != nil {
		return nil, err
	}
	return v.(*wav.Audio), nil
}

// loadSoundFont returns the SoundFont file name (as the score spells it),
// read by Options.LoadSoundFont. Errors wrap ErrSoundFont or ErrLimit and
// never tell whether anything exists outside the root.
func (sf *sampleFiles) loadSoundFont(name string, lim Limits) (SoundFont, error) {
	if sf.opt.LoadSoundFont == nil {
		return nil, fmt.Errorf("%w: %q: this reader loads no SoundFonts (Options.LoadSoundFont is nil)", ErrSoundFont, name)
	}
	v, err := sf.file(name, lim, ErrSoundFont, func(f *os.File, size int64) (any, error) {
		return sf.opt.LoadSoundFont(name, f, size)
	})
	if err != nil {
		return nil, err
	}
	return v.(SoundFont), nil
}

// file opens name inside the root and returns what read made of it, or
// what it made of the same file before in this score. what (ErrSample or
// ErrSoundFont) is the error that wraps a failure.
func (sf *sampleFiles) file(name string, lim Limits, what error, read func(f *os.File, size int64) (any, error)) (any, error) {
	if err := sf.openRoot(what); err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, fmt.Errorf("%w: an empty path", what)
	case filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`):
		return nil, fmt.Errorf("%w: %q is an absolute path: paths are relative to the score's directory", what, name)
	}
	rel := filepath.Join(sf.dir, name)
	if !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("%w: %q leaves the sample directory", what, name)
	}
	f, size, err := inputfile.OpenIn(sf.root, rel)
	if err != nil {
		return nil, openError(what, name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", what, name, withoutPath(err))
	}
	for _, l := range sf.loaded {
		if os.SameFile(l.fi, fi) && l.what == what {
			return l.value, nil
		}
	}
	if size > lim.MaxSampleBytes-sf.used {
		return nil, fmt.Errorf("%w: %q is %d bytes, and the files a score names may take %d bytes in all (%d already loaded)",
			ErrLimit, name, size, lim.MaxSampleBytes, sf.used)
	}
	v, err := read(f, size)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", what, err)
	}
	sf.used += size
	sf.loaded = append(sf.loaded, loadedFile{fi, what, v})
	return v, nil
}

// openRoot opens the sample root, once, and finds Dir inside it.
func (sf *sampleFiles) openRoot(what error) error {
	if sf.root != nil {
		return nil
	}
	root, dir := sf.opt.SampleRoot, sf.opt.Dir
	if root == "" {
		root = dir
	}
	if root == "" {
		return fmt.Errorf("%w: no sample directory: a score read from a stream needs Options.SampleRoot to name files", what)
	}
	sf.dir = "."
	if dir != "" {
		absRoot, err1 := filepath.Abs(root)
		absDir, err2 := filepath.Abs(dir)
		rel, err3 := filepath.Rel(absRoot, absDir)
		if err := errors.Join(err1, err2, err3); err != nil || !filepath.IsLocal(rel) && rel != "." {
			return fmt.Errorf("%w: the score's directory %q lies outside the sample directory %q", what, dir, root)
		}
		sf.dir = rel
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("%w: sample directory %q: %v", what, root, withoutPath(err))
	}
	sf.root = r
	return nil
}

// openError describes a failure to open a file inside the root.
// Only what lies inside the root is told apart (missing, not a file, not
// readable); every way out of it gets the same words, so the answer says
// nothing about what exists outside.
func openError(what error, name string, err error) error {
	var why string
	switch {
	case errors.Is(err, inputfile.ErrNotRegular):
		why = withoutPath(err).Error()
	case errors.Is(err, fs.ErrNotExist):
		why = "no such file in the sample directory"
	case errors.Is(err, fs.ErrPermission):
		why = "permission denied"
	case strings.Contains(err.Error(), "escapes"): // os.Root's error for a way out
		why = "leaves the sample directory"
	default:
		why = "cannot be opened: " + withoutPath(err).Error()
	}
	return fmt.Errorf("%w: %q: %s", what, name, why)
}

// withoutPath drops the path an os error names: the caller names the file
// as the score spells it.
func withoutPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
