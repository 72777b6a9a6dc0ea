package sf2

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
)

// fluidR3 is where Debian's fluid-soundfont-gm installs FluidR3_GM.
const fluidR3 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"

// phdrByHand lists "bank-program name" for every preset of the SoundFont
// file b, found without this package: the phdr chunk located by its ID
// and read record by record.
func phdrByHand(t *testing.T, b []byte) []string {
	t.Helper()
	i := bytes.Index(b, []byte("phdr"))
	if i < 0 {
		t.Fatal("no phdr chunk")
	}
	size := int(binary.LittleEndian.Uint32(b[i+4:]))
	recs := b[i+8 : i+8+size]
	var out []string
	for k := 0; k+38 < len(recs); k += 38 { // the last record is the terminal one
		r := recs[k : k+38]
		name, _, _ := strings.Cut(string(r[:20]), "\x00")
		out = append(out, fmt.Sprintf("%03d-%03d %s", binary.LittleEndian.Uint16(r[22:]), binary.LittleEndian.Uint16(r[20:]), name))
	}
	return out
}

// listing returns the font's presets as "bank-program name", sorted as
// Font.Presets is.
func listing(f *Font) []string {
	var out []string
	for _, p := range f.Presets {
		out = append(out, fmt.Sprintf("%03d-%03d %s", p.Bank, p.Program, p.Name))
	}
	return out
}

// fluidsynthListing returns FluidSynth's own preset list for the font
// ("inst 1" in its shell), or skips when fluidsynth is not installed.
func fluidsynthListing(t *testing.T, path string) []string {
	t.Helper()
	if _, err := exec.LookPath("fluidsynth"); err != nil {
		t.Skip("fluidsynth not installed (apt-get install fluidsynth): skipping the comparison with its preset list")
	}
	cmd := exec.Command("fluidsynth", "-n", "-a", "file", "-o", "audio.file.name="+os.DevNull, path)
	cmd.Stdin = strings.NewReader("inst 1\nquit\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("fluidsynth: %v", err)
	}
	var list []string
	for _, line := range strings.Split(string(out), "\n") {
		if len(line) > 8 && line[3] == '-' && line[7] == ' ' {
			list = append(list, strings.TrimRight(line, " "))
		}
	}
	return list
}

func sameSet(t *testing.T, what string, got, want []string) {
	t.Helper()
	g, w := append([]string(nil), got...), append([]string(nil), want...)
	for i := range g {
		g[i] = strings.TrimRight(g[i], " ")
	}
	for i := range w {
		w[i] = strings.TrimRight(w[i], " ")
	}
	if len(g) != len(w) {
		t.Fatalf("%s: %d presets, want %d", what, len(g), len(w))
	}
	count := map[string]int{}
	for _, s := range w {
		count[s]++
	}
	for _, s := range g {
		if count[s]--; count[s] < 0 {
			t.Fatalf("%s: preset %q not in the reference list", what, s)
		}
	}
}

// TestSharedFonts: the shared test fonts load with every preset the file
// holds (counted by hand, and as FluidSynth lists them where it is
// installed), each with regions, every region inside its sample.
func TestSharedFonts(t *testing.T) {
	var paths []string
	for _, dir := range []string{"soundfonts", "soundfont-spec-test"} {
		m, _ := filepath.Glob(filepath.Join(testfiles.Dir(t, dir), "*.sf2"))
		paths = append(paths, m...)
	}
	wantCount := map[string]int{"sf_GMbank.sf2": 329}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			byHand := phdrByHand(t, b)
			if n, ok := wantCount[filepath.Base(path)]; ok && len(byHand) != n {
				t.Fatalf("%d phdr records, the README says %d", len(byHand), n)
			}
			sameSet(t, "against phdr", listing(f), byHand)
			checkFont(t, f)
			t.Run("fluidsynth", func(t *testing.T) {
				sameSet(t, "against fluidsynth", listing(f), fluidsynthListing(t, path))
			})
		})
	}
}

// TestFluidR3 compares FluidR3_GM with FluidSynth's listing of it.
func TestFluidR3(t *testing.T) {
	if _, err := os.Stat(fluidR3); err != nil {
		t.Skipf("%s absent (apt-get install fluid-soundfont-gm): skipping", fluidR3)
	}
	f, err := ReadFile(fluidR3)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Presets) != 189 || f.Info.Name != "Fluid R3 GM" {
		t.Fatalf("%d presets named %q, want 189 of Fluid R3 GM", len(f.Presets), f.Info.Name)
	}
	checkFont(t, f)
	sameSet(t, "against fluidsynth", listing(f), fluidsynthListing(t, fluidR3))
}

// checkFont asserts what every loaded font must satisfy.
func checkFont(t *testing.T, f *Font) {
	t.Helper()
	for i, s := range f.Samples {
		if s.Start > s.End || s.Start < 0 || s.End > len(f.Pool) || (s.End > s.Start && (s.LoopStart < s.Start || s.LoopEnd > s.End || s.LoopStart > s.LoopEnd)) {
			t.Fatalf("sample %d %q: [%d,%d) loop [%d,%d) in a pool of %d", i, s.Name, s.Start, s.End, s.LoopStart, s.LoopEnd, len(f.Pool))
		}
	}
	for _, p := range f.Presets {
		for i := range p.AllRegions {
			r := &p.AllRegions[i]
			if r.Sample < 0 || r.Sample >= len(f.Samples) {
				t.Fatalf("preset %q region %d: sample %d", p.Name, i, r.Sample)
			}
			s := f.Samples[r.Sample]
			if r.Start < s.Start || r.End > s.End || r.Start > r.End || r.LoopStart < s.Start || r.LoopEnd > s.End || r.LoopStart > r.LoopEnd {
				t.Fatalf("preset %q region %d: [%d,%d) loop [%d,%d) outside sample [%d,%d)", p.Name, i, r.Start, r.End, r.LoopStart, r.LoopEnd, s.Start, s.End)
			}
			if r.KeyLo > r.KeyHi || r.VelLo > r.VelHi || (r.LoopMode != 0 && r.LoopMode != 1 && r.LoopMode != 3) || r.Rate <= 0 {
				t.Fatalf("preset %q region %d: %+v", p.Name, i, r)
			}
			if len(r.Mods) > MaxModulators {
				t.Fatalf("preset %q region %d: %d modulators", p.Name, i, len(r.Mods))
			}
		}
	}
}
