package instrument

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/sf2"
	"github.com/aether-audio/aether/voice"
)

// ErrSoundFont is returned, wrapped with the detail, by SoundFont for a
// bank it cannot make.
var ErrSoundFont = errors.New("instrument: invalid SoundFont bank")

// MaxSoundFontRate is the highest output rate a SoundFont bank accepts.
const MaxSoundFontRate = 768000

// SoundFontBank is a SoundFont's presets as instruments. Each preset's
// instrument is made once: with the bank when its font preset is ready to
// play (always, in a font read whole), otherwise by its Prepare. The bank
// and its instruments are safe for any number of goroutines.
type SoundFontBank struct {
	cfg     sfConfig
	presets []sfPreset
	index   map[*sf2.Preset]int // font preset -> its instrument in presets
}

// sfConfig is what every instrument of a bank shares.
type sfConfig struct {
	font    *sf2.Font
	profile Profile
	rate    float32 // output rate, Hz (FluidSynth keeps it as a float)
	// From the profile, in the units the voice needs:
	attFactor        float32
	minVolRelease    float32 // timecents
	exclusiveRelease int     // blocks
	minNoteLength    int     // frames
}

// sfPreset is one preset as an Instrument; Voice.Tag is the index of the
// region a voice came from in the preset's AllRegions.
type sfPreset struct {
	cfg    *sfConfig
	preset *sf2.Preset
	// ready is set once build has made regions, byKey and keyed: until
	// then the preset starts no voice.
	ready   atomic.Bool
	built   sync.Once
	regions []sfRegion // one per region of the preset
	// byKey[k]..byKey[k+1] bound, in keyed, the regions whose key range
	// holds key k, in file order: a note looks at its key's regions only
	// (FluidR3_GM's piano has 360 regions, a few per key).
	byKey [129]int32
	keyed []int32
}

// playing returns the regions of p whose key range holds key (none for
// a key past 127).
func (p *sfPreset) playing(key uint8) []int32 {
	if key > 127 {
		return nil
	}
	return p.keyed[p.byKey[key]:p.byKey[key+1]]
}

// sfRegion is what a region's voices share whatever the note.
type sfRegion struct {
	// rootPitch is FluidSynth's root_pitch in cents: the root key × 100
	// less the sample's pitch correction.
	rootPitch float32
	// rootHz is rootPitch in Hz at the output rate (voice.SoundFont.RootHz).
	rootHz float32
}

// SoundFont returns the presets of font as a Bank of instruments for
// voices rendering at rate Hz, played by profile p. The font must have
// been read with p's modulator rules (p.ReadOptions): they are resolved
// into its regions at load. The bank holds on to font.
func SoundFont(font *sf2.Font, rate int, p Profile) (*SoundFontBank, error) {
	switch {
	case font == nil:
		return nil, fmt.Errorf("%w: no font", ErrSoundFont)
	case rate <= 0 || rate > MaxSoundFontRate:
		return nil, fmt.Errorf("%w: output rate %d Hz (want 1..%d)", ErrSoundFont, rate, MaxSoundFontRate)
	case p.Modulators == nil:
		return nil, fmt.Errorf("%w: profile %q has no modulator rules", ErrSoundFont, p.Name)
	case !(p.AttenuationFactor >= 0 && p.AttenuationFactor <= 1):
		return nil, fmt.Errorf("%w: profile %q: attenuation factor %v (want 0..1)", ErrSoundFont, p.Name, p.AttenuationFactor)
	case !(p.EnvRange > 0 && p.EnvRange <= 1440):
		return nil, fmt.Errorf("%w: profile %q: envelope range %v cB (want above 0, at most 1440)", ErrSoundFont, p.Name, p.EnvRange)
	case !(p.MinNoteLength >= 0 && p.MinNoteLength <= 10):
		return nil, fmt.Errorf("%w: profile %q: minimum note length %v s (want 0..10)", ErrSoundFont, p.Name, p.MinNoteLength)
	case !finite(p.MinVolRelease) || !finite(p.ExclusiveRelease) || !finite(float64(p.FilterQOffset)):
		return nil, fmt.Errorf("%w: profile %q: a release or the filter Q offset is not a number", ErrSoundFont, p.Name)
	}
	b := &SoundFontBank{
		cfg: sfConfig{
			font:          font,
			profile:       p,
			rate:          float32(rate),
			attFactor:     float32(p.AttenuationFactor),
			minVolRelease: float32(max(-12000, min(8000, p.MinVolRelease))),
			minNoteLength: int(p.MinNoteLength * float64(rate)),
		},
		presets: make([]sfPreset, len(font.Presets)),
		index:   make(map[*sf2.Preset]int, len(font.Presets)),
	}
	c := &b.cfg
	c.exclusiveRelease = releaseBlocks(c.rate, float32(p.ExclusiveRelease), c.minVolRelease)
	for i := range font.Presets {
		fp := &font.Presets[i]
		sp := &b.presets[i]
		sp.cfg, sp.preset = c, fp
		if font.Prepared(fp) {
			sp.build()
		}
		b.index[fp] = i
	}
	return b, nil
}

// build makes the preset's regions and key index, once its font preset
// is prepared (its AllRegions made), and marks it ready.
func (p *sfPreset) build() {
	p.built.Do(func() {
		c := p.cfg
		p.regions = make([]sfRegion, len(p.preset.AllRegions))
		for j := range p.preset.AllRegions {
			r := &p.preset.AllRegions[j]
			root := float32(int(r.RootKey)*100 - int(r.Correction))
			p.regions[j] = sfRegion{
				rootPitch: root,
				rootHz:    ct2hz(root) * (c.rate / float32(r.Rate)),
			}
		}
		p.indexKeys()
		p.ready.Store(true)
	})
}

// indexKeys fills byKey and keyed: each key's regions in file order,
// counted first and then placed, so that a bank of a large font (FluidR3_GM:
// 16,912 regions) is made in one pass over each region's keys.
func (p *sfPreset) indexKeys() {
	var next [129]int32 // a key's next place in keyed; first its count, shifted by one
	for j := range p.preset.AllRegions {
		r := &p.preset.AllRegions[j]
		for k := int(r.KeyLo); k <= min(int(r.KeyHi), 127); k++ {
			next[k+1]++
		}
	}
	for k := 1; k <= 128; k++ {
		next[k] += next[k-1]
	}
	p.byKey = next
	p.keyed = make([]int32, next[128])
	for j := range p.preset.AllRegions {
		r := &p.preset.AllRegions[j]
		for k := int(r.KeyLo); k <= min(int(r.KeyHi), 127); k++ {
			p.keyed[next[k]] = int32(j)
			next[k]++
		}
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Instrument returns the preset FluidSynth 2.3.1 selects for a program
// change in its default bank-select mode (GS), or nil when the font has
// none of its candidates: on a drum channel the kit program of bank 128,
// else kit 0 of bank 128; on a melodic channel (bank, program), else (0,
// program), else (0, 0) (sf2.Font.PresetWithFallback). The Engine asks
// at each program change, with the bank select of that moment, as
// FluidSynth does.
func (b *SoundFontBank) Instrument(bank uint16, program uint8, drums bool) Instrument {
	p := b.cfg.font.PresetWithFallback(bank, uint16(program), drums)
	if p == nil {
		return nil
	}
	return &b.presets[b.index[p]]
}

// Prepare converts the preset's samples and makes its regions, for a font
// read with sf2.Options.Lazy (sf2.Font.Prepare), and then the
// instrument's own tables of them.
func (p *sfPreset) Prepare() error {
	if p.ready.Load() {
		return nil
	}
	if err := p.cfg.font.Prepare(p.preset); err != nil {
		return err
	}
	p.build()
	return nil
}

// Start appends one voice per region of the preset that plays the note's
// key and velocity (a stereo sample is two regions), in the font's order,
// at most MaxVoices; none while the preset of a lazy font is unprepared.
// A region whose window is empty still makes a voice, which ends at once
// (FluidSynth starts it, and its exclusive class still chokes others).
func (p *sfPreset) Start(n *Note, ch *Channel, dst []Voice) []Voice {
	if !p.ready.Load() {
		return dst
	}
	limit := len(dst) + MaxVoices
	for _, i := range p.playing(n.Key) {
		r := &p.preset.AllRegions[i]
		if n.Velocity < r.VelLo || n.Velocity > r.VelHi {
			continue
		}
		if len(dst) == limit {
			break
		}
		dst = append(dst, Voice{})
		p.fill(&dst[len(dst)-1], int(i), n, ch)
	}
	return dst
}

// fill makes v the voice of region i for note n on channel ch.
func (p *sfPreset) fill(v *Voice, i int, n *Note, ch *Channel) {
	c := p.cfg
	r := &p.preset.AllRegions[i]
	reg := &p.regions[i]
	k := actualKeys(r, n)
	var g gens
	c.resolve(&g, r, k, ch)
	keyPitch := keyCents(r, n, k) / 100
	rate := c.rate

	sf := &v.SoundFont
	sf.Data = c.font.Pool
	sf.Start, sf.End, sf.LoopStart, sf.LoopEnd = r.Start, r.End, r.LoopStart, r.LoopEnd
	sf.LoopMode = voice.LoopMode(r.LoopMode)
	sf.Interp = voice.Cubic
	sf.RootHz = float64(reg.rootHz)
	sf.VolEnv = voice.Envelope{
		Delay:   delayBlocks(rate, g[sf2.GenDelayVolEnv]),
		Attack:  attackBlocks(rate, g[sf2.GenAttackVolEnv]),
		Hold:    holdDecayBlocks(rate, g[sf2.GenHoldVolEnv], g[sf2.GenKeynumToVolEnvHold], keyPitch, false),
		Decay:   holdDecayBlocks(rate, g[sf2.GenDecayVolEnv], g[sf2.GenKeynumToVolEnvDecay], keyPitch, true),
		Release: releaseBlocks(rate, g[sf2.GenReleaseVolEnv], c.minVolRelease),
		Sustain: sustainLevel(g[sf2.GenSustainVolEnv]),
	}
	sf.ModEnv = voice.Envelope{
		Delay:   delayBlocks(rate, g[sf2.GenDelayModEnv]),
		Attack:  attackBlocks(rate, g[sf2.GenAttackModEnv]),
		Hold:    holdDecayBlocks(rate, g[sf2.GenHoldModEnv], g[sf2.GenKeynumToModEnvHold], keyPitch, false),
		Decay:   holdDecayBlocks(rate, g[sf2.GenDecayModEnv], g[sf2.GenKeynumToModEnvDecay], keyPitch, true),
		Release: releaseBlocks(rate, g[sf2.GenReleaseModEnv], -12000),
		Sustain: sustainLevel(g[sf2.GenSustainModEnv]),
	}
	sf.ModLFO = voice.LFO{Delay: lfoDelayFrames(rate, g[sf2.GenDelayModLFO]), Incr: lfoIncr(rate, g[sf2.GenFreqModLFO])}
	sf.VibLFO = voice.LFO{Delay: lfoDelayFrames(rate, g[sf2.GenDelayVibLFO]), Incr: lfoIncr(rate, g[sf2.GenFreqVibLFO])}
	sf.Live = c.live(&g, r, reg, n, k, ch)
	sf.MinAttenuation = c.minAttenuation(r, k, ch, sf.Live.Attenuation)
	sf.EnvRange = c.profile.EnvRange
	sf.FilterQOffset = c.profile.FilterQOffset
	sf.FilterBypass = c.profile.FilterBypass
	sf.ExclusiveRelease = c.exclusiveRelease
	sf.MinNoteLength = c.minNoteLength

	// Level, pan and pitch are the SoundFont voice's own: Params stay
	// neutral for the player's note gain and pan to apply on top.
	v.Params = voice.Params{Gain: 1}
	v.Instrument = p
	v.Tag = int32(i)
	v.Exclusive = uint16(r.ExclusiveClass)
}

// keyCents is the pitch in cents that the region's key-dependent rules
// (pitch, key to hold and decay) take for note n: the keynum generator's
// key if the region sets one, else the note's pitch in Hz if it gives
// one (as a FluidSynth tuning would), else its key × 100.
func keyCents(r *sf2.Region, n *Note, k noteKeys) float32 {
	if r.Gen[sf2.GenKeynum] < 0 && n.Freq > 0 {
		return float32(6900 + 1200*math.Log2(n.Freq/440))
	}
	return float32(k.key) * 100
}

// live is the modulated part of a voice of region r, from its generators
// g, clamped where fluid_voice_update_param clamps.
func (c *sfConfig) live(g *gens, r *sf2.Region, reg *sfRegion, n *Note, k noteKeys, ch *Channel) voice.SoundFontLive {
	// fluid_voice_calculate_pitch: the key through the scale tuning
	// (unmodulated: the spec makes it a non-real-time generator) around
	// the root pitch; then coarse and fine tune, their modulators (the
	// pitch wheel's default one targets fineTune, so neither is clamped)
	// and the channel's tuning (registered parameters 1 and 2).
	key := keyCents(r, n, k) / 100
	scale := float64(r.Gen[sf2.GenScaleTuning])
	pitch := float32(scale*float64(key-reg.rootPitch/100) + float64(reg.rootPitch))
	coarse := g[sf2.GenCoarseTune] + float32(ch.CoarseTune)
	fine := g[sf2.GenFineTune] + float32(ch.FineTune*100)
	pitch += float32(100*coarse) + fine
	return voice.SoundFontLive{
		Pitch:       float64(pitch),
		Attenuation: clip32(g[sf2.GenInitialAttenuation], 0, 1440),
		Pan:         clip32(g[sf2.GenPan], -500, 500),
		// The voice clamps the cutoff to 1500..13500 cents after adding
		// the LFO and envelope modulation (±12000 each), as FluidSynth
		// does; a base past those ends plus 24000 gives the same result.
		FilterFc:      clip32(g[sf2.GenInitialFilterFc], 1500-24000, 13500+24000),
		FilterQ:       clip32(g[sf2.GenInitialFilterQ], 0, 960),
		ModLFOToPitch: clip32(g[sf2.GenModLfoToPitch], -12000, 12000),
		VibLFOToPitch: clip32(g[sf2.GenVibLfoToPitch], -12000, 12000),
		ModEnvToPitch: clip32(g[sf2.GenModEnvToPitch], -12000, 12000),
		ModLFOToFc:    clip32(g[sf2.GenModLfoToFilterFc], -12000, 12000),
		ModEnvToFc:    clip32(g[sf2.GenModEnvToFilterFc], -12000, 12000),
		ModLFOToVol:   clip32(g[sf2.GenModLfoToVolume], -960, 960),
		ReverbSend:    clip32(g[sf2.GenReverbEffectsSend]/1000, 0, 1),
		ChorusSend:    clip32(g[sf2.GenChorusEffectsSend]/1000, 0, 1),
	}
}

// Live recomputes the modulated controls of the voice of region tag for
// note n on channel ch as it is now. Only SoundFont changes: envelope and
// LFO times are fixed at the start (a modulator of them follows the
// channel as it was at note-on).
func (p *sfPreset) Live(tag int32, n *Note, ch *Channel) Live {
	lv := Live{Gain: 1, FreqRatio: 1}
	if tag < 0 || int(tag) >= len(p.regions) {
		return lv
	}
	c := p.cfg
	r := &p.preset.AllRegions[tag]
	k := actualKeys(r, n)
	var g gens
	c.resolve(&g, r, k, ch)
	lv.SoundFont, lv.HasSoundFont = c.live(&g, r, &p.regions[tag], n, k, ch), true
	return lv
}

// spanPitchMargin, in cents, is how far below its start the pitch wheel is
// assumed to take an unlooped voice when Span bounds its length by its
// sample's.
const spanPitchMargin = 1200

// Span bounds how long note n's voices sound after its note-off: the
// longest volume envelope release of the regions that play it, with the
// modulators of a channel as General MIDI resets it; a voice whose sample
// does not loop ends with its sample even sooner, so its release counts
// at most the sample's length at the note's pitch (less the LFOs' and
// modulation envelope's depth and an octave of pitch wheel). SoundFont
// voices heed note-off: OneShot is 0. A preset not yet prepared starts
// no voice, and its Span is zero.
func (p *sfPreset) Span(n *Note) Span {
	var s Span
	if !p.ready.Load() {
		return s
	}
	c := p.cfg
	ch := NewChannel(n.Channel)
	for _, i := range p.playing(n.Key) {
		r := &p.preset.AllRegions[i]
		if n.Velocity < r.VelLo || n.Velocity > r.VelHi {
			continue
		}
		k := actualKeys(r, n)
		var g gens
		c.resolve(&g, r, k, &ch)
		rel := float64(releaseBlocks(c.rate, g[sf2.GenReleaseVolEnv], c.minVolRelease)) * block.Size / float64(c.rate)
		if r.LoopMode == 0 {
			lv := c.live(&g, r, &p.regions[i], n, k, &ch)
			down := math.Abs(float64(lv.ModLFOToPitch)) + math.Abs(float64(lv.VibLFOToPitch)) +
				max(0, -float64(lv.ModEnvToPitch)) + spanPitchMargin
			ratio := float64(ct2hz(float32(lv.Pitch-down))) / float64(p.regions[i].rootHz) // sample frames per output frame
			rel = min(rel, float64(r.End-r.Start)/ratio/float64(c.rate))
		}
		s.Release = max(s.Release, rel)
	}
	return s
}
