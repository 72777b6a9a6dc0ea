package midi

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aether-audio/aether/internal/testfiles"
)

// BenchmarkDecode measures reading whole files of the shared corpus.
func BenchmarkDecode(b *testing.B) {
	for _, f := range []string{"midi-bench/organ_1000.mid", "midi-jazz-soft/test-all-gs-sounds.mid"} {
		dir := testfiles.Dir(b, filepath.Dir(f))
		data, err := os.ReadFile(filepath.Join(dir, filepath.Base(f)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(filepath.Base(f), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := Decode(f, data, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
