package bounce

import (
	"os"
	"strconv"
	"sync"

	"github.com/aether-audio/aether/wav"
)

// fileCache keeps what a batch's scores read from the files they name
// (decoded WAV samples, SoundFonts), keyed by the file's identity (device,
// inode, size, modification time), so a file is read once however its
// path is spelled, and a file changed on disk is read again. It holds
// entries costing at most budget bytes in all (what read says each
// costs), evicting the least recently used; an entry costing more than
// the whole budget is handed to the loads waiting for it and not kept
// (it would evict everything else), and a failed read is not kept, so a
// later score tries again. Concurrent loads of one file wait for the
// first. A budget below 0 keeps nothing.
type fileCache[T any] struct {
	read func(f *os.File, size int64) (v T, cost int64, err error)

	mu     sync.Mutex
	budget int64
	used   int64 // the cost of the entries read
	clock  uint64
	m      map[fileID]*cacheEntry[T]
}

type cacheEntry[T any] struct {
	ready chan struct{} // closed when v or err is set
	v     T
	err   error
	done  bool // v is read (set under mu)
	cost  int64
	last  uint64 // clock of the last use
}

func newFileCache[T any](budget int64, read func(f *os.File, size int64) (T, int64, error)) *fileCache[T] {
	return &fileCache[T]{read: read, budget: budget, m: map[fileID]*cacheEntry[T]{}}
}

// load reads the opened file f of size bytes, or returns what was read
// from the same file before.
func (c *fileCache[T]) load(f *os.File, size int64) (T, error) {
	fi, err := f.Stat()
	if err != nil {
		var zero T
		return zero, err
	}
	id, ok := identify(fi)
	if !ok || c.budget < 0 {
		v, _, err := c.read(f, size)
		return v, err
	}
	c.mu.Lock()
	c.clock++
	if e := c.m[id]; e != nil {
		e.last = c.clock
		c.mu.Unlock()
		<-e.ready
		return e.v, e.err
	}
	e := &cacheEntry[T]{ready: make(chan struct{}), last: c.clock}
	c.m[id] = e
	c.mu.Unlock()

	v, cost, err := c.read(f, size)

	c.mu.Lock()
	e.v, e.err, e.cost = v, err, cost
	if err != nil || cost > c.budget {
		delete(c.m, id) // not kept: the next score tries again
	} else {
		e.done = true
		c.used += cost
		c.evict()
	}
	c.mu.Unlock()
	close(e.ready)
	return v, err
}

// evict drops the least recently used decoded entries until the cache
// fits its budget. Scores holding an evicted sample keep it: only the
// cache lets go.
func (c *fileCache[T]) evict() {
	for c.used > c.budget {
		var oldest fileID
		var victim *cacheEntry[T]
		for id, e := range c.m {
			if e.done && (victim == nil || e.last < victim.last) {
				oldest, victim = id, e
			}
		}
		if victim == nil {
			return
		}
		delete(c.m, oldest)
		c.used -= victim.cost
	}
}

// decodeSample reads and decodes the whole of f, a regular file of size
// bytes; its cost is its size in the file.
func decodeSample(f *os.File, size int64) (*wav.Audio, int64, error) {
	a, err := wav.Read(strconv.Quote(f.Name()), f, size)
	return a, size, err
}
