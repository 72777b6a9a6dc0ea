package aether

import (
	"sync/atomic"

	"github.com/aether-audio/aether/scheduler"
)

type engineStats struct {
	blocks, events, dropped, orphaned atomic.Uint64
	started, finished, stolen         atomic.Uint64
	rejected, nonFinite               atomic.Uint64
	voices                            atomic.Int64
}

// Stats is a snapshot of the engine's counters, each read atomically
// (the snapshot as a whole may straddle a block).
type Stats struct {
	// Blocks counts rendered blocks; Voices is how many voices sound now
	// (not counting stolen voices still fading).
	Blocks uint64
	Voices int
	// Started counts notes that began; Finished counts voices whose slot
	// was freed (their release ended, their steal fade ended, or they
	// were silenced); Stolen counts voices taken for a new note.
	Started, Finished, Stolen uint64
	// Silenced counts voices stopped because a parameter or their state
	// became NaN or infinite.
	Silenced uint64
	// Rejected counts note-ons refused for bad parameters (at post time or
	// when the block started), or because every sounding voice had
	// started in the same block.
	Rejected uint64
	// Events counts events applied; Dropped counts posts refused because
	// the queue was full; Orphaned counts events for voices that had
	// already finished or been stolen.
	Events, Dropped, Orphaned uint64
	// NonFinite counts blocks whose master bus held NaN or Inf and was
	// muted (0 unless a voice escapes the bank's own checks).
	NonFinite uint64
	// Scheduler has the block time and worker wake latency.
	Scheduler scheduler.Stats
}

// Stats returns the engine's counters; any goroutine may call it at any
// time.
func (e *Engine) Stats() Stats {
	return Stats{
		Blocks:    e.stats.blocks.Load(),
		Voices:    int(e.stats.voices.Load()),
		Started:   e.stats.started.Load(),
		Finished:  e.stats.finished.Load(),
		Stolen:    e.stats.stolen.Load(),
		Silenced:  e.bank.Silenced(),
		Rejected:  e.stats.rejected.Load(),
		Events:    e.stats.events.Load(),
		Dropped:   e.stats.dropped.Load(),
		Orphaned:  e.stats.orphaned.Load(),
		NonFinite: e.stats.nonFinite.Load(),
		Scheduler: e.sched.Stats(),
	}
}
