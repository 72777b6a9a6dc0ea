package mix

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// xmmOperand matches a Go-assembler XMM register operand (X0..X31).
var xmmOperand = regexp.MustCompile(`\bX([0-9]|[12][0-9]|3[01])\b`)

// asmFunc is one TEXT symbol of an assembly file: its name and its
// instructions (mnemonic first, comments and labels dropped).
type asmFunc struct {
	name  string
	lines []string
}

func readAsmFuncs(t *testing.T, path string) []asmFunc {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var funcs []asmFunc
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "//"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasSuffix(line, ":") || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "TEXT "):
			name := strings.TrimPrefix(line, "TEXT ")
			name = name[:strings.IndexByte(name, '(')]
			funcs = append(funcs, asmFunc{name: strings.TrimPrefix(name, "·")})
		case strings.HasPrefix(line, "DATA ") || strings.HasPrefix(line, "GLOBL "):
		case len(funcs) > 0:
			funcs[len(funcs)-1].lines = append(funcs[len(funcs)-1].lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return funcs
}

func mnemonic(line string) string {
	if i := strings.IndexAny(line, " \t"); i >= 0 {
		return line[:i]
	}
	return line
}

// isVEX reports whether an instruction is VEX or EVEX encoded: in Go
// assembly those are the V-prefixed mnemonics and the opmask (K) ones.
func isVEX(op string) bool {
	return strings.HasPrefix(op, "V") || strings.HasPrefix(op, "K")
}

// TestNoSSEInVEXFunctions reads the generated amd64 assembly and fails on
// any legacy-SSE instruction (one that names an XMM register without a VEX
// or EVEX encoding) inside a function that uses VEX or EVEX, and on any RET
// of such a function that VZEROUPPER does not precede. On Intel cores each
// such SSE instruction after a VEX one that dirtied the upper halves is a
// state transition costing hundreds of nanoseconds; AMD cores do not show
// it, so only this scan catches it there.
func TestNoSSEInVEXFunctions(t *testing.T) {
	funcs := readAsmFuncs(t, "mix_amd64.s")
	if len(funcs) == 0 {
		t.Fatal("no TEXT symbols in mix_amd64.s")
	}
	vexFuncs := 0
	for _, fn := range funcs {
		usesVEX := false
		for _, l := range fn.lines {
			if isVEX(mnemonic(l)) {
				usesVEX = true
				break
			}
		}
		if !usesVEX {
			continue
		}
		vexFuncs++
		for i, l := range fn.lines {
			op := mnemonic(l)
			if !isVEX(op) && xmmOperand.MatchString(l) {
				t.Errorf("%s: legacy-SSE instruction in a VEX function: %s", fn.name, l)
			}
			if op == "RET" && (i == 0 || fn.lines[i-1] != "VZEROUPPER") {
				t.Errorf("%s: RET without VZEROUPPER before it", fn.name)
			}
		}
	}
	if vexFuncs == 0 {
		t.Fatal("no VEX function found: the scan is not reading the assembly")
	}
}
