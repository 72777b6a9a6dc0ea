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
	CPU CPUInfo `json:"cpu"`
	// OS is the operating system and its kernel release ("Linux 6.18.44").
	OS         string    `json:"os"`
	Kernel     string    `json:"kernel"`
	SampleRate int       `json:"sample_rate"`
	Block      int       `json:"block"`
	Voice      VoiceKind `json:"voice"`
	Scenario   Scenario  `json:"scenario"`
	Mode       Mode      `json:"mode"`
	Headroom   float64   `json:"headroom"`
	// Searches is how many bisections each worker count had (0 for a
	// fixed voice count).
	Searches int `json:"searches"`
	// Realtime says what scheduling the paced thread got ("" in free mode).
	Realtime string `json:"paced_thread"`
	// Interrupted is true when the run was stopped before it finished.
	Interrupted bool `json:"interrupted"`
	// Wake is the machine's wake-up quality over every paced block of the
	// run (nil in free mode).
	Wake    *Wake    `json:"wake,omitempty"`
	Results []Result `json:"results"`
}

// Result is what one worker count reached. The block-time fields describe
// a passing step at MaxVoices.
type Result struct {
	Workers int `json:"workers"`
	// MaxVoices is the median of the searches' answers (of those that
	// finished); when none finished, the largest count that passed.
	MaxVoices int `json:"max_voices"`
	// MaxVoicesMin and MaxVoicesMax are the smallest and largest answers:
	// the spread of repeated searches.
	MaxVoicesMin int `json:"max_voices_min"`
	MaxVoicesMax int `json:"max_voices_max"`
	// Answers are the searches' answers, in the order they ran.
	Answers []int `json:"answers"`
	// Decided is false when the search could not decide a voice count,
	// or was interrupted; Undecided then says why (empty when interrupted).
	Decided           bool    `json:"decided"`
	Undecided         string  `json:"undecided,omitempty"`
	VoicesPerCore     float64 `json:"voices_per_core"`
	ScalingEfficiency float64 `json:"scaling_efficiency"`
	P50us             float64 `json:"p50_us"`
	P99us             float64 `json:"p99_us"`
	P999us            float64 `json:"p999_us"`
	MaxUs             float64 `json:"max_us"`
	DeadlineUs        float64 `json:"deadline_us"`
	RenderOverruns    int     `json:"render_overruns"`
	Xruns             int     `json:"xruns"`
	WakeP99us         float64 `json:"wake_p99_us"`
	WakeMaxUs         float64 `json:"wake_max_us"`
	LateWakeXruns     int     `json:"late_wake_xruns"`
	Allocs            uint64  `json:"allocs"`
	GCCycles          uint64  `json:"gc_cycles"`
	// Steps are every step measured for this worker count, in the order
	// measured, each with its outcome and the reason it did not pass.
	Steps []Step `json:"steps"`
}

// set fills the result's figures from the step at its voice count.
func (res *Result) set(st Step) {
	res.MaxVoices = st.Voices
	res.P50us, res.P99us, res.P999us, res.MaxUs = us(st.P50), us(st.P99), us(st.P999), us(st.Max)
	res.RenderOverruns, res.Xruns, res.LateWakeXruns = st.RenderOverruns, st.Xruns, st.LateWakeXruns
	res.WakeP99us, res.WakeMaxUs = us(st.WakeP99), us(st.WakeMax)
	res.Allocs, res.GCCycles = st.Allocs, st.GCCycles
	if len(res.Answers) == 1 {
		res.MaxVoicesMin, res.MaxVoicesMax = res.Answers[0], res.Answers[0]
	}
}

// finish computes the figures that compare worker counts. Scaling
// efficiency is max_voices(w) / (w * max_voices(1)); when one worker was not
// measured, or not decided, the smallest decided worker count stands in for
// it, scaled to per-worker terms. Undecided results get none.
func (rep *Report) finish(period time.Duration) {
	base, ok := rep.scalingBase()
	for i := range rep.Results {
		res := &rep.Results[i]
		res.DeadlineUs = us(period)
		res.VoicesPerCore = float64(res.MaxVoices) / float64(res.Workers)
		if ok && res.Decided {
			res.ScalingEfficiency = float64(int(res.VoicesPerCore/base*1000+0.5)) / 1000
		}
	}
}

// scalingBase returns the voices per worker of the smallest decided worker
// count, the base of perfect scaling, and whether there is one.
func (rep *Report) scalingBase() (float64, bool) {
	var base *Result
	for i, res := range rep.Results {
		if res.Decided && res.MaxVoices > 0 && (base == nil || res.Workers < base.Workers) {
			base = &rep.Results[i]
		}
	}
	if base == nil {
		return 0, false
	}
	return float64(base.MaxVoices) / float64(base.Workers), true
}

// PerfectScaling returns what perfect scaling from the smallest decided
// worker count would give workers, or 0 when no count was decided.
func (rep *Report) PerfectScaling(workers int) float64 {
	base, _ := rep.scalingBase()
	return base * float64(workers)
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
	// Added after the others, so their columns keep their places.
	"wake_max_us", "late_wake_xruns",
	"render_overruns", "max_voices_min", "max_voices_max", "decided",
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
			strconv.Itoa(r.RenderOverruns), strconv.Itoa(r.MaxVoicesMin), strconv.Itoa(r.MaxVoicesMax),
			strconv.FormatBool(r.Decided),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes the report for a reader: the answer in a sentence,
// what to run next, the machine's wake-up verdict, then one row per worker
// count. verbose adds the CPU's feature flags, allocation counts and every
// step with its outcome and reason.
func (rep *Report) WriteTable(w io.Writer, verbose bool) error {
	var b strings.Builder
	for _, line := range rep.Summary() {
		b.WriteString(line + "\n")
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%s voices, %s, %s mode, %d Hz, %d-sample blocks (deadline %.1f µs, p99.9 limit %.0f%%)\n",
		rep.Voice, rep.Scenario, rep.Mode, rep.SampleRate, rep.Block, rep.deadlineUs(), 100*rep.Headroom)
	fmt.Fprintf(&b, "cpu: %s, %d cores usable (cpuid: %d physical); kernel tier: %s\n", rep.CPU.Brand, rep.CPU.Cores, rep.CPU.PhysicalCores, rep.Kernel)
	if verbose {
		fmt.Fprintf(&b, "cpu features: %s\n", strings.Join(rep.CPU.Features, " "))
	}
	if rep.Realtime != "" {
		fmt.Fprintf(&b, "paced thread: %s\n", rep.Realtime)
	}
	if rep.Interrupted {
		b.WriteString("INTERRUPTED: partial results; a worker count cut short shows the searches it finished\n")
	}
	b.WriteString("\n")
	paced := rep.Mode == Paced
	dash := func(v int) string {
		if !paced {
			return "-"
		}
		return strconv.Itoa(v)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "workers\tmax voices\tspread\tvoices/core\tscaling\tp50 µs\tp99.9 µs\trender overruns\txruns\tlate-wake xruns\t"
	if verbose {
		head += "wake p99 µs\twake max µs\tallocs\tGC cycles\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range rep.Results {
		answer := commas(r.MaxVoices)
		if !r.Decided {
			answer = "≥ " + answer
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%.2f\t%.1f\t%.1f\t%d\t%s\t%s\t",
			r.Workers, answer, rep.spread(r), commas(int(r.VoicesPerCore+0.5)), r.ScalingEfficiency,
			r.P50us, r.P999us, r.RenderOverruns, dash(r.Xruns), dash(r.LateWakeXruns))
		if verbose {
			fmt.Fprintf(tw, "%.1f\t%.1f\t%d\t%d\t", r.WakeP99us, r.WakeMaxUs, r.Allocs, r.GCCycles)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if a := rep.allocWarning(); a != "" {
		b.WriteString(a + "\n")
	}
	if verbose {
		b.WriteString("\nsteps, in the order measured:\n")
		if err := rep.writeSteps(&b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSteps writes every step of every worker count with its outcome.
func (rep *Report) writeSteps(b *strings.Builder) error {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workers\tsearch\tvoices\toutcome\tp50 µs\tp99 µs\tp99.9 µs\tmax µs\toverruns\txruns\tlate wake\twake max µs\treason")
	for _, r := range rep.Results {
		for _, s := range r.Steps {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%.1f\t%s\n",
				r.Workers, s.Search, commas(s.Voices), s.Outcome, us(s.P50), us(s.P99), us(s.P999), us(s.Max),
				s.RenderOverruns, s.Xruns, s.LateWakeXruns, us(s.WakeMax), s.Reason)
		}
	}
	return tw.Flush()
}

// spread writes a result's range of answers, or what stands in for it.
func (rep *Report) spread(r Result) string {
	switch {
	case rep.Searches == 0:
		return "fixed"
	case len(r.Answers) == 0:
		return "-"
	case len(r.Answers) == 1:
		return "1 search"
	}
	return fmt.Sprintf("%s-%s (%d)", commas(r.MaxVoicesMin), commas(r.MaxVoicesMax), len(r.Answers))
}

// allocWarning says which worker counts allocated or collected garbage
// while timed, or returns "" when none did.
func (rep *Report) allocWarning() string {
	var bad []string
	for _, r := range rep.Results {
		for _, s := range r.Steps {
			if s.Allocs != 0 || s.GCCycles != 0 {
				bad = append(bad, fmt.Sprintf("%s at %s voices: %s, %s",
					workersWord(r.Workers), commas(s.Voices), plural(int(s.Allocs), "allocation"), plural(int(s.GCCycles), "GC cycle")))
				break
			}
		}
	}
	if len(bad) == 0 {
		return ""
	}
	return "WARNING: the synth allocated while timed (" + strings.Join(bad, "; ") + ")"
}

func (rep *Report) deadlineUs() float64 {
	if rep.SampleRate <= 0 {
		return 0
	}
	return float64(rep.Block) * 1e6 / float64(rep.SampleRate)
}

// Summary returns the report in sentences, the answer first: how many
// voices the machine renders in real time, what to run next, and whether
// the machine wakes its render thread on time.
func (rep *Report) Summary() []string {
	var lines []string
	if rep.Interrupted {
		lines = append(lines, "Interrupted: what follows was measured before the run stopped.")
	}
	deadline := fmtPeriod(time.Duration(rep.deadlineUs() * float64(time.Microsecond)))
	terms := fmt.Sprintf("at %s in %d-sample blocks with the p99.9 render time within %.0f%% of the %s deadline",
		khz(rep.SampleRate), rep.Block, 100*rep.Headroom, deadline)
	how, free := " in real time", ""
	kind := string(rep.Voice)
	if rep.Mode == Free {
		how, free = "", " Free mode renders blocks back to back: a throughput figure; -mode paced measures real time."
	}
	if rep.Searches == 0 {
		for _, r := range rep.Results {
			lines = append(lines, rep.fixedSentence(r, deadline))
		}
	} else if best, ok := rep.best(); ok {
		median := fmt.Sprintf("each figure is the median of %d searches, spread in the table", rep.Searches)
		if rep.Searches == 1 {
			median = "one search per worker count"
		}
		lines = append(lines, fmt.Sprintf("This machine renders %s%s, %s; %s.%s", rep.answer(best, how), rep.others(best), terms, median, free))
		lines = append(lines, rep.nextSteps(best))
	}
	for _, r := range rep.Results {
		if !r.Decided && r.Undecided != "" {
			lines = append(lines, fmt.Sprintf("Undecided on %s: %s. It renders at least %s %s voices there; run again when the machine is quieter.",
				coresWord(r.Workers), r.Undecided, commas(r.MaxVoices), kind))
		}
	}
	if rep.Wake != nil {
		lines = append(lines, "Wake-up: "+rep.Wake.Verdict+".")
	}
	return lines
}

// Headline is the answer in a few words, for a plot's title.
func (rep *Report) Headline() string {
	if rep.Searches == 0 {
		var parts []string
		for _, r := range rep.Results {
			if len(r.Steps) == 0 {
				continue
			}
			st := r.Steps[len(r.Steps)-1]
			parts = append(parts, fmt.Sprintf("%s %s voices on %s: %s", commas(st.Voices), rep.Voice, workersWord(r.Workers), st.Outcome))
		}
		return strings.Join(parts, "; ")
	}
	best, ok := rep.best()
	if !ok {
		return fmt.Sprintf("%s voices: undecided", rep.Voice)
	}
	how := " in real time"
	if rep.Mode == Free {
		how = " back to back"
	}
	return rep.answer(best, how) + rep.others(best)
}

// answer writes "40,960 sine voices in real time on 2 cores".
func (rep *Report) answer(best Result, how string) string {
	return fmt.Sprintf("%s %s voices%s on %s", commas(best.MaxVoices), rep.Voice, how, rep.onCores(best.Workers))
}

// others writes the other decided worker counts' answers, " (1 core:
// 24,576)", or "" when there are none; of more than three, the first
// stands for them all.
func (rep *Report) others(best Result) string {
	var others []string
	for _, r := range rep.Results {
		if r.Workers != best.Workers && r.Decided {
			others = append(others, fmt.Sprintf("%s: %s", coresWord(r.Workers), commas(r.MaxVoices)))
		}
	}
	switch {
	case len(others) == 0:
		return ""
	case len(others) > 3:
		return " (" + others[0] + "; the others in the table)"
	}
	return " (" + strings.Join(others, ", ") + ")"
}

// best returns the decided result with the most voices.
func (rep *Report) best() (Result, bool) {
	var best Result
	ok := false
	for _, r := range rep.Results {
		if r.Decided && (!ok || r.MaxVoices > best.MaxVoices) {
			best, ok = r, true
		}
	}
	return best, ok
}

// nextSteps says what to run after a search: the cheapest voice needs
// saying, and 80% of the answer held for a minute is the real-time check.
func (rep *Report) nextSteps(best Result) string {
	check := fmt.Sprintf("render-bench -voice %s -workers %d -voices %d -duration 60s", rep.Voice, best.Workers, best.MaxVoices*8/10)
	var next []string
	if rep.Voice == Sine {
		next = append(next, "Sine is the cheapest voice kind. Next: render-bench -voice synth -quick for full synth voices (saw, filter, envelope)")
	} else {
		next = append(next, "Next: render-bench -voice sine -quick for the cheapest voice kind")
	}
	next = append(next, "render-bench -tiers for what each voice kind costs on each kernel tier")
	if rep.Mode == Paced {
		next = append(next, check+" to hold 80% of the answer for a minute")
	}
	return strings.Join(next, "; ") + "."
}

// fixedSentence reports a run at a fixed voice count.
func (rep *Report) fixedSentence(r Result, deadline string) string {
	var st Step
	if len(r.Steps) > 0 {
		st = r.Steps[len(r.Steps)-1]
	}
	secs := float64(st.Blocks) * rep.deadlineUs() / 1e6
	verdict := "it passed"
	if !st.Passed() {
		verdict = "it did not pass: " + st.Reason
	}
	xruns := ""
	if rep.Mode == Paced {
		xruns = fmt.Sprintf(", %s (%d of them from late wake-ups)", plural(st.Xruns, "xrun"), st.LateWakeXruns)
	}
	return fmt.Sprintf("%s rendered %s %s voices for %.0f s: %s past the %s deadline%s, p99.9 render time %s against a %s limit; %s.",
		capital(workersWord(r.Workers)), commas(st.Voices), rep.Voice, secs, plural(st.RenderOverruns, "render overrun"),
		deadline, xruns, fmtDur(st.P999), fmtDur(time.Duration(rep.Headroom*rep.deadlineUs()*float64(time.Microsecond))), verdict)
}

// onCores writes "2 cores", or "4 workers on 2 cores" when the workers
// outnumber the cores.
func (rep *Report) onCores(workers int) string {
	if rep.CPU.Cores > 0 && workers > rep.CPU.Cores {
		return fmt.Sprintf("%s on %s", workersWord(workers), coresWord(rep.CPU.Cores))
	}
	return coresWord(workers)
}

func coresWord(n int) string   { return plural(n, "core") }
func workersWord(n int) string { return plural(n, "worker") }

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// khz writes 48000 as "48 kHz" and 44100 as "44.1 kHz".
func khz(rate int) string {
	return strconv.FormatFloat(float64(rate)/1000, 'f', -1, 64) + " kHz"
}

// commas writes n with thousands separators: 40960 as "40,960".
func commas(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
