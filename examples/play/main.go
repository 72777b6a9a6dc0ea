// Command play embeds an Aether Engine in a Go program and plays a short
// melody on the default audio output through ebitengine/oto: the Engine's
// Reader gives interleaved little-endian float32 stereo frames, exactly
// oto's FormatFloat32LE, so the player pulls audio straight from it.
//
//	cd examples/play && go run .
package main

import (
	"log"
	"time"

	"github.com/aether-audio/aether"
	"github.com/ebitengine/oto/v3"
)

func main() {
	const rate = 48000
	eng, err := aether.NewEngine(aether.Config{SampleRate: rate})
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()

	ctx, ready, err := oto.NewContext(&oto.NewContextOptions{
		SampleRate:   rate,
		ChannelCount: 2,
		Format:       oto.FormatFloat32LE,
		BufferSize:   20 * time.Millisecond, // the latency between a note-on and its sound
	})
	if err != nil {
		log.Fatal(err)
	}
	<-ready
	player := ctx.NewPlayer(eng.Reader()) // oto's goroutine renders as it reads
	player.Play()

	// Any goroutine may play: here the main one, by MIDI channel, key and
	// velocity, with General MIDI program 0 (piano) on channel 0 and the
	// drum kit on channel 9.
	piano, drums := eng.Channel(0), eng.Channel(9)
	for _, key := range []uint8{60, 64, 67, 72, 67, 64, 60} {
		_ = piano.NoteOn(key, 100, 0) // frame 0: as soon as possible
		_ = drums.NoteOn(42, 80, 0)   // closed hi-hat
		time.Sleep(250 * time.Millisecond)
		_ = piano.NoteOff(key, 0)
	}
	time.Sleep(time.Second) // let the last release ring
	if err := player.Close(); err != nil {
		log.Fatal(err)
	}
}
