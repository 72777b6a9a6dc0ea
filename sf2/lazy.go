package sf2

import (
	"errors"
	"slices"
	"sync"
	"sync/atomic"
)

// lazyFont is the state of a font read with Options.Lazy: which segments
// of the pool are converted, what makes a preset's regions, and which
// presets are ready.
type lazyFont struct {
	src  sampleSource
	segs []segment

	mu        sync.Mutex // held while preparing; guards converted, buf, flat and the presets' AllRegions
	converted []bool     // per segment
	buf       []byte     // the read buffer, kept between calls
	flat      *flattener
	ready     []atomic.Bool
}

// Prepare makes preset p's regions (AllRegions) and converts the samples
// they play into Pool, reading them from the font's file, if that is not
// done yet. It does nothing for a font read without Options.Lazy, for a
// nil preset, or for one already prepared. Prepare is safe for concurrent
// use and may be called while other presets play; it reads the file, so
// it belongs outside a render loop. An error (the file shrank or cannot
// be read) leaves p unprepared; a later call tries again.
func (f *Font) Prepare(p *Preset) error {
	l := f.lazy
	if l == nil || p == nil || f.Prepared(p) {
		return nil
	}
	if !f.owns(p) {
		return errorf(ErrCorrupt, "Prepare: preset %q is not one of this font's", p.Name)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.AllRegions == nil && p.nregions > 0 {
		p.AllRegions = make([]Region, p.nregions)
		l.flat.preset(f, p)
	}
	var todo []int
	for i := range p.AllRegions {
		if k := f.Samples[p.AllRegions[i].Sample].seg; k >= 0 && !l.converted[k] {
			todo = append(todo, k)
		}
	}
	slices.Sort(todo) // file order: the file is read forwards
	todo = slices.Compact(todo)
	segs := make([]segment, len(todo))
	for i, k := range todo {
		segs[i] = l.segs[k]
	}
	var err error
	if l.buf, err = l.src.convert(f.Pool, segs, l.buf); err != nil {
		return l.named(err)
	}
	for _, k := range todo {
		l.converted[k] = true
	}
	l.ready[p.index].Store(true)
	return nil
}

// Prepared reports whether preset p may play: its samples are in Pool.
// It is true for every preset of a font read without Options.Lazy, and
// for a nil preset; for a lazy font, once Prepare(p) has returned nil.
// It costs one atomic load, so a note-on may ask.
func (f *Font) Prepared(p *Preset) bool {
	if f.lazy == nil || p == nil {
		return true
	}
	return f.owns(p) && f.lazy.ready[p.index].Load()
}

// named adds the file's name to err, as ReadFile's errors have it, when
// the font reads from a file (*os.File has a Name).
func (l *lazyFont) named(err error) error {
	var fe *formatError
	if n, ok := l.src.r.(interface{ Name() string }); ok && errors.As(err, &fe) {
		return &formatError{kind: fe.kind, msg: n.Name() + ": " + fe.msg}
	}
	return err
}

// owns reports whether p is one of f.Presets.
func (f *Font) owns(p *Preset) bool {
	return p.index >= 0 && p.index < len(f.Presets) && &f.Presets[p.index] == p
}
