package voice

import (
	"fmt"
	"math"
)

// Interp selects how a Sampler voice reads between recorded samples.
type Interp uint8

// The interpolations: Linear (2 points) and Cubic (4-point Catmull-Rom,
// whose error on a smooth signal falls as the fourth power of its
// oversampling instead of the square).
const (
	Linear Interp = iota
	Cubic
)

// String returns "linear" or "cubic".
func (i Interp) String() string {
	if i == Cubic {
		return "cubic"
	}
	return "linear"
}

// Sample is a mono or stereo recording for Sampler voices, shared read-only by
// every voice that plays it. Build it with NewSample.
type Sample struct {
	// RootFreq is the pitch of the recording as recorded: a voice with
	// Params.Freq == RootFreq plays it at its own speed.
	RootFreq float64

	rate   float64
	ch     [][]float32 // one guard before, the playable samples, 3 after
	n      int         // playable samples: the length, or the loop end
	loop   bool
	loopLo int // loop start (when loop)
	interp Interp
}

// Guards around each channel so interpolation never needs a bounds branch:
// Catmull-Rom reads one sample before and two after the position.
const (
	guardBefore = 1
	guardAfter  = 3
)

// NewSample copies a recording made at rate Hz: channels holds one (mono) or
// two (left, right) channels of equal length, each value within ±MaxLevel
// (values below MinLevel become 0). rootFreq is its pitch in Hz.
// A looped sample plays [loopStart, loopEnd) over and over after reaching
// loopEnd, until the envelope ends the voice (the part after loopEnd is
// never played); a one-shot sample finishes its voice when it ends.
func NewSample(rate int, channels [][]float32, rootFreq float64, loop bool, loopStart, loopEnd int, interp Interp) (*Sample, error) {
	if rate <= 0 {
		return nil, fmt.Errorf("%w: sample rate %d", ErrParams, rate)
	}
	if len(channels) != 1 && len(channels) != 2 {
		return nil, fmt.Errorf("%w: %d channels (want 1 or 2)", ErrParams, len(channels))
	}
	n := len(channels[0])
	if n == 0 || uint64(n) >= 1<<31 {
		return nil, fmt.Errorf("%w: sample length %d", ErrParams, n)
	}
	if len(channels) == 2 && len(channels[1]) != n {
		return nil, fmt.Errorf("%w: channel lengths %d and %d differ", ErrParams, n, len(channels[1]))
	}
	if !finite64(rootFreq) || rootFreq <= 0 {
		return nil, fmt.Errorf("%w: root frequency %v", ErrParams, rootFreq)
	}
	if interp > Cubic {
		return nil, fmt.Errorf("%w: interpolation %d", ErrParams, interp)
	}
	if loop {
		if loopStart < 0 || loopEnd > n || loopStart >= loopEnd {
			return nil, fmt.Errorf("%w: loop [%d, %d) in %d samples", ErrParams, loopStart, loopEnd, n)
		}
		n = loopEnd
	}
	s := &Sample{RootFreq: rootFreq, rate: float64(rate), n: n, loop: loop, loopLo: loopStart, interp: interp}
	for c, src := range channels {
		for i, v := range src {
			if !(v >= -MaxLevel && v <= MaxLevel) {
				return nil, fmt.Errorf("%w: channel %d sample %d is %v", ErrParams, c, i, v)
			}
		}
		p := make([]float32, guardBefore+n+guardAfter)
		for i, v := range src[:n] {
			p[guardBefore+i] = FlushTiny(v)
		}
		if loop {
			// Reading past the loop end continues at its start, and
			// a loop from 0 is preceded by its own end.
			span := n - loopStart
			for k := range guardAfter {
				p[guardBefore+n+k] = p[guardBefore+loopStart+k%span]
			}
			if loopStart == 0 {
				p[0] = p[guardBefore+n-1]
			}
		}
		s.ch = append(s.ch, p)
	}
	return s, nil
}

// Channels returns 1 for a mono sample, 2 for stereo.
func (s *Sample) Channels() int { return len(s.ch) }

// Sampler plays a Sample (Params.Sample) at the ratio Freq / RootFreq. The
// kind cannot share the name of the Sample type.
const Sampler Kind = 6

// maxSampleRatio bounds a sample's playback ratio: 4 octaves up already
// reads 16 source samples per output sample.
const maxSampleRatio = 16

// samplerVoice is one Sampler voice. Positions are 32.32 fixed point.
type samplerVoice struct {
	smp      *Sample
	pos      uint64  // read position
	step     uint64  // position step per output sample
	baseStep float64 // step at ratio 1
}

// samplers are the Sampler voices.
type samplers struct{ v []samplerVoice }

func newSamplers(capacity int) source { return &samplers{v: make([]samplerVoice, capacity)} }

func (*samplers) check(p *Params, _ float64) error {
	if !finite64(p.Freq) || p.Freq <= 0 {
		return bad("Freq", p.Freq)
	}
	if p.Sample == nil {
		return bad("Sample", "nil")
	}
	if r := p.Freq / p.Sample.RootFreq; r > maxSampleRatio {
		return bad("Freq/RootFreq", r)
	}
	return nil
}

func (s *samplers) start(i int32, p *Params, rate float64) bool {
	s.v[i] = samplerVoice{smp: p.Sample, baseStep: p.Freq / p.Sample.RootFreq * p.Sample.rate / rate * (1 << 32)}
	s.retune(i, 1)
	return len(p.Sample.ch) == 2
}

// retune caps the step at maxSampleRatio.
func (s *samplers) retune(i int32, r float32) {
	o := &s.v[i]
	o.step = uint64(min(max(math.Round(o.baseStep*float64(r)), 0), maxSampleRatio<<32))
}

func (s *samplers) render(b *Bank, sc *scratch) {
	for i := range sc.batch[:sc.n] {
		v := &sc.batch[i]
		dst := sc.lane(v.lane)[v.first:]
		dstR := dst
		if v.stereo {
			dstR = sc.lane(v.lane + 1)[v.first:]
		}
		v.end = v.first + int32(s.v[v.idx].render(dst, dstR))
		b.finish(sc, v)
	}
}

// renderSample plays the sample into dst (and dstR when stereo) and returns
// how many samples it produced before a one-shot sample ended.
func (o *samplerVoice) render(dst, dstR []float32) int {
	s := o.smp
	left := s.ch[0]
	right := left
	if len(s.ch) == 2 {
		right = s.ch[1]
		dstR = dstR[:len(dst)]
	}
	pos, step := o.pos, o.step
	end := uint64(s.n) << 32
	span := uint64(s.n-s.loopLo) << 32
	for i := range dst {
		if pos >= end {
			if !s.loop {
				o.pos = pos
				return i
			}
			for pos >= end { // a loop shorter than one step wraps more than once
				pos -= span
			}
		}
		j := int(pos >> 32) // left[j] is the guard before sample j
		t := float32(uint32(pos)>>8) * (1.0 / (1 << 24))
		if s.interp == Cubic {
			dst[i] = catmullRom(left[j:j+4], t)
			if len(s.ch) == 2 {
				dstR[i] = catmullRom(right[j:j+4], t)
			}
		} else {
			a := left[j+1]
			dst[i] = a + t*(left[j+2]-a)
			if len(s.ch) == 2 {
				a := right[j+1]
				dstR[i] = a + t*(right[j+2]-a)
			}
		}
		pos += step
	}
	o.pos = pos
	return len(dst)
}

// catmullRom interpolates between x[1] and x[2] at t in [0, 1).
func catmullRom(x []float32, t float32) float32 {
	x = x[:4]
	a := x[3] - x[0] + 3*(x[1]-x[2])
	b := 2*x[0] - 5*x[1] + 4*x[2] - x[3]
	c := x[2] - x[0]
	return x[1] + 0.5*t*(c+t*(b+t*a))
}
