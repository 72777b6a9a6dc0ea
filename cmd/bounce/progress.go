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

// progressBar draws one line on a terminal, redrawn in place. A nil bar
// (standard error is not a terminal) does nothing.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	last  time.Time
}

// newProgressBar returns a bar on w when w is a terminal, nil otherwise.
func newProgressBar(w io.Writer, label string) *progressBar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressBar{w: w, label: label}
}

// update draws done of total.
func (b *progressBar) update(done, total int64) {
	if b == nil || total <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if now := time.Now(); done < total && now.Sub(b.last) < progressEvery {
		return
	} else {
		b.last = now
	}
	const width = 30
	n := int(width * done / total)
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d%%", b.label, strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*done/total)
}

// finish ends the bar's line.
func (b *progressBar) finish() {
	if b != nil {
		fmt.Fprintln(b.w)
	}
}
