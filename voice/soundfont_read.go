package voice

import "github.com/aether-audio/aether/block"

// How a SoundFont voice reads its sample: mix.SampleVoices reads a block
// as four rows of 16 samples, each row from a source of its own, its
// points clamped into that source. A row reads the sample itself where
// that is exact: a one-shot (or released) voice reads Data[from:End], so
// the clamp repeats the first and the last frame beyond the ends as
// FluidSynth does; a looping voice reads Data[from:LoopEnd] while the row
// stays clear of the loop's seams. A looping row that reaches the loop's
// end, or that starts on its first frame after looping (whose neighbour
// before is the loop's last frame), reads the voice's seam image instead:
// a copy of the frames before the loop end followed by the loop repeated,
// made at NoteOn, read straight across the seam with no test. A loop
// shorter than imgReal frames is always read from the image, which then
// holds it repeated for a whole row's reach past one turn of it.

// maxLoopStep caps a looping voice's step, in frames per output sample:
// a row then reaches at most 15·16 + 3 frames past its first position,
// which sizes the seam image. A loop no longer than the step is read at
// the step modulo the loop's length (the same frames), so only loops
// longer than 16 frames cap the pitch, 4 octaves above the sample's
// root at equal rates.
const maxLoopStep = 16

// maxSFStep caps a one-shot voice's step: the kernel clamps any position
// into its source, so this only keeps the arithmetic far from overflow.
const maxSFStep = 1 << 16

// imgReal is how many frames before the loop end the seam image holds
// (the most a row reaches, 15·maxLoopStep + 3, and the frame before its
// first position), and how many of the loop after it at least.
const imgReal = (rowLen-1)*maxLoopStep + 4

// rowLen is the samples of a mix.SampleVoices row.
const rowLen = 16

// imgLoop is the seam image's part for a looping voice, in frames:
// imgReal before the loop end, then the loop repeated for a row's reach
// past a whole turn of a short loop (imgReal + imgReal), and 32 more so
// that a row near the end may still take the kernel's 32-frame window
// path.
const imgLoop = 3*imgReal + 32

// imgStride is a voice's seam image: the looping part, then for a voice
// that loops until its release, the frames it plays from the loop start
// once released: the loop's last frame (FluidSynth's frame before the
// loop start, once looped), the frames from the loop start on, and the
// last frame repeated past the sample's end.
const imgStride = imgLoop + imgReal + 32

// buildImage writes o's seam image into img. In the looping part frame j
// is the sample at pool position o.imgBase + j, the loop repeated from
// the loop end on, and before lowStart (the earlier of the start and the
// loop start) the frame at lowStart, which is FluidSynth's first frame
// repeated before a sample's start.
func (o *sfVoice) buildImage(img []float32) {
	img = img[:imgStride]
	lowStart := min(o.start, o.ls)
	o.imgBase = o.le - imgReal
	real := o.data[max(o.imgBase, lowStart):o.le]
	copy(img[imgReal-len(real):], real)
	for j := range imgReal - len(real) {
		img[j] = o.data[lowStart]
	}
	for j, k := imgReal, o.ls; j < imgLoop; j++ {
		img[j] = o.data[k]
		if k++; k == o.le {
			k = o.ls
		}
	}
	if o.mode == LoopUntilRelease {
		rel := img[imgLoop:]
		rel[0] = o.data[o.le-1]
		for j := 1; j < len(rel); j++ {
			rel[j] = o.data[max(min(o.ls+j-1, o.end-1), 0)]
		}
	}
}

// frac32 is one frame in 32.32 fixed point.
const frac32 = 1 << 32

// sfRows are one voice's reads for the kernel, in its arguments.
type sfRows struct {
	src  *[4][]float32
	pos  *[4]uint64
	step *uint64
}

// silentSource is what a voice with nothing to read reads: zeros.
var silentSource = []float32{0}

// silent sets r to read zeros.
func (r sfRows) silent() {
	for q := range r.src {
		r.src[q], r.pos[q] = silentSource, 0
	}
	*r.step = 0
}

// read sets r to read the voice's next block, n samples from o.pos (the
// first at sample first of the block) at a step of step 32.32 frames, and
// advances o.pos past them. looping says whether the loop plays; the
// voice's seam image is s.image(i), sliced only where a row reads it. It
// returns how many of the n samples the sample holds: fewer when a voice
// that does not loop reaches its end.
func (o *sfVoice) read(r sfRows, s *sfVoices, i int32, first int32, step int64, looping bool) (valid int32) {
	n := block.Size - first
	p := o.pos
	if !looping {
		end := int64(o.end) * frac32
		if p >= end {
			r.silent()
			return 0
		}
		step = min(step, maxSFStep*frac32)
		from := o.start
		if o.looped {
			from = o.ls // a released voice that has looped plays on from the loop
		}
		src, base := o.data[from:o.end], int64(from)*frac32
		u := p - int64(first)*step // row 0's first lane: before p when the voice starts mid-block
		if !o.looped {
			// Every row reads the sample itself.
			at := uint64(u - base)
			for q := range r.src {
				r.src[q], r.pos[q] = src, at+uint64(q*rowLen)*uint64(step)
			}
		} else {
			for q := range r.src {
				if u>>32 == int64(o.ls) && step <= maxLoopStep*frac32 {
					// Its first frame is the loop start, whose frame
					// before is still the loop's last.
					r.src[q], r.pos[q] = s.image(i)[imgLoop:], uint64(u-int64(o.ls-1)*frac32)
				} else {
					r.src[q], r.pos[q] = src, uint64(u-base)
				}
				u += rowLen * step
			}
		}
		*r.step = uint64(step)
		o.pos = p + int64(n)*step
		if left := (end - p + step - 1) / step; left < int64(n) {
			return int32(left)
		}
		return n
	}

	ls, le := int64(o.ls)*frac32, int64(o.le)*frac32
	span := le - ls
	if p >= le {
		p = o.wrap(p)
	}
	full := step
	if p >= ls && step >= span {
		step %= span // inside the loop whole turns change nothing
	}
	if step > maxLoopStep*frac32 {
		step, full = maxLoopStep*frac32, maxLoopStep*frac32
	}
	short := span <= imgReal*frac32
	u := p - int64(first)*step
	var end int64 // the block's last sample's position
	if (u+(4*rowLen-1)*step)>>32+2 < int64(o.le) && !(o.looped && (short || u>>32 <= int64(o.ls))) {
		// The common case: the whole block reads the sample itself, clear
		// of the seams, every row as rows would read it.
		from, src := o.loopSource()
		at, row := uint64(u-int64(from)*frac32), uint64(rowLen*step)
		r.src[0], r.src[1], r.src[2], r.src[3] = src, src, src, src
		r.pos[0], r.pos[1], r.pos[2], r.pos[3] = at, at+row, at+2*row, at+3*row
		end = u + (4*rowLen-1)*step
	} else {
		end = o.rows(r, s.image(i), u, step, span, short)
	}
	// The next block's position, as FluidSynth leaves it: one step (a
	// whole one) past the block's last sample, taken back one loop only
	// when that sample fell on one of the loop's last two frames; from
	// further back (a step over 2 frames) it stays past the loop end until
	// the next block, so that a release then plays on from there into the
	// rest of the sample.
	if end >= le {
		end = o.wrap(end)
	}
	u = end + full
	if u >= le && end>>32 >= int64(o.le)-2 {
		u -= span
		o.looped = true
	}
	*r.step = uint64(step)
	o.pos = u
	return n
}

// rows sets r's rows of a looping voice's block that reaches a seam, row
// 0 from position u, and returns the block's last sample's position.
func (o *sfVoice) rows(r sfRows, img []float32, u, step, span int64, short bool) (end int64) {
	le := int64(o.le) * frac32
	for q := range r.src {
		first := u >> 32 // the row's first frame
		last := (u+15*step)>>32 + 2
		turn := o.looped && (short || first <= int64(o.ls))
		if last < int64(o.le) && !turn {
			from, src := o.loopSource()
			r.src[q], r.pos[q] = src, uint64(u-int64(from)*frac32)
		} else {
			v := u
			if turn {
				v += span // the same frame a turn later, where the image has the loop's end before it
			}
			r.src[q], r.pos[q] = img, uint64(v-int64(o.imgBase)*frac32)
		}
		end = u + (rowLen-1)*step
		u += rowLen * step
		if u >= le {
			u = o.wrap(u)
		}
	}
	return end
}

// loopSource returns what a looping voice's row reads away from the
// loop's seams: its data from its start to the loop end, or once looped
// from the loop start, and where that begins in the pool.
func (o *sfVoice) loopSource() (from int, src []float32) {
	if o.looped {
		return o.ls, o.toLoopEnd[1]
	}
	return o.start, o.toLoopEnd[0]
}

// wrap takes position u, at or past the loop end, back into the loop, and
// marks the voice as looped.
func (o *sfVoice) wrap(u int64) int64 {
	o.looped = true
	ls, le := int64(o.ls)*frac32, int64(o.le)*frac32
	span := le - ls
	if u -= span; u >= le {
		u = ls + (u-ls)%span
	}
	return u
}
