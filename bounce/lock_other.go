//go:build !unix

package bounce

import "os"

// oNoFollow is 0 where there is no O_NOFOLLOW.
const oNoFollow = 0

// lockFile does nothing where there is no flock: two renders of one output
// at once are then not told apart.
func lockFile(*os.File) error { return nil }
