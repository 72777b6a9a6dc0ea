package sf2

import (
	"fmt"
	"math"
)

// Generator is a SoundFont generator (spec 2.04 section 8.1.2): a
// synthesis parameter a zone sets, or a modulator's destination.
type Generator uint16

// The generators, numbered as in the file.
const (
	GenStartAddrsOffset Generator = iota
	GenEndAddrsOffset
	GenStartLoopAddrsOffset
	GenEndLoopAddrsOffset
	GenStartAddrsCoarseOffset
	GenModLfoToPitch
	GenVibLfoToPitch
	GenModEnvToPitch
	GenInitialFilterFc
	GenInitialFilterQ
	GenModLfoToFilterFc
	GenModEnvToFilterFc
	GenEndAddrsCoarseOffset
	GenModLfoToVolume
	GenUnused1
	GenChorusEffectsSend
	GenReverbEffectsSend
	GenPan
	GenUnused2
	GenUnused3
	GenUnused4
	GenDelayModLFO
	GenFreqModLFO
	GenDelayVibLFO
	GenFreqVibLFO
	GenDelayModEnv
	GenAttackModEnv
	GenHoldModEnv
	GenDecayModEnv
	GenSustainModEnv
	GenReleaseModEnv
	GenKeynumToModEnvHold
	GenKeynumToModEnvDecay
	GenDelayVolEnv
	GenAttackVolEnv
	GenHoldVolEnv
	GenDecayVolEnv
	GenSustainVolEnv
	GenReleaseVolEnv
	GenKeynumToVolEnvHold
	GenKeynumToVolEnvDecay
	GenInstrument
	GenReserved1
	GenKeyRange
	GenVelRange
	GenStartLoopAddrsCoarseOffset
	GenKeynum
	GenVelocity
	GenInitialAttenuation
	GenReserved2
	GenEndLoopAddrsCoarseOffset
	GenCoarseTune
	GenFineTune
	GenSampleID
	GenSampleModes
	GenReserved3
	GenScaleTuning
	GenExclusiveClass
	GenOverridingRootKey

	// NumGenerators is the number of generators the spec defines.
	NumGenerators = int(GenOverridingRootKey) + 1
)

// genInfo is one row of the spec's generator summary (section 8.1.3).
type genInfo struct {
	name     string
	min, max float64 // the spec's range; ±Inf where it has none
	def      int16   // the default where no zone sets it
	// instOnly: allowed in instrument zones only (the sample offsets,
	// keynum, velocity, sampleModes, exclusiveClass, overridingRootKey
	// and sampleID); a preset zone's value is ignored.
	instOnly bool
	// invalid: never valid in a zone's generator list (unused, reserved,
	// or an index generator that has its own place).
	invalid bool
}

var inf = math.Inf(1)

// genTable is the spec's generator summary (2.04 section 8.1.3). The
// ranges are the spec's; FluidSynth's table (fluid_gen.c) has the same.
var genTable = [NumGenerators]genInfo{
	GenStartAddrsOffset:           {name: "startAddrsOffset", min: 0, max: inf, instOnly: true},
	GenEndAddrsOffset:             {name: "endAddrsOffset", min: -inf, max: 0, instOnly: true},
	GenStartLoopAddrsOffset:       {name: "startloopAddrsOffset", min: -inf, max: inf, instOnly: true},
	GenEndLoopAddrsOffset:         {name: "endloopAddrsOffset", min: -inf, max: inf, instOnly: true},
	GenStartAddrsCoarseOffset:     {name: "startAddrsCoarseOffset", min: 0, max: inf, instOnly: true},
	GenModLfoToPitch:              {name: "modLfoToPitch", min: -12000, max: 12000},
	GenVibLfoToPitch:              {name: "vibLfoToPitch", min: -12000, max: 12000},
	GenModEnvToPitch:              {name: "modEnvToPitch", min: -12000, max: 12000},
	GenInitialFilterFc:            {name: "initialFilterFc", min: 1500, max: 13500, def: 13500},
	GenInitialFilterQ:             {name: "initialFilterQ", min: 0, max: 960},
	GenModLfoToFilterFc:           {name: "modLfoToFilterFc", min: -12000, max: 12000},
	GenModEnvToFilterFc:           {name: "modEnvToFilterFc", min: -12000, max: 12000},
	GenEndAddrsCoarseOffset:       {name: "endAddrsCoarseOffset", min: -inf, max: 0, instOnly: true},
	GenModLfoToVolume:             {name: "modLfoToVolume", min: -960, max: 960},
	GenUnused1:                    {name: "unused1", min: -inf, max: inf, invalid: true},
	GenChorusEffectsSend:          {name: "chorusEffectsSend", min: 0, max: 1000},
	GenReverbEffectsSend:          {name: "reverbEffectsSend", min: 0, max: 1000},
	GenPan:                        {name: "pan", min: -500, max: 500},
	GenUnused2:                    {name: "unused2", min: -inf, max: inf, invalid: true},
	GenUnused3:                    {name: "unused3", min: -inf, max: inf, invalid: true},
	GenUnused4:                    {name: "unused4", min: -inf, max: inf, invalid: true},
	GenDelayModLFO:                {name: "delayModLFO", min: -12000, max: 5000, def: -12000},
	GenFreqModLFO:                 {name: "freqModLFO", min: -16000, max: 4500},
	GenDelayVibLFO:                {name: "delayVibLFO", min: -12000, max: 5000, def: -12000},
	GenFreqVibLFO:                 {name: "freqVibLFO", min: -16000, max: 4500},
	GenDelayModEnv:                {name: "delayModEnv", min: -12000, max: 5000, def: -12000},
	GenAttackModEnv:               {name: "attackModEnv", min: -12000, max: 8000, def: -12000},
	GenHoldModEnv:                 {name: "holdModEnv", min: -12000, max: 5000, def: -12000},
	GenDecayModEnv:                {name: "decayModEnv", min: -12000, max: 8000, def: -12000},
	GenSustainModEnv:              {name: "sustainModEnv", min: 0, max: 1000},
	GenReleaseModEnv:              {name: "releaseModEnv", min: -12000, max: 8000, def: -12000},
	GenKeynumToModEnvHold:         {name: "keynumToModEnvHold", min: -1200, max: 1200},
	GenKeynumToModEnvDecay:        {name: "keynumToModEnvDecay", min: -1200, max: 1200},
	GenDelayVolEnv:                {name: "delayVolEnv", min: -12000, max: 5000, def: -12000},
	GenAttackVolEnv:               {name: "attackVolEnv", min: -12000, max: 8000, def: -12000},
	GenHoldVolEnv:                 {name: "holdVolEnv", min: -12000, max: 5000, def: -12000},
	GenDecayVolEnv:                {name: "decayVolEnv", min: -12000, max: 8000, def: -12000},
	GenSustainVolEnv:              {name: "sustainVolEnv", min: 0, max: 1440},
	GenReleaseVolEnv:              {name: "releaseVolEnv", min: -12000, max: 8000, def: -12000},
	GenKeynumToVolEnvHold:         {name: "keynumToVolEnvHold", min: -1200, max: 1200},
	GenKeynumToVolEnvDecay:        {name: "keynumToVolEnvDecay", min: -1200, max: 1200},
	GenInstrument:                 {name: "instrument", min: -inf, max: inf},
	GenReserved1:                  {name: "reserved1", min: -inf, max: inf, invalid: true},
	GenKeyRange:                   {name: "keyRange", min: -inf, max: inf},
	GenVelRange:                   {name: "velRange", min: -inf, max: inf},
	GenStartLoopAddrsCoarseOffset: {name: "startloopAddrsCoarseOffset", min: -inf, max: inf, instOnly: true},
	GenKeynum:                     {name: "keynum", min: 0, max: 127, def: -1, instOnly: true},
	GenVelocity:                   {name: "velocity", min: 0, max: 127, def: -1, instOnly: true},
	GenInitialAttenuation:         {name: "initialAttenuation", min: 0, max: 1440},
	GenReserved2:                  {name: "reserved2", min: -inf, max: inf, invalid: true},
	GenEndLoopAddrsCoarseOffset:   {name: "endloopAddrsCoarseOffset", min: -inf, max: inf, instOnly: true},
	GenCoarseTune:                 {name: "coarseTune", min: -120, max: 120},
	GenFineTune:                   {name: "fineTune", min: -99, max: 99},
	GenSampleID:                   {name: "sampleID", min: -inf, max: inf, instOnly: true},
	GenSampleModes:                {name: "sampleModes", min: -inf, max: inf, instOnly: true},
	GenReserved3:                  {name: "reserved3", min: -inf, max: inf, invalid: true},
	GenScaleTuning:                {name: "scaleTuning", min: 0, max: 1200, def: 100},
	GenExclusiveClass:             {name: "exclusiveClass", min: 0, max: 127, instOnly: true},
	GenOverridingRootKey:          {name: "overridingRootKey", min: 0, max: 127, def: -1, instOnly: true},
}

// String returns the generator's name as the spec writes it
// ("initialFilterFc"), or "Generator(N)" for a number the spec does not
// define.
func (g Generator) String() string {
	if int(g) < NumGenerators {
		return genTable[g].name
	}
	return fmt.Sprintf("Generator(%d)", uint16(g))
}

// Default returns the generator's value where no zone sets it (spec
// section 8.1.3): 13500 for initialFilterFc, -12000 for the delay and
// envelope times, 100 for scaleTuning, -1 ("not set") for keynum,
// velocity and overridingRootKey, 0 otherwise.
func (g Generator) Default() int16 {
	if int(g) < NumGenerators {
		return genTable[g].def
	}
	return 0
}

// Range returns the generator's range as the spec gives it; -Inf and +Inf
// where it has none (the sample offsets, the index generators).
func (g Generator) Range() (min, max float64) {
	if int(g) < NumGenerators {
		return genTable[g].min, genTable[g].max
	}
	return -inf, inf
}

// Clamp limits v, a generator's value after modulators are added at
// note-on, to the generator's spec range. It leaves NaN alone. For
// keynum, velocity and overridingRootKey, whose default -1 means "not
// set", test for a negative value before clamping.
func Clamp(g Generator, v float64) float64 {
	lo, hi := g.Range()
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// validInstrumentGen reports whether g may appear in an instrument zone's
// generator list other than as its terminating sampleID (FluidSynth's
// valid_inst_genid: the unused and reserved numbers, instrument and
// anything past overridingRootKey are not).
func validInstrumentGen(g uint16) bool {
	return int(g) < NumGenerators && !genTable[g].invalid && Generator(g) != GenInstrument
}

// validPresetGen is validInstrumentGen less the instrument-only
// generators (spec section 8.5: ignored at preset level).
func validPresetGen(g uint16) bool {
	return validInstrumentGen(g) && !genTable[g].instOnly
}

// defaultGens holds every generator's default.
var defaultGens = func() (g [NumGenerators]int16) {
	for i := range g {
		g[i] = genTable[i].def
	}
	return g
}()
