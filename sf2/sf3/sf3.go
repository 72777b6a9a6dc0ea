// Package sf3 lets package sf2 read SF3 fonts: SoundFonts whose samples
// are Ogg Vorbis streams (MuseScore's format, read as FluidSynth 2.3.1
// reads it). It decodes them with github.com/jfreymuth/oggvorbis, kept
// out of package sf2 so that programs reading only SF2 do not link it:
//
//	font, err := sf2.Options{Decoder: sf3.Decoder{}}.ReadFile("FluidR3Mono_GM.sf3")
//
// docs/sf2.md has the rules and limits.
package sf3

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/jfreymuth/oggvorbis"

	"github.com/aether-audio/aether/sf2"
)

// Decoder is the sf2.SampleDecoder for Ogg Vorbis samples. It holds no
// state: one value serves any number of goroutines.
type Decoder struct{}

var _ sf2.SampleDecoder = Decoder{}

// Options returns o with the Vorbis decoder set.
func Options(o sf2.Options) sf2.Options {
	o.Decoder = Decoder{}
	return o
}

// ReadFile reads the SoundFont (SF2 or SF3) at path with the spec's
// modulator rules.
func ReadFile(path string) (*sf2.Font, error) {
	return Options(sf2.Options{}).ReadFile(path)
}

// check walks the stream's pages and checks its headers (ogg.go),
// returning the frames it declares.
func check(stream []byte) (int, error) {
	n, headers, err := streamInfo(stream)
	if err != nil {
		return 0, err
	}
	if err := checkHeaders(headers); err != nil {
		return 0, err
	}
	if n <= 0 || n != int64(int(n)) {
		return 0, fmt.Errorf("declares %d frames", n)
	}
	return int(n), nil
}

// Frames returns the length the stream's last page declares, after
// checking its framing and headers; it decodes nothing.
func (Decoder) Frames(stream []byte) (int, error) { return check(stream) }

// Decode decodes the stream into dst, stopping with an error as soon as
// it yields more frames than dst holds, or at its end with fewer.
func (Decoder) Decode(dst []float32, stream []byte) (err error) {
	if _, err := check(stream); err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("undecodable (%v)", p)
		}
	}()
	r, err := oggvorbis.NewReader(bytes.NewReader(stream))
	if err != nil {
		return err
	}
	for got := 0; got < len(dst); {
		n, err := r.Read(dst[got:])
		got += n
		switch {
		case errors.Is(err, io.EOF):
			return fmt.Errorf("decodes to %d frames, declares %d", got, len(dst))
		case err != nil:
			return err
		case n == 0:
			return fmt.Errorf("decoding stalls after %d of %d frames", got, len(dst))
		}
	}
	// dst is full: the stream must end here.
	var more [1]float32
	n, err := r.Read(more[:])
	if n > 0 {
		return fmt.Errorf("decodes to more than the %d frames it declares", len(dst))
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	// The decoder clamps to [-1, 1] but lets NaN through (a corrupt
	// stream can make one).
	for i, x := range dst {
		if x != x {
			return fmt.Errorf("decodes to NaN at frame %d", i)
		}
	}
	return nil
}
