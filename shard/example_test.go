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

// The seed's buffer-pool example on one worker: acquire, use, release,
// and the buffer released last comes back first, zeroed.
func Example_recycle() {
	s, _ := shard.New(shard.Config{Workers: 1, BuffersPerShard: 100})

	buf1, _ := s.Acquire(0)
	buf2, _ := s.Acquire(0)
	s.Buffer(buf1)[0] = 1.0

	s.Release(0, buf1)
	s.Release(0, buf2)

	buf3, _ := s.Acquire(0)
	fmt.Println(buf3 == buf2, s.View(buf3)[0])
	// Output: true 0
}
