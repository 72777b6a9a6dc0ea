// Package aether renders thousands of synthesizer voices in 64-sample
// blocks across all cores. Engine is the face for real-time use: control
// goroutines play notes by MIDI channel, key and velocity (or post single
// voices), and one goroutine (an audio callback, or a player pulling from
// Reader) renders blocks. Offline rendering of scores and MIDI files to WAV
// is package bounce.
package aether

import (
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"

	"github.com/aether-audio/aether/block"
	"github.com/aether-audio/aether/instrument"
	"github.com/aether-audio/aether/internal/alloc"
	"github.com/aether-audio/aether/queue"
	"github.com/aether-audio/aether/scheduler"
	"github.com/aether-audio/aether/voice"
	uatomic "go.uber.org/atomic"
)

// Defaults for zero Config fields.
const (
	DefaultSampleRate = block.DefaultRate
	DefaultVoices     = 4096
	// DefaultQueueSize holds 4096 events: a whole orchestra's note-ons
	// and note-offs for one block, several times over.
	DefaultQueueSize = 4096
	// DefaultChunkSize is the voice slots per chunk. A SIMD sine voice
	// costs about 30 ns a block here (a full synth voice 200 ns), so 256
	// voices are 8 to 50 us of work: enough that claiming a chunk (one
	// CAS), zeroing its two buses and summing them (about 0.2 us) cost
	// under 3%, and small enough that 10k voices make 40 chunks, so the
	// last chunk a worker takes leaves the others idle for a few percent
	// of a block at most.
	DefaultChunkSize = 256
)

// Errors returned by the Engine, wrapped with the detail.
var (
	ErrConfig    = errors.New("aether: bad engine config")
	ErrQueueFull = errors.New("aether: event queue full")
	ErrOffset    = errors.New("aether: sample offset out of range 0..63")
	ErrParams    = errors.New("aether: invalid voice parameter")
	ErrClosed    = errors.New("aether: engine closed")
	ErrBusy      = errors.New("aether: a block is already rendering")
	ErrNilBuffer = errors.New("aether: nil output buffer")
)

// Config sets up an Engine. Zero fields take their documented defaults.
type Config struct {
	// SampleRate is in Hz; 0 means DefaultSampleRate.
	SampleRate int
	// Workers is the number of render workers, the rendering goroutine
	// included; 0 means the number of physical cores (from cpuid).
	Workers int
	// Voices is the most voices that sound at once; a note-on beyond it
	// steals the least audible voice. 0 means DefaultVoices.
	Voices int
	// QueueSize is the capacity of the event queue; 0 means
	// DefaultQueueSize.
	QueueSize int
	// ChunkSize is the number of voice slots a worker renders per claim,
	// a multiple of 64 (one word of the slot bitmap); 0 means
	// DefaultChunkSize. Chunk k always covers the same slots, so output
	// does not depend on the number of workers.
	ChunkSize int
	// Instruments is the bank the 16 MIDI channels play from (program
	// change and bank select choose in it); nil means the built-in General
	// MIDI bank (instrument.GM).
	Instruments instrument.Bank
	// Wait is what idle workers do between blocks (the zero value is
	// scheduler.Hybrid).
	Wait scheduler.WaitStrategy
	// BuffersPerShard sizes each worker's buffer shard; 0 lets the
	// scheduler size them so they can never run dry.
	BuffersPerShard int
	// Kinds, if not empty, are the only voice kinds the engine plays: it
	// makes nothing for the others (see voice.NewBank), and a note whose
	// instrument starts a voice of another kind cannot start that voice
	// (counted in Stats.Rejected). For a renderer that knows its notes in
	// advance, such as the offline bounce; empty means every kind.
	Kinds []voice.Kind
	// ThreadInit, if not nil, runs on each worker's locked OS thread
	// before it renders (see scheduler.Config.ThreadInit): the place to
	// make render threads real-time, like the thread calling RenderBlock.
	ThreadInit func(worker int)
}

// VoiceID names a note from its NoteOn or Play on; it stays valid until
// the note's last voice finishes (after which events for it are ignored
// and counted as Orphaned). IDs are never reused.
type VoiceID uint64

// Engine renders voices in blocks. Any goroutine may post events; one
// goroutine at a time renders (RenderBlock, RenderInterleaved or Reader).
type Engine struct {
	bank   *voice.Bank
	sched  *scheduler.Scheduler
	events *queue.Ring[event]
	nextID atomic.Uint64
	frame  atomic.Int64 // the first frame of the next block
	gain   uatomic.Float32

	instruments instrument.Bank
	chunkSize   int // slots per chunk
	chunkWords  int // bitmap words per chunk

	// Render-goroutine state, all allocated by NewEngine.
	batch    []event   // the events drained for one block
	pending  eventHeap // events posted for a later block
	seq      uint64    // events drained so far: orders equal frames in pending
	slots    *alloc.Slots
	active   []int32 // chunk k lists its slots in use in [k*chunkSize, (k+1)*chunkSize)
	lists    []chunkList
	notes    noteTable
	chans    [Channels]channel
	voiceBuf []instrument.Voice
	block    uint64  // blocks rendered
	gainNow  float32 // the master gain at the end of the last block
	rendered [2 * block.Size]float32
	rbuf     readState

	busy   atomic.Bool
	closed atomic.Bool
	stats  engineStats
}

// NewEngine allocates everything the engine will use and starts its
// workers; Close stops them.
func NewEngine(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	events, err := queue.New[event](cfg.QueueSize)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if cfg.Instruments == nil {
		cfg.Instruments = instrument.GM(cfg.SampleRate)
	}
	// A stolen voice fades for one block in its own slot while the new
	// note starts in another. At most the voices of one block's note-ons
	// (one queue full, and the pending events due), and at most Voices,
	// can be fading at once, so with this many extra slots a free slot is
	// always there.
	steals := min(cfg.Voices, 2*events.Cap()*instrument.MaxVoices)
	slots := cfg.Voices + steals
	bank, err := voice.NewBank(slots, cfg.SampleRate, cfg.Kinds...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	e := &Engine{
		bank:        bank,
		events:      events,
		instruments: cfg.Instruments,
		chunkSize:   cfg.ChunkSize,
		chunkWords:  cfg.ChunkSize / 64,
		batch:       make([]event, events.Cap()),
		pending:     newEventHeap(events.Cap()),
		slots:       alloc.New(slots, cfg.Voices, steals),
		active:      make([]int32, (slots+cfg.ChunkSize-1)/cfg.ChunkSize*cfg.ChunkSize),
		lists:       make([]chunkList, (slots+cfg.ChunkSize-1)/cfg.ChunkSize),
		notes:       newNoteTable(slots),
		voiceBuf:    make([]instrument.Voice, 0, instrument.MaxVoices),
		gainNow:     1,
	}
	e.gain.Store(1)
	e.rbuf.pos = len(e.rbuf.bytes)
	for c := range e.chans {
		e.chans[c].init(uint8(c), e.instruments)
	}
	e.sched, err = scheduler.New(scheduler.Config{
		Workers:         cfg.Workers,
		Wait:            cfg.Wait,
		MaxChunks:       (slots + cfg.ChunkSize - 1) / cfg.ChunkSize,
		BuffersPerShard: cfg.BuffersPerShard,
		ThreadInit:      cfg.ThreadInit,
	}, e.renderChunk)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return e, nil
}

func (c Config) withDefaults() (Config, error) {
	if c.SampleRate == 0 {
		c.SampleRate = DefaultSampleRate
	}
	if c.Voices == 0 {
		c.Voices = DefaultVoices
	}
	if c.QueueSize == 0 {
		c.QueueSize = DefaultQueueSize
	}
	if c.ChunkSize == 0 {
		c.ChunkSize = DefaultChunkSize
	}
	switch {
	case c.SampleRate < 0:
		return c, fmt.Errorf("%w: SampleRate %d", ErrConfig, c.SampleRate)
	case c.Voices < 1 || c.Voices > 1<<22:
		return c, fmt.Errorf("%w: Voices %d (want 1..%d)", ErrConfig, c.Voices, 1<<22)
	case c.QueueSize < 1 || c.QueueSize > queue.MaxCapacity:
		return c, fmt.Errorf("%w: QueueSize %d (want 1..%d)", ErrConfig, c.QueueSize, queue.MaxCapacity)
	case c.ChunkSize < 64 || c.ChunkSize%64 != 0:
		return c, fmt.Errorf("%w: ChunkSize %d (want a positive multiple of 64)", ErrConfig, c.ChunkSize)
	case (2*c.Voices+c.ChunkSize-1)/c.ChunkSize > scheduler.MaxChunkLimit:
		return c, fmt.Errorf("%w: ChunkSize %d makes too many chunks for %d voices", ErrConfig, c.ChunkSize, c.Voices)
	}
	return c, nil
}

// Workers returns the number of render workers.
func (e *Engine) Workers() int { return e.sched.Workers() }

// SampleRate returns the sample rate in Hz.
func (e *Engine) SampleRate() int { return e.bank.SampleRate() }

// Frame returns the frame at which the next block starts: frames count
// from 0 at the first sample the engine rendered. Events for this frame
// or an earlier one take effect at the start of the next block; any
// goroutine may call it.
func (e *Engine) Frame() int64 { return e.frame.Load() }

// SetMasterGain sets the linear gain applied to the mixed output (1, the
// default, leaves it as the voices sum), ramped across the next block so
// that a change never clicks. NaN, infinite and negative gains are
// ignored. Any goroutine may call it.
func (e *Engine) SetMasterGain(g float32) {
	if g >= 0 && g <= voice.MaxLevel {
		e.gain.Store(voice.FlushTiny(g))
	}
}

// Close stops the workers. It waits for a block being rendered; later
// posts and renders return ErrClosed. Calling it again does nothing.
func (e *Engine) Close() error {
	// Closed first, so that no new block starts; then taking busy waits
	// out the block in flight, so none still runs when the scheduler stops.
	e.closed.Store(true)
	for !e.busy.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
	e.busy.Store(false)
	return e.sched.Close()
}
