package shard_test

import (
	"fmt"

	"github.com/aether-audio/aether/shard"
)

// A worker renders into a buffer from its own shard; another worker sums it
// and releases it, and the buffer goes back to the shard it came from.
func Example() {
	s, err := shard.New(shard.Config{Workers: 2, BuffersPerShard: 4})
	if err != nil {
		panic(err)
	}
	bus, ok := s.Acquire(1) // worker 1 renders a chunk
	if !ok {
		panic("no buffer")
	}
	s.Buffer(bus)[0] = 0.25

	fmt.Println("owner:", s.Owner(bus), "sample:", s.View(bus)[0]) // worker 0 sums it
	s.Release(0, bus)                                              // and gives it back

	s.PublishStats(0)
	s.PublishStats(1)
	st := s.Stats().Shards
	fmt.Println("cross-shard releases by worker 0:", st[0].CrossReleases, "shard 1 in use:", st[1].InUse)
	// Output:
	// owner: 1 sample: 0.25
	// cross-shard releases by worker 0: 1 shard 1 in use: 0
}
