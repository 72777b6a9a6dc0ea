//go:build race

package bounce

// raceEnabled lets long tests shrink under the race detector, which slows
// rendering tenfold.
const raceEnabled = true
