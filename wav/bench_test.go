package wav

import "testing"

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
