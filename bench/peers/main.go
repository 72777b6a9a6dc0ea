// Command peers writes the loads that compare Aether's offline bounce with
// other renderers, so that run.sh can time each on the same work:
//
//	go run ./bench/peers -voices 5000 -seconds 10 -dir /tmp/peers
//
// writes sines.json (a JSON score of that many steady sine notes, for
// cmd/bounce), sines.osc (the same notes as a SuperCollider non-real-time
// score, for `scsynth -N`) and load.mid (one piano note of an eighth of a
// second: a SoundFont renderer given it spends its time loading the font,
// so its cost is the loading's). In the sine loads every note starts at 0
// and ends at -seconds, at a pitch drawn from a fixed seed between 55 and
// 1760 Hz, a gain of 0.2/√voices and a random pan. The SynthDef inside the
// OSC score is written here byte by byte (SinOsc × amp → Pan2 → Out), so
// no SuperCollider language is needed.
package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
)

func main() {
	voices := flag.Int("voices", 5000, "notes sounding at once")
	seconds := flag.Float64("seconds", 10, "length of the load")
	rate := flag.Int("rate", 48000, "sample rate in Hz")
	dir := flag.String("dir", ".", "where to write sines.json and sines.osc")
	flag.Parse()
	if *voices < 1 || !(*seconds > 0) {
		fmt.Fprintln(os.Stderr, "peers: -voices and -seconds must be positive")
		os.Exit(2)
	}
	notes := makeNotes(*voices)
	if err := writeJSON(filepath.Join(*dir, "sines.json"), notes, *seconds, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(*dir, "sines.osc"), oscScore(notes, *seconds), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(*dir, "load.mid"), loadMIDI(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "peers:", err)
		os.Exit(1)
	}
}

// loadMIDI is a format-0 Standard MIDI File of one note: key 60 at
// velocity 100 on channel 1 (a piano in General MIDI) for 24 ticks of 96
// a quarter at 120 BPM, an eighth of a second.
func loadMIDI() []byte {
	track := []byte{0x00, 0x90, 60, 100, 24, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00}
	var b bytes.Buffer
	b.WriteString("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk")
	binary.Write(&b, binary.BigEndian, uint32(len(track)))
	b.Write(track)
	return b.Bytes()
}

type note struct{ freq, gain, pan float64 }

func makeNotes(n int) []note {
	rng := rand.New(rand.NewPCG(1, 2))
	gain := 0.2 / math.Sqrt(float64(n))
	notes := make([]note, n)
	for i := range notes {
		notes[i] = note{
			freq: 55 * math.Exp2(5*rng.Float64()),
			gain: gain,
			pan:  2*rng.Float64() - 1,
		}
	}
	return notes
}

func writeJSON(path string, notes []note, seconds float64, rate int) error {
	type jnote struct {
		Time       float64 `json:"time"`
		Duration   float64 `json:"duration"`
		Instrument string  `json:"instrument"`
		Freq       float64 `json:"freq"`
		Gain       float64 `json:"gain"`
		Pan        float64 `json:"pan"`
	}
	js := make([]jnote, len(notes))
	for i, n := range notes {
		js[i] = jnote{0, seconds, "sine", n.freq, n.gain, n.pan}
	}
	doc := map[string]any{
		"sample_rate": rate,
		"duration":    seconds,
		"instruments": map[string]any{"sine": map[string]any{"osc": "sine", "attack": 0, "release": 0}},
		"notes":       js,
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// oscScore returns a scsynth non-real-time score: /d_recv of the SynthDef
// and one /s_new per note at time 0, and an empty bundle at the end, which
// sets the length.
func oscScore(notes []note, seconds float64) []byte {
	var out bytes.Buffer
	bundle := func(t float64, msgs ...[]byte) {
		var b bytes.Buffer
		b.WriteString("#bundle\x00")
		secs := uint64(t * (1 << 32))
		binary.Write(&b, binary.BigEndian, secs)
		for _, m := range msgs {
			binary.Write(&b, binary.BigEndian, int32(len(m)))
			b.Write(m)
		}
		binary.Write(&out, binary.BigEndian, int32(b.Len()))
		out.Write(b.Bytes())
	}
	bundle(0, oscMessage("/d_recv", sineDef()))
	const perBundle = 500
	for i := 0; i < len(notes); i += perBundle {
		var msgs [][]byte
		for j := i; j < min(i+perBundle, len(notes)); j++ {
			n := notes[j]
			msgs = append(msgs, oscMessage("/s_new", "sine", int32(1000+j), int32(0), int32(0),
				"freq", float32(n.freq), "amp", float32(n.gain), "pan", float32(n.pan)))
		}
		bundle(0, msgs...)
	}
	bundle(seconds, oscMessage("/c_set", int32(0), float32(0)))
	return out.Bytes()
}

// oscMessage encodes an OSC message with int32, float32, string and blob
// arguments.
func oscMessage(addr string, args ...any) []byte {
	var b bytes.Buffer
	oscString(&b, addr)
	tags := ","
	for _, a := range args {
		switch a.(type) {
		case int32:
			tags += "i"
		case float32:
			tags += "f"
		case string:
			tags += "s"
		case []byte:
			tags += "b"
		}
	}
	oscString(&b, tags)
	for _, a := range args {
		switch v := a.(type) {
		case int32, float32:
			binary.Write(&b, binary.BigEndian, v)
		case string:
			oscString(&b, v)
		case []byte:
			binary.Write(&b, binary.BigEndian, int32(len(v)))
			b.Write(v)
			for b.Len()%4 != 0 {
				b.WriteByte(0)
			}
		}
	}
	return b.Bytes()
}

func oscString(b *bytes.Buffer, s string) {
	b.WriteString(s)
	b.WriteByte(0)
	for b.Len()%4 != 0 {
		b.WriteByte(0)
	}
}

// sineDef is the SynthDef file (format SCgf version 2) of
//
//	SynthDef(\sine, { |freq = 440, amp = 0.1, pan = 0|
//		Out.ar(0, Pan2.ar(SinOsc.ar(freq) * amp, pan)) })
func sineDef() []byte {
	var b bytes.Buffer
	w := func(v any) { binary.Write(&b, binary.BigEndian, v) }
	pstr := func(s string) { b.WriteByte(byte(len(s))); b.WriteString(s) }
	const kr, ar = 1, 2
	b.WriteString("SCgf")
	w(int32(2)) // version
	w(int16(1)) // one def
	pstr("sine")
	w(int32(2)) // constants: 0, 1
	w(float32(0))
	w(float32(1))
	w(int32(3)) // parameters and their defaults
	w(float32(440))
	w(float32(0.1))
	w(float32(0))
	w(int32(3))
	for i, n := range []string{"freq", "amp", "pan"} {
		pstr(n)
		w(int32(i))
	}
	w(int32(5)) // UGens
	type in struct{ ugen, index int32 }
	ugen := func(name string, rate int8, special int16, outs int, ins ...in) {
		pstr(name)
		w(rate)
		w(int32(len(ins)))
		w(int32(outs))
		w(special)
		for _, i := range ins {
			w(i.ugen)
			w(i.index)
		}
		for range outs {
			w(rate)
		}
	}
	constant := func(i int32) in { return in{-1, i} }
	ugen("Control", kr, 0, 3)                               // 0: freq, amp, pan
	ugen("SinOsc", ar, 0, 1, in{0, 0}, constant(0))         // 1
	ugen("BinaryOpUGen", ar, 2, 1, in{1, 0}, in{0, 1})      // 2: * amp
	ugen("Pan2", ar, 0, 2, in{2, 0}, in{0, 2}, constant(1)) // 3
	ugen("Out", ar, 0, 0, constant(0), in{3, 0}, in{3, 1})  // 4
	w(int16(0))                                             // no variants
	return b.Bytes()
}
