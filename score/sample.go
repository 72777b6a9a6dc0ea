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

// sampleFiles opens the WAV files of one score's sample instruments inside
// its sample root, counts their bytes against Limits.MaxSampleBytes and
// decodes each file once, however many instruments play it.
type sampleFiles struct {
	opt    Options
	root   *os.Root // opened at the first sample
	dir    string   // opt.Dir relative to the root
	used   int64    // bytes of the distinct files loaded so far
	loaded []loadedSample
}

type loadedSample struct {
	fi    fs.FileInfo
	audio *wav.Audio
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
	if err := sf.openRoot(); err != nil {
		return nil, err
	}
	switch {
	case name == "":
		return nil, fmt.Errorf("%w: an empty path", ErrSample)
	case filepath.IsAbs(name) || strings.HasPrefix(name, "/") || strings.HasPrefix(name, `\`):
		return nil, fmt.Errorf("%w: %q is an absolute path: sample paths are relative to the score's directory", ErrSample, name)
	}
	rel := filepath.Join(sf.dir, name)
	if !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("%w: %q leaves the sample directory", ErrSample, name)
	}
	f, size, err := inputfile.OpenIn(sf.root, rel)
	if err != nil {
		return nil, sampleOpenError(name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrSample, name, withoutPath(err))
	}
	for _, l := range sf.loaded {
		if os.SameFile(l.fi, fi) {
			return l.audio, nil
		}
	}
	if size > lim.MaxSampleBytes-sf.used {
		return nil, fmt.Errorf("%w: %q is %d bytes, and the score's samples may take %d bytes in all (%d already loaded)",
			ErrLimit, name, size, lim.MaxSampleBytes, sf.used)
	}
	var a *wav.Audio
	if sf.opt.LoadSample != nil {
		a, err = sf.opt.LoadSample(f, size)
	} else {
		a, err = wav.Read(strconv.Quote(name), f, size)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSample, err)
	}
	sf.used += size
	sf.loaded = append(sf.loaded, loadedSample{fi, a})
	return a, nil
}

// openRoot opens the sample root, once, and finds Dir inside it.
func (sf *sampleFiles) openRoot() error {
	if sf.root != nil {
		return nil
	}
	root, dir := sf.opt.SampleRoot, sf.opt.Dir
	if root == "" {
		root = dir
	}
	if root == "" {
		return fmt.Errorf("%w: no sample directory: a score read from a stream needs Options.SampleRoot to use samples", ErrSample)
	}
	sf.dir = "."
	if dir != "" {
		absRoot, err1 := filepath.Abs(root)
		absDir, err2 := filepath.Abs(dir)
		rel, err3 := filepath.Rel(absRoot, absDir)
		if err := errors.Join(err1, err2, err3); err != nil || !filepath.IsLocal(rel) && rel != "." {
			return fmt.Errorf("%w: the score's directory %q lies outside the sample directory %q", ErrSample, dir, root)
		}
		sf.dir = rel
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return fmt.Errorf("%w: sample directory %q: %v", ErrSample, root, withoutPath(err))
	}
	sf.root = r
	return nil
}

// sampleOpenError describes a failure to open a sample inside the root.
// Only what lies inside the root is told apart (missing, not a file, not
// readable); every way out of it gets the same words, so the answer says
// nothing about what exists outside.
func sampleOpenError(name string, err error) error {
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
	return fmt.Errorf("%w: %q: %s", ErrSample, name, why)
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
