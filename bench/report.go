package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of a run. Its JSON field names are stable (scripts
// rely on them) and documented in docs/render-bench.md.
type Report struct {
	CPU        CPUInfo   `json:"cpu"`
	Kernel     string    `json:"kernel"`
	SampleRate int       `json:"sample_rate"`
	Block      int       `json:"block"`
	Voice      VoiceKind `json:"voice"`
	Scenario   Scenario  `json:"scenario"`
	Mode       Mode      `json:"mode"`
	Headroom   float64   `json:"headroom"`
	Results    []Result  `json:"results"`

	// Realtime says what scheduling the paced thread got ("" in free mode).
	Realtime string `json:"-"`
	// Interrupted is true when the run was stopped before it finished.
	Interrupted bool `json:"-"`
}

// Result is what one worker count reached. The block-time fields describe
// the step at MaxVoices.
type Result struct {
	Workers           int     `json:"workers"`
	MaxVoices         int     `json:"max_voices"`
	VoicesPerCore     float64 `json:"voices_per_core"`
	ScalingEfficiency float64 `json:"scaling_efficiency"`
	P50us             float64 `json:"p50_us"`
	P99us             float64 `json:"p99_us"`
	P999us            float64 `json:"p999_us"`
	MaxUs             float64 `json:"max_us"`
	DeadlineUs        float64 `json:"deadline_us"`
	Xruns             int     `json:"xruns"`
	WakeP99us         float64 `json:"wake_p99_us"`
	WakeMaxUs         float64 `json:"wake_max_us"`
	LateWakeXruns     int     `json:"late_wake_xruns"`
	Allocs            uint64  `json:"allocs"`
	GCCycles          uint64  `json:"gc_cycles"`

	// Steps are every step measured for this worker count, by voice count;
	// the plot draws them.
	Steps []Step `json:"-"`
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// set fills the result's figures from the step at its voice count.
func (res *Result) set(st Step) {
	res.MaxVoices = st.Voices
	res.P50us, res.P99us, res.P999us, res.MaxUs = us(st.P50), us(st.P99), us(st.P999), us(st.Max)
	res.Xruns, res.WakeP99us, res.WakeMaxUs = st.Xruns, us(st.WakeP99), us(st.WakeMax)
	res.LateWakeXruns = st.LateWakeXruns
	res.Allocs, res.GCCycles = st.Allocs, st.GCCycles
}

// finish computes the figures that compare worker counts. Scaling
// efficiency is max_voices(w) / (w * max_voices(1)); when one worker was not
// measured, the smallest worker count measured stands in for it, scaled to
// per-worker terms.
func (rep *Report) finish(period time.Duration) {
	if len(rep.Results) == 0 {
		return
	}
	base := rep.Results[0]
	for _, res := range rep.Results[1:] {
		if res.Workers < base.Workers {
			base = res
		}
	}
	basePerWorker := float64(base.MaxVoices) / float64(base.Workers)
	for i := range rep.Results {
		res := &rep.Results[i]
		res.DeadlineUs = us(period)
		res.VoicesPerCore = float64(res.MaxVoices) / float64(res.Workers)
		if basePerWorker > 0 {
			res.ScalingEfficiency = res.VoicesPerCore / basePerWorker
		}
	}
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// CSVHeader is the header row WriteCSV writes: the run's context, then the
// JSON result fields, so that rows from many machines and runs can be
// concatenated into one table.
var CSVHeader = []string{
	"cpu_brand", "physical_cores", "kernel", "sample_rate", "block", "voice", "scenario", "mode", "headroom",
	"workers", "max_voices", "voices_per_core", "scaling_efficiency",
	"p50_us", "p99_us", "p999_us", "max_us", "deadline_us",
	"xruns", "wake_p99_us", "allocs", "gc_cycles",
	"wake_max_us", "late_wake_xruns", // added after the others, so their columns keep their places
}

// WriteCSV writes the report as CSV, one row per worker count.
func (rep *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, r := range rep.Results {
		row := []string{
			rep.CPU.Brand, strconv.Itoa(rep.CPU.PhysicalCores), rep.Kernel,
			strconv.Itoa(rep.SampleRate), strconv.Itoa(rep.Block),
			string(rep.Voice), string(rep.Scenario), string(rep.Mode), f(rep.Headroom),
			strconv.Itoa(r.Workers), strconv.Itoa(r.MaxVoices), f(r.VoicesPerCore), f(r.ScalingEfficiency),
			f(r.P50us), f(r.P99us), f(r.P999us), f(r.MaxUs), f(r.DeadlineUs),
			strconv.Itoa(r.Xruns), f(r.WakeP99us),
			strconv.FormatUint(r.Allocs, 10), strconv.FormatUint(r.GCCycles, 10),
			f(r.WakeMaxUs), strconv.Itoa(r.LateWakeXruns),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the report as a human-readable table.
func (rep *Report) WriteTable(w io.Writer) error {
	deadline := 0.0
	if rep.SampleRate > 0 {
		deadline = float64(rep.Block) * 1e6 / float64(rep.SampleRate)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "render-bench: %s voices, %s, %s mode, %d Hz, %d-sample blocks (deadline %.1f µs, p99.9 limit %.0f%%)\n",
		rep.Voice, rep.Scenario, rep.Mode, rep.SampleRate, rep.Block, deadline, 100*rep.Headroom)
	fmt.Fprintf(&b, "cpu: %s, %d cores usable (cpuid: %d physical); kernel: %s\n", rep.CPU.Brand, rep.CPU.Cores, rep.CPU.PhysicalCores, rep.Kernel)
	fmt.Fprintf(&b, "cpu features: %s\n", strings.Join(rep.CPU.Features, " "))
	if rep.Realtime != "" {
		fmt.Fprintf(&b, "paced thread: %s\n", rep.Realtime)
	}
	if rep.Interrupted {
		b.WriteString("INTERRUPTED: partial results; the last row may not be a finished search\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workers\tmax voices\tvoices/core\tscaling\tp50 µs\tp99 µs\tp99.9 µs\tmax µs\txruns\t(woke late)\twake p99 µs\twake max µs\tallocs\tGC cycles\t")
	for _, r := range rep.Results {
		fmt.Fprintf(tw, "%d\t%d\t%.0f\t%.2f\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t\n",
			r.Workers, r.MaxVoices, r.VoicesPerCore, r.ScalingEfficiency,
			r.P50us, r.P99us, r.P999us, r.MaxUs, r.Xruns, r.LateWakeXruns, r.WakeP99us, r.WakeMaxUs, r.Allocs, r.GCCycles)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}
