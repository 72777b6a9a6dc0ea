package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aether-audio/aether/bounce"
)

// The statuses of an input, in the report and the summary.
const (
	statusOK          = "ok"          // rendered and written
	statusFailed      = "failed"      // an error: bad input, unwritable output, silent render
	statusSkipped     = "skipped"     // -skip-existing found its output
	statusInterrupted = "interrupted" // stopped or not started because of a signal
)

// outcome is what became of one input.
type outcome struct {
	index  int    // in the manifest, 0-based; 0 for a single input
	input  string // as given
	output string // the file written, "-" for standard output
	status string
	res    bounce.Result
	err    error
	wall   time.Duration // loading and rendering
}

// settle records err, the end of rendering the input: ok, interrupted
// (the error came with ctx cancelled by a signal) or failed.
func (o *outcome) settle(ctx context.Context, err error) {
	o.status, o.err = statusOK, err
	switch {
	case err != nil && ctx.Err() != nil:
		o.status = statusInterrupted
	case err != nil:
		o.status = statusFailed
	}
}

// silent reports a successful render of an input without notes that stayed
// below bounce.SilenceDBFS (a silent render of notes is a failure).
func (o *outcome) silent() bool { return o.status == statusOK && o.res.Silent() }

// record is one line of the -report file. Its field names are part of the
// command's interface (docs/bounce.md): add fields, never rename one.
type record struct {
	Index         int      `json:"index"`
	Input         string   `json:"input"`
	Output        string   `json:"output"`
	Status        string   `json:"status"`
	Error         string   `json:"error"`
	AudioSeconds  float64  `json:"audio_seconds"`
	RenderSeconds float64  `json:"render_seconds"`
	PeakDBFS      *float64 `json:"peak_dbfs"` // null when nothing was rendered, or silence
	Clipped       int64    `json:"clipped_samples"`
	Notes         int      `json:"notes"`
	VoicesMax     int      `json:"voices_max"`
	Silent        bool     `json:"silent"`
	SoundFont     string   `json:"soundfont"`       // the fonts that played the presets, ", " between; "" for none
	Missing       []string `json:"missing_presets"` // presets the bank lacks, silent; [] for none
}

// reportFields are the record's field names in order: the CSV header.
var reportFields = []string{"index", "input", "output", "status", "error", "audio_seconds", "render_seconds",
	"peak_dbfs", "clipped_samples", "notes", "voices_max", "silent", "soundfont", "missing_presets"}

func newRecord(o *outcome) record {
	r := record{Index: o.index, Input: o.input, Output: o.output, Status: o.status,
		RenderSeconds: math.Round(o.wall.Seconds()*1000) / 1000, Missing: []string{}}
	if o.err != nil {
		r.Error = errLine(o.err)
	}
	// Only a render that was written has figures; a failed one has its
	// error.
	if o.status == statusOK {
		r.AudioSeconds = o.res.Seconds()
		r.Clipped = o.res.Clipped
		r.Notes, r.VoicesMax = o.res.Notes, o.res.Voices
		r.Silent = o.res.Silent()
		r.SoundFont = o.res.SoundFont
		r.Missing = append(r.Missing, o.res.Missing...)
		if db := o.res.PeakDBFS(); !math.IsInf(db, 0) && !math.IsNaN(db) {
			db = math.Round(db*100) / 100
			r.PeakDBFS = &db
		}
	}
	return r
}

// reportFormat returns "jsonl" or "csv" from a report file's name, or "".
func reportFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".csv":
		return "csv"
	}
	return ""
}

// reporter writes the -report file, one line per input as it finishes, so
// a run stopped midway leaves the lines of the files it finished. Safe
// for concurrent use; a nil reporter does nothing.
type reporter struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	csv *csv.Writer // nil for JSON lines
	err error
}

// newReporter creates (or truncates) the report file at path.
func newReporter(path string) (*reporter, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-report: %w", err)
	}
	r := &reporter{f: f, w: bufio.NewWriter(f)}
	if reportFormat(path) == "csv" {
		r.csv = csv.NewWriter(r.w)
		r.csv.Write(reportFields)
		r.flush()
	}
	return r, nil
}

// add writes the line of o.
func (r *reporter) add(o *outcome) {
	if r == nil {
		return
	}
	rec := newRecord(o)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.csv != nil {
		peak := ""
		if rec.PeakDBFS != nil {
			peak = strconv.FormatFloat(*rec.PeakDBFS, 'f', -1, 64)
		}
		r.csv.Write([]string{strconv.Itoa(rec.Index), rec.Input, rec.Output, rec.Status, rec.Error,
			strconv.FormatFloat(rec.AudioSeconds, 'f', -1, 64), strconv.FormatFloat(rec.RenderSeconds, 'f', -1, 64),
			peak, strconv.FormatInt(rec.Clipped, 10), strconv.Itoa(rec.Notes), strconv.Itoa(rec.VoicesMax),
			strconv.FormatBool(rec.Silent), rec.SoundFont, strings.Join(rec.Missing, "; ")})
	} else {
		b, _ := json.Marshal(rec) // a record always encodes: strings and finite numbers
		r.w.Write(append(b, '\n'))
	}
	r.flush()
}

// flush pushes the lines so far to the file, keeping the first error.
func (r *reporter) flush() {
	if r.csv != nil {
		r.csv.Flush()
		if err := r.csv.Error(); err != nil && r.err == nil {
			r.err = err
		}
	}
	if err := r.w.Flush(); err != nil && r.err == nil {
		r.err = err
	}
}

// close closes the file and returns the first error writing it.
func (r *reporter) close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.f.Close(); err != nil && r.err == nil {
		r.err = err
	}
	if r.err != nil {
		return fmt.Errorf("-report %s: %w", r.f.Name(), r.err)
	}
	return nil
}

// fileLine is the line a rendered input gets on standard error.
func fileLine(o *outcome) string {
	out := o.output
	if out == "-" {
		out = "standard output"
	}
	if o.status == statusSkipped {
		return fmt.Sprintf("bounce: %s -> %s: skipped, the output exists", o.input, out)
	}
	line := fmt.Sprintf("bounce: %s -> %s: %.1f s of audio, peak %s, %d clipped, %.2f s to render (%.0fx real time)",
		o.input, out, o.res.Seconds(), dbfs(o.res.PeakDBFS()), o.res.Clipped, o.wall.Seconds(),
		o.res.Seconds()/max(o.wall.Seconds(), 1e-9))
	if o.res.SoundFont != "" {
		line += ", SoundFont " + o.res.SoundFont
	}
	return line
}

// clipWarning is the line an input that clipped gets on standard error,
// with the -gain (given gainDB now) that would have left 0.1 dB of
// headroom.
func clipWarning(o *outcome, gainDB float64) string {
	suggest := math.Floor((gainDB-o.res.PeakDBFS()-0.1)*10) / 10
	return fmt.Sprintf("bounce: warning: %s: %d samples clipped, peak %s: lower the level with -gain %.1f, or use -normalize -1",
		o.input, o.res.Clipped, dbfs(o.res.PeakDBFS()), suggest)
}

// missingWarning is the line an input gets on standard error when its
// instrument bank (-soundfont, or the built-in one) lacked some of its
// presets, which played nothing.
func missingWarning(cfg *config, o *outcome) string {
	bank := "the built-in instrument bank"
	if cfg.soundfont != "" {
		bank = cfg.soundfont
	}
	return fmt.Sprintf("bounce: warning: %s: %s has no %s: those notes are silent (as in FluidSynth)",
		o.input, bank, strings.Join(o.res.Missing, ", "))
}

// dbfs formats a level in dBFS, with its sign.
func dbfs(db float64) string {
	if math.IsInf(db, -1) {
		return "-inf dBFS"
	}
	return fmt.Sprintf("%+.1f dBFS", db)
}

// writeLine writes one line to w, escaped as errLine does.
func writeLine(w io.Writer, line string) { fmt.Fprintln(w, escapeLine(line)) }
