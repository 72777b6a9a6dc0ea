package bounce

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/voice"
)

// plan is a score turned into what the engine plays: one voice.Params
// template per instrument and every event in posting order, with the
// engine's size.
type plan struct {
	score  *score.Score
	instr  []voice.Params // per instrument; a note fills in Freq, Gain, Pan, Seed
	gain   []float32      // per instrument: its gain, applied to notes and Gain controls
	events []event
	ids    []aether.VoiceID // per note, set when its NoteOn is posted
	voices int              // the most voices sounding in any block, with margin
	queue  int              // the most events posted for any block
	// voiceSeconds is the work: how long the notes sound, release tails
	// included, cut at the end of the score.
	voiceSeconds float64
}

// eventKind is what an event does to its note's voice.
type eventKind uint8

const (
	evNoteOn eventKind = iota
	evNoteOff
	evGain
	evPan
	evFreqRatio
)

// event is one event of the score, at a frame.
type event struct {
	frame int64
	kind  eventKind
	note  int32
	value float32
}

// postOrder ranks events of one frame: a note starts before a control of
// the same frame can reach it, and its note-off always comes later.
var postOrder = [...]int{evNoteOn: 0, evGain: 1, evPan: 1, evFreqRatio: 1, evNoteOff: 2}

func newPlan(s *score.Score, opt Options) (*plan, error) {
	maxVoices, maxWork := opt.MaxVoices, opt.MaxVoiceSeconds
	if maxVoices <= 0 {
		maxVoices = DefaultMaxVoices
	}
	if maxWork <= 0 {
		maxWork = DefaultMaxVoiceSeconds
	}
	p := &plan{
		score: s,
		instr: make([]voice.Params, len(s.Instruments)),
		gain:  make([]float32, len(s.Instruments)),
		ids:   make([]aether.VoiceID, len(s.Notes)),
	}
	for i := range s.Instruments {
		if err := p.instrument(i); err != nil {
			return nil, fmt.Errorf("%s: instruments.%s: %w", s.Name, s.Instruments[i].Name, err)
		}
	}
	p.events = make([]event, 0, 2*len(s.Notes)+len(s.Controls))
	for i := range s.Notes {
		n := &s.Notes[i]
		if p.instr[n.Instrument].Kind == voice.Sampler {
			if r := n.Freq / p.instr[n.Instrument].Sample.RootFreq; r > maxSampleRatio {
				return nil, fmt.Errorf("%s: notes[%d].freq: %w: %.6g Hz is %.3g times the root_freq of instrument %s (%.6g Hz; at most %d)",
					s.Name, i, ErrNote, n.Freq, r, s.Instruments[n.Instrument].Name,
					p.instr[n.Instrument].Sample.RootFreq, maxSampleRatio)
			}
		}
		p.events = append(p.events, event{frame: n.Start, kind: evNoteOn, note: int32(i)})
		if end := n.Start + n.Length; end < s.Frames {
			p.events = append(p.events, event{frame: end, kind: evNoteOff, note: int32(i)})
		}
	}
	for _, c := range s.Controls {
		e := event{frame: c.Frame, note: int32(c.Note), value: c.Value}
		switch c.Kind {
		case score.Gain:
			e.kind, e.value = evGain, c.Value*p.gain[s.Notes[c.Note].Instrument]
		case score.Pan:
			e.kind = evPan
		case score.FreqRatio:
			e.kind = evFreqRatio
		}
		p.events = append(p.events, e)
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
	p.voices = max(polyphony(s), 1)
	if p.voices > maxVoices {
		return nil, fmt.Errorf("%s: notes: %w: up to %d notes sound at once, limit %d", s.Name, ErrPolyphony, p.voices, maxVoices)
	}
	p.voiceSeconds = voiceSeconds(s)
	if p.voiceSeconds > maxWork {
		return nil, fmt.Errorf("%s: notes: %w: the notes sound for %s voice-seconds, release tails included, limit %s",
			s.Name, ErrWork, figure(p.voiceSeconds), figure(maxWork))
	}
	return p, nil
}

// figure formats a quantity for a message: whole above 100, three
// significant digits below.
func figure(v float64) string {
	if v >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// voiceSeconds returns how long the notes of s sound, each from its start
// to the end of its release (at least the engine's minimum), cut at the
// end of the score: the work a render does, whatever each voice costs.
func voiceSeconds(s *score.Score) float64 {
	var frames int64
	for i := range s.Notes {
		n := &s.Notes[i]
		rel := max(s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate), voice.MinRelease)
		frames += min(n.Start+n.Length+rel, s.Frames) - n.Start
	}
	return float64(frames) / float64(s.SampleRate)
}

// lastControlPerBlock drops every control that a later control of the
// same kind for the same note overrides within one block: the engine
// applies one value per block (ramped across it), so the output is
// unchanged, and the queue then holds at most a note-on, a note-off and
// three controls per voice, however many controls a hostile MIDI file
// packs into one block.
func lastControlPerBlock(events []event) []event {
	type key struct {
		note int32
		kind eventKind
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
			k := key{e.note, e.kind}
			keep[i] = e.kind == evNoteOn || e.kind == evNoteOff || !seen[k]
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

// instrument builds the voice.Params template of instrument i.
func (p *plan) instrument(i int) error {
	in := &p.score.Instruments[i]
	v := voice.Params{
		Kind:       voice.Kind(in.Osc), // the orders agree, Sample = Sampler
		PulseWidth: in.PulseWidth,
		Env: voice.ADSR{
			Attack:  float32(in.Attack),
			Decay:   float32(in.Decay),
			Sustain: in.Sustain,
			Release: float32(in.Release),
		},
	}
	if f := in.Filter; f != nil {
		v.Filter = voice.Filter{
			Type:      voice.FilterType(f.Type) + voice.Lowpass, // the orders agree, after FilterNone
			Cutoff:    float32(f.Cutoff),
			Resonance: f.Resonance,
		}
	}
	var err error
	switch in.Osc {
	case score.Wavetable:
		v.Table, err = voice.NewTable(in.Wavetable)
	case score.Sample:
		a := in.Sample
		v.Sample, err = voice.NewSample(a.Rate, a.Channels, in.RootFreq, in.Loop, int(in.LoopStart), int(in.LoopEnd), voice.Cubic)
	}
	p.instr[i], p.gain[i] = v, in.Gain
	return err
}

// post posts e to the engine, offset frames into the next block.
func (r *renderer) post(e *event, offset int) error {
	id := &r.ids[e.note]
	switch e.kind {
	case evNoteOn:
		n := &r.score.Notes[e.note]
		v := r.instr[n.Instrument] // a copy: Params travel by value
		v.Freq, v.Gain, v.Pan = n.Freq, n.Gain*r.gain[n.Instrument], n.Pan
		v.Seed = uint64(e.note) + 1 // each noise note its own, repeatable noise
		var err error
		*id, err = r.eng.NoteOn(v, offset)
		return err
	case evNoteOff:
		return r.eng.NoteOff(*id, offset)
	case evGain:
		return r.eng.SetGain(*id, e.value)
	case evPan:
		return r.eng.SetPan(*id, e.value)
	default:
		return r.eng.SetFreqRatio(*id, e.value)
	}
}

// polyphony returns the most voices that sound in any one block: a voice
// holds its slot from the block of its NoteOn to the block in which its
// release ends (at least the engine's minimum release), plus one block of
// margin for rounding of envelope times.
func polyphony(s *score.Score) int {
	ends := make([]int64, len(s.Notes))
	for i := range s.Notes {
		n := &s.Notes[i]
		rel := max(s.Instruments[n.Instrument].ReleaseFrames(s.SampleRate), voice.MinRelease)
		ends[i] = (n.Start+n.Length+rel)/block.Size + 1
	}
	slices.Sort(ends)
	most, ended := 0, 0
	for i := range s.Notes {
		start := s.Notes[i].Start / block.Size
		if i+1 < len(s.Notes) && s.Notes[i+1].Start/block.Size == start {
			continue // count once all notes of this block have started
		}
		for ended < len(ends) && ends[ended] < start {
			ended++
		}
		most = max(most, i+1-ended)
	}
	return most
}
