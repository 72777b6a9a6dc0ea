package instrument

import "github.com/aether-audio/aether/sf2"

// Profile is a SoundFont compatibility profile: every rule on which
// FluidSynth 2.3.1 departs from the SoundFont 2.04 specification, one field
// each. FluidSynthProfile plays fonts as FluidSynth does (the reference of
// the General MIDI datasets); SpecProfile as the spec says. Fields whose
// rule the voice applies are copied into voice.SoundFont at note-on.
type Profile struct {
	// Name names the profile ("fluidsynth-2.3.1", "sf2-spec").
	Name string
	// Modulators are the rules a font played with this profile must have
	// been read with (ReadOptions): FluidSynth's default modulators, whose
	// velocity-to-filter-cutoff modulator contributes nothing and which
	// know only the linear transform (sf2.FluidSynthRules), or the spec's
	// ten, whose velocity-to-cutoff lowers the cutoff by up to 2400 cents
	// (sf2.SpecRules).
	Modulators *sf2.ModulatorRules
	// AttenuationFactor scales the zones' initialAttenuation generator,
	// not its modulators: 0.4, as EMU's hardware and FluidSynth do (its
	// EMU_ATTENUATION_FACTOR), or the spec's 1.
	AttenuationFactor float64
	// Sources128 normalises modulator sources as FluidSynth does: a 7-bit
	// controller (CC, velocity, key, pressure, pitch-wheel sensitivity)
	// is v/128 and the pitch wheel v/16384, so 127 is 127/128 and 64 the
	// exact centre, and the concave and convex curves are read from its
	// 128-point tables (sf2.Source.MapFluidSynth). Without it, v/127 and
	// v/16383 and the exact curves (sf2.Source.Map).
	Sources128 bool
	// WholeBendRange makes the pitch-wheel-sensitivity source whole
	// semitones: FluidSynth ignores the data entry LSB of registered
	// parameter 0 (its cents).
	WholeBendRange bool
	// EnvRange is the attenuation, in cB, of the volume envelope's value 0
	// (voice.SoundFont.EnvRange): FluidSynth's 960 (96 dB), the spec's
	// 1000.
	EnvRange float32
	// MinVolRelease is the shortest volume envelope release, in
	// timecents: FluidSynth lengthens shorter ones to -7200 (16 ms)
	// against clicks; the spec allows -12000 (1 ms).
	MinVolRelease float64
	// FilterQOffset, in dB, is subtracted from the filter resonance
	// (voice.SoundFont.FilterQOffset): FluidSynth's 3.01 makes a Q of 0 a
	// response with no peak; the spec's 0 puts the response at the cutoff
	// FilterQ above the DC gain.
	FilterQOffset float32
	// FilterBypass turns the lowpass off at a cutoff of 13500 cents or
	// more with no resonance, as the spec says
	// (voice.SoundFont.FilterBypass); FluidSynth always filters, its
	// cutoff clamped to 0.45 × the output rate.
	FilterBypass bool
	// ExclusiveRelease, in timecents, is the release of a voice that an
	// exclusive class chokes: FluidSynth's -200 (0.89 s from full level
	// to silence, fluid_voice_kill_excl); the spec only says "rapidly",
	// so its profile uses the shortest release it allows.
	ExclusiveRelease float64
	// MinNoteLength, in seconds, delays a note-off that comes sooner after
	// the start (FluidSynth's synth.min-note-length, 10 ms by default);
	// the spec has no such rule.
	MinNoteLength float64
}

// FluidSynthProfile plays SoundFonts as FluidSynth 2.3.1 does with its
// default settings.
var FluidSynthProfile = Profile{
	Name:              "fluidsynth-2.3.1",
	Modulators:        &sf2.FluidSynthRules,
	AttenuationFactor: 0.4,
	Sources128:        true,
	WholeBendRange:    true,
	EnvRange:          960,
	MinVolRelease:     -7200,
	FilterQOffset:     3.01,
	FilterBypass:      false,
	ExclusiveRelease:  -200,
	MinNoteLength:     0.010,
}

// SpecProfile plays SoundFonts as the SoundFont 2.04 specification says.
var SpecProfile = Profile{
	Name:              "sf2-spec",
	Modulators:        &sf2.SpecRules,
	AttenuationFactor: 1,
	Sources128:        false,
	WholeBendRange:    false,
	EnvRange:          1000,
	MinVolRelease:     -12000,
	FilterQOffset:     0,
	FilterBypass:      true,
	ExclusiveRelease:  -12000,
	MinNoteLength:     0,
}

// ReadOptions are the options to read a font with for this profile: its
// modulator rules.
func (p *Profile) ReadOptions() sf2.Options {
	return sf2.Options{Rules: p.Modulators}
}
