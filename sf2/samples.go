package sf2

import (
	"encoding/binary"
	"io"
	"math"
	"slices"
	"unsafe"
)

// Guard is the number of zero frames (at least) before and after every
// sample in Font.Pool, so that an interpolating reader may look a few
// frames past either end without a bounds check. 16 frames are 64
// bytes: each sample also starts on a 64-byte boundary.
const Guard = 16

// minLevel is voice.MinLevel (2^-100): decoded sample values below it in
// magnitude become 0 where they enter, so that no subnormal ever reaches
// a kernel. Integer PCM never produces one (its smallest step is 2^-23),
// so convert, which reads only integer PCM, has nothing to flush.
const minLevel = 0x1p-100

// segment is a run of the sample data copied into the pool as one piece:
// one sample, or several whose frames overlap.
type segment struct {
	start, end int // file frames, [start, end)
	pool       int // Pool index of frame start
}

// loadSamples validates the sample headers, sanitises their loops and
// converts the sample data they use into one pool, reading it in one
// pass in file order; SF3's compressed samples are decoded by dec. With
// lazy, the 16- and 24-bit data is left for Prepare to convert.
func (f *Font) loadSamples(r io.ReaderAt, lay *layout, h *hydra, dec SampleDecoder, lazy bool) error {
	frames := int64(0)
	if lay.hasSmpl {
		frames = lay.smpl.size / 2
	}
	// sm24 is used as FluidSynth does: version 2.04 or later, and exactly
	// half the size of smpl, rounded up to an even byte count; otherwise
	// it is ignored and the 16-bit data plays.
	use24 := false
	if lay.hasSm24 {
		want := lay.smpl.size / 2
		want += want % 2
		v := f.Info.Version
		use24 = v.Major >= 2 && v.Minor >= 4 && lay.sm24.size == want
	}
	f.Samples = make([]Sample, len(h.shdr))
	var used, packed []int
	for i := range h.shdr {
		sh := &h.shdr[i]
		s := &f.Samples[i]
		*s = Sample{Name: sh.name, Rate: int(min(sh.rate, math.MaxInt32)), RootKey: sh.pitch, Correction: sh.correction, Type: sh.typ, Link: -1, seg: -1}
		if sh.typ&(SampleLeft|SampleRight|SampleLinked) != 0 && int(sh.link) < len(h.shdr) && int(sh.link) != i {
			s.Link = int(sh.link)
		}
		if sh.typ&SampleVorbis != 0 {
			if dec == nil {
				return errorf(ErrUnsupported, "pdta/shdr record %d (%q): an SF3 sample (Ogg Vorbis); reading SF3 fonts takes sf2.Options.Decoder = sf3.Decoder{} (package github.com/aether-audio/aether/sf2/sf3)", i, sh.name)
			}
			if packedUsable(sh, lay) {
				packed = append(packed, i)
			}
			continue
		}
		if !sampleUsable(sh, frames) {
			continue
		}
		s.fileStart, s.fileEnd = int(sh.start), int(sh.end)
		s.fileLoopStart, s.fileLoopEnd = sanitizeLoop(sh.start, sh.end, sh.loopStart, sh.loopEnd, frames)
		used = append(used, i)
	}
	p, err := f.measurePacked(r, lay, h, dec, packed)
	if err != nil {
		return err
	}
	segs := f.layOut(used, p.samples)
	src := sampleSource{r: r, smpl: lay.smpl.off, sm24: lay.sm24.off, use24: use24}
	if lazy {
		f.lazy = &lazyFont{src: src, segs: segs, converted: make([]bool, len(segs))}
	} else if _, err := src.convert(f.Pool, segs, nil); err != nil {
		return err
	}
	return f.decodePacked(p, dec)
}

// sampleUsable applies FluidSynth's fluid_sample_validate: a ROM sample,
// one with type bits the spec does not define, one ending past the sample
// data or shorter than 2 frames cannot be played; nor (here) one of rate
// 0, which has no pitch. Its zones make no regions.
func sampleUsable(sh *shdrRec, frames int64) bool {
	const known = SampleMono | SampleRight | SampleLeft | SampleLinked | SampleROM
	switch {
	case sh.typ&SampleROM != 0, sh.typ&^known != 0:
		return false
	case sh.rate == 0:
		return false
	case sh.end > frames, sh.start+1 >= sh.end:
		return false
	}
	return true
}

// sanitizeLoop applies FluidSynth's fluid_sample_sanitize_loop to a
// sample's loop, in file frames (frames: the size of the sample data):
//   - a loop of zero length (start == end) is kept: fonts use it to mean
//     "no loop", and loop offset generators may still make it one;
//   - a reversed loop is swapped;
//   - a loop start before the sample or past the sample data moves to the
//     sample's start; a loop end out of the same bounds moves to the
//     sample's end.
//
// A loop reaching past the sample's end but inside the data is kept here;
// every region clamps its loop into the sample (see window).
func sanitizeLoop(start, end, ls, le, frames int64) (int, int) {
	if ls > le {
		ls, le = le, ls
	}
	if ls < start || ls > frames {
		ls = start
	}
	if le < start || le > frames {
		le = end
	}
	return int(ls), int(le)
}

// layOut places the used samples in the pool. Samples are copied in file
// order; samples whose frames overlap share one copy (a segment), so the
// pool never holds more frames than the sample data has. The decoded
// samples (packed, their frames already measured) follow, one segment
// each. Every segment starts on a 64-byte boundary with at least Guard
// zeros before it, and Guard zeros follow the last.
func (f *Font) layOut(used, packed []int) []segment {
	order := slices.Clone(used)
	slices.SortStableFunc(order, func(a, b int) int { return f.Samples[a].fileStart - f.Samples[b].fileStart })
	var segs []segment
	for _, i := range order {
		s := &f.Samples[i]
		if n := len(segs); n > 0 && s.fileStart < segs[n-1].end {
			segs[n-1].end = max(segs[n-1].end, s.fileEnd)
		} else {
			segs = append(segs, segment{start: s.fileStart, end: s.fileEnd})
		}
	}
	pos := Guard
	for k := range segs {
		segs[k].pool = pos
		pos += alignUp(segs[k].end-segs[k].start) + Guard
	}
	for _, i := range packed {
		s := &f.Samples[i]
		s.poolBase = pos
		pos += alignUp(s.fileEnd) + Guard
	}
	f.Pool = alignedFloats(pos)
	for _, i := range packed {
		f.Samples[i].place()
	}
	k := 0
	for _, i := range order {
		s := &f.Samples[i]
		for s.fileStart >= segs[k].end {
			k++
		}
		s.poolBase = segs[k].pool - segs[k].start
		s.seg = k
		s.place()
	}
	return segs
}

// place sets the sample's pool positions from its file positions and
// poolBase.
func (s *Sample) place() {
	s.Start, s.End = s.poolBase+s.fileStart, s.poolBase+s.fileEnd
	// The loop as a voice with no offsets plays it: inside the sample.
	s.LoopStart = s.poolBase + clampInt(s.fileLoopStart, s.fileStart, s.fileEnd)
	s.LoopEnd = s.poolBase + clampInt(s.fileLoopEnd, s.fileStart, s.fileEnd)
}

// alignUp rounds n up to a whole number of 64-byte lines of float32.
func alignUp(n int) int { return (n + 15) &^ 15 }

// alignedFloats returns n zeroed float32s, the first on a 64-byte
// boundary. The Go heap never moves objects, so the alignment holds.
func alignedFloats(n int) []float32 {
	raw := make([]float32, n+15)
	off := 0
	if mis := uintptr(unsafe.Pointer(&raw[0])) % 64; mis != 0 {
		off = int(64-mis) / 4
	}
	p := raw[off : off+n : off+n]
	adviseHugePages(p)
	return p
}

func clampInt(v, lo, hi int) int { return max(lo, min(v, hi)) }

// chunkBytes is how much sample data convert reads at a time.
const chunkBytes = 1 << 20

// sampleSource is where a font's 16-bit (and 24-bit) sample data lies.
type sampleSource struct {
	r          io.ReaderAt
	smpl, sm24 int64 // file offsets of the smpl and sm24 data
	use24      bool
}

// convert reads each segment's 16-bit data (and its sm24 bytes), segments
// in file order, and writes it into pool as float32. buf, when it has
// the room, is the read buffer; convert returns the one it used.
func (src *sampleSource) convert(pool []float32, segs []segment, buf []byte) ([]byte, error) {
	longest := 0
	for _, sg := range segs {
		longest = max(longest, sg.end-sg.start)
	}
	frames := min(longest, chunkBytes/2)
	need := 2 * frames // the 16-bit bytes, then one sm24 byte a frame
	if src.use24 {
		need += frames
	}
	if cap(buf) < need {
		buf = make([]byte, need)
	}
	b16, b24 := buf[:2*frames], buf[2*frames:need]
	for _, sg := range segs {
		for fr := sg.start; fr < sg.end; {
			n := min(sg.end-fr, frames)
			b := b16[:2*n]
			if err := readFull(src.r, b, src.smpl+2*int64(fr), "sdta/smpl"); err != nil {
				return buf, err
			}
			dst := pool[sg.pool+fr-sg.start:][:n]
			if src.use24 {
				lsb := b24[:n]
				if err := readFull(src.r, lsb, src.sm24+int64(fr), "sdta/sm24"); err != nil {
					return buf, err
				}
				for i := range dst {
					v := int32(int16(binary.LittleEndian.Uint16(b[2*i:])))<<8 | int32(lsb[i])
					dst[i] = float32(v) * 0x1p-23 // exact, as the division by 2^23
				}
			} else {
				pcm16(dst, b)
			}
			fr += n
		}
	}
	return buf, nil
}

// pcm16 converts the 16-bit little-endian frames in b to dst, v / 32768
// each (multiplying by 2^-15 is exact, as the division is). It is the
// whole load of a large font's samples, so it reads b unchecked.
func pcm16(dst []float32, b []byte) {
	b = b[:2*len(dst)]
	for len(dst) >= 8 {
		in, out := (*[16]byte)(b), (*[8]float32)(dst)
		for i := range out {
			out[i] = float32(int16(uint16(in[2*i])|uint16(in[2*i+1])<<8)) * 0x1p-15
		}
		b, dst = b[16:], dst[8:]
	}
	for i := range dst {
		dst[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:]))) * 0x1p-15
	}
}

// flushTiny is voice.FlushTiny (this package cannot import voice).
func flushTiny(x float32) float32 {
	if x > -minLevel && x < minLevel {
		return 0
	}
	return x
}

// window applies a region's sample offset generators to its sample and
// sanitises the result as FluidSynth's voice does at note-on
// (fluid_rvoice_check_sample_sanity), returning Pool positions:
//   - start = sample start + startAddrsOffset + 32768 x
//     startAddrsCoarseOffset, and the last frame = sample's last frame +
//     endAddrsOffset + 32768 x endAddrsCoarseOffset, each clamped into the
//     sample and swapped if reversed; if they meet, the region plays
//     nothing (Start == End);
//   - the loop likewise from the sanitised loop and the loop offsets,
//     clamped into [sample start, sample end], swapped if reversed;
//   - loop modes 1 and 3 loop; a loop shorter than 2 frames, or any other
//     mode, plays unlooped (mode 0).
func (s *Sample) window(g *[NumGenerators]int16) (start, end, loopStart, loopEnd int, mode uint8) {
	off := func(fine, coarse Generator) int { return int(g[fine]) + 32768*int(g[coarse]) }
	first, last := s.fileStart, s.fileEnd-1
	start = clampInt(first+off(GenStartAddrsOffset, GenStartAddrsCoarseOffset), first, last)
	lastPlayed := clampInt(last+off(GenEndAddrsOffset, GenEndAddrsCoarseOffset), first, last)
	if start > lastPlayed {
		start, lastPlayed = lastPlayed, start
	}
	end = lastPlayed + 1
	if start == lastPlayed {
		end = start
	}
	switch m := g[GenSampleModes]; m {
	case 1, 3:
		mode = uint8(m)
	}
	loopStart = clampInt(s.fileLoopStart+off(GenStartLoopAddrsOffset, GenStartLoopAddrsCoarseOffset), first, s.fileEnd)
	loopEnd = clampInt(s.fileLoopEnd+off(GenEndLoopAddrsOffset, GenEndLoopAddrsCoarseOffset), first, s.fileEnd)
	if loopStart > loopEnd {
		loopStart, loopEnd = loopEnd, loopStart
	}
	if loopEnd < loopStart+2 {
		mode = 0
	}
	b := s.poolBase
	return b + start, b + end, b + loopStart, b + loopEnd, mode
}
