package bounce

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/voice"
)

// plan is a score turned into what the engine plays: an instrument per
// score instrument, every event in posting order, the render's length and
// the engine's size.
type plan struct {
	score  *score.Score
	name   string                  // the score's name as errors show it (errtext.Name)
	insts  []instrument.Instrument // per score instrument
	events []event
	ids    []aether.VoiceID // per note, set when it is played
	frames int64            // the length of the render
	voices int              // the most voices sounding in any block, with margin
	queue  int              // the most events posted for any block
	// voiceSeconds is the work: how long the notes' voices sound, release
	// tails included, cut at the end of the render.
	voiceSeconds float64
	missing      []string     // the presets the bank lacks (Result.Missing)
	kinds        []voice.Kind // the voice kinds the notes start: all the engine is made for
}

// eventKind is what an event does.
type eventKind uint8

const (
	evInit      eventKind = iota // a channel's neutral start
	evNoteOn                     // play note
	evGain                       // note controls
	evPan                        //
	evFreqRatio                  //
	evCC                         // channel controls
	evBend                       //
	evPressure                   //
	evNoteOff                    // release note
)

// event is one event of the render, at a frame: a note's, or a channel's.
type event struct {
	frame int64
	kind  eventKind
	note  int32 // for note events
	ch    uint8 // for channel events
	cc    uint8 // for evCC
	value float32
}

// postOrder ranks events of one frame: channels start neutral before
// anything, a channel's controls reach the notes that start on the same
// frame, a note starts before a control of its own can reach it, and its
// note-off always comes last.
var postOrder = [...]int{evInit: 0, evCC: 1, evBend: 1, evPressure: 1, evNoteOn: 2, evGain: 3, evPan: 3, evFreqRatio: 3, evNoteOff: 4}

// neutralVolume is the volume every channel of a render starts at: full,
// so that a score's notes sound at their own gain. (A MIDI file's channels
// get General MIDI's 100 through controls of their own.)
const neutralVolume = 127

func newPlan(s *score.Score, opt Options) (*plan, error) {
	maxVoices, maxWork := opt.MaxVoices, opt.MaxVoiceSeconds
	if maxVoices <= 0 {
		maxVoices = DefaultMaxVoices
	}
	if maxWork <= 0 {
		maxWork = DefaultMaxVoiceSeconds
	}
	bank, err := presetBank(s, opt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", errtext.Name(s.Name), err)
	}
	p := &plan{
		score: s,
		name:  errtext.Name(s.Name),
		insts: make([]instrument.Instrument, len(s.Instruments)),
		ids:   make([]aether.VoiceID, len(s.Notes)),
	}
	for i := range s.Instruments {
		if err := p.instrument(i, bank); err != nil {
			return nil, fmt.Errorf("%s: instruments.%s: %w", p.name, errtext.Name(s.Instruments[i].Name), err)
		}
	}
	for i := range s.Notes {
		n := &s.Notes[i]
		in := &s.Instruments[n.Instrument]
		if in.Preset == nil && in.Osc == score.Sample {
			if r := n.Pitch() / in.RootFreq; r > maxSampleRatio {
				return nil, fmt.Errorf("%s: notes[%d].freq: %w: %.6g Hz is %.3g times the root_freq of instrument %s (%.6g Hz; at most %d)",
					p.name, i, ErrNote, n.Pitch(), r, errtext.Name(in.Name), in.RootFreq, maxSampleRatio)
			}
		}
	}
	life := p.lifetimes(opt.Limits)
	p.frames = s.Frames
	if s.Tail {
		for _, l := range life {
			p.frames = max(p.frames, l.end)
		}
		lim := opt.Limits.WithDefaults()
		p.frames = min(p.frames, int64(lim.MaxSeconds*float64(s.SampleRate)))
	}
	p.events = make([]event, 0, score.Channels+2*len(s.Notes)+len(s.Controls))
	var used [score.Channels]bool
	for i := range s.Notes {
		used[s.Notes[i].Channel] = true
	}
	for i := range s.Controls {
		if c := &s.Controls[i]; c.Kind.OnChannel() {
			used[c.Channel] = true
		}
	}
	for c := range score.Channels {
		if used[c] {
			p.events = append(p.events, event{kind: evInit, ch: uint8(c)})
		}
	}
	for i := range s.Notes {
		n := &s.Notes[i]
		p.events = append(p.events, event{frame: n.Start, kind: evNoteOn, note: int32(i)})
		if end := n.Start + n.Length; end < p.frames {
			p.events = append(p.events, event{frame: end, kind: evNoteOff, note: int32(i)})
		}
	}
	for _, c := range s.Controls {
		e := event{frame: c.Frame, note: int32(c.Note), ch: c.Channel, cc: c.Controller, value: c.Value}
		switch c.Kind {
		case score.Gain:
			e.kind = evGain
		case score.Pan:
			e.kind = evPan
		case score.FreqRatio:
			e.kind = evFreqRatio
		case score.CC:
			e.kind = evCC
		case score.PitchBend:
			e.kind = evBend
		case score.ChannelPressure:
			e.kind = evPressure
		}
		if c.Frame < p.frames {
			p.events = append(p.events, e)
		}
	}
	slices.SortStableFunc(p.events, func(a, b event) int {
		return cmp.Or(cmp.Compare(a.frame, b.frame), cmp.Compare(postOrder[a.kind], postOrder[b.kind]))
	})
	p.events = lastControlPerBlock(p.events)
	p.queue = 1
	for i := 0; i < len(p.events); {
		blk, j := p.events[i].frame/block.Size, i
		for j < len(p.events) && p.events[j].frame/block.Size == blk {
			j++
		}
		p.queue = max(p.queue, j-i)
		i = j
	}
	p.voices = max(polyphony(life), 1)
	if p.voices > maxVoices {
		return nil, fmt.Errorf("%s: notes: %w: up to %d voices sound at once, limit %d", p.name, ErrPolyphony, p.voices, maxVoices)
	}
	for _, l := range life {
		p.voiceSeconds += float64(int64(l.voices)*(min(l.end, p.frames)-l.start)) / float64(s.SampleRate)
	}
	if p.voiceSeconds > maxWork {
		return nil, fmt.Errorf("%s: notes: %w: the notes sound for %s voice-seconds, release tails included, limit %s",
			p.name, ErrWork, figure(p.voiceSeconds), figure(maxWork))
	}
	return p, nil
}

// presetBank returns the bank that plays the presets of s that name no
// SoundFont of their own: opt's SoundFont at the score's rate,
// opt.Instruments, or the built-in General MIDI bank; nil for a score
// without such presets, so that no bank is made at a rate only other
// scores use.
func presetBank(s *score.Score, opt Options) (instrument.Bank, error) {
	switch {
	case !playsOptionsBank(s):
		return nil, nil
	case opt.SoundFont != nil:
		return opt.SoundFont.Bank(s.SampleRate)
	case opt.Instruments != nil:
		return opt.Instruments, nil
	}
	return instrument.GM(s.SampleRate), nil
}

// instrument resolves score instrument i: a preset from the SoundFont it
// names or else from bank, a synth compiled here. A preset bank lacks,
// fallbacks included (a SoundFont with no drum kit), plays nothing, as
// FluidSynth leaves such a channel silent, and is listed in p.missing; one
// that the font the preset names lacks is an error, the score having
// chosen that font.
func (p *plan) instrument(i int, bank instrument.Bank) error {
	in := &p.score.Instruments[i]
	if pr := in.Preset; pr != nil {
		if pr.SoundFont != nil {
			f, ok := pr.SoundFont.(*SoundFont)
			if !ok {
				return fmt.Errorf("preset.soundfont: %s is a %T, not a SoundFont package bounce read", errtext.Name(pr.SoundFont.Name()), pr.SoundFont)
			}
			b, err := f.Bank(p.score.SampleRate)
			if err != nil {
				return err
			}
			if p.insts[i] = b.Instrument(pr.Bank, pr.Program, pr.Drums); p.insts[i] == nil {
				// The score chose this font: a preset it lacks is the score's
				// mistake, not a MIDI channel to leave silent.
				return fmt.Errorf("preset: SoundFont %s has no %s, fallbacks included", errtext.Name(f.Name()), presetName(pr))
			}
			return prepare(p.insts[i])
		}
		if p.insts[i] = bank.Instrument(pr.Bank, pr.Program, pr.Drums); p.insts[i] == nil {
			p.insts[i] = silent{}
			p.missing = append(p.missing, presetName(pr))
		}
		return prepare(p.insts[i])
	}
	s, err := compile(in, p.score.SampleRate)
	p.insts[i] = s
	return err
}

// prepare loads what inst plays if it loads on demand (the presets of a
// lazily read SoundFont: instrument.Preparer), before the render starts.
func prepare(inst instrument.Instrument) error {
	if pr, ok := inst.(instrument.Preparer); ok {
		return pr.Prepare()
	}
	return nil
}

// presetName names a preset for Result.Missing: "bank 0 program 19", or
// "drum kit 25" for a drum channel's (bank 128 in a SoundFont).
func presetName(pr *score.Preset) string {
	if pr.Drums {
		return fmt.Sprintf("drum kit %d", pr.Program)
	}
	return fmt.Sprintf("bank %d program %d", pr.Bank, pr.Program)
}

// silent is the instrument of a preset the bank lacks: its notes start no
// voice.
type silent struct{}

func (silent) Start(_ *instrument.Note, _ *instrument.Channel, dst []instrument.Voice) []instrument.Voice {
	return dst
}
func (silent) Live(int32, *instrument.Note, *instrument.Channel) instrument.Live {
	return instrument.Live{}
}
func (silent) Span(*instrument.Note) instrument.Span { return instrument.Span{} }

// figure formats a quantity for a message: whole above 100, three
// significant digits below.
func figure(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// lifetime is when a note's voices sound: from its start to the end of
// its release (at least the engine's minimum), and how many voices it has.
type lifetime struct {
	start, end int64
	voices     int
}

// lifetimes asks each note's instrument how many voices it starts and how
// long they ring.
func (p *plan) lifetimes(lim score.Limits) []lifetime {
	s := p.score
	rate := float64(s.SampleRate)
	out := make([]lifetime, len(s.Notes))
	buf := make([]instrument.Voice, 0, instrument.MaxVoices)
	chans := make([]instrument.Channel, score.Channels)
	for c := range chans {
		chans[c] = instrument.NewChannel(uint8(c))
	}
	for i := range s.Notes {
		n := &s.Notes[i]
		in := noteFor(n)
		inst := p.insts[n.Instrument]
		started := inst.Start(&in, &chans[n.Channel], buf[:0])
		for v := range started {
			if k := started[v].Kind(); !slices.Contains(p.kinds, k) {
				p.kinds = append(p.kinds, k)
			}
		}
		l := lifetime{start: n.Start, voices: len(started)}
		span := inst.Span(&in)
		rel := s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate)
		if rel == 0 {
			rel = int64(span.Release*rate + 0.5)
		}
		rel = max(rel, voice.MinRelease)
		if span.OneShot > 0 {
			l.end = n.Start + int64(span.OneShot*rate+0.5)
		} else {
			l.end = n.Start + n.Length + rel
		}
		out[i] = l
	}
	return out
}

// noteFor is how instruments see score note n.
func noteFor(n *score.Note) instrument.Note {
	vel := n.Velocity
	if vel == 0 {
		vel = 127
	}
	return instrument.Note{Channel: n.Channel, Key: n.Key, Velocity: vel, Freq: n.Freq}
}

// replaces reports whether a later event of e's kind for the same note or
// channel (and controller) makes e void: the engine applies one value of
// such a control per block. Controllers that select or enter parameters,
// and reset, keep their order and are all posted.
func (e *event) replaces() bool {
	switch e.kind {
	case evGain, evPan, evFreqRatio, evBend, evPressure:
		return true
	case evCC:
		switch e.cc {
		case 6, 38, 96, 97, 98, 99, 100, 101, 121:
			return false
		}
		return true
	}
	return false
}

// lastControlPerBlock drops every control that a later control of the
// same kind for the same note (or channel and controller) overrides within
// one block: the engine applies one value per block (ramped across it), so
// the output is unchanged, and the queue then holds a bounded number of
// events per voice and channel, however many controls a hostile MIDI file
// packs into one block.
func lastControlPerBlock(events []event) []event {
	type key struct {
		note    int32
		ch, cc  uint8
		kind    eventKind
		channel bool
	}
	seen := map[key]bool{}
	keep := make([]bool, len(events))
	for end := len(events); end > 0; {
		blk, start := events[end-1].frame/block.Size, end-1
		for start > 0 && events[start-1].frame/block.Size == blk {
			start--
		}
		clear(seen)
		for i := end - 1; i >= start; i-- {
			e := &events[i]
			if !e.replaces() {
				keep[i] = true
				continue
			}
			k := key{kind: e.kind}
			if e.kind >= evCC {
				k.channel, k.ch, k.cc = true, e.ch, e.cc
			} else {
				k.note = e.note
			}
			keep[i] = !seen[k]
			seen[k] = true
		}
		end = start
	}
	out := events[:0]
	for i, e := range events {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}

// maxSampleRatio is the voice package's bound on a sample's playback ratio
// (4 octaves up).
const maxSampleRatio = 16

// post posts e to the engine.
func (r *renderer) post(e *event) error {
	switch e.kind {
	case evInit:
		return r.eng.Channel(int(e.ch)).ControlChange(instrument.CCVolume, neutralVolume, e.frame)
	case evCC:
		return r.eng.Channel(int(e.ch)).ControlChange(e.cc, uint8(e.value), e.frame)
	case evBend:
		return r.eng.Channel(int(e.ch)).PitchBend(uint16(e.value), e.frame)
	case evPressure:
		return r.eng.Channel(int(e.ch)).ChannelPressure(uint8(e.value), e.frame)
	}
	id := &r.ids[e.note]
	switch e.kind {
	case evNoteOn:
		n := &r.score.Notes[e.note]
		var err error
		*id, err = r.eng.Play(aether.Note{
			Note:       noteFor(n),
			Instrument: r.insts[n.Instrument],
			Gain:       n.Gain,
			Pan:        n.Pan,
		}, e.frame)
		return err
	case evNoteOff:
		return r.eng.NoteOffAt(*id, e.frame)
	case evGain:
		return r.eng.SetGain(*id, e.value)
	case evPan:
		return r.eng.SetPan(*id, e.value)
	default:
		return r.eng.SetFreqRatio(*id, e.value)
	}
}

// polyphony returns the most voices that sound in any one block: a voice
// holds its slot from the block it starts in to the block its release
// ends in, plus one block of margin for the rounding of envelope times.
func polyphony(life []lifetime) int {
	type edge struct {
		block int64
		delta int
	}
	edges := make([]edge, 0, 2*len(life))
	for _, l := range life {
		edges = append(edges, edge{l.start / block.Size, l.voices}, edge{l.end/block.Size + 2, -l.voices})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.block, b.block), cmp.Compare(a.delta, b.delta)) // ends before starts
	})
	most, now := 0, 0
	for _, e := range edges {
		now += e.delta
		most = max(most, now)
	}
	return most
}
