package score

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkRead measures reading a JSON score of 10,000 notes.
func BenchmarkRead(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "lowpass", "cutoff": 1000}}}, "notes": [`)
	for i := 0; i < 10000; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"time": %g, "duration": 0.25, "instrument": "s", "key": %d, "gain": 0.5, "pan": -0.25}`, float64(i)*0.01, 40+i%40)
	}
	sb.WriteString(`]}`)
	in := sb.String()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Read("bench.json", strings.NewReader(in), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
