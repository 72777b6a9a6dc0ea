package instrument

import (
	"math"
	"testing"

	"github.com/aether-audio/aether/voice"
)

// tagged is a one-voice instrument whose voice's Freq tells which it is.
type tagged float64

func (t tagged) Start(n *Note, ch *Channel, dst []Voice) []Voice {
	return append(dst, Voice{Params: voice.Params{Kind: voice.Sine, Freq: float64(t)}, Instrument: t})
}
func (t tagged) Live(int32, *Note, *Channel) Live { return Live{Gain: 1, FreqRatio: 1} }
func (t tagged) Span(*Note) Span                  { return Span{Release: float64(t) / 1000} }

// TestZonesByKeyAndVelocity: a note starts the voices of every zone whose
// key and velocity ranges hold it, in order.
func TestZonesByKeyAndVelocity(t *testing.T) {
	zs := Zones{
		{KeyLo: 0, KeyHi: 59, VelLo: 1, VelHi: 127, Instrument: tagged(100)},    // low keys
		{KeyLo: 60, KeyHi: 127, VelLo: 1, VelHi: 63, Instrument: tagged(200)},   // high, soft
		{KeyLo: 60, KeyHi: 127, VelLo: 64, VelHi: 127, Instrument: tagged(300)}, // high, loud
		{KeyLo: 58, KeyHi: 61, VelLo: 100, VelHi: 127, Instrument: tagged(400)}, // a loud layer
	}
	ch := NewChannel(0)
	for _, tc := range []struct {
		key, vel uint8
		want     []float64
	}{
		{40, 10, []float64{100}},
		{59, 100, []float64{100, 400}},
		{60, 63, []float64{200}},
		{60, 64, []float64{300}},
		{61, 127, []float64{300, 400}},
		{62, 127, []float64{300}},
	} {
		n := Note{Key: tc.key, Velocity: tc.vel}
		vs := zs.Start(&n, &ch, make([]Voice, 0, MaxVoices))
		var got []float64
		for _, v := range vs {
			got = append(got, v.Params.Freq)
		}
		if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) || (len(got) > 1 && got[1] != tc.want[1]) {
			t.Errorf("key %d velocity %d: voices %v, want %v", tc.key, tc.vel, got, tc.want)
		}
		if sp, want := zs.Span(&n), tc.want[len(tc.want)-1]/1000; sp.Release != want && len(tc.want) == 1 {
			t.Errorf("key %d: span %v, want %v", tc.key, sp.Release, want)
		}
	}
}

// TestZonesStopAtMaxVoices: zones past MaxVoices voices are dropped whole,
// and Start never grows a slice that had room for MaxVoices.
func TestZonesStopAtMaxVoices(t *testing.T) {
	var zs Zones
	for range MaxVoices + 3 {
		zs = append(zs, Zone{KeyHi: 127, VelHi: 127, Instrument: tagged(1)})
	}
	ch := NewChannel(0)
	dst := make([]Voice, 0, MaxVoices)
	vs := zs.Start(&Note{Key: 1, Velocity: 1}, &ch, dst)
	if len(vs) != MaxVoices || &vs[0] != &dst[:1][0] {
		t.Fatalf("%d voices (want %d), same backing array %v", len(vs), MaxVoices, &vs[0] == &dst[:1][0])
	}
}

func TestChannelControllers(t *testing.T) {
	c := NewChannel(0)
	if c.Drums || !NewChannel(DrumChannel).Drums {
		t.Fatal("channel 9, and only it, plays drums")
	}
	if g := c.Gain(); math.Abs(g-math.Pow(100.0/127, 2)) > 1e-12 {
		t.Fatalf("default gain %v", g)
	}
	if c.Control(CCVolume, 127) != ChangeGain || c.Control(CCPan, 0) != ChangePan || c.Pan() != -1 {
		t.Fatal("volume or pan")
	}
	// Bend range through registered parameter 0,0: 12 semitones and 50 cents.
	c.Control(CCRPNMSB, 0)
	c.Control(CCRPNLSB, 0)
	if c.Control(CCDataEntry, 12) != ChangePitch || c.Control(CCDataEntryLSB, 50) != ChangePitch || c.BendRange != 12.5 {
		t.Fatalf("bend range %v", c.BendRange)
	}
	c.PitchBend(0)
	if r := c.PitchRatio(); math.Abs(r-math.Exp2(-12.5/12)) > 1e-12 {
		t.Fatalf("full bend down: ratio %v", r)
	}
	// Selecting a non-registered parameter stops data entry reaching the
	// registered ones.
	c.Control(CCNRPNMSB, 1)
	if c.Control(CCDataEntry, 2) != 0 || c.BendRange != 12.5 {
		t.Fatal("data entry after an NRPN changed the bend range")
	}
	// Coarse and fine tuning.
	c.Control(CCRPNMSB, 0)
	c.Control(CCRPNLSB, 2)
	c.Control(CCDataEntry, 66)
	c.Control(CCRPNLSB, 1)
	c.Control(CCDataEntry, 96)
	if c.CoarseTune != 2 || c.FineTune != 0.5 {
		t.Fatalf("coarse %v fine %v", c.CoarseTune, c.FineTune)
	}
	// Reset all controllers: expression, bend, sustain back; volume, pan,
	// bend range and tuning kept.
	c.Control(CCExpression, 10)
	c.Control(CCSustain, 127)
	if !c.Sustained() {
		t.Fatal("pedal")
	}
	if c.Control(CCResetAll, 0) != ChangeAll || c.Sustained() || c.CC[CCExpression] != 127 || c.Bend != 8192 ||
		c.CC[CCVolume] != 127 || c.Pan() != -1 || c.BendRange != 12.5 || c.CoarseTune != 2 {
		t.Fatalf("after reset all controllers: %+v", c)
	}
}

// TestSynthLive: velocity curve, channel gain and pan, pitch ratio; a
// fixed-pitch Synth ignores the key; notes above Nyquist make no voice.
func TestSynthLive(t *testing.T) {
	s := &Synth{Voice: voice.Params{Kind: voice.Saw, Gain: 0.5}, Rate: 48000}
	ch := NewChannel(0)
	ch.Control(CCVolume, 127)
	ch.Control(CCPan, 127)
	n := Note{Key: 69, Velocity: 64}
	vs := s.Start(&n, &ch, nil)
	if len(vs) != 1 || vs[0].Params.Freq != 440 || vs[0].Instrument != s || vs[0].OneShot {
		t.Fatalf("%+v", vs)
	}
	if g, want := vs[0].Params.Gain, float32(0.5*math.Pow(64.0/127, 2)); g != want || vs[0].Params.Pan != 1 {
		t.Fatalf("gain %v (want %v), pan %v", g, want, vs[0].Params.Pan)
	}
	ch.PitchBend(16383)
	if r := s.Live(0, &n, &ch).FreqRatio; math.Abs(float64(r)-math.Exp2(2*8191.0/8192/12)) > 1e-6 {
		t.Fatalf("ratio %v", r)
	}
	hi := Note{Key: 127, Velocity: 1, Freq: 30000}
	if vs := s.Start(&hi, &ch, nil); len(vs) != 0 {
		t.Fatal("a 30 kHz note at 48 kHz made a voice")
	}
	drum := &Synth{Voice: voice.Params{Kind: voice.Sine}, Freq: 55, OneShot: true}
	if vs := drum.Start(&n, &ch, nil); vs[0].Params.Freq != 55 || !vs[0].OneShot {
		t.Fatalf("%+v", vs)
	}
}

// TestGMBank: every program maps to its family's patch, drums to the kit,
// whose every key sounds; all patches compile at a low rate too.
func TestGMBank(t *testing.T) {
	for _, rate := range []int{8000, 48000, 192000} {
		b := GM(rate)
		ch := NewChannel(DrumChannel)
		kit := b.Instrument(0, 0, true)
		for key := range uint8(128) {
			n := Note{Channel: DrumChannel, Key: key, Velocity: 100}
			vs := kit.Start(&n, &ch, nil)
			if len(vs) != 1 || !vs[0].OneShot {
				t.Fatalf("rate %d: drum key %d: %d voices", rate, key, len(vs))
			}
		}
		if b.Instrument(0, 8, false) != b.Instrument(5, 15, false) || b.Instrument(0, 7, false) == b.Instrument(0, 8, false) {
			t.Fatal("programs 8..15 are one family, 7 another, whatever the bank")
		}
	}
}

// TestChannelDefaultsAsFluidSynth: a fresh channel and "reset all
// controllers" leave the controllers where FluidSynth does, which a
// SoundFont's modulators read.
func TestChannelDefaultsAsFluidSynth(t *testing.T) {
	c := NewChannel(0)
	for cc, want := range map[int]uint8{1: 0, 7: 100, 8: 64, 10: 64, 11: 127, 64: 0, 70: 64, 74: 64, 79: 64, 91: 0, 101: 127, 99: 127} {
		if c.CC[cc] != want {
			t.Errorf("new channel: CC%d = %d, want %d", cc, c.CC[cc], want)
		}
	}
	for _, cc := range []uint8{1, 2, 4, 64, 66, 74, 91, 93, 7, 10, 0} {
		c.Control(cc, 99)
	}
	c.Control(CCResetAll, 0)
	for cc, want := range map[int]uint8{1: 0, 2: 0, 4: 0, 64: 0, 66: 0, 74: 99, 91: 99, 93: 99, 7: 99, 10: 99, 0: 99, 11: 127} {
		if c.CC[cc] != want {
			t.Errorf("after reset all controllers: CC%d = %d, want %d", cc, c.CC[cc], want)
		}
	}
}
