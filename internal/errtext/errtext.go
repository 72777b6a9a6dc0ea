// Package errtext keeps error messages to one line of visible text, so
// that a message logged from hostile input (a file name with a newline, an
// instrument name with a right-to-left override) cannot forge log lines
// or hide what it says.
package errtext

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Name returns s as it should appear in a one-line error message:
// unchanged when every rune is printable (letters, marks, numbers,
// punctuation, symbols and the ASCII space: no control character, no
// invisible format character such as U+202E), quoted in Go syntax
// otherwise, which escapes them.
func Name(s string) string {
	if Plain(s) {
		return s
	}
	return strconv.Quote(s)
}

// Plain reports whether s is valid UTF-8 whose every rune unicode.IsPrint
// accepts.
func Plain(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}
