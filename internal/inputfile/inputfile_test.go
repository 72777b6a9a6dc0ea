package inputfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Open returns at once, with one clear error, for every input that is not
// a regular file; a named pipe with no writer above all, which blocks a
// plain open(2) forever.
func TestOpenRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{fifo: "is a named pipe", dir: "is a directory", os.DevNull: "is a device"} {
		done := make(chan error, 1)
		go func() {
			f, _, err := Open(path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: err = %v, want %q", path, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Open blocked", path)
		}
	}
	f, size, err := Open(file)
	if err != nil || size != 5 {
		t.Fatalf("regular file: size %d, %v", size, err)
	}
	f.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if _, _, err := OpenIn(root, "fifo"); !errors.Is(err, ErrNotRegular) {
		t.Errorf("fifo in a root: %v", err)
	}
	if _, _, err := OpenIn(root, "../x"); err == nil {
		t.Error("../x in a root: no error")
	}
}

// ReadAll reads exactly what is there, refuses more than the limit
// without reading a known-size file, and sizes its buffer from the size.
func TestReadAll(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789"), 1000)
	for _, c := range []struct {
		size, limit int64
		ok          bool
	}{
		{-1, 10000, true}, {-1, 9999, false}, {10000, 10000, true}, {10000, 9999, false}, {-1, 0, false}, {-1, 1 << 30, true},
	} {
		got, tooLarge, err := ReadAll(bytes.NewReader(data), c.size, c.limit)
		if err != nil || tooLarge == c.ok || c.ok && !bytes.Equal(got, data) {
			t.Errorf("size %d, limit %d: %d bytes, too large %v, %v", c.size, c.limit, len(got), tooLarge, err)
		}
	}
	if got, tooLarge, err := ReadAll(strings.NewReader(""), 0, 0); err != nil || tooLarge || len(got) != 0 {
		t.Errorf("empty: %q %v %v", got, tooLarge, err)
	}
	// A size over the limit is refused before any read.
	if _, tooLarge, _ := ReadAll(failReader{}, 1<<40, 1<<20); !tooLarge {
		t.Error("a size over the limit was read")
	}
	if _, _, err := ReadAll(failReader{}, -1, 10); err == nil {
		t.Error("read error lost")
	}
	// The buffer of a file of known size holds the file and one byte.
	got, _, _ := ReadAll(bytes.NewReader(data), int64(len(data)), 1<<30)
	if cap(got) != len(data)+1 {
		t.Errorf("buffer of %d bytes for a %d-byte file", cap(got), len(data))
	}
	f, err := os.CreateTemp(t.TempDir(), "x")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Write(data)
	f.Seek(0, io.SeekStart)
	if Size(f) != int64(len(data)) || Size(bytes.NewReader(data)) != -1 {
		t.Errorf("Size: %d, %d", Size(f), Size(bytes.NewReader(data)))
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("broken") }
