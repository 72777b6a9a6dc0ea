package midi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
)

// hostileName is a file name that would break a log line if printed as
// is: a newline, and a right-to-left override that reorders what follows.
const hostileName = "up\nload\u202e.mid"

// Every error is one line of printable text, whatever the file's name.
func TestErrorsAreOneLine(t *testing.T) {
	long := ev(on(0, 0, 60, 100))
	for range 20 {
		long = append(long, 0x8F, 0xFF, 0xFF, 0x7F, 0x80, 60, 0) // far in the future
	}
	for _, data := range [][]byte{
		nil, []byte("RIFF"), smf(0, 0, ev(eot(0))), smf(0, tpq, []byte{0, 0x90}),
		smf(0, tpq, append(long, eot(0)...)),
	} {
		_, err := Decode(hostileName, data, Options{})
		if err == nil || !errtext.Plain(err.Error()) {
			t.Errorf("%q: error %q", data, err)
		}
	}
	dir := t.TempDir()
	if _, err := ReadFile(filepath.Join(dir, hostileName), Options{}); err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("missing file: error %q", err)
	}
	os.WriteFile(filepath.Join(dir, "x.mid"), []byte("MThd"), 0o644)
	if _, err := Read(hostileName, must(os.Open(filepath.Join(dir, "x.mid"))), Options{}); err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("short file: error %q", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
