package sfcompare

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/aether-audio/aether/wav"
)

// rate is the sample rate of every render.
const rate = 48000

// fluidR3 is the reference font: FluidR3_GM as Debian's fluid-soundfont-gm
// installs it.
const fluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

// A renderer plays a MIDI file with a SoundFont into a stereo WAV file at
// rate Hz.
type renderer struct {
	name string
	// render writes the WAV file out; nil when the renderer cannot play
	// SoundFonts, which skips the tests that need it.
	render func(tb testing.TB, font, mid, out string) error
}

// aether is Aether's render of a SoundFont: bounce with a bank of the
// font in FluidSynth's profile.
var aether = renderer{name: "aether", render: renderAether}

// needRenderer skips the test when r cannot render.
func needRenderer(tb testing.TB, r renderer) {
	tb.Helper()
	if r.render == nil {
		tb.Skipf("%s does not render SoundFonts yet", r.name)
	}
}

// fluidSynthCmd returns the path of fluidsynth 2.3.x, or skips the test;
// with AETHER_REQUIRE_FLUIDSYNTH set (as CI does) a missing or other
// fluidsynth fails it instead.
func fluidSynthCmd(tb testing.TB) string {
	tb.Helper()
	fluidOnce.Do(func() {
		path, err := exec.LookPath("fluidsynth")
		if err != nil {
			fluidWhy = "fluidsynth is not installed (apt-get install fluidsynth)"
			return
		}
		out, _ := exec.Command(path, "--version").Output()
		m := regexp.MustCompile(`runtime version (\d+\.\d+\.\d+)`).FindSubmatch(out)
		if m == nil || !strings.HasPrefix(string(m[1]), "2.3.") {
			fluidWhy = fmt.Sprintf("fluidsynth is not version 2.3.x (%q), the reference of these figures", firstLine(out))
			return
		}
		fluidPath, fluidVersion = path, string(m[1])
	})
	if fluidPath == "" {
		if os.Getenv("AETHER_REQUIRE_FLUIDSYNTH") != "" {
			tb.Fatal(fluidWhy + ", but AETHER_REQUIRE_FLUIDSYNTH is set")
		}
		tb.Skip(fluidWhy + " (set AETHER_REQUIRE_FLUIDSYNTH=1 to require it)")
	}
	return fluidPath
}

var (
	fluidOnce                         sync.Once
	fluidPath, fluidVersion, fluidWhy string
)

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\n")
	return s
}

// needFile skips the test when path (a font) is absent, or fails it under
// AETHER_REQUIRE_FLUIDSYNTH, which promises the reference font too.
func needFile(tb testing.TB, path, pkg string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("AETHER_REQUIRE_FLUIDSYNTH") != "" {
			tb.Fatalf("%s is missing, but AETHER_REQUIRE_FLUIDSYNTH is set", path)
		}
		tb.Skipf("%s is missing (apt-get install %s)", path, pkg)
	}
}

// fluidSynth renders with fluidsynth 2.3.1 as the reference does: 48 kHz,
// reverb and chorus off, one core, 4096 voices, 32-bit float output, its
// default gain (0.2) and interpolation (4-point). Shell commands (for
// example "interp 1") and more settings make the variants the harness
// tests compare against it; an empty command file also keeps a user's
// ~/.fluidsynth out of the render.
func fluidSynth(name, commands string, args ...string) renderer {
	return renderer{name: name, render: func(tb testing.TB, font, mid, out string) error {
		fs := fluidSynthCmd(tb)
		cfg := out + ".cmd"
		if err := os.WriteFile(cfg, []byte(commands), 0o644); err != nil {
			return err
		}
		defer os.Remove(cfg)
		all := []string{"-n", "-i", "-q", "-f", cfg, "-F", out, "-O", "float", "-r", fmt.Sprint(rate),
			"-R", "0", "-C", "0", "-o", "synth.cpu-cores=1", "-o", "synth.polyphony=4096"}
		all = append(append(all, args...), font, mid)
		cmd := exec.Command(fs, all...)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("fluidsynth %s: %v: %s", strings.Join(all, " "), err, stderr.Bytes())
		}
		if fi, err := os.Stat(out); err != nil || fi.Size() <= 44 {
			return fmt.Errorf("fluidsynth %s wrote no audio: %s", strings.Join(all, " "), stderr.Bytes())
		}
		return nil
	}}
}

// reference is the render every other is compared with.
var reference = fluidSynth("fluidsynth", "")

// renders caches renders on disk for the whole test binary: a render of
// the same MIDI bytes with the same renderer and font is made once.
var renders = struct {
	sync.Mutex
	dir  string
	jobs map[string]*renderJob
}{jobs: map[string]*renderJob{}}

type renderJob struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sfcompare-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	renders.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// renderSem bounds the renders running at once to the CPUs.
var renderSem = make(chan struct{}, runtime.GOMAXPROCS(0))

// renderFile renders mid (the bytes of a MIDI file) with r and font, once
// per test binary, and returns the WAV file's path.
func renderFile(tb testing.TB, r renderer, font string, mid []byte) string {
	tb.Helper()
	sum := sha256.Sum256(append([]byte(r.name+"\x00"+font+"\x00"), mid...))
	key := hex.EncodeToString(sum[:12])
	renders.Lock()
	job := renders.jobs[key]
	if job == nil {
		job = &renderJob{path: filepath.Join(renders.dir, key+".wav")}
		renders.jobs[key] = job
	}
	renders.Unlock()
	job.once.Do(func() {
		renderSem <- struct{}{}
		defer func() { <-renderSem }()
		midPath := filepath.Join(renders.dir, key+".mid")
		if job.err = os.WriteFile(midPath, mid, 0o644); job.err == nil {
			job.err = r.render(tb, font, midPath, job.path)
		}
	})
	if job.err != nil {
		tb.Fatal(job.err)
	}
	if _, err := os.Stat(job.path); err != nil {
		// The renderer skipped the test that first asked for it.
		tb.Skipf("%s cannot render %s", r.name, filepath.Base(font))
	}
	return job.path
}

// forget deletes a cached render to free the disk; the next renderFile of
// it renders again.
func forget(path string) {
	renders.Lock()
	defer renders.Unlock()
	for k, j := range renders.jobs {
		if j.path == path {
			delete(renders.jobs, k)
		}
	}
	os.Remove(path)
}

// load renders (or finds) mid and decodes it: two channels at rate Hz.
func load(tb testing.TB, r renderer, font string, mid []byte) [][]float32 {
	tb.Helper()
	path := renderFile(tb, r, font, mid)
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := wav.Decode(path, data)
	if err != nil {
		tb.Fatal(err)
	}
	if a.Rate != rate || len(a.Channels) != 2 {
		tb.Fatalf("%s render: %d channels at %d Hz, want 2 at %d", r.name, len(a.Channels), a.Rate, rate)
	}
	return a.Channels
}
