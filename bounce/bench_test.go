//go:build unix

package bounce

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/testfiles"
	"github.com/aether-audio/aether/midi"
	"github.com/aether-audio/aether/score"
)

// cpuTime returns the user plus system CPU time of the whole process.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchBounce bounces s b.N times with opt to io.Discard as float32 and
// reports voice-seconds per CPU-second (process CPU time, user + system,
// during the renders) and times real time (audio seconds per wall second).
func benchBounce(b *testing.B, s *score.Score, opt Options) {
	p, err := newPlan(s, opt)
	if err != nil {
		b.Fatal(err)
	}
	vs := p.voiceSeconds
	audio := float64(s.Frames) / float64(s.SampleRate)
	b.ResetTimer()
	cpu0, wall0 := cpuTime(b), time.Now()
	for range b.N {
		if _, err := Render(context.Background(), s, io.Discard, opt); err != nil {
			b.Fatal(err)
		}
	}
	cpu, wall := cpuTime(b)-cpu0, time.Since(wall0)
	b.StopTimer()
	b.ReportMetric(vs*float64(b.N)/cpu.Seconds(), "voice-s/cpu-s")
	b.ReportMetric(audio*float64(b.N)/wall.Seconds(), "x-realtime")
}

// N sine voices sounding for 10 seconds at 48 kHz.
func BenchmarkBounceSines(b *testing.B) {
	for _, n := range []int{1000, 5000} {
		for _, w := range []int{1, 0} {
			b.Run(fmt.Sprintf("voices=%d/workers=%s", n, workersName(w)), func(b *testing.B) {
				benchBounce(b, sineScore(n, 10), Options{Workers: w})
			})
		}
	}
}

// The MIDI benchmark files: 1000 organ notes and 500 piano notes for 10 s.
func BenchmarkBounceMIDI(b *testing.B) {
	dir := testfiles.Dir(b, "midi-bench")
	for _, name := range []string{"organ_1000.mid", "piano_500.mid"} {
		s, err := midi.ReadFile(filepath.Join(dir, name), midi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, w := range []int{1, 0} {
			b.Run(fmt.Sprintf("%s/workers=%s", name, workersName(w)), func(b *testing.B) {
				benchBounce(b, s, Options{Workers: w})
			})
		}
	}
}

// fluidR3 is where Debian's fluid-soundfont-gm puts FluidR3_GM.
const fluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

// The MIDI benchmark files played by a SoundFont, one worker: FluidR3_GM
// where it is installed, else the shared test data's small GM bank. The
// font is read once, before the timing.
func BenchmarkBounceSoundFont(b *testing.B) {
	path := fluidR3
	if _, err := os.Stat(path); err != nil {
		path = filepath.Join(testfiles.Dir(b, "soundfonts"), "sf_GMbank.sf2")
	}
	font, err := OpenSoundFont(path, instrument.FluidSynthProfile)
	if err != nil {
		b.Fatal(err)
	}
	dir := testfiles.Dir(b, "midi-bench")
	for _, name := range []string{"organ_1000.mid", "piano_500.mid"} {
		s, err := midi.ReadFile(filepath.Join(dir, name), midi.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(path)+"/"+name, func(b *testing.B) {
			benchBounce(b, s, Options{Workers: 1, SoundFont: font})
		})
	}
}

func workersName(w int) string {
	if w == 0 {
		return "all"
	}
	return fmt.Sprint(w)
}
