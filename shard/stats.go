package shard

// ShardStats are the counters of one shard and of the worker that owns it.
type ShardStats struct {
	Acquires      uint64 // successful Acquire calls by the worker, steals included
	Releases      uint64 // Release calls by the worker, cross-shard ones included
	Steals        uint64 // acquires by the worker of another shard's buffer
	CrossReleases uint64 // releases by the worker of another shard's buffer
	Exhaustions   uint64 // Acquire calls by the worker that found every shard empty
	InUse         int64  // the shard's buffers held now, by any worker
	HighWater     int64  // the highest InUse seen
}

// Stats is a snapshot of a Set's counters, one entry per shard.
type Stats struct {
	Shards []ShardStats
}

// Stats reads the live counters of every shard without stopping any worker.
// A worker publishes its counters every statsEvery (256) operations, on
// every exhaustion and on PublishStats, so while it runs its counters lag by
// at most 256 operations and InUse may be off by as much (it is clamped to
// 0..BuffersPerShard); after each worker's PublishStats they are exact.
//
// HighWater is sampled exactly by the owner at each of its acquires and at
// PublishStats, and by a thief at each steal from the owner's published
// counters, so a peak made by steals may be off by up to 256 operations of
// the owner (clamped to BuffersPerShard).
func (s *Set) Stats() Stats {
	st := Stats{Shards: make([]ShardStats, len(s.workers))}
	for i := range s.workers {
		w := &s.workers[i]
		p := &w.published
		st.Shards[i] = ShardStats{
			Acquires:      p.acquires.Load(),
			Releases:      p.releases.Load(),
			Steals:        p.steals.Load(),
			CrossReleases: p.crossReleases.Load(),
			Exhaustions:   p.exhaustions.Load(),
			InUse:         w.publishedInUse(s.perShard),
			HighWater:     w.highWater.Load(),
		}
	}
	return st
}

// Total sums the counters of every shard; its HighWater is the sum of the
// shards' high-water marks, an upper bound on the Set's.
func (st Stats) Total() ShardStats {
	var t ShardStats
	for _, s := range st.Shards {
		t.Acquires += s.Acquires
		t.Releases += s.Releases
		t.Steals += s.Steals
		t.CrossReleases += s.CrossReleases
		t.Exhaustions += s.Exhaustions
		t.InUse += s.InUse
		t.HighWater += s.HighWater
	}
	return t
}
