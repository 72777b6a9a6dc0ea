package score

import (
	"strings"
	"testing"

	"github.com/aether-audio/aether/internal/errtext"
)

// hostileName is an input name that would break a log line if printed as
// is: a newline, and a right-to-left override that reorders what follows.
const hostileName = "up\nload\u202e.json"

// Every error is one line of printable text, whatever the input name,
// keys, instrument names or tokens hold; such text is quoted.
func TestErrorsAreOneLine(t *testing.T) {
	for _, in := range []string{
		`{"sample_rate": 48000, "a\nb": 1, "a\nb": 2}`,
		`{"sample_rate": 48000, "instruments": {"x\ny": {"osc": "sine"}, "x\ny": {"osc": "sine"}}}`,
		`{"sample_rate": 48000, "instruments": {"x\ny": {"osc": "sine", "attack": -1}}}`,
		`{"sample_rate": 48000, "instruments": {"x\u202ey": {"osc": "sine", "gain": 99}}}`,
		`{"sample_rate": 48000, "instruments": {"x\ny": {"osc": "wavetable", "table": [1,2,3]}}}`,
		`{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "filter": {"type": "lowpass", "cutoff": 1, "cut\noff": 2, "cut\noff": 3}}}}`,
		`["a\nb"]`,
		`{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "a\nb.wav"}}}`,
		`{"sample_rate": 48000, "instruments": {"s": {"osc": "fm\u202e"}}}`,
		`{"sample_rate": 48000, "notes": [{"time": 0, "duration": 1, "instrument": "p\u200biano", "key": 60}]}`,
	} {
		_, err := Read(hostileName, strings.NewReader(in), Options{Dir: "testdata", Limits: Limits{MaxTable: 2}})
		if err == nil {
			t.Errorf("%s: no error", in)
			continue
		}
		if msg := err.Error(); !errtext.Plain(msg) {
			t.Errorf("%s: error %q holds a control or format character", in, msg)
		}
	}
	s := &Score{Name: hostileName, SampleRate: 48000, Frames: 10,
		Instruments: []Instrument{{Name: "bad\nname", Osc: Sine, Sustain: 2, Gain: 1}}}
	if err := s.Validate(Limits{}); err == nil || !errtext.Plain(err.Error()) {
		t.Errorf("Validate: %q", err)
	}
}
