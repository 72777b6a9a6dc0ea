package instrument

import "math"

// Controller numbers with a meaning this package or the Engine applies.
const (
	CCBankSelect     = 0
	CCModulation     = 1
	CCDataEntry      = 6
	CCVolume         = 7
	CCPan            = 10
	CCExpression     = 11
	CCBankSelectLSB  = 32
	CCDataEntryLSB   = 38
	CCSustain        = 64
	CCReverb         = 91
	CCChorus         = 93
	CCNRPNLSB        = 98
	CCNRPNMSB        = 99
	CCRPNLSB         = 100
	CCRPNMSB         = 101
	CCAllSoundOff    = 120
	CCResetAll       = 121
	CCAllNotesOff    = 123
	rpnNull          = 127
	bendCentre       = 8192
	defaultBendRange = 2 // semitones, as General MIDI specifies
)

// DrumChannel is the General MIDI percussion channel (channel 10, counted
// from 1).
const DrumChannel = 9

// Channel is the state of one MIDI channel that instruments read. The zero
// Channel is not a reset channel: start from NewChannel.
type Channel struct {
	// CC holds the last value of every controller.
	CC [128]uint8
	// Bend is the 14-bit pitch wheel, 8192 at rest.
	Bend uint16
	// BendRange is the pitch wheel's full deflection in semitones
	// (registered parameter 0,0).
	BendRange float64
	// FineTune and CoarseTune shift the channel's pitch in semitones
	// (registered parameters 0,1 and 0,2).
	FineTune, CoarseTune float64
	// Pressure is the channel pressure (aftertouch).
	Pressure uint8
	// Program is the last program change.
	Program uint8
	// Drums makes the channel play the percussion bank.
	Drums bool
}

// NewChannel returns channel number ch (0..15) as General MIDI and
// FluidSynth reset it: every controller 0 but volume 100, expression 127,
// pan and balance centred (64), the sound controllers 70..79 at 64 (no
// change); pitch wheel at rest with a range of 2 semitones, no tuning,
// program 0; channel 9 plays drums.
func NewChannel(ch uint8) Channel {
	c := Channel{Drums: ch == DrumChannel, BendRange: defaultBendRange}
	c.CC[CCVolume] = 100
	c.CC[CCPan] = 64
	c.CC[ccBalance] = 64
	for cc := ccSound1; cc <= ccSound10; cc++ {
		c.CC[cc] = 64
	}
	c.resetControllers()
	return c
}

// Controllers that reset all controllers leaves alone, besides bank,
// volume and pan.
const (
	ccBalance    = 8
	ccSound1     = 70
	ccSound10    = 79
	ccEffects1   = 91
	ccEffects5   = 95
	ccVolumeLSB  = 39
	ccBalanceLSB = 40
	ccPanLSB     = 42
	ccExprLSB    = 43
)

// resetControllers is "reset all controllers" as FluidSynth does it (after
// General MIDI's RP-015): every controller below 120 returns to 0 but bank
// select, volume, balance and pan, the sound controllers (70..79) and the
// effects depths (91..95); expression returns to 127, no registered or
// non-registered parameter stays selected, the pitch wheel and pressure
// rest. The registered parameters' values (bend range, tuning) stay.
func (c *Channel) resetControllers() {
	for cc := range CCAllSoundOff {
		switch {
		case cc >= ccSound1 && cc <= ccSound10, cc >= ccEffects1 && cc <= ccEffects5:
		case cc == CCBankSelect, cc == CCBankSelectLSB, cc == CCVolume, cc == ccVolumeLSB,
			cc == CCPan, cc == ccPanLSB, cc == ccBalance, cc == ccBalanceLSB:
		default:
			c.CC[cc] = 0
		}
	}
	c.CC[CCExpression], c.CC[ccExprLSB] = 127, 127
	c.CC[CCRPNLSB], c.CC[CCRPNMSB] = rpnNull, rpnNull
	c.CC[CCNRPNLSB], c.CC[CCNRPNMSB] = rpnNull, rpnNull
	c.Bend = bendCentre
	c.Pressure = 0
}

// Change says which live controls of a channel's voices a controller
// change moved.
type Change uint8

const (
	// ChangeGain: volume or expression.
	ChangeGain Change = 1 << iota
	// ChangePan: pan.
	ChangePan
	// ChangePitch: pitch bend, bend range or tuning.
	ChangePitch
	// ChangeOther: a controller voices may read but the built-in
	// instruments do not (modulation, sends, ...).
	ChangeOther
	// ChangeAll: every live control (reset all controllers).
	ChangeAll = ChangeGain | ChangePan | ChangePitch | ChangeOther
)

// Control applies controller cc (0..127) with value v (0..127) to the
// channel and reports what it changed. Registered parameters 0,0 (bend
// range), 0,1 (fine tuning) and 0,2 (coarse tuning) are set through data
// entry (6 and 38) after selecting them with 101 and 100; selecting a
// non-registered parameter (99, 98) stops data entry from reaching them.
// Controller 121 resets the controllers General MIDI says to. Controllers
// that act on notes (sustain, all notes off, all sound off) only update
// CC here: their effect on notes is the player's (the sustain pedal still
// reports ChangeOther, for instruments whose modulators read it).
func (c *Channel) Control(cc, v uint8) Change {
	cc, v = cc&0x7F, v&0x7F
	c.CC[cc] = v
	switch cc {
	case CCVolume, CCExpression:
		return ChangeGain
	case CCPan:
		return ChangePan
	case CCNRPNLSB, CCNRPNMSB:
		c.CC[CCRPNLSB], c.CC[CCRPNMSB] = rpnNull, rpnNull
	case CCDataEntry, CCDataEntryLSB:
		return c.dataEntry(cc, v)
	case CCResetAll:
		c.resetControllers()
		return ChangeAll
	case CCBankSelect, CCBankSelectLSB, CCRPNLSB, CCRPNMSB, CCAllSoundOff, CCAllNotesOff:
		return 0
	}
	return ChangeOther
}

// dataEntry applies data entry to the selected registered parameter.
func (c *Channel) dataEntry(cc, v uint8) Change {
	if c.CC[CCRPNMSB] != 0 {
		return 0
	}
	switch lsb := c.CC[CCRPNLSB]; {
	case lsb == 0 && cc == CCDataEntry:
		c.BendRange = float64(v)
	case lsb == 0 && cc == CCDataEntryLSB:
		c.BendRange = math.Floor(c.BendRange) + float64(v)/100
	case lsb == 1 && cc == CCDataEntry:
		c.FineTune = float64(int(v)-64) / 64 // MSB alone: ±1 semitone in 1/64 steps
	case lsb == 2 && cc == CCDataEntry:
		c.CoarseTune = float64(int(v) - 64)
	default:
		return 0
	}
	return ChangePitch
}

// PitchBend sets the pitch wheel (0..16383, 8192 at rest).
func (c *Channel) PitchBend(v uint16) Change {
	c.Bend = min(v, 16383)
	return ChangePitch
}

// Sustained reports whether the sustain pedal is down.
func (c *Channel) Sustained() bool { return c.CC[CCSustain] >= 64 }

// Gain is the channel's share of a voice's gain: General MIDI's squared
// curves of volume and expression.
func (c *Channel) Gain() float64 {
	v, e := float64(c.CC[CCVolume])/127, float64(c.CC[CCExpression])/127
	return v * v * e * e
}

// Pan is the channel's pan controller as a position, -1..1 (64 is the
// centre).
func (c *Channel) Pan() float32 {
	return float32(max(-1, min(1, (float64(c.CC[CCPan])-64)/63)))
}

// PitchRatio is the frequency ratio of the pitch wheel and the channel
// tuning.
func (c *Channel) PitchRatio() float64 {
	semis := float64(int(c.Bend)-bendCentre)/bendCentre*c.BendRange + c.CoarseTune + c.FineTune
	return math.Exp2(semis / 12)
}

// Bank is the bank a program change selects on this channel: controller 0
// (bank select MSB), as General MIDI and FluidSynth's default GS mode use
// it (the LSB is kept in CC but not used).
func (c *Channel) Bank() uint16 { return uint16(c.CC[CCBankSelect]) }
