package instrument

import (
	"reflect"
	"testing"

	"github.com/aether-audio/aether/sf2"
)

// profileEntry is one field of Profile with an observation of a voice
// that depends on it, and what the observation must be in each profile
// and with the field alone taken from the other profile.
type profileEntry struct {
	field   string
	observe func(t *testing.T, p Profile) float64
	// fluid: FluidSynthProfile; fluidFlipped: FluidSynthProfile with this
	// field from SpecProfile; spec and specFlipped alike.
	fluid, fluidFlipped, spec, specFlipped float64
}

// voiceOf starts key 60 at velocity vel on a channel set by setup, with
// profile p, on a bank whose one region has the modulators p's rules
// give a zone with none of its own, then extra ones, and the generators
// set.
func voiceOf(t *testing.T, p Profile, vel uint8, setup func(*Channel), extra []sf2.Modulator, set ...gen) Voice {
	t.Helper()
	ch := NewChannel(0)
	if setup != nil {
		setup(&ch)
	}
	return startOne(t, mustBank(t, onePreset(testRegion(p.Modulators, extra, set...)), p), 60, vel, &ch)
}

var profileEntries = []profileEntry{
	{
		field: "Modulators", // the default velocity-to-cutoff modulator, at velocity 1
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 1, nil, nil).SoundFont.Live.FilterFc)
		},
		fluid: 13500, fluidFlipped: 13500 - 2400*(1-1.0/128), spec: 13500 - 2400*(1-1.0/127), specFlipped: 13500,
	},
	{
		field: "AttenuationFactor", // initialAttenuation 100 cB at full velocity, volume and expression
		observe: func(t *testing.T, p Profile) float64 {
			p.Modulators = &sf2.ModulatorRules{}
			return float64(voiceOf(t, p, 127, nil, nil, gen{sf2.GenInitialAttenuation, 100}).SoundFont.Live.Attenuation)
		},
		fluid: 40, fluidFlipped: 100, spec: 100, specFlipped: 40,
	},
	{
		field: "Sources128", // the default pan modulator at CC10 = 127
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, func(c *Channel) { c.CC[CCPan] = 127 }, nil).SoundFont.Live.Pan)
		},
		fluid: 500 * (2*127.0/128 - 1), fluidFlipped: 500, spec: 500, specFlipped: 500 * (2*127.0/128 - 1),
	},
	{
		field: "WholeBendRange", // a bend range of 2.5 semitones through the sensitivity source alone
		observe: func(t *testing.T, p Profile) float64 {
			p.Modulators = &sf2.ModulatorRules{}
			m := sf2.Modulator{Src: sf2.SrcPitchSensitivity, Dest: sf2.GenFineTune, Amount: 1280}
			return voiceOf(t, p, 100, func(c *Channel) { c.BendRange = 2.5 }, []sf2.Modulator{m}).SoundFont.Live.Pitch - 6000
		},
		fluid: 1280 * 2.0 / 128, fluidFlipped: 1280 * 2.5 / 128, spec: 1280 * 2.5 / 127, specFlipped: 1280 * 2.0 / 127,
	},
	{
		field: "EnvRange",
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, nil, nil).SoundFont.EnvRange)
		},
		fluid: 960, fluidFlipped: 1000, spec: 1000, specFlipped: 960,
	},
	{
		field: "MinVolRelease", // a volume release of -12000 timecents, in blocks
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, nil, nil, gen{sf2.GenReleaseVolEnv, -12000}).SoundFont.VolEnv.Release)
		},
		fluid: 12, fluidFlipped: 1, spec: 1, specFlipped: 12,
	},
	{
		field: "FilterQOffset",
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, nil, nil).SoundFont.FilterQOffset)
		},
		fluid: 3.01, fluidFlipped: 0, spec: 0, specFlipped: 3.01,
	},
	{
		field: "FilterBypass",
		observe: func(t *testing.T, p Profile) float64 {
			return b2f(voiceOf(t, p, 100, nil, nil).SoundFont.FilterBypass)
		},
		fluid: 0, fluidFlipped: 1, spec: 1, specFlipped: 0,
	},
	{
		field: "ExclusiveRelease", // in blocks; FluidSynth's -200 tc is 0.891 s
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, nil, nil).SoundFont.ExclusiveRelease)
		},
		// Flipped, FluidSynth's floor of -7200 tc still lengthens the
		// spec's -12000 to 12 blocks.
		fluid: 1 + 668, fluidFlipped: 12, spec: 1, specFlipped: 1 + 668,
	},
	{
		field: "MinNoteLength", // in frames at 48 kHz
		observe: func(t *testing.T, p Profile) float64 {
			return float64(voiceOf(t, p, 100, nil, nil).SoundFont.MinNoteLength)
		},
		fluid: 480, fluidFlipped: 0, spec: 0, specFlipped: 480,
	},
}

// withField returns p with field f taken from q.
func withField(p, q Profile, f string) Profile {
	reflect.ValueOf(&p).Elem().FieldByName(f).Set(reflect.ValueOf(q).FieldByName(f))
	return p
}

// TestProfileEntries: each entry of the profile changes what it says, on
// its own: the observation follows the field when only it is flipped.
func TestProfileEntries(t *testing.T) {
	for _, e := range profileEntries {
		for _, c := range []struct {
			name string
			p    Profile
			want float64
		}{
			{"FluidSynth", FluidSynthProfile, e.fluid},
			{"FluidSynth with the spec's " + e.field, withField(FluidSynthProfile, SpecProfile, e.field), e.fluidFlipped},
			{"spec", SpecProfile, e.spec},
			{"spec with FluidSynth's " + e.field, withField(SpecProfile, FluidSynthProfile, e.field), e.specFlipped},
		} {
			if got := e.observe(t, c.p); !near(got, c.want, 2e-3) { // float32 values
				t.Errorf("%s: %s: %v, want %v", e.field, c.name, got, c.want)
			}
		}
		if e.fluid == e.fluidFlipped || e.spec == e.specFlipped {
			t.Errorf("%s: flipping the entry changes nothing the test sees", e.field)
		}
	}
}

// TestProfileEntriesCovered: every field of Profile but its name has an
// entry above.
func TestProfileEntriesCovered(t *testing.T) {
	tested := map[string]bool{"Name": true}
	for _, e := range profileEntries {
		tested[e.field] = true
	}
	typ := reflect.TypeOf(Profile{})
	for i := range typ.NumField() {
		if f := typ.Field(i).Name; !tested[f] {
			t.Errorf("Profile.%s has no test in profileEntries", f)
		}
	}
	if FluidSynthProfile.Name == SpecProfile.Name {
		t.Error("the two profiles share a name")
	}
}

// TestProfileReadOptions: a font read with a profile's options resolves
// its modulators with the profile's rules.
func TestProfileReadOptions(t *testing.T) {
	if FluidSynthProfile.ReadOptions().Rules != &sf2.FluidSynthRules || SpecProfile.ReadOptions().Rules != &sf2.SpecRules {
		t.Error("ReadOptions do not carry the profiles' modulator rules")
	}
}
