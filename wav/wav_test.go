package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// build assembles a WAV file from a fmt chunk body and extra chunks.
func build(fmtBody []byte, chunks ...[]byte) []byte {
	var b []byte
	b = append(b, "RIFF\x00\x00\x00\x00WAVE"...)
	b = append(b, chunk("fmt ", fmtBody)...)
	for _, c := range chunks {
		b = append(b, c...)
	}
	binary.LittleEndian.PutUint32(b[4:], uint32(len(b)-8))
	return b
}

func chunk(id string, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func fmtPCM(tag uint16, channels, rate, bits int) []byte {
	le := binary.LittleEndian
	var b []byte
	b = le.AppendUint16(b, tag)
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*channels*bits/8))
	b = le.AppendUint16(b, uint16(channels*bits/8))
	b = le.AppendUint16(b, uint16(bits))
	return b
}

func fmtExtensible(sub uint16, channels, rate, bits int) []byte {
	b := fmtPCM(tagExtensible, channels, rate, bits)
	le := binary.LittleEndian
	b = le.AppendUint16(b, 22)
	b = le.AppendUint16(b, uint16(bits))
	b = le.AppendUint32(b, 3) // channel mask
	b = le.AppendUint16(b, sub)
	b = append(b, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"...)
	return b
}

func TestDecodeEncodings(t *testing.T) {
	le := binary.LittleEndian
	// Two stereo frames: (0.5, -0.5), (-1, 0.25) in each encoding.
	var p16, p24, p32, f32 []byte
	for _, v := range []float64{0.5, -0.5, -1, 0.25} {
		p16 = le.AppendUint16(p16, uint16(int16(v*32768)))
		i24 := int32(v * (1 << 23))
		p24 = append(p24, byte(i24), byte(i24>>8), byte(i24>>16))
		p32 = le.AppendUint32(p32, uint32(int32(v*(1<<31))))
		f32 = le.AppendUint32(f32, math.Float32bits(float32(v)))
	}
	cases := []struct {
		name string
		file []byte
	}{
		{"pcm16", build(fmtPCM(tagPCM, 2, 44100, 16), chunk("data", p16))},
		{"pcm24", build(fmtPCM(tagPCM, 2, 44100, 24), chunk("data", p24))},
		{"pcm32", build(fmtPCM(tagPCM, 2, 44100, 32), chunk("data", p32))},
		{"float32", build(fmtPCM(tagFloat, 2, 44100, 32), chunk("data", f32))},
		{"extensible-pcm24", build(fmtExtensible(tagPCM, 2, 44100, 24), chunk("data", p24))},
		{"extensible-float", build(fmtExtensible(tagFloat, 2, 44100, 32), chunk("data", f32))},
		// An odd-sized unknown chunk with its pad byte before the data.
		{"odd-chunk", build(fmtPCM(tagPCM, 2, 44100, 16), chunk("LIST", []byte("abc")), chunk("data", p16))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Decode(c.name, c.file)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate != 44100 || len(a.Channels) != 2 || a.Frames() != 2 {
				t.Fatalf("got rate %d, %d channels, %d frames", a.Rate, len(a.Channels), a.Frames())
			}
			want := [][]float32{{0.5, -1}, {-0.5, 0.25}}
			for ch := range want {
				for i, w := range want[ch] {
					if a.Channels[ch][i] != w {
						t.Errorf("channel %d frame %d = %v, want %v", ch, i, a.Channels[ch][i], w)
					}
				}
			}
		})
	}
}

func TestDecodeMono(t *testing.T) {
	data := binary.LittleEndian.AppendUint16(nil, 0xC000)
	a, err := Decode("mono.wav", build(fmtPCM(tagPCM, 1, 8000, 16), chunk("data", data)))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Channels) != 1 || a.Channels[0][0] != -0.5 {
		t.Fatalf("got %v", a.Channels)
	}
}

func TestDecodeBadInput(t *testing.T) {
	good := build(fmtPCM(tagPCM, 2, 44100, 16), chunk("data", make([]byte, 8)))
	// A data chunk claiming 4 GiB in a 60-byte file must fail before any
	// allocation of that size.
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(huge[len(huge)-12:], 0xFFFFFFF0)
	cases := []struct {
		name string
		file []byte
		err  error
		want string
	}{
		{"empty", nil, ErrNotWAV, "byte 0x0"},
		{"not-riff", []byte("this is not a wav file at all"), ErrNotWAV, "byte 0x0"},
		{"truncated", good[:len(good)-3], ErrTruncated, "chunk \"data\""},
		{"huge-data", huge, ErrTruncated, "declares 4294967280 bytes"},
		{"partial-frame", build(fmtPCM(tagPCM, 2, 44100, 16), chunk("data", make([]byte, 6))), ErrTruncated, "not whole"},
		{"no-fmt", append([]byte("RIFF\x00\x00\x00\x00WAVE"), chunk("data", make([]byte, 4))...), ErrCorrupt, "before fmt"},
		{"no-data", build(fmtPCM(tagPCM, 2, 44100, 16)), ErrCorrupt, "no data chunk"},
		{"short-fmt", build([]byte{1, 0, 2, 0}, chunk("data", nil)), ErrCorrupt, "need 16"},
		{"8-bit", build(fmtPCM(tagPCM, 1, 44100, 8), chunk("data", nil)), ErrUnsupported, "8 bits"},
		{"6-channels", build(fmtPCM(tagPCM, 6, 44100, 16), chunk("data", nil)), ErrUnsupported, "6 channels"},
		{"rate-0", build(fmtPCM(tagPCM, 2, 0, 16), chunk("data", nil)), ErrUnsupported, "sample rate 0"},
		{"bad-align", func() []byte {
			f := fmtPCM(tagPCM, 2, 44100, 16)
			f[12] = 3
			return build(f, chunk("data", nil))
		}(), ErrCorrupt, "block align 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode("in.wav", c.file)
			checkErr(t, err, c.err, c.want)
		})
	}
}

func TestReadLimit(t *testing.T) {
	_, err := Read("big.wav", bytes.NewReader(make([]byte, 100)), 50)
	checkErr(t, err, ErrLimit, "larger than 50 bytes")
}

func TestReadFileMissing(t *testing.T) {
	if _, err := ReadFile("/nonexistent/x.wav"); err == nil || !strings.Contains(err.Error(), "/nonexistent/x.wav") {
		t.Fatalf("got %v", err)
	}
}

// checkErr asserts err wraps want, is one line, names the input and
// contains the place or detail sub.
func checkErr(t *testing.T, err, want error, sub string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", want)
	}
	msg := err.Error()
	if !errors.Is(err, want) {
		t.Errorf("error %q does not wrap %v", msg, want)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.Contains(msg, "in.wav") && !strings.Contains(msg, "big.wav") {
		t.Errorf("error %q does not name the input", msg)
	}
	if !strings.Contains(msg, sub) {
		t.Errorf("error %q does not contain %q", msg, sub)
	}
}

// TestDecodeRefusesNonFiniteFloats: NaN or Inf in a float file is a broken
// file, named by channel and frame, not silence passed on to the mix.
func TestDecodeRefusesNonFiniteFloats(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		var data []byte
		for _, v := range []float32{0.5, -0.5, 0.25, 0.1, bad, 0.2} { // stereo: frame 2, channel 0 is bad
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
		}
		_, err := Decode("in.wav", build(fmtPCM(tagFloat, 2, 48000, 32), chunk("data", data)))
		checkErr(t, err, ErrCorrupt, "channel 0, frame 2")
	}
}
