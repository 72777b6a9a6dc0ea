package wav

import (
	"bytes"
	"errors"
	"math"
	"testing"
)

// ramp returns n frames of a deterministic test signal, including values
// beyond full scale that the PCM formats must clip.
func ramp(n int) (l, r []float32) {
	l, r = make([]float32, n), make([]float32, n)
	for i := range l {
		l[i] = float32(1.2 * math.Sin(float64(i)*0.01))
		r[i] = float32(0.5 * math.Cos(float64(i)*0.003))
	}
	return l, r
}

func bounce(t *testing.T, f Format, seed uint64, l, r []float32, step int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, 48000, int64(len(l)), seed)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(l); i += step {
		j := min(i+step, len(l))
		if err := w.Write(l[i:j], r[i:j]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterRoundTrip(t *testing.T) {
	l, r := ramp(3000)
	// PCM: one LSB of dither, half an LSB of rounding, and the reader's
	// 2^(n-1) scale against the writer's 2^(n-1)-1: under 3 LSB in all.
	tol := map[Format]float64{Float32: 0, PCM16: 3.0 / 32767, PCM24: 3.0 / 8388607}
	for _, f := range []Format{Float32, PCM16, PCM24} {
		t.Run(f.String(), func(t *testing.T) {
			b := bounce(t, f, 1, l, r, 700)
			if want := 44 + 3000*2*f.bytesPerSample() + map[bool]int{true: 14}[f == Float32]; len(b) != want {
				t.Fatalf("file is %d bytes, want %d", len(b), want)
			}
			a, err := Decode("out.wav", b)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != 48000 || len(a.Channels) != 2 || a.Frames() != 3000 {
				t.Fatalf("got rate %d, %d channels, %d frames", a.Rate, len(a.Channels), a.Frames())
			}
			for i := range l {
				wl := float64(l[i])
				if f != Float32 { // PCM clips, float keeps overs
					wl = math.Max(-1, math.Min(1, wl))
				}
				if d := math.Abs(float64(a.Channels[0][i]) - wl); d > tol[f] {
					t.Fatalf("left frame %d = %v, want %v (tolerance %v)", i, a.Channels[0][i], wl, tol[f])
				}
				if d := math.Abs(float64(a.Channels[1][i]) - float64(r[i])); d > tol[f] {
					t.Fatalf("right frame %d = %v, want %v", i, a.Channels[1][i], r[i])
				}
			}
		})
	}
}

// The bytes depend only on the input and the seed, not on how the caller
// cuts the stream into blocks; another seed changes the dither.
func TestWriterDeterministic(t *testing.T) {
	l, r := ramp(5000)
	for _, f := range []Format{Float32, PCM16, PCM24} {
		a := bounce(t, f, 7, l, r, 64)
		b := bounce(t, f, 7, l, r, 4999)
		if !bytes.Equal(a, b) {
			t.Errorf("%v: block size changed the bytes", f)
		}
		c := bounce(t, f, 8, l, r, 64)
		if f != Float32 && bytes.Equal(a, c) {
			t.Errorf("%v: seed does not change the dither", f)
		}
	}
}

func TestWriterFrameCount(t *testing.T) {
	l, r := ramp(10)
	w, err := NewWriter(&bytes.Buffer{}, PCM16, 48000, 5, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(l[:3], r[:3]); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); !errors.Is(err, ErrFrameCount) {
		t.Errorf("Close after 3 of 5 frames: %v", err)
	}
	w, _ = NewWriter(&bytes.Buffer{}, PCM16, 48000, 5, 0)
	if err := w.Write(l, r); !errors.Is(err, ErrFrameCount) {
		t.Errorf("writing 10 of 5 frames: %v", err)
	}
	if err := w.Write(l[:1], r[:2]); err == nil {
		t.Error("mismatched channel lengths accepted")
	}
}

func TestNewWriterBadArgs(t *testing.T) {
	if _, err := NewWriter(&bytes.Buffer{}, Float32, 48000, 1<<40, 0); !errors.Is(err, ErrLimit) {
		t.Errorf("2^40 frames: %v", err)
	}
	if _, err := NewWriter(&bytes.Buffer{}, Format(9), 48000, 1, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("format 9: %v", err)
	}
	if _, err := NewWriter(&bytes.Buffer{}, PCM16, 0, 1, 0); !errors.Is(err, ErrUnsupported) {
		t.Errorf("rate 0: %v", err)
	}
	if _, err := NewWriter(failWriter{}, PCM16, 48000, 1, 0); err == nil {
		t.Error("a failing io.Writer was not reported")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriterAllocs(t *testing.T) {
	l, r := ramp(4096)
	for _, f := range []Format{Float32, PCM16, PCM24} {
		w, err := NewWriter(discard{}, f, 48000, 1<<27, 1)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(20, func() { _ = w.Write(l, r) }); n != 0 {
			t.Errorf("%v: Write allocates %v times", f, n)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// A mono writer writes one channel, read back as mono within the rounding
// of each format, and refuses a second channel.
func TestMonoWriter(t *testing.T) {
	l, _ := ramp(2500)
	for _, f := range []Format{Float32, PCM16, PCM24} {
		var buf bytes.Buffer
		w, err := NewMonoWriter(&buf, f, 22050, int64(len(l)), 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(l[:100], l[:100]); err == nil {
			t.Errorf("%v: a right channel was accepted", f)
		}
		for i := 0; i < len(l); i += 999 {
			if err := w.Write(l[i:min(i+999, len(l))], nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if want := 44 + 2500*f.bytesPerSample() + map[bool]int{true: 14}[f == Float32]; buf.Len() != want {
			t.Errorf("%v: %d bytes, want %d", f, buf.Len(), want)
		}
		a, err := Decode("mono.wav", buf.Bytes())
		if err != nil || a.Rate != 22050 || len(a.Channels) != 1 || a.Frames() != 2500 {
			t.Fatalf("%v: %v, %d channels", f, err, len(a.Channels))
		}
		for i, v := range a.Channels[0] {
			want := float64(l[i])
			if f != Float32 {
				want = math.Max(-1, math.Min(1, want))
			}
			if math.Abs(float64(v)-want) > 3.0/32767 {
				t.Fatalf("%v: frame %d = %v, want %v", f, i, v, want)
			}
		}
	}
}
