package bounce

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"

	"github.com/aether-audio/aether/midi"
)

// corpusRate renders the jazz-soft corpus at 16 kHz: its 2.3 hours of
// music (most of it four "play every instrument" files) then bounce in a
// few seconds, and every note of the corpus lies below 8 kHz anyway.
const corpusRate = 16000

// Every file of the jazz-soft corpus bounces audibly, or is silent because
// the file has nothing to play, or is rejected with a one-line error,
// exactly as docs/midi.md says.
func TestBounceJazzSoftCorpus(t *testing.T) {
	dir := testfiles.Dir(t, "midi-jazz-soft")
	want := testfiles.CorpusOutcomes(t, filepath.Join("..", "docs", "midi.md"))
	files, err := filepath.Glob(filepath.Join(dir, "*.mid"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no MIDI files in %s (%v)", dir, err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := map[string]string{}
	sem := make(chan struct{}, 2)
	for _, path := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			outcome := "plays"
			s, err := midi.ReadFile(path, midi.Options{SampleRate: corpusRate})
			switch {
			case err != nil:
				outcome = "rejected"
				if strings.ContainsRune(err.Error(), '\n') || !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("error %q: want one line naming the file", err)
				}
			case (raceEnabled || testing.Short()) && s.Frames > 60*corpusRate && len(s.Notes) > 0:
				// The hour-long "every instrument" files take too long
				// under the race detector; they played notes above.
			default:
				res, err := Render(context.Background(), s, io.Discard, Options{Workers: 1})
				switch {
				case err != nil:
					t.Errorf("%s: %v", path, err)
				case res.Silent() && len(s.Notes) == 0:
					outcome = "silent by design"
				case res.Silent():
					outcome = "silent with notes"
				}
			}
			mu.Lock()
			got[filepath.Base(path)] = outcome
			mu.Unlock()
		}()
	}
	wg.Wait()
	for name, o := range got {
		if want[name] != o {
			t.Errorf("%s: %s, docs/midi.md says %q", name, o, want[name])
		}
	}
	for name := range want {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: in docs/midi.md but not in %s", name, dir)
		}
	}
}
