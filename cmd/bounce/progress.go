package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressEvery limits redraws of the progress bar to ten a second, enough
// to look live without flooding a slow terminal.
const progressEvery = 100 * time.Millisecond

// progressBar draws one line on a terminal, redrawn in place: how much
// audio is done, how fast (times real time) and when it will end. A batch
// counts audio across its files, so large files move the bar while they
// render; its total is estimated from the files loaded so far. A nil bar
// (standard error is not a terminal) does nothing; all methods are safe
// for concurrent use.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	start time.Time
	last  time.Time
	now   func() time.Time

	files, filesDone int             // inputs, and inputs finished (or skipped)
	loaded           int             // inputs whose length is known
	loadedAudio      float64         // their seconds of audio
	doneAudio        float64         // seconds of finished inputs
	partial          map[int]float64 // seconds rendered of inputs in flight
	drawn            bool            // a line is on the screen
	single           bool            // one input: no file counts
	skipped          int             // inputs left out of the estimate
}

// newProgressBar returns a bar for files inputs on w when w is a
// terminal, nil otherwise.
func newProgressBar(w io.Writer, label string, files int) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return newBar(w, label, files, time.Now)
}

func newBar(w io.Writer, label string, files int, now func() time.Time) *progressBar {
	return &progressBar{w: w, label: label, files: files, single: files == 1, now: now, start: now(), partial: map[int]float64{}}
}

// loadedFile records the length of input i, now known.
func (b *progressBar) loadedFile(seconds float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.loaded++
	b.loadedAudio += seconds
}

// rendering records that input i has rendered done of its seconds.
func (b *progressBar) rendering(i int, done float64) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.partial[i] = done
	b.draw(false)
}

// finished records input i as done with seconds of audio (0 when it
// failed); skipped inputs leave the estimate of the total.
func (b *progressBar) finished(i int, seconds float64, skipped bool) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.partial, i)
	b.filesDone++
	b.doneAudio += seconds
	if skipped {
		b.skipped++
	}
	b.draw(b.filesDone == b.files)
}

// above runs print, which writes whole lines to the bar's terminal, with
// the bar off the screen; the next update draws it again below them.
func (b *progressBar) above(print func()) {
	if b == nil {
		print()
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
	print()
}

// finish ends the bar's line.
func (b *progressBar) finish() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprintln(b.w)
		b.drawn = false
	}
}

// draw redraws the line, at most every progressEvery unless force.
func (b *progressBar) draw(force bool) {
	now := b.now()
	if !force && now.Sub(b.last) < progressEvery {
		return
	}
	b.last = now
	fmt.Fprint(b.w, "\r"+b.line(now.Sub(b.start)))
	b.drawn = true
}

// line is the bar's text after elapsed time.
func (b *progressBar) line(elapsed time.Duration) string {
	done := b.doneAudio
	for _, s := range b.partial {
		done += s
	}
	// The inputs not loaded yet are guessed to be as long as the mean of
	// those loaded.
	total := b.loadedAudio
	if rest := b.files - b.skipped - b.loaded; rest > 0 && b.loaded > 0 {
		total += float64(rest) * b.loadedAudio / float64(b.loaded)
	}
	frac := 0.0
	if total > 0 {
		frac = min(1, done/total)
	}
	if b.files > 0 && b.filesDone == b.files {
		frac = 1
	}
	const width = 24
	n := int(width * frac)
	var s strings.Builder
	fmt.Fprintf(&s, "%s [%s%s] %3.0f%%", b.label, strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*frac)
	if !b.single {
		fmt.Fprintf(&s, " %d/%d files,", b.filesDone, b.files)
	}
	fmt.Fprintf(&s, " %s of audio", clock(done))
	if sec := elapsed.Seconds(); sec > 0 && done > 0 {
		rate := done / sec
		fmt.Fprintf(&s, ", %.1fx real time", rate)
		if frac < 1 {
			fmt.Fprintf(&s, ", ETA %s", clock((total-done)/rate))
		}
	}
	return s.String()
}

// clock formats seconds as m:ss or h:mm:ss.
func clock(sec float64) string {
	t := int(sec + 0.5)
	if t >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
	}
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}
