package bounce

import (
	"os"
	"strconv"
	"sync"

	"github.com/aether-audio/aether/wav"
)

// sampleCache keeps decoded WAV samples for the scores of a batch, keyed
// by the file's identity (device, inode, size, modification time), so a
// file is decoded once however its path is spelled, and a file changed
// on disk is read again. It holds at most budget bytes of files, evicting
// the least recently used; a failed load is not kept, so a later score
// tries again. Concurrent loads of one file wait for the first.
type sampleCache struct {
	mu     sync.Mutex
	budget int64
	used   int64 // file bytes of the decoded entries
	clock  uint64
	m      map[fileID]*sampleEntry
}

type sampleEntry struct {
	ready chan struct{} // closed when audio or err is set
	audio *wav.Audio
	err   error
	done  bool // audio is decoded (set under mu)
	size  int64
	last  uint64 // clock of the last use
}

func newSampleCache(budget int64) *sampleCache {
	return &sampleCache{budget: budget, m: map[fileID]*sampleEntry{}}
}

// load decodes the opened sample file f of size bytes, or returns the
// audio decoded from the same file before. It is a score.Options.LoadSample.
func (c *sampleCache) load(f *os.File, size int64) (*wav.Audio, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	id, ok := identify(fi)
	if !ok || size > c.budget {
		return decodeSample(f, size)
	}
	c.mu.Lock()
	c.clock++
	if e := c.m[id]; e != nil {
		e.last = c.clock
		c.mu.Unlock()
		<-e.ready
		return e.audio, e.err
	}
	e := &sampleEntry{ready: make(chan struct{}), size: size, last: c.clock}
	c.m[id] = e
	c.mu.Unlock()

	a, err := decodeSample(f, size)

	c.mu.Lock()
	e.audio, e.err = a, err
	if err != nil {
		delete(c.m, id) // not kept: the next score tries again
	} else {
		e.done = true
		c.used += size
		c.evict()
	}
	c.mu.Unlock()
	close(e.ready)
	return a, err
}

// evict drops the least recently used decoded entries until the cache
// fits its budget. Scores holding an evicted sample keep it: only the
// cache lets go.
func (c *sampleCache) evict() {
	for c.used > c.budget {
		var oldest fileID
		var victim *sampleEntry
		for id, e := range c.m {
			if e.done && (victim == nil || e.last < victim.last) {
				oldest, victim = id, e
			}
		}
		if victim == nil {
			return
		}
		delete(c.m, oldest)
		c.used -= victim.size
	}
}

// decodeSample reads and decodes the whole of f, a regular file of size
// bytes.
func decodeSample(f *os.File, size int64) (*wav.Audio, error) {
	return wav.Read(strconv.Quote(f.Name()), f, size)
}
