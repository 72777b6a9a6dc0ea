package errtext

import "testing"

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"song.mid":             "song.mid",
		"dir/my song (1).json": "dir/my song (1).json",
		"π.json":               "π.json",
		"a\nb":                 `"a\nb"`,
		"a\rb":                 `"a\rb"`,
		"evil\u202egpj.mid":    `"evil\u202egpj.mid"`,
		"\ufeffx":              `"\ufeffx"`,
		"zero\u200bwidth":      `"zero\u200bwidth"`,
		"bad\xffutf8":          `"bad\xffutf8"`,
		"tab\there":            `"tab\there"`,
		"no\u00a0break":        `"no\u00a0break"`,
		"":                     "",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %s, want %s", in, got, want)
		}
	}
}
