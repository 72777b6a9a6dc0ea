package main

import (
	"fmt"
	"strings"
	"unicode"
)

// maxErrLine bounds an error line: inputs can put any bytes into a message
// (a path with a carriage return in a manifest, a 100,000-digit number in
// a score), and a line that long, or one that moves the cursor, is no
// longer the one clear line the user should get.
const maxErrLine = 400

// errLine renders err as one bounded line of printable text: control,
// invisible format (U+202E, U+FEFF, U+200B: unicode.Cf) and invalid
// characters are escaped as Go would quote them, and the middle of an
// overlong message is cut.
func errLine(err error) string {
	var b strings.Builder
	for _, r := range err.Error() {
		switch {
		case r == unicode.ReplacementChar || unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			q := fmt.Sprintf("%q", string(r))
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if len(s) > maxErrLine {
		cut := len(s) - maxErrLine
		head := strings.ToValidUTF8(s[:maxErrLine/2], "")
		tail := strings.ToValidUTF8(s[len(s)-maxErrLine/2:], "")
		s = fmt.Sprintf("%s…[%d bytes cut]…%s", head, cut, tail)
	}
	return s
}
