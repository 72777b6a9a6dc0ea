package aether

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/voice"
)

// testBank plays one instrument for every program, drums included.
type testBank struct{ inst instrument.Instrument }

func (b testBank) Instrument(uint16, uint8, bool) instrument.Instrument { return b.inst }

// organ is a steady sine at gain 1: instant attack, sustain 1, a 64-sample
// release.
var organ = &instrument.Synth{Voice: voice.Params{Kind: voice.Sine}}

// renderFrames renders blocks blocks and returns the left channel.
func renderFrames(t testing.TB, e *Engine, blocks int) []float32 {
	t.Helper()
	out := make([]float32, 0, blocks*block.Size)
	for range blocks {
		l, _ := render(t, e)
		out = append(out, l[:]...)
	}
	return out
}

func peakOf(x []float32) float64 {
	p := 0.0
	for _, v := range x {
		p = max(p, math.Abs(float64(v)))
	}
	return p
}

// TestChannelControlReachesVoicesBeforeAndAfter: a volume change reaches
// the note sounding on the channel at once and a note started later,
// following the General MIDI curve; another channel is untouched.
func TestChannelControlReachesVoicesBeforeAndAfter(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	ch, other := e.Channel(0), e.Channel(1)
	level := func(volume float64) float64 { return math.Pow(volume/127, 2) * math.Sqrt(0.5) } // centred pan
	check := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 0.002*want {
			t.Fatalf("%s: peak %v, want %v", what, got, want)
		}
	}
	must(t, ch.NoteOn(69, 127, 0))
	renderFrames(t, e, 2)
	check("default volume 100", peakOf(renderFrames(t, e, 8)), level(100))
	must(t, ch.ControlChange(instrument.CCVolume, 50, 0))
	renderFrames(t, e, 1) // the ramp
	check("the sounding note after CC7 50", peakOf(renderFrames(t, e, 8)), level(50))
	must(t, ch.NoteOff(69, 0))
	must(t, other.NoteOn(69, 127, 0))
	renderFrames(t, e, 3)
	check("another channel", peakOf(renderFrames(t, e, 8)), level(100))
	must(t, other.NoteOff(69, 0))
	must(t, ch.NoteOn(64, 127, 0))
	renderFrames(t, e, 3)
	check("a note started after CC7 50", peakOf(renderFrames(t, e, 8)), level(50))
}

// TestMIDIAPIMatchesVoiceAPI plays a General MIDI piano note by key and
// velocity and the same voice by its parameters: the outputs are the same
// bits.
func TestMIDIAPIMatchesVoiceAPI(t *testing.T) {
	const key, vel = 69, 100
	midi := newEngine(t, Config{Workers: 2})
	direct := newEngine(t, Config{Workers: 2})
	must(t, midi.Channel(0).NoteOn(key, vel, 20))
	v := float64(vel) / 127
	vol := 100.0 / 127
	p := voice.Params{
		Kind: voice.Triangle, Freq: 440,
		Gain:   float32(v * v * (vol * vol * 1 * 1)),
		Env:    voice.ADSR{Attack: 0.002, Decay: 1.2, Sustain: 0.15, Release: 0.3},
		Filter: voice.Filter{Type: voice.Lowpass, Cutoff: 4000, Resonance: 0.1},
		Seed:   1,
	}
	id, err := direct.NoteOn(p, 20)
	must(t, err)
	for b := range 400 {
		if b == 100 {
			must(t, midi.Channel(0).NoteOff(key, midi.Frame()+7))
			must(t, direct.NoteOff(id, 7))
		}
		l1, r1 := render(t, midi)
		l2, r2 := render(t, direct)
		if l1 != l2 || r1 != r2 {
			t.Fatalf("block %d differs", b)
		}
	}
	if s := midi.Stats(); s.Voices != 0 || s.Finished != 1 {
		t.Fatalf("the released note did not finish: %+v", s)
	}
}

// TestSustainPedalHoldsNoteOffs: a note-off under the pedal holds the
// note; lifting the pedal releases it.
func TestSustainPedalHoldsNoteOffs(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	ch := e.Channel(3)
	must(t, ch.ControlChange(instrument.CCSustain, 127, 0))
	must(t, ch.NoteOn(60, 100, 0))
	renderFrames(t, e, 2)
	must(t, ch.NoteOff(60, 0))
	if peakOf(renderFrames(t, e, 20)) < 0.1 || e.Stats().Voices != 1 {
		t.Fatal("the pedal did not hold the note")
	}
	must(t, ch.ControlChange(instrument.CCSustain, 0, 0))
	renderFrames(t, e, 3)
	if p := peakOf(renderFrames(t, e, 2)); p != 0 || e.Stats().Voices != 0 {
		t.Fatalf("after the pedal came up: peak %v, voices %d", p, e.Stats().Voices)
	}
}

// TestReStrikeReleasesTheKey: a second note-on of a sounding key releases
// the first note (as FluidSynth does), so one note-off ends the key.
func TestReStrikeReleasesTheKey(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	ch := e.Channel(0)
	must(t, ch.NoteOn(60, 100, 0))
	renderFrames(t, e, 2)
	must(t, ch.NoteOn(60, 100, 0))
	renderFrames(t, e, 3)
	if v := e.Stats().Voices; v != 1 {
		t.Fatalf("%d voices after a re-strike and the release, want 1", v)
	}
	must(t, ch.NoteOff(60, 0))
	renderFrames(t, e, 3)
	if v := e.Stats().Voices; v != 0 {
		t.Fatalf("%d voices after the note-off, want 0", v)
	}
	// Play does not re-strike: two notes of one key both sound.
	_, err := e.Play(Note{Note: instrument.Note{Key: 60, Velocity: 100}}, 0)
	must(t, err)
	_, err = e.Play(Note{Note: instrument.Note{Key: 60, Velocity: 100}}, 0)
	must(t, err)
	renderFrames(t, e, 3)
	if v := e.Stats().Voices; v != 2 {
		t.Fatalf("%d voices after two Plays of one key, want 2", v)
	}
}

// TestTimedEventsLandOnTheirFrame: a note posted for a frame blocks ahead
// starts on exactly that frame; one for a past frame starts with the next
// block.
func TestTimedEventsLandOnTheirFrame(t *testing.T) {
	with := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	without := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	renderFrames(t, with, 3)
	renderFrames(t, without, 3)
	at := with.Frame() + 1000 // 15 blocks and 40 frames ahead
	must(t, with.Channel(0).NoteOn(69, 127, at))
	for _, e := range []*Engine{with, without} {
		_, err := e.Play(Note{Note: instrument.Note{Channel: 1, Key: 57, Velocity: 127}}, 5) // a past frame
		must(t, err)
	}
	start := with.Frame()
	a, b := renderFrames(t, with, 20), renderFrames(t, without, 20)
	if b[0] != 0 || b[1] == 0 {
		t.Fatalf("the note for a past frame: first samples %v %v, want 0 (phase 0) then sound", b[0], b[1])
	}
	// The difference is the timed note alone: silent before its frame,
	// phase 0 (a zero sample) on it, sounding from the next frame on.
	first := -1
	for i := range a {
		if a[i] != b[i] {
			first = i
			break
		}
	}
	if want := int(at-start) + 1; first != want {
		t.Fatalf("the timed note first sounds at frame %d, want %d", start+int64(first), start+int64(want))
	}
}

// TestPitchBendFollowsItsRange: bend and its range (registered parameter
// 0,0) move the sounding note's pitch.
func TestPitchBendFollowsItsRange(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	ch := e.Channel(0)
	must(t, ch.ControlChange(instrument.CCRPNMSB, 0, 0))
	must(t, ch.ControlChange(instrument.CCRPNLSB, 0, 0))
	must(t, ch.ControlChange(instrument.CCDataEntry, 12, 0)) // an octave
	must(t, ch.NoteOn(57, 127, 0))                           // 220 Hz
	must(t, ch.PitchBend(16383, 0))
	out := renderFrames(t, e, 400)
	got := audiotest.ZeroCrossingHz(out[4096:], float64(DefaultSampleRate))
	want := 220 * math.Exp2(8191.0/8192)
	if math.Abs(got/want-1) > 1e-4 {
		t.Fatalf("bent pitch %v Hz, want %v", got, want)
	}
}

func TestMIDIMessages(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	for _, bad := range [][]byte{
		nil, {0x40}, {0x90, 60}, {0x90, 60, 100, 1}, {0xC0}, {0x90, 200, 100}, {0xB0, 7, 128},
	} {
		if err := e.MIDI(bad, 0); !errors.Is(err, ErrMIDI) {
			t.Errorf("MIDI(% x) = %v, want ErrMIDI", bad, err)
		}
	}
	for _, good := range [][]byte{
		{0x92, 60, 100}, {0xB2, 7, 64}, {0xC2, 19}, {0xD2, 10}, {0xE2, 0, 64}, {0xA2, 60, 10}, {0xF8},
		{0x82, 60, 0}, {0x92, 61, 0}, {0xF0, 0x41, 0xF7},
	} {
		if err := e.MIDI(good, 0); err != nil {
			t.Errorf("MIDI(% x) = %v", good, err)
		}
	}
	renderFrames(t, e, 1)
	if c := &e.chans[2].state; c.Program != 19 || c.CC[instrument.CCVolume] != 64 || c.Bend != 64<<7 {
		t.Fatalf("program %d, volume %d, bend %d", c.Program, c.CC[instrument.CCVolume], c.Bend)
	}
	must(t, e.MIDI([]byte{0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7}, 0))
	renderFrames(t, e, 1)
	if c := &e.chans[2].state; c.Program != 0 || c.CC[instrument.CCVolume] != 100 || c.Bend != 8192 {
		t.Fatalf("after General MIDI System On: program %d, volume %d, bend %d", c.Program, c.CC[instrument.CCVolume], c.Bend)
	}
}

// TestMasterGainRamps: the master gain scales the output, reaching its new
// value across one block.
func TestMasterGainRamps(t *testing.T) {
	e := newEngine(t, Config{Workers: 1, Instruments: testBank{organ}})
	must(t, e.Channel(0).NoteOn(69, 127, 0))
	full := peakOf(renderFrames(t, e, 10))
	e.SetMasterGain(0.25)
	ramp := renderFrames(t, e, 1)
	half := peakOf(renderFrames(t, e, 10))
	if math.Abs(half/full-0.25) > 0.001 {
		t.Fatalf("gain 0.25: peak %v of %v", half, full)
	}
	for i := 1; i < len(ramp); i++ {
		if d := math.Abs(float64(ramp[i] - ramp[i-1])); d > 0.1 {
			t.Fatalf("the gain change clicked: step %v at sample %d", d, i)
		}
	}
	e.SetMasterGain(float32(math.NaN())) // ignored
	if g := e.gain.Load(); g != 0.25 {
		t.Fatalf("NaN gain was taken: %v", g)
	}
}

// TestMultiVoiceNotesSteal: notes of two voices each share the voice limit
// and steal voice by voice; the note loses its voices and its VoiceID
// only when the last one goes.
func TestMultiVoiceNotesSteal(t *testing.T) {
	layered := instrument.Zones{
		{KeyLo: 0, KeyHi: 127, VelLo: 1, VelHi: 127, Instrument: organ},
		{KeyLo: 0, KeyHi: 127, VelLo: 1, VelHi: 127, Instrument: organ},
	}
	e := newEngine(t, Config{Workers: 1, Voices: 4, Instruments: testBank{layered}})
	a, err := e.Play(Note{Note: instrument.Note{Key: 60, Velocity: 100}}, 0)
	must(t, err)
	_, err = e.Play(Note{Note: instrument.Note{Key: 64, Velocity: 100}}, 0)
	must(t, err)
	renderFrames(t, e, 2)
	must(t, e.SetGain(a, 0.5)) // quieter: the first note is stolen first
	renderFrames(t, e, 2)
	_, err = e.Play(Note{Note: instrument.Note{Key: 67, Velocity: 100}}, 0)
	must(t, err)
	renderFrames(t, e, 2)
	s := e.Stats()
	if s.Voices != 4 || s.Stolen != 2 || s.Started != 3 {
		t.Fatalf("%+v", s)
	}
	orphans := s.Orphaned
	must(t, e.SetGain(a, 1))
	renderFrames(t, e, 1)
	if e.Stats().Orphaned != orphans+1 {
		t.Fatal("the stolen note's VoiceID still reaches a voice")
	}
}

func TestMIDIPathAllocatesNothing(t *testing.T) {
	e := newEngine(t, Config{Workers: 2, Voices: 512})
	rng := rand.New(rand.NewPCG(3, 4))
	var l, r block.Block
	allocs := testing.AllocsPerRun(200, func() {
		for range 10 {
			c := e.Channel(rng.IntN(Channels))
			_ = c.NoteOn(uint8(rng.IntN(128)), uint8(1+rng.IntN(127)), e.Frame()+int64(rng.IntN(300)))
			_ = c.NoteOff(uint8(rng.IntN(128)), e.Frame()+int64(rng.IntN(300)))
			_ = c.ControlChange(uint8(rng.IntN(128)), uint8(rng.IntN(128)), 0)
			_ = c.PitchBend(uint16(rng.IntN(16384)), 0)
			_ = e.MIDI([]byte{0xC0 | byte(rng.IntN(16)), byte(rng.IntN(128))}, 0)
			_, _ = e.Play(Note{Note: instrument.Note{Channel: uint8(rng.IntN(16)), Key: 60, Velocity: 90}}, 0)
		}
		if err := e.RenderBlock(&l, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs per block = %v, want 0", allocs)
	}
	if s := e.Stats(); s.Started < 1000 || s.NonFinite != 0 {
		t.Fatalf("%+v", s)
	}
}

// TestMIDIPostersRace: goroutines post MIDI on their own channels while
// one renders; run it with -race.
func TestMIDIPostersRace(t *testing.T) {
	e := newEngine(t, Config{Workers: 2, Voices: 256, QueueSize: 256})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			c := e.Channel(g)
			for {
				select {
				case <-stop:
					return
				default:
				}
				key := uint8(40 + rng.IntN(40))
				_ = c.NoteOn(key, 100, 0)
				_ = c.ControlChange(instrument.CCVolume, uint8(rng.IntN(128)), 0)
				_ = c.NoteOff(key, e.Frame()+int64(rng.IntN(500)))
			}
		}()
	}
	for i := 0; i < 300 || e.Stats().Started < 100; i++ {
		renderFrames(t, e, 1)
		if i%16 == 0 {
			runtime.Gosched() // let the posters in, on one CPU too
		}
	}
	close(stop)
	wg.Wait()
	if s := e.Stats(); s.Started == 0 || s.NonFinite != 0 {
		t.Fatalf("%+v", s)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// exclusive plays organ voices of one exclusive class.
type exclusive uint16

func (x exclusive) Start(n *instrument.Note, ch *instrument.Channel, dst []instrument.Voice) []instrument.Voice {
	dst = organ.Start(n, ch, dst)
	dst[len(dst)-1].Exclusive = uint16(x)
	return dst
}
func (x exclusive) Live(tag int32, n *instrument.Note, ch *instrument.Channel) instrument.Live {
	return organ.Live(tag, n, ch)
}
func (x exclusive) Span(n *instrument.Note) instrument.Span { return organ.Span(n) }

// TestExclusiveClassChokes: a voice of an exclusive class ends the voices
// of its class that other notes of its channel sound (a closed hi-hat
// chokes the open one), and no others.
func TestExclusiveClassChokes(t *testing.T) {
	e := newEngine(t, Config{Workers: 1})
	play := func(ch uint8, key uint8, inst instrument.Instrument) VoiceID {
		t.Helper()
		id, err := e.Play(Note{Note: instrument.Note{Channel: ch, Key: key, Velocity: 100}, Instrument: inst}, 0)
		must(t, err)
		return id
	}
	open := play(9, 46, exclusive(1))
	other := play(9, 49, exclusive(2))
	elsewhere := play(3, 46, exclusive(1)) // another channel
	renderFrames(t, e, 2)
	play(9, 42, exclusive(1)) // the closed hi-hat
	renderFrames(t, e, 3)
	orphans := e.Stats().Orphaned
	for _, id := range []VoiceID{open, other, elsewhere} {
		must(t, e.SetPan(id, 0.1))
	}
	renderFrames(t, e, 1)
	if s := e.Stats(); s.Orphaned != orphans+1 || s.Voices != 3 {
		t.Fatalf("after the choke: %d more orphaned events (want 1: the open hi-hat's), %d voices (want 3)", s.Orphaned-orphans, s.Voices)
	}
}
