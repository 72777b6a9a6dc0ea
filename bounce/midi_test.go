package bounce

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/internal/audiotest"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/mix"
	"github.com/aether-audio/aether/pitch"
	"github.com/aether-audio/aether/wav"
)

// timedMsg is a MIDI channel message at a tick.
type timedMsg struct {
	tick int
	msg  []byte
}

// smfOf writes msgs (sorted by tick) as a format 0 Standard MIDI File of
// 96 ticks a quarter at 120 BPM: a tick is 250 frames at 48 kHz.
func smfOf(msgs []timedMsg, endTick int) []byte {
	var tr bytes.Buffer
	last := 0
	vlq := func(v int) {
		var b []byte
		b = append(b, byte(v&0x7F))
		for v >>= 7; v > 0; v >>= 7 {
			b = append([]byte{byte(v&0x7F | 0x80)}, b...)
		}
		tr.Write(b)
	}
	for _, m := range msgs {
		vlq(m.tick - last)
		tr.Write(m.msg)
		last = m.tick
	}
	vlq(endTick - last)
	tr.Write([]byte{0xFF, 0x2F, 0})
	var f bytes.Buffer
	f.WriteString("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk")
	binary.Write(&f, binary.BigEndian, uint32(tr.Len()))
	f.Write(tr.Bytes())
	return f.Bytes()
}

// TestMIDIFileMatchesLiveEngine bounces a MIDI file and plays the same
// messages through the Engine's MIDI-level API, each at its frame: the
// two outputs are the same bits, once the live output is scaled by the
// bounce's BankHeadroom. The bounce resolves the sustain pedal
// and re-struck keys when it reads the file, the Engine when it plays:
// the two must agree, as must volume, expression, pan, pitch bend with
// its range and program changes applied to the channels.
func TestMIDIFileMatchesLiveEngine(t *testing.T) {
	msgs := []timedMsg{
		{0, []byte{0xC0, 0}}, {0, []byte{0xC1, 40}},
		{0, []byte{0xB0, 101, 0}}, {0, []byte{0xB0, 100, 0}}, {0, []byte{0xB0, 6, 7}},
		{0, []byte{0x90, 60, 100}}, {0, []byte{0x91, 67, 80}},
		{10, []byte{0xB0, 7, 60}}, {12, []byte{0xE0, 0, 80}}, {20, []byte{0xB1, 10, 20}},
		{24, []byte{0xB0, 64, 127}}, {30, []byte{0x80, 60, 0}}, {34, []byte{0x90, 64, 90}},
		{40, []byte{0x90, 64, 70}}, {44, []byte{0x80, 64, 0}}, {50, []byte{0xB1, 11, 30}},
		{60, []byte{0xB0, 64, 0}}, {62, []byte{0xE0, 0, 64}}, {70, []byte{0x81, 67, 0}},
		{72, []byte{0x90, 72, 127}}, {90, []byte{0x80, 72, 0}},
	}
	data := smfOf(msgs, 100)
	s, err := midi.Decode("live.mid", data, midi.Options{})
	if err != nil {
		t.Fatal(err)
	}
	bounced, res := bounceBytes(t, s, Options{Workers: 1})
	if res.Silent() {
		t.Fatal("silent bounce")
	}

	eng, err := aether.NewEngine(aether.Config{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	var live bytes.Buffer
	w, err := wav.NewWriter(&live, wav.Float32, 48000, res.Frames, 0)
	if err != nil {
		t.Fatal(err)
	}
	next := 0
	var l, r block.Block
	for base := int64(0); base < res.Frames; base += block.Size {
		for ; next < len(msgs) && int64(msgs[next].tick)*250 < base+block.Size; next++ {
			if err := eng.MIDI(msgs[next].msg, int64(msgs[next].tick)*250); err != nil {
				t.Fatal(err)
			}
		}
		if err := eng.RenderBlock(&l, &r); err != nil {
			t.Fatal(err)
		}
		n := min(block.Size, res.Frames-base)
		mix.Scale(l[:n], BankHeadroom)
		mix.Scale(r[:n], BankHeadroom)
		if err := w.Write(l[:n], r[:n]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bounced, live.Bytes()) {
		a, b := wavSamples(t, bounced), wavSamples(t, live.Bytes())
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("the bounce and the live engine differ from sample %d (frame %d): %v, %v", i, i/2, a[i], b[i])
			}
		}
		t.Fatalf("lengths differ: %d and %d samples", len(a), len(b))
	}
}

// TestMIDIChannelControlsSound measures what channel controls of a MIDI
// file do to a bounce: pitch bend over a range of 12 semitones, coarse
// tuning, and volume on General MIDI's squared curve.
func TestMIDIChannelControlsSound(t *testing.T) {
	const flute = 73 // the built-in sine patch: its pitch is easy to measure
	render := func(msgs []timedMsg) []float32 {
		t.Helper()
		s, err := midi.Decode("ctl.mid", smfOf(msgs, 192), midi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := bounceBytes(t, s, Options{Workers: 1})
		x := wavSamples(t, b)
		left := make([]float32, len(x)/2)
		for i := range left {
			left[i] = x[2*i]
		}
		return left[24000:48000] // 0.5 s to 1 s: steady
	}
	note := func(extra ...timedMsg) []timedMsg {
		m := []timedMsg{{0, []byte{0xC0, flute}}}
		m = append(m, extra...)
		return append(m, timedMsg{0, []byte{0x90, 69, 127}}, timedMsg{180, []byte{0x80, 69, 0}})
	}
	plain := render(note())
	if f := audiotest.ZeroCrossingHz(plain, 48000); math.Abs(f/440-1) > 1e-4 {
		t.Fatalf("A4 at %v Hz", f)
	}
	bent := render(note(timedMsg{0, []byte{0xB0, 101, 0}}, timedMsg{0, []byte{0xB0, 100, 0}},
		timedMsg{0, []byte{0xB0, 6, 12}}, timedMsg{0, []byte{0xE0, 0, 0}}))
	if f := audiotest.ZeroCrossingHz(bent, 48000); math.Abs(f/220-1) > 1e-4 {
		t.Errorf("bent fully down over 12 semitones: %v Hz, want 220", f)
	}
	tuned := render(note(timedMsg{0, []byte{0xB0, 101, 0}}, timedMsg{0, []byte{0xB0, 100, 2}}, timedMsg{0, []byte{0xB0, 6, 64 + 7}}))
	if f, want := audiotest.ZeroCrossingHz(tuned, 48000), pitch.KeyFreq(76); math.Abs(f/want-1) > 1e-4 {
		t.Errorf("coarse tuning +7: %v Hz, want %v", f, want)
	}
	quiet := render(note(timedMsg{0, []byte{0xB0, 7, 50}}))
	if got, want := rms(quiet)/rms(plain), math.Pow(50.0/100, 2); math.Abs(got/want-1) > 1e-3 {
		t.Errorf("volume 50 against 100: level ratio %v, want %v", got, want)
	}
}

func rms(x []float32) float64 {
	s := 0.0
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(len(x)))
}
