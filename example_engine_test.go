package aether_test

import (
	"fmt"
	"io"

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
