package score

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func TestReadExamples(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(files) < 2 {
		t.Fatalf("found %d example scores", len(files))
	}
	for _, f := range files {
		s, err := ReadFile(f, Options{})
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if err := s.Validate(Limits{}); err != nil {
			t.Errorf("%s: read score fails Validate: %v", f, err)
		}
	}
}

func TestReadExampleResolved(t *testing.T) {
	s, err := ReadFile(filepath.Join("testdata", "example.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range s.Instruments {
		names = append(names, in.Name)
	}
	if want := []string{"hat", "lead", "pad", "pluck", "reed"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("instruments %v, want sorted %v", names, want)
	}
	if len(s.Notes) != 6 {
		t.Fatalf("%d notes", len(s.Notes))
	}
	// Sorted by start, stable: lead key 60 and pad both start at 0, in input order.
	n0, n1 := s.Notes[0], s.Notes[1]
	if n0.Start != 0 || s.Instruments[n0.Instrument].Name != "lead" || math.Abs(n0.Freq-261.6256) > 1e-3 {
		t.Errorf("notes[0] = %+v", n0)
	}
	if s.Instruments[n1.Instrument].Name != "pad" || n1.Gain != 0.3 {
		t.Errorf("notes[1] = %+v", n1)
	}
	if n := s.Notes[2]; n.Start != 12000 || n.Length != 480 || n.Pan != 0.7 {
		t.Errorf("notes[2] (hat) = %+v", n)
	}
	// Default duration: pad ends at 2 s plus its 1 s release.
	if s.Frames != 3*48000 {
		t.Errorf("Frames = %d, want %d", s.Frames, 3*48000)
	}
	pluck := s.Instruments[3]
	if pluck.Sample == nil || pluck.Sample.Frames() != 100 || !pluck.Loop || pluck.LoopStart != 10 || pluck.LoopEnd != 90 {
		t.Errorf("pluck = %+v", pluck)
	}
	lead := s.Instruments[1]
	if lead.Filter == nil || lead.Filter.Type != Lowpass || lead.Filter.Cutoff != 2000 || lead.Sustain != 0.7 {
		t.Errorf("lead = %+v", lead)
	}
	if reed := s.Instruments[4]; reed.PulseWidth != 0.3 || reed.Attack != DefaultAttack || reed.Gain != 0.5 {
		t.Errorf("reed = %+v", reed)
	}
}

func TestReadMinimalExplicitDuration(t *testing.T) {
	s, err := ReadFile(filepath.Join("testdata", "minimal.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Frames != 88200 || s.Notes[0].Start != 22050 || s.Notes[0].Length != 44100 {
		t.Fatalf("got Frames %d, note %+v", s.Frames, s.Notes[0])
	}
}

const okInst = `"instruments": {"s": {"osc": "sine"}}`

func TestReadBadInput(t *testing.T) {
	cases := []struct {
		name, json string
		err        error
		place      string
	}{
		{"empty", ``, ErrSyntax, "line 1"},
		{"malformed", "{\"sample_rate\": 48000,\n \"notes\": [}", ErrSyntax, "line 2, col"},
		{"truncated", `{"sample_rate": 48000, "notes": [`, ErrSyntax, "unexpected end"},
		{"trailing", `{"sample_rate": 48000, ` + okInst + `, "notes": []} x`, ErrSyntax, "trailing data"},
		{"two-objects", `{"sample_rate": 48000, ` + okInst + `, "notes": []} {}`, ErrSyntax, "trailing data"},
		{"unknown-top", `{"sample_rate": 48000, "tempo": 120}`, ErrUnknownField, `"tempo"`},
		{"unknown-note", "{\"sample_rate\": 48000, " + okInst + ",\n\"notes\": [{\"time\": 0, \"vel\": 3}]}", ErrUnknownField, `line 2, col`},
		{"unknown-inst-field", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "colour": 1}}}`, ErrUnknownField, `"colour"`},
		{"wrong-type", `{"sample_rate": "fast"}`, ErrInvalid, "sample_rate"},
		{"no-rate", `{"notes": []}`, ErrInvalid, "sample_rate: "},
		{"rate-low", `{"sample_rate": 100}`, ErrInvalid, "sample_rate: "},
		{"rate-high", `{"sample_rate": 1000000}`, ErrInvalid, "sample_rate: "},
		{"bad-osc", `{"sample_rate": 48000, "instruments": {"s": {"osc": "fm"}}}`, ErrInvalid, "instruments.s.osc"},
		{"null-inst", `{"sample_rate": 48000, "instruments": {"s": null}}`, ErrInvalid, "instruments.s.osc"},
		{"neg-attack", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "attack": -1}}}`, ErrInvalid, "instruments.s.attack"},
		{"sustain", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "sustain": 2}}}`, ErrInvalid, "instruments.s.sustain"},
		{"pulse", `{"sample_rate": 48000, "instruments": {"s": {"osc": "square", "pulse_width": 1}}}`, ErrInvalid, "instruments.s.pulse_width"},
		{"filter-type", `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "comb", "cutoff": 1}}}}`, ErrInvalid, "instruments.s.filter.type"},
		{"filter-cutoff", `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "lowpass", "cutoff": 30000}}}}`, ErrInvalid, "instruments.s.filter.cutoff"},
		{"filter-no-cutoff", `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "lowpass"}}}}`, ErrInvalid, "instruments.s.filter.cutoff"},
		{"resonance", `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "lowpass", "cutoff": 100, "resonance": 1.5}}}}`, ErrInvalid, "filter.resonance"},
		{"table-missing", `{"sample_rate": 48000, "instruments": {"s": {"osc": "wavetable"}}}`, ErrInvalid, "instruments.s.table"},
		{"table-short", `{"sample_rate": 48000, "instruments": {"s": {"osc": "wavetable", "table": [1]}}}`, ErrInvalid, "instruments.s.table"},
		{"table-on-sine", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "table": [1, 2]}}}`, ErrInvalid, "instruments.s.table"},
		{"sample-missing-file", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "nope.wav"}}}`, ErrSample, "instruments.s.sample"},
		{"sample-not-wav", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "minimal.json"}}}`, ErrSample, "not a RIFF"},
		{"loop-range", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sample", "sample": "pluck.wav", "loop": true, "loop_end": 500}}}`, ErrInvalid, "instruments.s.loop_end"},
		{"unknown-instrument", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "piano", "freq": 440}]}`, ErrUnknownInstrument, `notes[0].instrument`},
		{"neg-time", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "freq": 1}, {"time": -1, "duration": 1, "instrument": "s", "freq": 440}]}`, ErrInvalid, "notes[1].time"},
		{"no-time", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"duration": 1, "instrument": "s", "freq": 440}]}`, ErrInvalid, "notes[0].time"},
		{"zero-duration", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 0, "instrument": "s", "freq": 440}]}`, ErrInvalid, "notes[0].duration"},
		{"neg-freq", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "freq": -3}]}`, ErrInvalid, "notes[0].freq: invalid value: must be a positive finite number below Nyquist (24000 Hz), got -3"},
		{"freq-nyquist", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "freq": 24000}]}`, ErrInvalid, "notes[0].freq"},
		{"freq-and-key", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "freq": 1, "key": 60}]}`, ErrInvalid, "notes[0].freq"},
		{"no-pitch", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s"}]}`, ErrInvalid, "notes[0].freq"},
		{"key-range", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 128}]}`, ErrInvalid, "notes[0].key"},
		{"gain", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60, "gain": -1}]}`, ErrInvalid, "notes[0].gain"},
		{"pan", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60, "pan": 1.5}]}`, ErrInvalid, "notes[0].pan"},
		{"ten-hours", `{"sample_rate": 48000, "duration": 36000, ` + okInst + `, "notes": []}`, ErrLimit, "duration"},
		{"note-ten-hours", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 36000, "duration": 1, "instrument": "s", "key": 60}]}`, ErrInvalid, "notes[0].time"},
		{"neg-duration", `{"sample_rate": 48000, "duration": -1, ` + okInst + `, "notes": []}`, ErrInvalid, "duration"},
		{"note-past-end", `{"sample_rate": 48000, "duration": 1, ` + okInst + `, "notes": [{"time": 2, "duration": 1, "instrument": "s", "key": 60}]}`, ErrInvalid, "notes[0].time"},
		// A key given twice is refused, not settled by the last one.
		{"dup-top", `{"sample_rate": 48000, "duration": 2, "duration": 200, ` + okInst + `, "notes": []}`, ErrInvalid, "duration: invalid value: the key is given twice"},
		{"dup-instrument", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine"}, "s": {"osc": "saw"}}}`, ErrInvalid, "instruments.s: invalid value: the instrument is defined twice"},
		{"dup-note-field", "{\"sample_rate\": 48000, " + okInst + ",\n\"notes\": [{\"time\": 0, \"duration\": 1, \"instrument\": \"s\", \"key\": 60, \"time\": 5}]}", ErrInvalid, "line 2, col 68: notes[0].time: invalid value: the key is given twice"},
		{"dup-case", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60, "KEY": 61}]}`, ErrInvalid, "notes[0].KEY: invalid value: the key is given twice"},
		{"dup-escaped", `{"sample_rate": 48000, ` + okInst + `, "notes": [{"time": 0, "duration": 1, "instrument": "s", "key": 60, "\u006bey": 61}]}`, ErrInvalid, "notes[0].key: invalid value: the key is given twice"},
		{"dup-nested", `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "filter": {"type": "lowpass", "cutoff": 100, "cutoff": 9000}}}}`, ErrInvalid, "instruments.s.filter.cutoff: invalid value: the key is given twice"},
		{"dup-inst-field", `{"sample_rate": 48000, "instruments": {"s": {"osc": "sine", "gain": 0.5, "osc": "saw"}}}`, ErrInvalid, "instruments.s.osc: invalid value: the key is given twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Read("song.json", strings.NewReader(c.json), Options{Dir: "testdata"})
			checkErr(t, err, c.err, c.place)
		})
	}
}

// TestReadSameKeysInOtherObjects checks that the duplicate-key check looks
// at one object at a time: the same keys in sibling notes, in an
// instrument and its filter, and key-like strings among the values are
// all fine.
func TestReadSameKeysInOtherObjects(t *testing.T) {
	in := `{"sample_rate": 48000, "instruments": {
	  "type": {"osc": "saw", "filter": {"type": "lowpass", "cutoff": 900}},
	  "time": {"osc": "sine"}},
	 "notes": [{"time": 0, "duration": 1, "instrument": "type", "key": 60},
	           {"time": 1, "duration": 1, "instrument": "time", "key": 62},
	           {"time": 2, "duration": 1, "instrument": "time", "key": 64, "gain": 0.5}]}`
	s, err := Read("song.json", strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 3 || len(s.Instruments) != 2 {
		t.Errorf("%d notes, %d instruments; want 3 and 2", len(s.Notes), len(s.Instruments))
	}
}

func TestReadLimits(t *testing.T) {
	notes := `{"sample_rate": 48000, ` + okInst + `, "notes": [` +
		strings.Repeat(`{"time": 0, "duration": 1, "instrument": "s", "key": 60},`, 10) +
		`{"time": 0, "duration": 1, "instrument": "s", "key": 60}]}`
	_, err := Read("song.json", strings.NewReader(notes), Options{Limits: Limits{MaxNotes: 10}})
	checkErr(t, err, ErrLimit, "notes: limit exceeded: more than 10 notes")

	_, err = Read("song.json", strings.NewReader(notes), Options{Limits: Limits{MaxInputBytes: 100}})
	checkErr(t, err, ErrLimit, "larger than 100 bytes")

	// A 10-hour score passes once the caller raises the limit.
	long := `{"sample_rate": 8000, "duration": 36000, ` + okInst + `, "notes": []}`
	s, err := Read("song.json", strings.NewReader(long), Options{Limits: Limits{MaxSeconds: 36000}})
	if err != nil || s.Frames != 36000*8000 {
		t.Fatalf("raised limit: %v", err)
	}
	huge := `{"sample_rate": 48000, "instruments": {"w": {"osc": "wavetable", "table": [0` + strings.Repeat(",0", MaxTableCap) + `]}}}`
	_, err = Read("song.json", strings.NewReader(huge), Options{})
	checkErr(t, err, ErrLimit, "instruments.w.table")
	table := `{"sample_rate": 48000, "instruments": {"w": {"osc": "wavetable", "table": [1,2,3,4,5]}}, "notes": []}`
	_, err = Read("song.json", strings.NewReader(table), Options{Limits: Limits{MaxTable: 4}})
	checkErr(t, err, ErrLimit, "instruments.w.table")
}

// checkErr asserts err wraps want, is one line, names the input and
// contains place.
func checkErr(t *testing.T, err, want error, place string) {
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
	if !strings.HasPrefix(msg, "song.json: ") {
		t.Errorf("error %q does not start with the input name", msg)
	}
	if !strings.Contains(msg, place) {
		t.Errorf("error %q does not contain %q", msg, place)
	}
}

// The schema must name exactly the fields the reader accepts, at every
// level, so the two cannot drift apart.
func TestSchemaMatchesReader(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "score.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Schema     string                     `json:"$schema"`
		Properties map[string]json.RawMessage `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatalf("schema is not valid JSON: %v", err)
	}
	if schema.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema = %q", schema.Schema)
	}
	check := func(level string, got map[string]json.RawMessage, v any) {
		t.Helper()
		if fields, props := tags(v), keys(got); !reflect.DeepEqual(fields, props) {
			t.Errorf("%s: reader accepts %v, schema names %v", level, fields, props)
		}
	}
	// The top level is streamed, not a struct: probe the reader with each
	// key the schema names, and with keys it must refuse.
	for k := range schema.Properties {
		_, err := Read("song.json", strings.NewReader(`{"`+k+`": null}`), Options{})
		if errors.Is(err, ErrUnknownField) {
			t.Errorf("schema names top-level %q, the reader refuses it: %v", k, err)
		}
	}
	if len(schema.Properties) != 4 {
		t.Errorf("schema names %d top-level fields, the reader accepts 4: %v", len(schema.Properties), keys(schema.Properties))
	}
	inst := schema.Defs["instrument"].Properties
	instProps := map[string]json.RawMessage{}
	for k := range inst {
		instProps[k] = nil
	}
	check("instrument", instProps, jsonInstrument{})
	check("filter", inst["filter"].Properties, jsonFilter{})
	check("preset", inst["preset"].Properties, jsonPreset{})
	noteProps := map[string]json.RawMessage{}
	for k := range schema.Defs["note"].Properties {
		noteProps[k] = nil
	}
	check("note", noteProps, jsonNote{})
}

func tags(v any) []string {
	var out []string
	rt := reflect.TypeOf(v)
	for i := 0; i < rt.NumField(); i++ {
		out = append(out, strings.Split(rt.Field(i).Tag.Get("json"), ",")[0])
	}
	sort.Strings(out)
	return out
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// A score renders at another rate when asked: times are seconds, so the
// frames follow the rate; what the new Nyquist frequency forbids is an
// error saying which rate was asked for.
func TestRenderAtAnotherRate(t *testing.T) {
	js := `{"sample_rate": 48000, "instruments": {"s": {"osc": "saw", "release": 0.5, "filter": {"type": "lowpass", "cutoff": 6000}}},
		"notes": [{"time": 0.5, "duration": 1, "instrument": "s", "key": 69}]}`
	s, err := Read("song.json", strings.NewReader(js), Options{SampleRate: 16000})
	if err != nil {
		t.Fatal(err)
	}
	if s.SampleRate != 16000 || s.Notes[0].Start != 8000 || s.Notes[0].Length != 16000 || s.Frames != 16000*2 {
		t.Errorf("rate %d, note %+v, %d frames", s.SampleRate, s.Notes[0], s.Frames)
	}
	_, err = Read("song.json", strings.NewReader(js), Options{SampleRate: 8000})
	checkErr(t, err, ErrInvalid, "instruments.s.filter.cutoff: invalid value: must be Hz in (0, 4000), got 6000 (rendering at 8000 Hz instead of the score's sample_rate of 48000 Hz)")
	_, err = Read("song.json", strings.NewReader(js), Options{SampleRate: 100})
	checkErr(t, err, ErrInvalid, "sample_rate")
}
