//go:build !race

package bounce

const raceEnabled = false
