package score

import (
	"bytes"
	"encoding/json"
	"strings"
)

// keyScanner finds repeated keys in JSON objects, which encoding/json
// would accept with the last one winning: a score with two "time"s in a
// note, or a "cutoff" given twice, is a mistake its author wants to hear
// about, not a value silently picked. Its stack is reused between calls.
type keyScanner struct {
	stack []keyFrame
}

// keyFrame is one open object or array: the object's keys so far (raw,
// quotes included) and the key under which the next value sits.
type keyFrame struct {
	object bool
	keys   [][]byte
	at     []byte // the key (quoted) of the value being read, for the path
}

// duplicate returns the path, below raw, of the first key that repeats an
// earlier key of the same object ("time", "filter.cutoff") and its offset
// in raw, or "". raw must be valid JSON, such as the bytes encoding/json
// has just decoded (a leading comma or space is skipped). Keys are
// compared as encoding/json matches them to fields: unescaped, and
// without regard to case.
func (s *keyScanner) duplicate(raw []byte) (path string, off int) {
	s.stack = s.stack[:0]
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; c {
		case '{', '[':
			s.stack = append(s.stack, keyFrame{object: c == '{', keys: s.reuseKeys()})
		case '}', ']':
			s.stack = s.stack[:len(s.stack)-1]
			if n := len(s.stack); n > 0 {
				s.stack[n-1].at = nil
			}
		case '"':
			end := stringEnd(raw, i)
			str := raw[i : end+1]
			i = end
			j := skipSpace(raw, i+1)
			if j >= len(raw) || raw[j] != ':' || len(s.stack) == 0 {
				continue // a string value
			}
			top := &s.stack[len(s.stack)-1]
			for _, k := range top.keys {
				if sameKey(k, str) {
					return s.path(unquote(str)), i - len(str) + 1
				}
			}
			top.keys = append(top.keys, str)
			top.at = str
			i = j
		}
	}
	return "", 0
}

// reuseKeys returns an empty key list, reusing the storage of the frame
// that last sat at the new frame's depth.
func (s *keyScanner) reuseKeys() [][]byte {
	if n := len(s.stack); n < cap(s.stack) {
		return s.stack[:n+1][n].keys[:0]
	}
	return nil
}

// path joins the keys of the open objects down to key.
func (s *keyScanner) path(key string) string {
	var b strings.Builder
	for _, f := range s.stack[:len(s.stack)-1] {
		if f.object && f.at != nil {
			b.WriteString(unquote(f.at))
			b.WriteByte('.')
		}
	}
	b.WriteString(key)
	return b.String()
}

// stringEnd returns the index of the quote that closes the string opened
// at raw[i].
func stringEnd(raw []byte, i int) int {
	for j := i + 1; j < len(raw); j++ {
		switch raw[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(raw) - 1
}

func skipSpace(raw []byte, i int) int {
	for i < len(raw) && (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\n' || raw[i] == '\r') {
		i++
	}
	return i
}

// sameKey reports whether two quoted keys name the same field.
func sameKey(a, b []byte) bool {
	if bytes.IndexByte(a, '\\') < 0 && bytes.IndexByte(b, '\\') < 0 {
		return bytes.EqualFold(a, b)
	}
	return strings.EqualFold(unquote(a), unquote(b))
}

// unquote returns the text of a quoted JSON string.
func unquote(q []byte) string {
	if bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1])
	}
	var s string
	if json.Unmarshal(q, &s) != nil {
		return string(q)
	}
	return s
}
