// Package instrument says what a note sounds like. An Instrument turns a
// note (channel, key, velocity) and the state of its MIDI channel into one
// or more voice recipes for package voice, and tells how the voices follow
// later changes of the channel (volume, expression, pan, pitch bend,
// tuning). Instruments with zones pick their voices by key and velocity
// ranges; a Bank maps (bank, program) to instruments, as MIDI program
// changes need.
//
// The built-in General MIDI sounds are one Bank (GM); instruments of a JSON
// score compile to Synth instruments (FromScore); a SoundFont's presets are
// another Bank (SoundFont), played as FluidSynth 2.3.1 plays them or as
// the SoundFont specification says (Profile). Every Instrument is
// read-only once built, so one may serve any number of engines and
// goroutines at once; Start and Live allocate nothing.
package instrument

import "github.com/aether-audio/aether/voice"

// Note is one note as an instrument sees it.
type Note struct {
	// Channel is the MIDI channel, 0..15.
	Channel uint8
	// Key is the MIDI key, 0..127 (60 is middle C, 69 is A4).
	Key uint8
	// Velocity is the MIDI velocity, 1..127.
	Velocity uint8
	// Freq, when not 0, is the pitch in Hz, overriding the key's
	// equal-tempered pitch (scores may give notes in Hz). Zones are still
	// chosen by Key.
	Freq float64
}

// MaxVoices is the most voices one note may start: Start never appends
// more, so a caller that gives dst this much room never sees it grow.
const MaxVoices = 16

// Voice is one voice of a note: what the bank starts, and what keeps it
// following the note's channel.
type Voice struct {
	// Params are the voice's parameters at its start, Gain and Pan as
	// Live gives them. The player applies Live's FreqRatio before the
	// first block, and again whenever the channel or the note changes.
	Params voice.Params
	// Instrument is the instrument whose Live computes this voice's live
	// controls: the one that made it (a zone's, for instruments made of
	// zones).
	Instrument Instrument
	// Tag is that instrument's own reference to what made the voice (a
	// zone, a layer), handed back to its Live.
	Tag int32
	// OneShot makes the voice ignore its note's note-off: it ends when
	// its envelope or its sample does.
	OneShot bool
	// Exclusive, when not 0, is the voice's exclusive class (SoundFont
	// generator 57): its start ends, quickly, every voice of the same
	// class that another note of its channel sounds (an open hi-hat choked
	// by a closed one).
	Exclusive uint16
	// SoundFont is the recipe of a voice a SoundFont instrument made (its
	// Data is nil for every other voice): the sample, envelopes, LFOs and
	// modulated controls, for the SoundFont voice kind. It is held here,
	// by value, so that Start allocates nothing; the voice's Params refer
	// to it.
	SoundFont voice.SoundFont
}

// Kind is the voice kind the bank plays v as: SoundFontSampler for a
// SoundFont voice, Params.Kind for any other.
func (v *Voice) Kind() voice.Kind {
	if v.SoundFont.Data != nil {
		return voice.SoundFontSampler
	}
	return v.Params.Kind
}

// Live are the controls of a voice that follow its note and channel while
// it sounds.
type Live struct {
	// Gain is the voice's linear gain (voice.Params.Gain's meaning).
	Gain float32
	// Pan is the voice's stereo position, -1..1.
	Pan float32
	// FreqRatio multiplies the voice's starting frequency (pitch bend,
	// channel tuning).
	FreqRatio float32
	// SoundFont holds the modulated controls of a SoundFont voice (pitch,
	// attenuation, pan, filter, modulation depths, sends), when
	// HasSoundFont is set. Gain, Pan and FreqRatio are then neutral (1,
	// 0, 1): the voice's level, position and pitch are all in SoundFont.
	SoundFont    voice.SoundFontLive
	HasSoundFont bool
}

// Span says how long a note's voices may sound, for sizing a render.
type Span struct {
	// Release is the most seconds a voice sounds after its note-off.
	Release float64
	// OneShot, when above 0, means the instrument ignores note-off: the
	// voices end by themselves at most OneShot seconds after the start.
	OneShot float64
}

// Instrument is how notes sound. Implementations are read-only after
// construction and safe for concurrent use.
type Instrument interface {
	// Start appends to dst the voices note n starts on channel ch, and
	// returns it: one voice for most instruments, several for layered or
	// stereo ones, none for a key or velocity the instrument does not
	// play or a pitch it cannot sound. It appends at most MaxVoices and
	// allocates nothing when dst has room for them.
	Start(n *Note, ch *Channel, dst []Voice) []Voice
	// Live returns the live controls of a voice that Start made with
	// tag, for note n on channel ch as they are now.
	Live(tag int32, n *Note, ch *Channel) Live
	// Span bounds how long note n's voices sound.
	Span(n *Note) Span
}

// Preparer is an Instrument that loads what it plays on demand: a preset
// of a SoundFont read with sf2.Options.Lazy. Until Prepare returns nil it
// starts no voices. Prepare reads files: call it before rendering (a
// bounce does, for every instrument of a score), not from a render loop.
// It is safe for concurrent use.
type Preparer interface {
	Prepare() error
}
