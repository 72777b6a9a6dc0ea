package wav

import (
	"strconv"
	"testing"
)

// BenchmarkWrite measures the writer's conversion cost per second of
// 48 kHz stereo audio, written in 64-frame blocks as a bounce does.
func BenchmarkWrite(b *testing.B) {
	l, r := ramp(48000)
	for _, f := range []Format{Float32, PCM16, PCM24} {
		b.Run(f.String(), func(b *testing.B) {
			w, err := NewWriter(discard{}, f, 48000, int64(b.N+1)*48000, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(48000 * 2 * int64(f.bytesPerSample()))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				for j := 0; j < len(l); j += 64 {
					if err := w.Write(l[j:j+64], r[j:j+64]); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkPCM measures the output conversion with dither, per sample.
func BenchmarkPCM(b *testing.B) {
	for _, bytes := range []int{2, 3} {
		b.Run("pcm"+strconv.Itoa(8*bytes), func(b *testing.B) {
			src := make([]float32, 1024)
			for i := range src {
				src[i] = float32(i%200)/100 - 1
			}
			dst := make([]byte, bytes*len(src))
			d := newDither(1)
			b.SetBytes(int64(4 * len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if bytes == 2 {
					pcm16(dst, src, d)
				} else {
					pcm24(dst, src, d)
				}
			}
		})
	}
}
