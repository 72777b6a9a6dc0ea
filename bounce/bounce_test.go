package bounce

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/errtext"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/pitch"

	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
	"github.com/aether-audio/aether/wav"
)

func bounceBytes(t *testing.T, s *score.Score, opt Options) ([]byte, Result) {
	t.Helper()
	var buf bytes.Buffer
	res, err := Render(context.Background(), s, &buf, opt)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return buf.Bytes(), res
}

// The bytes of a bounce are the same on every run and for any number of
// workers, in every format.
func TestBounceDeterministic(t *testing.T) {
	scores := []*score.Score{richScore(3)}
	if dir := testfiles.Dir(t, "midi-jazz-soft"); dir != "" {
		s, err := midi.ReadFile(filepath.Join(dir, "test-multichannel-chords-3.mid"), midi.Options{})
		if err != nil {
			t.Fatal(err)
		}
		scores = append(scores, s)
	}
	for _, s := range scores {
		for _, f := range []wav.Format{wav.Float32, wav.PCM16, wav.PCM24} {
			want, res := bounceBytes(t, s, Options{Format: f, Seed: 7, Workers: 1})
			if res.Silent() {
				t.Fatalf("%s: silent bounce (peak %.1f dBFS)", s.Name, res.PeakDBFS())
			}
			for _, w := range []int{1, 2, 4} {
				got, _ := bounceBytes(t, s, Options{Format: f, Seed: 7, Workers: w})
				if !bytes.Equal(got, want) {
					t.Errorf("%s %v: %d workers give other bytes than 1 worker", s.Name, f, w)
				}
			}
			if f != wav.Float32 {
				other, _ := bounceBytes(t, s, Options{Format: f, Seed: 8, Workers: 1})
				if bytes.Equal(other, want) {
					t.Errorf("%s %v: seeds 7 and 8 give the same dither", s.Name, f)
				}
			}
		}
	}
}

// The rich score uses many voices at once; the engine must be sized so
// none is stolen (Render fails with ErrLost otherwise), and the
// sizing must be close to the real polyphony.
func TestBouncePolyphonySizing(t *testing.T) {
	s := &score.Score{Name: "poly", SampleRate: 48000, Frames: 48000,
		Instruments: []score.Instrument{{Name: "a", Osc: score.Sine, Release: 0.1, Sustain: 1, Gain: 1}}}
	// Three notes overlap (the first's 4800-frame release covers the
	// third's start); the fourth starts after all have ended.
	for _, st := range []int64{0, 1000, 6000, 20000} {
		s.Notes = append(s.Notes, score.Note{Start: st, Length: 2000, Freq: 440, Gain: 0.1})
	}
	if p, err := newPlan(s, Options{}); err != nil || p.voices != 3 {
		t.Errorf("polyphony = %d (%v), want 3", p.voices, err)
	}
	if _, err := Render(context.Background(), s, io.Discard, Options{MaxVoices: 2}); !errors.Is(err, ErrPolyphony) {
		t.Errorf("MaxVoices 2: err = %v, want ErrPolyphony", err)
	}
	dense := sineScore(3000, 0.5)
	for i := range dense.Notes { // staggered, with releases overlapping the next notes
		dense.Notes[i].Start = int64(i * 7)
		dense.Notes[i].Length = 100
	}
	if _, err := Render(context.Background(), dense, io.Discard, Options{Workers: 2}); err != nil {
		t.Fatal(err)
	}
}

// Thousands of controls of one note inside one block need no more queue
// than the last of each kind, and sound the same as that last one alone.
func TestBounceControlFloodInOneBlock(t *testing.T) {
	flood := sineScore(1, 0.1)
	last := sineScore(1, 0.1)
	for i := range 30000 {
		k := score.ControlKind(i % 3)
		v := map[score.ControlKind]float32{score.FreqRatio: 1 + float32(i)/1e5, score.Gain: 0.5 - float32(i)/1e5, score.Pan: -0.5}[k]
		flood.Controls = append(flood.Controls, score.Control{Frame: 64 + int64(i%64), Note: 0, Kind: k, Value: v})
	}
	slices.SortStableFunc(flood.Controls, func(a, b score.Control) int { return cmp.Compare(a.Frame, b.Frame) })
	lastOf := map[score.ControlKind]score.Control{}
	for _, c := range flood.Controls {
		lastOf[c.Kind] = c
	}
	for _, k := range []score.ControlKind{score.FreqRatio, score.Gain, score.Pan} {
		c := lastOf[k]
		c.Frame = 127 // where in the block does not matter
		last.Controls = append(last.Controls, c)
	}
	p, err := newPlan(flood, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.queue != 3 {
		t.Errorf("queue sized %d for one block of controls, want 3", p.queue)
	}
	a, _ := bounceBytes(t, flood, Options{Workers: 1})
	b, _ := bounceBytes(t, last, Options{Workers: 1})
	if !bytes.Equal(a, b) {
		t.Error("the flood of controls sounds different from its last controls")
	}
}

// A note starts at its exact frame, inside its block, and the header
// promises exactly the frames written.
func TestBounceSampleAccurate(t *testing.T) {
	for _, start := range []int64{0, 1, 63, 64, 100, 4799} {
		s := sineScore(1, 0.2)
		s.Notes[0].Start = start
		s.Notes[0].Length = 1000
		b, res := bounceBytes(t, s, Options{Workers: 1})
		x := wavSamples(t, b)
		if int64(len(x)) != 2*s.Frames || res.Frames != s.Frames {
			t.Fatalf("wrote %d samples, want %d", len(x), 2*s.Frames)
		}
		first := -1
		for i, v := range x {
			if v != 0 {
				first = i / 2
				break
			}
		}
		// The attack starts at level 0, so the first non-zero sample is
		// the note's first or second frame.
		if first < int(start) || first > int(start)+1 {
			t.Errorf("note at frame %d: first sound at frame %d", start, first)
		}
	}
}

// A score with no notes bounces to silence of its length, and is flagged
// silent.
func TestBounceEmptyScore(t *testing.T) {
	s := &score.Score{Name: "empty", SampleRate: 44100, Frames: 1000}
	b, res := bounceBytes(t, s, Options{Format: wav.PCM16})
	if !res.Silent() || res.Seconds() != 1000.0/44100 {
		t.Errorf("result %+v: want silent, 1000 frames", res)
	}
	if len(b) != 44+4000 {
		t.Errorf("%d bytes, want 44-byte header and 4000 bytes of data", len(b))
	}
}

func TestBounceRejectsBadScores(t *testing.T) {
	nan := sineScore(2, 0.1)
	nan.Notes[1].Freq = float64(float32(0) / float32(zero()))
	long := sineScore(1, 1)
	long.Frames = 10 * 3600 * 48000
	unsorted := sineScore(2, 0.1)
	unsorted.Notes[0].Start = 100
	badInstr := sineScore(1, 0.1)
	badInstr.Notes[0].Instrument = 3
	highSample := richScore(2)
	for i := range highSample.Notes {
		if highSample.Notes[i].Instrument == 6 {
			highSample.Notes[i].Freq = 20000
			break
		}
	}
	tinyRoot := richScore(2) // a root_freq so low that every note is out of range
	tinyRoot.Instruments[6].RootFreq = 1e-300
	for _, c := range []struct {
		s    *score.Score
		want error
	}{
		{nan, score.ErrInvalid}, {long, score.ErrLimit}, {unsorted, score.ErrInvalid},
		{badInstr, score.ErrUnknownInstrument}, {highSample, ErrNote}, {tinyRoot, ErrNote},
	} {
		var buf bytes.Buffer
		_, err := Render(context.Background(), c.s, &buf, Options{})
		if !errors.Is(err, c.want) {
			t.Errorf("err = %v, want %v", err, c.want)
			continue
		}
		if msg := err.Error(); bytes.ContainsRune([]byte(msg), '\n') || !bytes.HasPrefix([]byte(msg), []byte(c.s.Name+": ")) || len(msg) > 200 {
			t.Errorf("error %q: want one short line starting with the score's name", msg)
		}
		if buf.Len() != 0 {
			t.Errorf("%v: %d bytes written before the error", err, buf.Len())
		}
	}
}

func zero() int { return 0 }

// A cancelled context stops the render promptly with ctx.Err() wrapped,
// and RenderFile leaves no file behind.
func TestBounceCancel(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	s := sineScore(10, 60)
	opt := Options{Workers: 1, Progress: func(done, total int64) {
		calls++
		if done > 0 {
			cancel()
		}
	}}
	res, err := RenderFile(ctx, s, filepath.Join(dir, "out.wav"), opt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if calls != 2 {
		t.Errorf("progress called %d times before stopping, want 2 (cancelled after the first %d blocks)", calls, checkBlocks)
	}
	if res.Peak == 0 {
		t.Error("no audio rendered before the cancel")
	}
	assertEmptyDir(t, dir)
}

// Progress reports rising frame counts and ends with the total.
func TestBounceProgress(t *testing.T) {
	s := sineScore(2, 1)
	var got [][2]int64
	_, err := Render(context.Background(), s, io.Discard, Options{Progress: func(done, total int64) {
		got = append(got, [2]int64{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	blocks := (s.Frames + block.Size - 1) / block.Size
	if want := int((blocks+checkBlocks-1)/checkBlocks) + 1; len(got) != want {
		t.Fatalf("%d progress calls, want %d", len(got), want)
	}
	for i, g := range got {
		if g[1] != s.Frames || g[0] != min(int64(i)*checkBlocks*block.Size, s.Frames) {
			t.Errorf("call %d: %v of %v", i, g[0], g[1])
		}
	}
	if _, err := Render(context.Background(), nil, io.Discard, Options{}); err == nil {
		t.Error("nil score: no error")
	}
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		t.Errorf("left behind: %s", e.Name())
	}
}

// RenderFile writes the same bytes as Render, and on any error leaves
// nothing behind.
func TestRenderFile(t *testing.T) {
	dir := t.TempDir()
	s := richScore(2)
	want, _ := bounceBytes(t, s, Options{Format: wav.PCM24, Seed: 3})
	path := filepath.Join(dir, "ok.wav")
	if _, err := RenderFile(context.Background(), s, path, Options{Format: wav.PCM24, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("file differs from the stream (err %v)", err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", fi.Mode().Perm())
	}
	os.Remove(path)

	bad := sineScore(1, 0.1)
	bad.Notes[0].Gain = -1
	for name, c := range map[string]struct {
		s    *score.Score
		path string
	}{
		"missing dir":    {s, filepath.Join(dir, "nope", "x.wav")},
		"path is a dir":  {s, dir},
		"bad score":      {bad, filepath.Join(dir, "bad.wav")},
		"file as parent": {s, filepath.Join(dir, "ok.wav", "x.wav")},
	} {
		if name == "file as parent" {
			os.WriteFile(filepath.Join(dir, "ok.wav"), nil, 0o644)
		}
		_, err := RenderFile(context.Background(), c.s, c.path, Options{})
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		if bytes.ContainsRune([]byte(err.Error()), '\n') {
			t.Errorf("%s: error is more than one line: %q", name, err)
		}
		if name == "file as parent" {
			os.Remove(filepath.Join(dir, "ok.wav"))
		}
	}
	assertEmptyDir(t, dir)
}

// The steady-state render loop allocates nothing, stereo or mono, with a
// master gain or without: rendering a score a second time on the same
// renderer (all voices ended, fresh writer) allocates nothing at all.
func TestBounceLoopAllocatesNothing(t *testing.T) {
	s := richScore(2)
	s.Frames += 48000 // every release ends before the score does
	for _, opt := range []Options{{Workers: 1}, {Workers: 2}, {Workers: 1, Channels: 1, GainDB: -6}} {
		if allocs := loopAllocs(t, s, opt); allocs != 0 {
			t.Errorf("%+v: %v allocations per bounce of %d blocks", opt, allocs, s.Frames/block.Size)
		}
	}
}

// loopAllocs renders s once on a renderer for opt, then returns the
// allocations of rendering it again on the same renderer.
func loopAllocs(t *testing.T, s *score.Score, opt Options) float64 {
	t.Helper()
	r, err := newRenderer(s, io.Discard, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.eng.Close()
	r.master = float32(math.Pow(10, opt.GainDB/20))
	// AllocsPerRun counts the whole process, and under load the
	// runtime now and then starts a thread during a measurement
	// (runtime.allocm, seen in a memory profile of a failing run
	// while CI ran other packages beside it): the loop's own
	// allocations would show in every attempt, so the fewest of
	// three attempts is what it allocates.
	const runs, attempts = 3, 3
	writers := make([]*wav.Writer, attempts*runs+attempts+1)
	for i := range writers {
		if opt.Channels == 1 {
			writers[i], _ = wav.NewMonoWriter(io.Discard, wav.PCM16, s.SampleRate, r.frames, 1)
		} else {
			writers[i], _ = wav.NewWriter(io.Discard, wav.PCM16, s.SampleRate, r.frames, 1)
		}
	}
	if err := r.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	i := 0
	allocs := math.Inf(1)
	for range attempts {
		allocs = min(allocs, testing.AllocsPerRun(runs, func() {
			r.out = writers[i]
			i++
			if err := r.run(context.Background()); err != nil {
				panic(err)
			}
		}))
	}
	return allocs
}

// A bounce of a score built in Go code: two notes, written as 16-bit PCM.
func ExampleRender() {
	s := &score.Score{
		Name:       "example",
		SampleRate: 48000,
		Frames:     48000, // one second
		Instruments: []score.Instrument{
			{Name: "bell", Osc: score.Sine, Attack: 0.01, Decay: 0.5, Sustain: 0.2, Release: 0.3, Gain: 1},
		},
		Notes: []score.Note{
			{Start: 0, Length: 24000, Instrument: 0, Freq: 440, Gain: 0.5},
			{Start: 12000, Length: 24000, Instrument: 0, Freq: pitch.KeyFreq(76), Gain: 0.25, Pan: 0.5},
		},
	}
	var wavFile bytes.Buffer
	res, err := Render(context.Background(), s, &wavFile, Options{Format: wav.PCM16, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d bytes, %.2f s, peak %.1f dBFS, silent: %v\n", wavFile.Len(), res.Seconds(), res.PeakDBFS(), res.Silent())
	// Output: 192044 bytes, 1.00 s, peak -7.5 dBFS, silent: false
}

// A bad score is refused before anything is written, with one line naming
// the score and the place.
func ExampleRender_error() {
	s := &score.Score{Name: "song", SampleRate: 48000, Frames: 48000,
		Instruments: []score.Instrument{{Name: "a", Osc: score.Sine, Sustain: 1, Gain: 1}},
		Notes:       []score.Note{{Start: 0, Length: 100, Freq: -3, Gain: 1}}}
	_, err := Render(context.Background(), s, io.Discard, Options{})
	fmt.Println(err)
	// Output: song: notes[0].freq: invalid value: must be a positive finite number below Nyquist (24000 Hz), got -3
}

// The work a score asks for, in voice-seconds (release tails included),
// is bounded at plan time beside the polyphony, with an error naming the
// figure and the limit.
func TestWorkLimit(t *testing.T) {
	s := sineScore(1000, 60) // 1000 voices for a minute
	_, err := Render(context.Background(), s, io.Discard, Options{MaxVoiceSeconds: 50_000})
	if !errors.Is(err, ErrWork) {
		t.Fatalf("err = %v, want ErrWork", err)
	}
	for _, want := range []string{"sines: notes: ", "60000 voice-seconds", "limit 50000"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	p, err := newPlan(s, Options{})
	if err != nil {
		t.Fatalf("default limit: %v", err)
	}
	if p.voiceSeconds != 60000 {
		t.Errorf("%v voice-seconds, want 60000 (every note cut at the score's end)", p.voiceSeconds)
	}
}

// A MIDI file striking one key 20,000 times under the sustain pedal plans
// the voices of one release tail, not 20,000 held ones (each strike
// releases the last).
func TestRestrikesPlanFewVoices(t *testing.T) {
	var tr bytes.Buffer
	tr.Write([]byte{0, 0xB0, 64, 127})
	for range 20000 {
		tr.Write([]byte{1, 0x90, 60, 100, 0, 0x80, 60, 0})
	}
	tr.Write([]byte{0, 0xFF, 0x2F, 0})
	var f bytes.Buffer
	f.WriteString("MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk")
	binary.Write(&f, binary.BigEndian, uint32(tr.Len()))
	f.Write(tr.Bytes())
	s, err := midi.Decode("strikes.mid", f.Bytes(), midi.Options{SampleRate: 8000})
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlan(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Each strike lasts 1 tick (1/192 s), then releases.
	rel := p.insts[s.Notes[0].Instrument].Span(&instrument.Note{Key: 60, Velocity: 100}).Release
	if p.voices > int(rel*192)+8 || p.voiceSeconds > 20000*(1.0/192+rel+1.0/8000)+1 {
		t.Errorf("planned %d voices, %.0f voice-seconds for 20,000 strikes", p.voices, p.voiceSeconds)
	}
}

// Errors are one line of printable text whatever the score's and its
// instruments' names hold.
func TestErrorsAreOneLine(t *testing.T) {
	s := richScore(2)
	s.Name = "up\nload\u202e.json"
	s.Instruments[6].Name = "sam\nple"
	for i := range s.Notes {
		if s.Notes[i].Instrument == 6 {
			s.Notes[i].Freq = 20000 // too high for its sample
		}
	}
	_, err := Render(context.Background(), s, io.Discard, Options{})
	if !errors.Is(err, ErrNote) || !errtext.Plain(err.Error()) {
		t.Errorf("error %q", err)
	}
	_, err = NewLoader(LoaderOptions{}).Load("a\n\u202eb.mp3")
	if err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("error %q", err)
	}
}
