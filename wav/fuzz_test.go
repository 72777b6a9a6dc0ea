package wav

import (
	"bytes"
	"math"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
)

// FuzzReadWAV asserts Decode never panics, that errors are one line of
// printable text even under a hostile file name, and that a successful decode
// yields 1 or 2 equally long channels of finite samples within [-1, 1]
// for PCM (float files may carry overs, never NaN or Inf).
func FuzzReadWAV(f *testing.F) {
	l, r := ramp(40)
	for _, ft := range []Format{Float32, PCM16, PCM24} {
		var buf bytes.Buffer
		w, _ := NewWriter(&buf, ft, 44100, 40, 1)
		_ = w.Write(l, r)
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:50])
	}
	f.Add(build(fmtExtensible(tagPCM, 1, 8000, 24), chunk("data", make([]byte, 9))))
	f.Add(build(fmtPCM(tagPCM, 2, 44100, 16), chunk("LIST", []byte("x")), chunk("data", make([]byte, 8))))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode("up\nload\u202e.wav", data)
		if err != nil {
			if !errtext.Plain(err.Error()) {
				t.Fatalf("error %q is not one line of printable text", err)
			}
			return
		}
		if len(a.Channels) < 1 || len(a.Channels) > 2 {
			t.Fatalf("%d channels", len(a.Channels))
		}
		if a.Frames()*2 > len(data) { // a frame takes at least 2 bytes
			t.Fatalf("%d frames from %d bytes", len(a.Channels[0]), len(data))
		}
		for _, ch := range a.Channels {
			if len(ch) != a.Frames() {
				t.Fatal("channels differ in length")
			}
			for _, v := range ch {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("non-finite sample %v", v)
				}
			}
		}
	})
}
