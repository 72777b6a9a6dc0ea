//go:build race

package instrument

// raceEnabled lets long tests without concurrency skip under the race
// detector, which slows them tenfold.
const raceEnabled = true
