// Package bounce renders scores and MIDI files offline to WAV, as fast as
// the machine allows: one file (Render, RenderFile) or many, with inputs
// opened by content and extension (Loader). It drives an aether.Engine
// through its exported API, sized from the score so that no note is ever
// stolen or dropped, and its output bytes are the same for any number of
// workers.
package bounce

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/mix"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/shard"
	"github.com/aether-audio/aether/voice"
	"github.com/aether-audio/aether/wav"
)

// Errors returned by Render, wrapped with the score's name and the place.
var (
	// ErrPolyphony: the score sounds more notes at once than
	// Options.MaxVoices allows.
	ErrPolyphony = errors.New("bounce: too many notes sounding at once")
	// ErrNote: a note cannot be played as written (for example a
	// sample pitched more than 4 octaves above its root).
	ErrNote = errors.New("bounce: note cannot be played")
	// ErrWork: the score asks for more voice-seconds of rendering than
	// Options.MaxVoiceSeconds allows.
	ErrWork = errors.New("bounce: too much work")
	// ErrLost: the engine dropped, stole or refused a note during a
	// render; Render sizes the engine so this cannot happen, so it is a bug.
	ErrLost = errors.New("bounce: a note was lost")
)

// DefaultMaxVoices bounds the engine a render builds when
// Options.MaxVoices is 0: 100,000 voices is twenty times the largest
// benchmark and far beyond any real orchestra, yet refuses a score whose
// million notes all start at once. At this limit the engine and its
// largest possible queue (5 events per voice per block) take about 150 MiB.
const DefaultMaxVoices = 100_000

// DefaultMaxVoiceSeconds bounds the work of a render when
// Options.MaxVoiceSeconds is 0: a million voice-seconds is eighty times
// the largest file of the MIDI test corpora (an hour-long file sounding
// 11,700) and an hour of a 270-voice orchestra, yet refuses a small
// hostile score asking for hours of CPU: at the slowest rate measured
// (a filtered organ voice, docs/bounce.md) it is a few minutes of one
// core.
const DefaultMaxVoiceSeconds = 1_000_000

// SilenceDBFS is the peak level below which a render counts as silent:
// -100 dBFS is below the dither of 16-bit PCM, so nothing under it is
// audible in any format we write.
const SilenceDBFS = -100

// checkBlocks is how often, in blocks, Render looks at the context and
// reports progress: 256 blocks are 0.34 s of audio at 48 kHz, a few
// milliseconds of rendering even with thousands of voices, so cancellation
// is prompt and the check costs nothing measurable.
const checkBlocks = 256

// writeFrames is how many frames Render gathers before handing them to the
// WAV writer: 16 blocks, the writer's own conversion chunk, so each write
// to the output is 4 to 8 KiB rather than one small write per block.
const writeFrames = 16 * block.Size

// Options configures Render and RenderFile. The zero value writes stereo
// 32-bit float at unity gain, with as many workers as the score's
// polyphony can use.
type Options struct {
	// Format is the sample encoding of the WAV output.
	Format wav.Format
	// Channels is 2 (stereo; 0 means 2) or 1: mono, the average of the
	// two channels.
	Channels int
	// Seed selects the TPDF dither of the PCM formats: the same seed
	// gives the same bytes.
	Seed uint64
	// GainDB is a master gain in dB applied to the mix before it is
	// measured and written; 0 leaves the level alone. A score that plays
	// bank instruments (every MIDI file) also gets BankHeadroom.
	GainDB float64
	// NormalizeDBFS, when below 0, replaces GainDB with the gain that puts
	// the render's peak at this level in dBFS (-1 is a common choice): the
	// score is rendered twice, once to measure it. A silent render keeps
	// its level. 0 means no normalisation.
	NormalizeDBFS float64
	// Workers is the number of render workers, the calling goroutine
	// included; 0 means one per full chunk of voices the score sounds at
	// once (aether.DefaultChunkSize), at least 1 and at most the cores
	// (shard.DefaultWorkers): a MIDI file, which sounds far fewer voices
	// than a chunk, gets one, since a second would find nothing to render
	// and only add a wake-up per block.
	Workers int
	// MaxVoices bounds the polyphony of the score, release tails
	// included; 0 means DefaultMaxVoices.
	MaxVoices int
	// MaxVoiceSeconds bounds the work of the render: the seconds every
	// note sounds, release tails included, summed over the notes; 0 means
	// DefaultMaxVoiceSeconds.
	MaxVoiceSeconds float64
	// Limits are the limits the score is validated against; zero fields
	// take the defaults of score.DefaultLimits (MaxSeconds: one hour).
	Limits score.Limits
	// Instruments is the bank that plays the score's preset instruments
	// (every MIDI file's notes); nil means the built-in General MIDI bank
	// (instrument.GM).
	Instruments instrument.Bank
	// SoundFont, when set, plays the score's preset instruments from this
	// font instead, through its bank for the score's sample rate (made
	// once per rate and shared by every render). Not with Instruments.
	// A preset that names a SoundFont of its own (score.Preset.SoundFont)
	// plays from that one, whatever these two say.
	SoundFont *SoundFont
	// Progress, when set, is called on the rendering goroutine with the
	// frames rendered so far and the total, every few hundred blocks and
	// once at the end. It must return quickly. (With NormalizeDBFS the
	// measuring pass counts as the first half.)
	Progress func(done, total int64)
	// ReplaceLinks makes RenderFile replace a symbolic link at its path
	// with the output rather than write the file the link names: set it
	// when writing into a directory others can write to, where following
	// a link lets them aim an output at any file the process may write.
	ReplaceLinks bool
	// Accept, when set, is asked by RenderFile to approve a finished
	// render before the file is put in place (for example, to refuse a
	// silent one); its error leaves no file, as any other error does.
	// Render, which writes a stream, does not call it.
	Accept func(Result) error
}

// ErrOptions: a field of Options is out of range.
var ErrOptions = errors.New("bounce: invalid option")

// maxGainDB bounds GainDB and NormalizeDBFS: 120 dB spans every level a
// 24-bit file can hold, and beyond it a value is a mistake.
const maxGainDB = 120

func (o *Options) check() error {
	switch {
	case o.Channels < 0 || o.Channels > 2:
		return fmt.Errorf("%w: Channels %d (want 1 or 2)", ErrOptions, o.Channels)
	case !(math.Abs(o.GainDB) <= maxGainDB):
		return fmt.Errorf("%w: GainDB %g (want -%d..%d dB)", ErrOptions, o.GainDB, maxGainDB, maxGainDB)
	case !(o.NormalizeDBFS <= 0 && o.NormalizeDBFS >= -maxGainDB):
		return fmt.Errorf("%w: NormalizeDBFS %g (want -%d..0 dBFS; 0 is off)", ErrOptions, o.NormalizeDBFS, maxGainDB)
	case o.Workers < 0:
		return fmt.Errorf("%w: Workers %d", ErrOptions, o.Workers)
	case o.Instruments != nil && o.SoundFont != nil:
		return fmt.Errorf("%w: both Instruments and SoundFont are set: give one", ErrOptions)
	}
	return nil
}

// Result describes a finished render.
type Result struct {
	// Frames is the length written, SampleRate its rate in Hz.
	Frames     int64
	SampleRate int
	// Peak is the largest absolute sample written (after the gain and the
	// mono mix), before conversion to the output format.
	Peak float32
	// Clipped counts the samples beyond full scale (|x| > 1; each
	// channel's counted): PCM output clips them, and float output keeps
	// them as overs that clip whenever the file is converted. A render
	// that clips has lost its shape; lower GainDB or use NormalizeDBFS.
	Clipped int64
	// Gain is the linear master gain applied: from GainDB and
	// BankHeadroom, or the one NormalizeDBFS chose.
	Gain float64
	// Notes is the number of notes in the score; Voices the polyphony the
	// engine was sized for (the most notes sounding in any block, release
	// tails included); Workers the render workers used.
	Notes, Voices, Workers int
	// SoundFont names (by path) the SoundFonts that played the score's
	// preset instruments: Options.SoundFont, then those the score's
	// presets name, separated by ", "; "" when none did (no SoundFont
	// given, or a score without presets).
	SoundFont string
	// Missing names the score's presets that the instrument bank of
	// Options (SoundFont, Instruments or the built-in one) lacks,
	// fallbacks included ("drum kit 0" for a MIDI file's channel 10 on a
	// SoundFont with no bank 128, "bank 0 program 19"): their notes play
	// nothing, as FluidSynth leaves such a channel silent.
	Missing []string
}

// Seconds returns the length of the render in seconds.
func (r Result) Seconds() float64 {
	if r.SampleRate == 0 {
		return 0
	}
	return float64(r.Frames) / float64(r.SampleRate)
}

// PeakDBFS returns Peak in dB relative to full scale (-Inf for silence).
func (r Result) PeakDBFS() float64 { return 20 * math.Log10(float64(r.Peak)) }

// Silent reports whether the peak stayed below SilenceDBFS.
func (r Result) Silent() bool { return !(r.PeakDBFS() >= SilenceDBFS) }

// Render renders s offline, as fast as the engine allows, and writes it to
// w as a WAV file in opt.Format, stereo or mono. The length is known
// before the first sample, so the header is final at once and w may be a
// pipe; the header holds nothing that changes between runs, and the bytes
// are the same for any number of workers.
//
// Every note starts at its exact frame (NoteOn at its offset inside its
// block), ends at Start+Length and then plays its release; controls take
// effect in the block they fall in. The engine is sized from the score so
// that no note is ever stolen or dropped. The samples beyond full scale
// are counted in Result.Clipped.
//
// Errors name the score (s.Name) and the place: a note, or the time at
// which rendering stopped. A cancelled ctx stops the render within a few
// hundred blocks with an error wrapping ctx.Err(). Render does not close w.
func Render(ctx context.Context, s *score.Score, w io.Writer, opt Options) (Result, error) {
	if s == nil {
		return Result{}, errors.New("bounce: Render of a nil score")
	}
	res := Result{Frames: s.Frames, SampleRate: s.SampleRate, Notes: len(s.Notes)}
	if err := opt.check(); err != nil {
		return res, err
	}
	if err := s.Validate(opt.Limits); err != nil {
		return res, err
	}
	gain := math.Pow(10, opt.GainDB/20)
	if playsBank(s) {
		gain *= BankHeadroom
	}
	res.SoundFont = fontsPlayed(s, opt)
	progress := opt.Progress
	if opt.NormalizeDBFS < 0 {
		// A first pass, written nowhere, measures the peak.
		if progress != nil {
			opt.Progress = func(done, total int64) { progress(done/2, total) }
		}
		m, err := newRenderer(s, nil, opt)
		if err != nil {
			return res, err
		}
		m.master = 1
		err = m.run(ctx)
		m.eng.Close()
		if err != nil {
			return res, err
		}
		if peak := float64(m.peak); 20*math.Log10(peak) >= SilenceDBFS {
			gain = math.Pow(10, opt.NormalizeDBFS/20) / peak
		}
		if progress != nil {
			opt.Progress = func(done, total int64) { progress((total+done)/2, total) }
		}
	}
	r, err := newRenderer(s, w, opt)
	if err != nil {
		return res, err
	}
	defer r.eng.Close()
	r.master = float32(gain)
	res.Frames, res.Voices, res.Workers, res.Gain = r.frames, r.voices, r.eng.Workers(), float64(r.master)
	res.Missing = r.missing
	err = r.run(ctx)
	res.Peak, res.Clipped = r.peak, r.clipped
	return res, err
}

// BankHeadroom is the gain, times GainDB, of a score that plays bank
// instruments (presets: every MIDI file's notes): 0.2 (-14 dB),
// FluidSynth's default synth.gain. General MIDI files and SoundFonts are
// made for a synthesizer with that headroom; at unity, 11 of the 57
// audible files of the jazz-soft test corpus reach full scale.
const BankHeadroom = 0.2

// playsBank reports whether s has a preset instrument.
func playsBank(s *score.Score) bool {
	for i := range s.Instruments {
		if s.Instruments[i].Preset != nil {
			return true
		}
	}
	return false
}

// playsOptionsBank reports whether s has a preset instrument that plays
// from the bank Options give (one that names no SoundFont of its own).
func playsOptionsBank(s *score.Score) bool {
	for i := range s.Instruments {
		if p := s.Instruments[i].Preset; p != nil && p.SoundFont == nil {
			return true
		}
	}
	return false
}

// fontsPlayed names the SoundFonts that play s's presets, for
// Result.SoundFont: opt's, then those the score names, each once.
func fontsPlayed(s *score.Score, opt Options) string {
	var names []string
	if opt.SoundFont != nil && playsOptionsBank(s) {
		names = append(names, opt.SoundFont.Name())
	}
	for i := range s.Instruments {
		if p := s.Instruments[i].Preset; p != nil && p.SoundFont != nil && !slices.Contains(names, p.SoundFont.Name()) {
			names = append(names, p.SoundFont.Name())
		}
	}
	return strings.Join(names, ", ")
}

// everyKind makes engines for every voice kind, whatever the notes start:
// the tests' reference for engines made for the notes' kinds only.
var everyKind = false

// enginesKinds is what an engine for a score whose notes start kinds is
// made for.
func enginesKinds(kinds []voice.Kind) []voice.Kind {
	if everyKind {
		return nil
	}
	return kinds
}

// autoWorkers is the default worker count for a score that sounds at most
// voices at once: one per full chunk of engine slots, within the cores.
func autoWorkers(voices int) int {
	return max(1, min(shard.DefaultWorkers(), voices/aether.DefaultChunkSize))
}

// newRenderer plans s, starts an engine sized for it and writes the WAV
// header to w; with w nil the render is measured and written nowhere.
func newRenderer(s *score.Score, w io.Writer, opt Options) (*renderer, error) {
	p, err := newPlan(s, opt)
	if err != nil {
		return nil, err
	}
	workers := opt.Workers
	if workers == 0 {
		workers = autoWorkers(p.voices)
	}
	eng, err := aether.NewEngine(aether.Config{
		SampleRate: s.SampleRate,
		Workers:    workers,
		Voices:     p.voices,
		QueueSize:  p.queue,
		Kinds:      enginesKinds(p.kinds),
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.name, err)
	}
	r := &renderer{plan: p, eng: eng, progress: opt.Progress, master: 1, mono: opt.Channels == 1}
	if w != nil {
		if r.mono {
			r.out, err = wav.NewMonoWriter(w, opt.Format, s.SampleRate, p.frames, opt.Seed)
		} else {
			r.out, err = wav.NewWriter(w, opt.Format, s.SampleRate, p.frames, opt.Seed)
		}
		if err != nil {
			eng.Close()
			return nil, fmt.Errorf("%s: %w", p.name, err)
		}
	}
	return r, nil
}

// renderer is the state of one bounce's render loop, all allocated before
// the first block.
type renderer struct {
	*plan
	eng         *aether.Engine
	out         *wav.Writer // nil: measure only
	progress    func(done, total int64)
	master      float32 // master gain
	mono        bool    // write the average of the channels
	left, right [writeFrames]float32
	fill        int // frames gathered in left and right
	peak        float32
	clipped     int64
}

func (r *renderer) run(ctx context.Context) error {
	done := ctx.Done()
	total := r.frames
	next := 0 // the first event not yet posted
	var left, right block.Block
	for base, blk := int64(0), 0; base < total; base, blk = base+block.Size, blk+1 {
		if blk%checkBlocks == 0 {
			select {
			case <-done:
				return fmt.Errorf("%s: stopped at %s: %w", r.name, r.at(base), ctx.Err())
			default:
			}
			if r.progress != nil {
				r.progress(base, total)
			}
		}
		for ; next < len(r.events) && r.events[next].frame < base+block.Size; next++ {
			if err := r.post(&r.events[next]); err != nil {
				return fmt.Errorf("%s: %s: %w", r.name, r.at(r.events[next].frame), err)
			}
		}
		if err := r.eng.RenderBlock(&left, &right); err != nil {
			return fmt.Errorf("%s: %s: %w", r.name, r.at(base), err)
		}
		n := int(min(block.Size, total-base))
		r.gather(left[:n], right[:n])
		if r.fill == writeFrames || base+int64(n) == total {
			if err := r.write(); err != nil {
				return fmt.Errorf("%s: %s: %w", r.name, r.at(base), err)
			}
		}
	}
	if r.out != nil {
		if err := r.out.Close(); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	if st := r.eng.Stats(); st.Stolen+st.Dropped+st.Rejected+st.Silenced != 0 {
		return fmt.Errorf("%s: %w: %d stolen, %d dropped, %d rejected, %d silenced",
			r.name, ErrLost, st.Stolen, st.Dropped, st.Rejected, st.Silenced)
	}
	if r.progress != nil {
		r.progress(total, total)
	}
	return nil
}

// gather applies the master gain (and the mono mix) to one block's
// channels, measures them, and appends them to the frames to write.
func (r *renderer) gather(left, right []float32) {
	if r.master != 1 {
		mix.Scale(left, r.master)
		mix.Scale(right, r.master)
	}
	l := r.left[r.fill : r.fill+len(left)]
	copy(l, left)
	if r.mono {
		mix.Scale(l, 0.5)
		mix.AddScaled(l, right, 0.5)
		r.peak = max(r.peak, mix.Peak(l))
		r.clipped += overs(l)
	} else {
		copy(r.right[r.fill:], right)
		r.peak = max(r.peak, mix.Peak(left), mix.Peak(right))
		r.clipped += overs(left) + overs(right)
	}
	r.fill += len(left)
}

// write hands the gathered frames to the WAV writer.
func (r *renderer) write() error {
	n := r.fill
	r.fill = 0
	switch {
	case r.out == nil:
		return nil
	case r.mono:
		return r.out.Write(r.left[:n], nil)
	}
	return r.out.Write(r.left[:n], r.right[:n])
}

// overs counts the samples of x beyond full scale.
func overs(x []float32) int64 {
	var n int64
	for _, v := range x {
		if v > 1 || v < -1 {
			n++
		}
	}
	return n
}

// at names a frame of the score for an error message.
func (r *renderer) at(frame int64) string {
	return fmt.Sprintf("%.3f s (frame %d)", float64(frame)/float64(r.score.SampleRate), frame)
}
