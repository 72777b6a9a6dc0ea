package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aether-audio/aether/bench"
	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/mix"
)

// tierVoices is how many voices each -tiers measurement holds: enough that
// the block's fixed cost (the scheduler's fork and join, the bus sum) is a
// few per cent of a block of the cheapest voice, few enough that the
// slowest cell still renders many blocks in its time.
const tierVoices = 2048

// tierRounds is how often each cell is measured, the tiers in a rotated
// order each round; the fastest round is kept. A shared machine's speed
// drifts over seconds, and anything else running can only add time, so
// the fastest of three is the closest to what the voice itself costs (the
// median of three still let a slow spell make one tier look 20% slower on
// a 2-core VM).
const tierRounds = 3

// tierDuration is each cell's measured time per round: thousands of blocks
// of the cheapest voice, tens of the dearest on the generic tier.
const tierDuration = 100 * time.Millisecond

// tierTable is what -tiers measured. Its JSON names are documented in
// docs/render-bench.md.
type tierTable struct {
	CPU        bench.CPUInfo `json:"cpu"`
	SampleRate int           `json:"sample_rate"`
	Voices     int           `json:"voices"`
	Rounds     int           `json:"rounds"`
	Picked     string        `json:"picked"` // the tier the library runs here
	Tiers      []string      `json:"tiers"`  // slowest first, as mix.Tiers
	Rows       []tierRow     `json:"rows"`
}

// tierRow is one voice kind's cost on every tier.
type tierRow struct {
	Voice bench.VoiceKind `json:"voice"`
	// NsPerVoice is the median block's render time divided by the voices,
	// per tier, in the fastest round: what one voice costs for one block.
	NsPerVoice map[string]float64 `json:"ns_per_voice"`
	Fastest    string             `json:"fastest"`
}

// measureTiers measures every voice kind on every kernel tier this CPU and
// build have, in free mode on one worker. The runner measures whatever the
// factory builds, so the factory here builds the cell's kind on the cell's
// tier. It restores the tier in use when done.
func measureTiers(ctx context.Context, factory bench.SynthFactory, rate int, dur time.Duration, note func(string)) (*tierTable, error) {
	picked := mix.Tier()
	defer mix.SetTier(picked)
	var kind bench.VoiceKind
	var tier string
	cell := func(cfg bench.SynthConfig) (bench.Synth, error) {
		cfg.Kind, cfg.Kernel = kind, tier
		return factory(cfg)
	}
	runner, err := bench.NewRunner(cell, bench.Options{
		SampleRate: rate, Voice: bench.Sine, Scenario: bench.Steady, Mode: bench.Free, Kernel: "auto",
		Duration: dur, Headroom: 1, Resolution: 0.5, Searches: 1, MaxVoices: tierVoices,
	})
	if err != nil {
		return nil, err
	}
	tiers := mix.Tiers()
	t := &tierTable{CPU: bench.DetectCPU(), SampleRate: rate, Voices: tierVoices, Rounds: tierRounds, Picked: picked, Tiers: tiers}
	ns := map[bench.VoiceKind]map[string][]float64{}
	for round := range tierRounds {
		for _, kind = range bench.VoiceKinds {
			if ns[kind] == nil {
				ns[kind] = map[string][]float64{}
			}
			for i := range tiers {
				tier = tiers[(i+round)%len(tiers)]
				note(fmt.Sprintf("-tiers: %s voices on %s, round %d of %d", kind, tier, round+1, tierRounds))
				st, err := runner.Measure(ctx, 1, tierVoices)
				if err != nil {
					return nil, fmt.Errorf("%s on %s: %w", kind, tier, err)
				}
				ns[kind][tier] = append(ns[kind][tier], float64(st.P50.Nanoseconds())/tierVoices)
			}
		}
	}
	for _, k := range bench.VoiceKinds {
		row := tierRow{Voice: k, NsPerVoice: map[string]float64{}, Fastest: picked}
		for _, tr := range tiers {
			row.NsPerVoice[tr] = float64(int(slices.Min(ns[k][tr])*10+0.5)) / 10
		}
		for _, tr := range tiers {
			// A tie goes to the picked tier.
			if row.NsPerVoice[tr] < row.NsPerVoice[row.Fastest] {
				row.Fastest = tr
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

// writeJSON writes the table as indented JSON.
func (t *tierTable) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t)
}

// writeTable writes the table for a reader, the picked tier marked, and
// says for which voice kinds another tier was faster.
func (t *tierTable) writeTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "What one voice costs for one %d-sample block, in ns: the median block of %s voices held on 1 worker,\n", block.Size, commas(t.Voices))
	fmt.Fprintf(&b, "the fastest of %d rounds, %g kHz. cpu: %s; * marks the tier the library picks here (%s).\n\n",
		t.Rounds, float64(t.SampleRate)/1000, t.CPU.Brand, t.Picked)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "voice\t"
	for _, tr := range t.Tiers {
		if tr == t.Picked {
			tr += "*"
		}
		head += tr + "\t"
	}
	fmt.Fprintln(tw, head+"fastest\t")
	var beaten []string
	for _, r := range t.Rows {
		line := string(r.Voice) + "\t"
		for _, tr := range t.Tiers {
			line += fmt.Sprintf("%.1f\t", r.NsPerVoice[tr])
		}
		fmt.Fprintln(tw, line+r.Fastest+"\t")
		if r.Fastest != t.Picked {
			gain := 100 * (1 - r.NsPerVoice[r.Fastest]/r.NsPerVoice[t.Picked])
			beaten = append(beaten, fmt.Sprintf("%s: %s %.1f%% faster", r.Voice, r.Fastest, gain))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(&b, "\n%s is the fastest tier for %d of %d voice kinds here", t.Picked, len(t.Rows)-len(beaten), len(t.Rows))
	if len(beaten) > 0 {
		fmt.Fprintf(&b, " (%s; differences of a few per cent are within this measurement's noise)", strings.Join(beaten, ", "))
	}
	b.WriteString(".\n")
	_, err := io.WriteString(w, b.String())
	return err
}
