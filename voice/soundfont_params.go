package voice

// SoundFont is the recipe of a voice playing one SoundFont sample: what an
// instrument computes from a SoundFont region's generators and modulators
// when the note starts (FluidSynth's "rvoice" parameters, in the units its
// DSP loop works in). Data is shared and read-only; the rest is copied.
// Live holds the values modulators move while the voice sounds; the
// instrument recomputes it when the channel changes.
type SoundFont struct {
	// Data is the font's sample pool (package sf2's Font.Pool), shared by
	// every voice; the sample's frames are Data[Start:End], with guard
	// frames before Start and after End that an interpolator may read.
	Data       []float32
	Start, End int
	// LoopStart and LoopEnd bound the loop [LoopStart, LoopEnd) in Data
	// (LoopEnd is the first frame after it), used when LoopMode loops.
	LoopStart, LoopEnd int
	LoopMode           LoopMode
	// Interp is Cubic (FluidSynth's default, 4-point) or Linear.
	Interp Interp
	// RootHz is the pitch at which the sample plays at its recorded speed,
	// in Hz at the output rate: FluidSynth's root_pitch_hz, the root key
	// (less the sample's pitch correction) converted from cents, times the
	// output rate over the sample's rate. A voice whose Live pitch (in
	// cents, with the modulations of the block) is p reads the sample at
	// ct2hz(p)/RootHz frames per output frame.
	RootHz float64
	// VolEnv shapes the level (attack linear in amplitude; decay and
	// release linear in dB over FluidSynth's 96 dB range) and ModEnv the
	// modulation of pitch and filter cutoff (linear throughout, convex in
	// its attack).
	VolEnv, ModEnv Envelope
	// ModLFO moves pitch, cutoff and level; VibLFO moves pitch.
	ModLFO, VibLFO LFO
	// Live is the modulated part at the start.
	Live SoundFontLive
	// MinAttenuation is the lowest Live.Attenuation, in cB, the voice's
	// modulators can reach while it sounds, estimated at the start as
	// FluidSynth does (fluid_voice_get_lower_boundary_for_attenuation):
	// with the volume envelope's value it bounds how loud the voice can
	// still get, for the noise-floor cut-off.
	MinAttenuation float32

	// The rules below come from the instrument's compatibility profile
	// (instrument.Profile): FluidSynth 2.3.1's or the spec's.

	// EnvRange is the attenuation, in cB, at which the volume envelope's
	// value reaches 0: in decay, sustain and release a value v attenuates
	// by EnvRange × (1 − v). FluidSynth uses 960 (96 dB,
	// FLUID_PEAK_ATTENUATION), the spec 1000 (100 dB).
	EnvRange float32
	// FilterQOffset is subtracted, in dB, from the resonance (FilterQ/10,
	// clamped to 0..96 dB) before it becomes the lowpass's linear Q:
	// FluidSynth's 3.01 makes a Q of 0 a Butterworth response (-3 dB at
	// the cutoff, no peak); with the spec's 0 the response at the cutoff
	// is FilterQ above the DC gain. Either way the DC gain is divided by
	// the square root of the linear Q.
	FilterQOffset float32
	// FilterBypass skips the lowpass while its cutoff, modulations
	// included, is 13500 cents or more (about 20 kHz) and FilterQ is 0,
	// as the spec says the filter then does not affect the signal.
	// FluidSynth always filters, the cutoff clamped to 5 Hz .. 0.45 × the
	// output rate.
	FilterBypass bool
	// ExclusiveRelease is the release, in blocks, that both envelopes
	// switch to when another note's exclusive class chokes the voice
	// (FluidSynth's fluid_voice_kill_excl: -200 timecents, 0.89 s from
	// full level to silence).
	ExclusiveRelease int
	// MinNoteLength, in frames: a note-off that comes sooner after the
	// voice's start takes effect at the first block that starts at least
	// this many frames after it (FluidSynth's synth.min-note-length, 10 ms
	// by default); 0: at once.
	MinNoteLength int
}

// LoopMode is how a SoundFont sample loops (generator 54).
type LoopMode uint8

// The loop modes: 2 is read as LoopNone, as FluidSynth does.
const (
	LoopNone         LoopMode = 0 // play Start..End once
	LoopContinuous   LoopMode = 1 // loop until the voice ends, release included
	LoopUntilRelease LoopMode = 3 // loop until note-off, then play on to End
)

// Envelope is a SoundFont envelope: delay, attack, hold, decay, sustain,
// release. Times are whole blocks, as FluidSynth counts its 64-sample
// buffers; Sustain is the envelope's value (0..1) after the decay.
type Envelope struct {
	Delay, Attack, Hold, Decay, Release int
	Sustain                             float32
}

// LFO is a SoundFont triangle LFO: silent (0) for Delay frames, then a
// triangle between -1 and 1 whose value moves by Incr each block.
type LFO struct {
	Delay int
	Incr  float32
}

// SoundFontLive is the part of a SoundFont voice that modulators move
// (pitch wheel, modulation wheel, volume, expression, pan, pressure ...).
// Units are the SoundFont generators' own.
type SoundFontLive struct {
	// Pitch is the note's pitch in cents (key 69 = 6900): the key through
	// the scale tuning, the coarse and fine tuning and the pitch wheel.
	Pitch float64
	// Attenuation is in centibels, 0..1440.
	Attenuation float32
	// Pan is -500 (left) .. 500 (right), in 0.1 % steps.
	Pan float32
	// FilterFc is the lowpass cutoff in absolute cents (13500 and above
	// is no filter) and FilterQ its resonance in centibels.
	FilterFc, FilterQ float32
	// The modulation depths: cents of pitch and of cutoff, centibels of
	// level, at the LFOs' peak and the modulation envelope's maximum.
	ModLFOToPitch, VibLFOToPitch, ModEnvToPitch float32
	ModLFOToFc, ModEnvToFc                      float32
	ModLFOToVol                                 float32
	// ReverbSend and ChorusSend (0..1) are kept for effects to come.
	ReverbSend, ChorusSend float32
}
