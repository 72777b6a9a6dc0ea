// Package scheduler renders one 64-sample block across workers.
//
// The caller of RenderBlock splits its work into numbered chunks. The
// scheduler publishes the block by bumping a padded atomic epoch; long-lived
// workers (goroutines started once, by New) and the caller itself, as worker 0,
// claim chunks with a CAS on one word, the caller from the front and the
// workers from the back. A block wakes only the workers it has a chunk
// for. Each chunk renders into a stereo bus
// taken from its worker's shard; the caller adds the chunk buses in chunk
// order into the master bus as the chunks finish, so the result never
// depends on how many workers ran or which took what, and returns them to
// their shards.
//
// Blocks are not handed over through a task pool, channels or a goroutine
// per block: here that cost about 100 us per hand-off, most of a 1.33 ms
// block. Idle workers instead spin on the epoch for a bounded time (longer
// than the gap between blocks) and only then park; a parked worker is woken
// through its own futex (a channel where there is none). Nothing on the
// render path allocates, and apart from waking a parked worker nothing
// locks.
package scheduler

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/pool"
	"github.com/aether-audio/aether/shard"
)

// WaitStrategy says what an idle worker does while it waits for a block.
type WaitStrategy int

const (
	// Hybrid spins for Config.SpinTime, then parks. It wakes in well under
	// a microsecond while blocks keep coming and costs no CPU when they
	// stop.
	Hybrid WaitStrategy = iota
	// Spin never parks (within the spinner limit; see Config): the lowest
	// wake latency, at the price of a busy core per worker.
	Spin
	// Park parks at once: no CPU burnt while idle, but every block pays a
	// wake-up through the Go scheduler (tens of microseconds).
	Park
)

// String returns the strategy's name.
func (w WaitStrategy) String() string {
	switch w {
	case Hybrid:
		return "hybrid"
	case Spin:
		return "spin"
	case Park:
		return "park"
	}
	return fmt.Sprintf("WaitStrategy(%d)", int(w))
}

// DefaultSpinTime is how long a Hybrid worker spins before it parks:
// longer than a 64-sample block at 48 kHz (1.33 ms), so that a worker
// spinning between steady real-time blocks never parks, yet short enough
// that a stopped stream frees its cores almost at once.
const DefaultSpinTime = 2 * time.Millisecond

// DefaultMaxChunks bounds the chunks of one block unless Config says
// otherwise: 256 chunks of 256 voices cover 65536 voices.
const DefaultMaxChunks = 256

// MaxChunkLimit is the largest MaxChunks: the first and the end of the
// chunks not yet claimed share one 64-bit word with the epoch, 16 bits
// each.
const MaxChunkLimit = 1<<16 - 1

// Errors returned by New and RenderBlock, wrapped with the detail.
var (
	ErrConfig = errors.New("scheduler: bad config")
	ErrChunks = errors.New("scheduler: chunk count out of range")
	ErrClosed = errors.New("scheduler: closed")
	ErrBusy   = errors.New("scheduler: RenderBlock already running")
	ErrNilBus = errors.New("scheduler: nil master bus")
)

// Config sets up a Scheduler. Zero fields take their documented defaults.
type Config struct {
	// Workers is the number of workers, the caller of RenderBlock
	// included; 0 means shard.DefaultWorkers(): the physical cores this
	// process may use.
	// At most GOMAXPROCS-1 of them (as read by New) ever spin, since the
	// caller holds a core too; the others park whatever Wait says, and
	// with more workers than GOMAXPROCS spinning yields the processor.
	Workers int
	// Wait is what idle workers do between blocks; the zero value is Hybrid.
	Wait WaitStrategy
	// SpinTime is how long a Hybrid worker spins before parking; 0 means
	// DefaultSpinTime.
	SpinTime time.Duration
	// MaxChunks is the most chunks one block may have; 0 means
	// DefaultMaxChunks.
	MaxChunks int
	// BuffersPerShard is the number of 64-sample buffers in each worker's
	// shard; 0 means enough for one worker to render every chunk of a
	// block from its own shard (2*MaxChunks plus its cache). Fewer are
	// allowed as long as all shards together can never run dry:
	// Workers*(BuffersPerShard-CacheSize) >= 2*MaxChunks.
	BuffersPerShard int
	// CacheSize is each shard's private cache size; 0 means the shard
	// package's default.
	CacheSize int
	// ThreadInit, if not nil, runs once on each worker goroutine (1 and
	// up; the caller of RenderBlock sets up its own thread) after the
	// goroutine has been locked to its OS thread, before it renders. A
	// real-time host uses it to give render threads a real-time policy and
	// a CPU of their own, as it does its audio callback thread. The thread
	// stays locked, so what ThreadInit sets ends with the worker.
	ThreadInit func(worker int)
}

// ChunkFunc renders chunk chunk of the current block into left and right,
// which arrive zeroed. worker is the index of the worker running it (0 is
// the caller of RenderBlock); calls for different chunks run concurrently.
type ChunkFunc func(worker, chunk int, left, right *block.Block)

// Scheduler renders blocks across long-lived workers. Create it with New;
// one goroutine at a time calls RenderBlock.
type Scheduler struct {
	// word packs the current block: epoch<<32 | front<<16 | end, the
	// chunks not yet claimed being [front, end). Publishing a block is one
	// store; claiming a chunk is one CAS that fails for a worker whose
	// block is over.
	word atomic.Uint64
	_    [128 - 8]byte
	// published is when the current block was published, in ns since
	// base, for measuring wake latency.
	published atomic.Int64
	_         [128 - 8]byte

	render ChunkFunc
	shards *shard.Set
	base   time.Time

	workers  []worker // index 0 is the caller's (only its stats are used)
	spinners int      // workers 1..spinners may spin; the rest park at once
	yield    bool     // more workers than GOMAXPROCS: spinning must yield
	wait     WaitStrategy
	init     func(worker int) // Config.ThreadInit
	spinTime int64

	maxChunks int
	epoch     uint32          // the caller's copy of the epoch of the last block
	chunks    int             // the caller's copy of the last block's chunk count
	summed    int             // chunks of the last block added into the master bus
	finished  []atomic.Uint32 // finished[c]: epoch of the last block whose chunk c is rendered
	busL      []pool.BufferID
	busR      []pool.BufferID
	sumL      [][]float32 // views of the chunk buses, in chunk order
	sumR      [][]float32

	busy    atomic.Bool // a RenderBlock or Close is running
	closed  atomic.Bool
	running sync.WaitGroup // the worker goroutines

	stats blockStats
}

// New starts a scheduler whose chunks are rendered by render. It allocates
// everything it will use, starts Workers-1 worker goroutines and returns;
// Close stops them. A panic on a worker (in render or ThreadInit) ends the
// program, as a panic in any goroutine does.
func New(cfg Config, render ChunkFunc) (*Scheduler, error) {
	if render == nil {
		return nil, fmt.Errorf("%w: nil ChunkFunc", ErrConfig)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	shards, err := shard.New(shard.Config{Workers: cfg.Workers, BuffersPerShard: cfg.BuffersPerShard, CacheSize: cfg.CacheSize})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	procs := runtime.GOMAXPROCS(0)
	s := &Scheduler{
		render:    render,
		shards:    shards,
		base:      time.Now(),
		workers:   make([]worker, cfg.Workers),
		spinners:  min(cfg.Workers, procs) - 1, // the caller holds one core
		yield:     cfg.Workers > procs,
		wait:      cfg.Wait,
		init:      cfg.ThreadInit,
		spinTime:  int64(cfg.SpinTime),
		maxChunks: cfg.MaxChunks,
		finished:  make([]atomic.Uint32, cfg.MaxChunks),
		busL:      make([]pool.BufferID, cfg.MaxChunks),
		busR:      make([]pool.BufferID, cfg.MaxChunks),
		sumL:      make([][]float32, cfg.MaxChunks),
		sumR:      make([][]float32, cfg.MaxChunks),
	}
	for w := range s.workers {
		s.workers[w].parker.init()
	}
	for w := 1; w < cfg.Workers; w++ {
		s.running.Add(1)
		go s.work(w)
	}
	return s, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.Workers == 0 {
		c.Workers = shard.DefaultWorkers()
	}
	if c.SpinTime == 0 {
		c.SpinTime = DefaultSpinTime
	}
	if c.MaxChunks == 0 {
		c.MaxChunks = DefaultMaxChunks
	}
	if c.CacheSize == 0 {
		c.CacheSize = shard.DefaultCacheSize
	}
	if c.BuffersPerShard == 0 {
		c.BuffersPerShard = 2*c.MaxChunks + c.CacheSize
	}
	switch {
	case c.Workers < 1 || c.Workers > shard.MaxWorkers:
		return c, fmt.Errorf("%w: Workers %d (want 1..%d)", ErrConfig, c.Workers, shard.MaxWorkers)
	case c.Wait < Hybrid || c.Wait > Park:
		return c, fmt.Errorf("%w: Wait %v", ErrConfig, c.Wait)
	case c.SpinTime < 0:
		return c, fmt.Errorf("%w: SpinTime %v is negative", ErrConfig, c.SpinTime)
	case c.MaxChunks < 1 || c.MaxChunks > MaxChunkLimit:
		return c, fmt.Errorf("%w: MaxChunks %d (want 1..%d)", ErrConfig, c.MaxChunks, MaxChunkLimit)
	case c.CacheSize < 2 || c.CacheSize > c.BuffersPerShard:
		return c, fmt.Errorf("%w: CacheSize %d (want 2..BuffersPerShard %d)", ErrConfig, c.CacheSize, c.BuffersPerShard)
	case c.Workers*(c.BuffersPerShard-c.CacheSize) < 2*c.MaxChunks:
		// Caches hide up to CacheSize buffers each from other workers;
		// what is left must hold both buses of every chunk.
		return c, fmt.Errorf("%w: %d workers x (BuffersPerShard %d - CacheSize %d) < 2 x MaxChunks %d",
			ErrConfig, c.Workers, c.BuffersPerShard, c.CacheSize, c.MaxChunks)
	}
	return c, nil
}

// Workers returns the number of workers, the caller included.
func (s *Scheduler) Workers() int { return len(s.workers) }

// MaxChunks returns the most chunks one block may have.
func (s *Scheduler) MaxChunks() int { return s.maxChunks }

// Shards returns the scheduler's buffer shards, for their statistics.
func (s *Scheduler) Shards() *shard.Set { return s.shards }

// Close stops the workers and waits for them to return. It waits for a
// RenderBlock in progress to finish. Later calls do nothing; RenderBlock
// then returns ErrClosed. The error is always nil.
func (s *Scheduler) Close() error {
	for !s.busy.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
	defer s.busy.Store(false)
	if s.closed.Swap(true) {
		return nil
	}
	// A new epoch with no chunks makes spinners look at closed.
	s.nextEpoch()
	s.word.Store(uint64(s.epoch) << 32)
	for w := 1; w < len(s.workers); w++ {
		s.wakeParked(w)
	}
	s.running.Wait()
	return nil
}
