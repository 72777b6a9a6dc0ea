package sf2

import (
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
)

// SF3 fonts (MuseScore's format, as FluidSynth 2.3.1 reads it) keep each
// sample as one Ogg Vorbis stream in smpl, flagged SampleVorbis: the
// shdr start and end are byte offsets of the stream in smpl, [start,
// end), and the loop points are frames of the decoded sample, counted
// from its first frame.

// Decoded frames allowed per compressed byte: per sample, and for all the
// compressed samples of a font together (of the size of smpl). A Vorbis
// packet of a byte or two can stand for thousands of frames of silence,
// so without a bound a small file could ask for gigabytes. Real fonts
// stay far below both (docs/sf2.md).
const (
	maxFramesPerByte     = 256
	maxFontFramesPerByte = 16
)

// maxPackedFrames bounds the frames of one stream of n bytes.
func maxPackedFrames(n int) int64 { return maxFramesPerByte*int64(n) + 1<<12 }

// maxPackedTotal bounds the decoded frames of a font whose smpl chunk has
// n bytes.
func maxPackedTotal(n int64) int64 { return maxFontFramesPerByte*n + 1<<20 }

// packedUsable is fluid_sample_validate for a compressed sample: a ROM
// sample, one with type bits the spec does not define, one of rate 0, or
// one whose stream is empty or ends past smpl cannot be played.
func packedUsable(sh *shdrRec, lay *layout) bool {
	const known = SampleMono | SampleRight | SampleLeft | SampleLinked | SampleVorbis
	size := int64(0)
	if lay.hasSmpl {
		size = lay.smpl.size
	}
	return sh.typ&^known == 0 && sh.rate != 0 && sh.start < sh.end && sh.end <= size
}

// packedSet is the compressed samples of a font, measured and ready to
// decode.
type packedSet struct {
	samples []int  // indexes into Font.Samples of the samples to decode
	data    []byte // smpl bytes from base on, holding every stream
	base    int64
	shdr    []shdrRec
}

// stream returns sample i's Ogg Vorbis stream.
func (p *packedSet) stream(i int) []byte {
	sh := &p.shdr[i]
	return p.data[sh.start-p.base : sh.end-p.base]
}

// measurePacked reads the bytes of smpl that the compressed samples use
// (once, however the streams overlap) and asks dec how many frames each
// declares, checking them against the limits before anything is decoded.
// Its loop is then sanitised as FluidSynth does after decoding. A stream
// declaring fewer than 2 frames makes the sample unplayable.
func (f *Font) measurePacked(r io.ReaderAt, lay *layout, h *hydra, dec SampleDecoder, packed []int) (*packedSet, error) {
	p := &packedSet{shdr: h.shdr}
	if len(packed) == 0 {
		return p, nil
	}
	lo, hi := h.shdr[packed[0]].start, h.shdr[packed[0]].end
	for _, i := range packed {
		lo, hi = min(lo, h.shdr[i].start), max(hi, h.shdr[i].end)
	}
	data, err := readAt(r, lay.smpl.off+lo, hi-lo, "sdta/smpl")
	if err != nil {
		return nil, err
	}
	p.data, p.base = data, lo
	total := int64(0)
	for _, i := range packed {
		sh := &h.shdr[i]
		stream := p.stream(i)
		n, err := dec.Frames(stream)
		if err != nil {
			return nil, errorf(ErrCorrupt, "pdta/shdr record %d (%q): Ogg Vorbis stream at smpl byte %d: %s", i, sh.name, sh.start, oneLine(err))
		}
		if limit := maxPackedFrames(len(stream)); int64(n) > limit {
			return nil, errorf(ErrLimit, "pdta/shdr record %d (%q): %d bytes of Ogg Vorbis declare %d frames (at most %d)", i, sh.name, len(stream), n, limit)
		}
		if n < 2 {
			continue
		}
		if total += int64(n); total > maxPackedTotal(lay.smpl.size) {
			return nil, errorf(ErrLimit, "pdta/shdr record %d (%q): the compressed samples declare more than %d frames from %d bytes of smpl", i, sh.name, maxPackedTotal(lay.smpl.size), lay.smpl.size)
		}
		s := &f.Samples[i]
		s.fileStart, s.fileEnd = 0, n
		s.fileLoopStart, s.fileLoopEnd = sanitizeLoop(0, int64(n), sh.loopStart, sh.loopEnd, int64(n))
		p.samples = append(p.samples, i)
	}
	return p, nil
}

// decodePacked decodes every measured stream into its place in the pool,
// on up to GOMAXPROCS goroutines. The first failing sample in file order
// is reported; once one fails, no new sample is started.
func (f *Font) decodePacked(p *packedSet, dec SampleDecoder) error {
	if len(p.samples) == 0 {
		return nil
	}
	errs := make([]error, len(p.samples))
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(p.samples)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !failed.Load() {
				k := int(next.Add(1) - 1)
				if k >= len(p.samples) {
					return
				}
				i := p.samples[k]
				s := &f.Samples[i]
				dst := f.Pool[s.Start:s.End]
				if err := dec.Decode(dst, p.stream(i)); err != nil {
					errs[k] = errorf(ErrCorrupt, "pdta/shdr record %d (%q): Ogg Vorbis stream at smpl byte %d: %s", i, s.Name, p.shdr[i].start, oneLine(err))
					failed.Store(true)
					return
				}
				for j, x := range dst {
					if !(x >= -1 && x <= 1) {
						errs[k] = errorf(ErrCorrupt, "pdta/shdr record %d (%q): decoded frame %d is %v, outside [-1, 1]", i, s.Name, j, x)
						failed.Store(true)
						return
					}
					dst[j] = flushTiny(x)
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// oneLine is err's text on one line, as every error of this package is.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }
