package sf2

import (
	"encoding/binary"
	"math"
	"testing"
)

// pcm16 gives every 16-bit value as v / 32768, the same bits as the
// division, at every length and alignment of the 8-frame loop.
func TestPCM16(t *testing.T) {
	b := make([]byte, 2*65536)
	for v := range 65536 {
		binary.LittleEndian.PutUint16(b[2*v:], uint16(v))
	}
	dst := make([]float32, 65536)
	pcm16(dst, b)
	for v := range 65536 {
		want := float32(int16(uint16(v))) / 32768
		if math.Float32bits(dst[v]) != math.Float32bits(want) {
			t.Fatalf("value %#04x: got %g, want %g", v, dst[v], want)
		}
	}
	for n := range 20 {
		for off := range 3 {
			dst := make([]float32, n+1)
			dst[n] = 7 // past the end: untouched
			pcm16(dst[:n], b[2*(1000+off):])
			for i := range n {
				if want := float32(int16(uint16(1000+off+i))) / 32768; dst[i] != want {
					t.Fatalf("length %d, offset %d, frame %d: got %g, want %g", n, off, i, dst[i], want)
				}
			}
			if dst[n] != 7 {
				t.Fatalf("length %d: wrote past the end", n)
			}
		}
	}
}
