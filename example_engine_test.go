package aether_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"github.com/aether-audio/aether"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/voice"
)

// A control goroutine posts notes; the audio side pulls interleaved
// little-endian float32 frames from the Reader (as ebitengine/oto would).
func ExampleEngine() {
	e, err := aether.NewEngine(aether.Config{Workers: 2, Voices: 64})
	if err != nil {
		panic(err)
	}
	defer e.Close()

	id, _ := e.NoteOn(voice.Params{Kind: voice.Sine, Freq: 440, Gain: 0.2}, 10)
	_ = e.SetPan(id, -0.5)

	frames := make([]byte, 8*block.Size) // one block: 64 stereo frames
	if _, err := io.ReadFull(e.Reader(), frames); err != nil {
		panic(err)
	}
	_ = e.NoteOff(id, 0)

	st := e.Stats()
	fmt.Println("started", st.Started, "sounding", st.Voices, "events", st.Events)
	// Output: started 1 sounding 1 events 2
}

// A melody played by MIDI channel, key and velocity: General MIDI program
// 73 (flute) on channel 0, three notes half a second apart, each at its
// exact frame. The program reads the rendered audio back and measures each
// note's pitch.
func ExampleChannel() {
	e, err := aether.NewEngine(aether.Config{Workers: 2})
	if err != nil {
		panic(err)
	}
	defer e.Close()

	const rate = aether.DefaultSampleRate
	half := int64(rate / 2)
	melody := []uint8{60, 64, 67} // C4 E4 G4
	ch := e.Channel(0)
	_ = ch.ProgramChange(73, 0)
	for i, key := range melody {
		at := int64(i) * half
		_ = ch.NoteOn(key, 100, at)
		_ = ch.NoteOff(key, at+half-rate/50)
	}

	// Pull the audio as a player would: interleaved float32 frames.
	frames := int(3 * half)
	raw := make([]byte, 8*frames)
	if _, err := io.ReadFull(e.Reader(), raw); err != nil {
		panic(err)
	}
	left := make([]float32, frames)
	for i := range left {
		left[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[8*i:]))
	}
	for i, key := range melody {
		// After the last note's release, before this one's.
		note := left[int64(i)*half+rate/5 : int64(i+1)*half-rate/25]
		fmt.Printf("key %d: %.1f Hz\n", key, pitch(note, rate))
	}
	// Output:
	// key 60: 261.6 Hz
	// key 64: 329.6 Hz
	// key 67: 392.0 Hz
}

// pitch measures the frequency of x from its upward zero crossings.
func pitch(x []float32, rate float64) float64 {
	first, last, n := -1.0, -1.0, 0
	for i := 1; i < len(x); i++ {
		if x[i-1] < 0 && x[i] >= 0 {
			t := float64(i-1) + float64(-x[i-1])/float64(x[i]-x[i-1])
			if first < 0 {
				first = t
			}
			last = t
			n++
		}
	}
	return float64(n-1) * rate / (last - first)
}
