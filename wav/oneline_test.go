package wav

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
)

// Every error is one line of printable text, whatever the file's name.
func TestErrorsAreOneLine(t *testing.T) {
	const name = "up\nload\u202e.wav"
	for _, data := range [][]byte{nil, []byte("RIFF\x00\x00\x00\x00WAVE"), build(fmtPCM(tagPCM, 3, 8000, 16), chunk("data", nil))} {
		if _, err := Decode(name, data); err == nil || !errtext.Plain(err.Error()) {
			t.Errorf("%q: error %q", data, err)
		}
	}
	if _, err := Read(name, bytes.NewReader(make([]byte, 100)), 10); err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("too large: error %q", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), name)); err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("missing file: error %q", err)
	}
}
