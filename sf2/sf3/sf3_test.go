package sf3

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aether-audio/aether/sf2"
)

// fluidR3Mono is the SF3 font Debian's fluidr3mono-gm-soundfont installs.
const fluidR3Mono = "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3"

// oggSine encodes frames of a sine of hz at amplitude amp (of full scale)
// as mono Ogg Vorbis with oggenc (vorbis-tools), skipping the test when
// oggenc is absent.
func oggSine(t testing.TB, hz float64, frames, rate int, amp float64, channels int) []byte {
	t.Helper()
	enc, err := exec.LookPath("oggenc")
	if err != nil {
		t.Skip("oggenc not found (apt-get install vorbis-tools): skipping")
	}
	dir := t.TempDir()
	var pcm []byte
	for i := range frames {
		x := int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate))))
		for range channels {
			pcm = binary.LittleEndian.AppendUint16(pcm, uint16(x))
		}
	}
	raw, ogg := filepath.Join(dir, "in.raw"), filepath.Join(dir, "out.ogg")
	if err := os.WriteFile(raw, pcm, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(enc, "-Q", "-r", "-B", "16", "-C", itoa(channels), "-R", itoa(rate), "-q", "0", "-o", ogg, raw)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oggenc: %v: %s", err, out)
	}
	b, err := os.ReadFile(ogg)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func itoa(n int) string { return strconv.Itoa(n) }

// sf3Font writes an SF3 font of one preset (0:0) playing one looped
// compressed sample, the stream, with its loop in decoded frames. Like
// MuseScore's files, it has no pad byte after an odd-sized smpl.
func sf3Font(stream []byte, loopStart, loopEnd uint32, rate uint32) []byte {
	le16 := binary.LittleEndian.AppendUint16
	le32 := binary.LittleEndian.AppendUint32
	name := func(s string) []byte { b := make([]byte, 20); copy(b, s); return b }
	chunk := func(id string, body []byte, pad bool) []byte {
		b := le32([]byte(id), uint32(len(body)))
		b = append(b, body...)
		if pad && len(body)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	list := func(typ string, parts ...[]byte) []byte {
		return chunk("LIST", bytes.Join(append([][]byte{[]byte(typ)}, parts...), nil), true)
	}
	info := list("INFO", chunk("ifil", le16(le16(nil, 3), 1), true), chunk("INAM", []byte("sf3 test\x00"), true))
	sdta := list("sdta", chunk("smpl", stream, false))
	var phdr, inst, shdr []byte
	phdr = append(le16(le16(le16(append(phdr, name("Sine")...), 0), 0), 0), make([]byte, 12)...)
	phdr = append(le16(le16(le16(append(phdr, name("EOP")...), 0), 0), 1), make([]byte, 12)...)
	pbag := le16(le16(le16(le16(nil, 0), 0), 1), 0)
	pgen := le16(le16(le16(le16(nil, 41), 0), 0), 0) // instrument 0, terminal
	inst = le16(append(inst, name("Sine")...), 0)
	inst = le16(append(inst, name("EOI")...), 1)
	ibag := le16(le16(le16(le16(nil, 0), 0), 2), 0)
	igen := le16(le16(le16(le16(le16(le16(nil, 54), 1), 53), 0), 0), 0) // sampleModes 1, sampleID 0, terminal
	shdr = append(shdr, name("ogg sine")...)
	for _, v := range []uint32{0, uint32(len(stream)), loopStart, loopEnd, rate} {
		shdr = le32(shdr, v)
	}
	shdr = le16(le16(append(shdr, 60, 0), 0), sf2.SampleMono|sf2.SampleVorbis)
	shdr = append(append(shdr, name("EOS")...), make([]byte, 26)...)
	pdta := list("pdta", chunk("phdr", phdr, true), chunk("pbag", pbag, true), chunk("pmod", make([]byte, 10), true),
		chunk("pgen", pgen, true), chunk("inst", inst, true), chunk("ibag", ibag, true), chunk("imod", make([]byte, 10), true),
		chunk("igen", igen, true), chunk("shdr", shdr, true))
	return chunk("RIFF", bytes.Join([][]byte{[]byte("sfbk"), info, sdta, pdta}, nil), true)
}

func read(b []byte) (*sf2.Font, error) {
	return Options(sf2.Options{}).Read(bytes.NewReader(b), int64(len(b)))
}

// checkErr asserts err is one line, of kind, naming the sample record.
func checkErr(t *testing.T, what string, err error, kind error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: read without error", what)
	}
	msg := err.Error()
	t.Logf("%s: %s", what, msg)
	if !errors.Is(err, kind) || strings.Contains(msg, "\n") || !strings.Contains(msg, `pdta/shdr record 0 ("ogg sine")`) {
		t.Errorf("%s: error %q: want one line of kind %v naming the sample record", what, msg, kind)
	}
}

// A sine encoded by oggenc reads back at its length, level and pitch,
// and its loop counts decoded frames.
func TestReadVorbis(t *testing.T) {
	const rate, frames, hz, amp = 44100, 22050, 441.0, 0.5
	f, err := read(sf3Font(oggSine(t, hz, frames, rate, amp, 1), 1000, 21000, rate))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Samples[0]
	if s.End-s.Start != frames || s.LoopStart-s.Start != 1000 || s.LoopEnd-s.Start != 21000 {
		t.Fatalf("sample [%d,%d) loop [%d,%d): want %d frames, loop [1000,21000) from its start", s.Start, s.End, s.LoopStart, s.LoopEnd, frames)
	}
	x := f.Pool[s.Start+rate/10 : s.End-rate/10]
	sum, crossings := 0.0, 0
	for i, v := range x {
		sum += float64(v) * float64(v)
		if i > 0 && x[i-1] < 0 && v >= 0 {
			crossings++
		}
	}
	rms := math.Sqrt(sum / float64(len(x)))
	gotHz := float64(crossings) * rate / float64(len(x))
	t.Logf("decoded: %d frames, RMS %.4f (want %.4f), %.1f Hz", s.End-s.Start, rms, amp/math.Sqrt2, gotHz)
	if math.Abs(20*math.Log10(rms/(amp/math.Sqrt2))) > 0.5 || math.Abs(gotHz-hz) > 3 {
		t.Errorf("RMS %.4f, %.1f Hz: want %.4f within 0.5 dB, %.0f Hz within 3 Hz", rms, gotHz, amp/math.Sqrt2, hz)
	}
	if r := f.Preset(0, 0).Regions(60, 100, nil); len(r) != 1 || r[0].Start != s.Start || r[0].LoopEnd != s.LoopEnd || r[0].LoopMode != 1 {
		t.Fatalf("key 60 plays %+v", r)
	}
}

// oggCRC is the Ogg page checksum (CRC-32, polynomial 0x04c11db7, not
// reflected, initial value 0).
func oggCRC(b []byte) uint32 {
	crc := uint32(0)
	for _, c := range b {
		crc ^= uint32(c) << 24
		for range 8 {
			if crc&0x80000000 != 0 {
				crc = crc<<1 ^ 0x04c11db7
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// setLastGranule rewrites the granule position (the frames the stream
// declares) of the stream's last page, with a valid checksum.
func setLastGranule(t *testing.T, stream []byte, granule uint64) []byte {
	b := bytes.Clone(stream)
	p := bytes.LastIndex(b, []byte("OggS"))
	if p < 0 {
		t.Fatal("no Ogg page")
	}
	binary.LittleEndian.PutUint64(b[p+6:], granule)
	binary.LittleEndian.PutUint32(b[p+22:], 0)
	binary.LittleEndian.PutUint32(b[p+22:], oggCRC(b[p:]))
	return b
}

// Broken streams give one line naming the sample, never a panic; a stream
// declaring more frames than its bytes allow is refused before anything
// is allocated for it.
func TestBadVorbis(t *testing.T) {
	const rate, frames = 44100, 22050
	good := oggSine(t, 441, frames, rate, 0.5, 1)
	if _, err := read(sf3Font(setLastGranule(t, good, frames), 0, 0, rate)); err != nil {
		t.Fatalf("the rewritten page does not read: %v", err)
	}
	garbage := bytes.Repeat([]byte("not Ogg Vorbis, "), 100)
	cases := []struct {
		name   string
		stream []byte
		kind   error
	}{
		{"truncated", good[:len(good)*2/3], sf2.ErrCorrupt},
		{"headers only", good[:200], sf2.ErrCorrupt},
		{"garbage", garbage, sf2.ErrCorrupt},
		{"a flipped byte", func() []byte { b := bytes.Clone(good); b[len(b)/2] ^= 0x55; return b }(), sf2.ErrCorrupt},
		{"declares more than it decodes", setLastGranule(t, good, frames+5000), sf2.ErrCorrupt},
		{"declares a length its bytes cannot hold", setLastGranule(t, good, 1<<40), sf2.ErrLimit},
		{"stereo", oggSine(t, 441, 4410, rate, 0.5, 2), sf2.ErrCorrupt},
	}
	for _, c := range cases {
		_, err := read(sf3Font(c.stream, 0, 0, rate))
		checkErr(t, c.name, err, c.kind)
	}
	_, err := sf2.Read(bytes.NewReader(sf3Font(good, 0, 0, rate)), int64(len(sf3Font(good, 0, 0, rate))))
	if !errors.Is(err, sf2.ErrUnsupported) || !strings.Contains(err.Error(), "sf2/sf3") {
		t.Errorf("without the decoder: %v, want ErrUnsupported naming this package", err)
	}
}

// The SF2 reader does not link the Vorbis decoder: only this package does.
func TestSF2DoesNotImportVorbis(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: skipping")
	}
	out, err := exec.Command(goTool, "list", "-deps", "github.com/aether-audio/aether/sf2").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	if !strings.Contains(string(out), "github.com/aether-audio/aether/sf2\n") {
		t.Fatalf("go list printed no sf2:\n%s", out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.Contains(dep, "jfreymuth") || strings.Contains(dep, "vorbis") {
			t.Errorf("package sf2 depends on %s", dep)
		}
	}
}

// FluidR3Mono_GM.sf3 (Debian's fluidr3mono-gm-soundfont) loads whole:
// every sample decoded, at the length its stream declares.
func TestFluidR3Mono(t *testing.T) {
	if _, err := os.Stat(fluidR3Mono); err != nil {
		t.Skipf("%s not found (apt-get install fluidr3mono-gm-soundfont): skipping", fluidR3Mono)
	}
	if testing.Short() {
		t.Skip("decodes 62 M frames: skipped with -short")
	}
	start := time.Now()
	f, err := ReadFile(fluidR3Mono)
	if err != nil {
		t.Fatal(err)
	}
	frames, playable := 0, 0
	for _, s := range f.Samples {
		if s.End > s.Start {
			playable++
			frames += s.End - s.Start
		}
	}
	regions := 0
	for _, p := range f.Presets {
		regions += len(p.AllRegions)
	}
	t.Logf("%s: version %s, %d samples (%d playable, %d frames), %d presets, %d regions, pool %d MB, %v",
		fluidR3Mono, f.Info.Version, len(f.Samples), playable, frames, len(f.Presets), regions, len(f.Pool)*4>>20, time.Since(start))
	if f.Info.Version.Major != 3 || playable < 1000 || frames < 50_000_000 || f.Preset(0, 0) == nil || f.Preset(sf2.DrumBank, 0) == nil {
		t.Fatal("not the font expected: want version 3, over 1000 playable samples, 50 M frames, a piano and a drum kit")
	}
	peak := float32(0)
	for _, s := range f.Samples {
		for _, x := range f.Pool[s.Start:s.End] {
			peak = max(peak, x, -x)
		}
	}
	if peak < 0.1 || peak > 1 {
		t.Errorf("sample peak %v", peak)
	}
}

// oggPage is one Ogg page holding the packets whole, with its checksum.
func oggPage(flags byte, granule int64, seq uint32, packets ...[]byte) []byte {
	var lacing, body []byte
	for _, p := range packets {
		n := len(p)
		for ; n >= 255; n -= 255 {
			lacing = append(lacing, 255)
		}
		lacing = append(lacing, byte(n))
		body = append(body, p...)
	}
	b := []byte("OggS\x00")
	b = append(b, flags)
	b = binary.LittleEndian.AppendUint64(b, uint64(granule))
	b = binary.LittleEndian.AppendUint32(b, 1)
	b = binary.LittleEndian.AppendUint32(b, seq)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(append(append(b, byte(len(lacing))), lacing...), body...)
	binary.LittleEndian.PutUint32(b[22:], oggCRC(b))
	return b
}

// bitWriter writes bits least significant first, as Vorbis packs them.
type bitWriter struct {
	b []byte
	n int
}

func (w *bitWriter) put(v uint64, bits int) {
	for i := range bits {
		if w.n%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (w.n % 8)
		w.n++
	}
}

// Headers whose fields would make the decoder allocate far more than the
// stream's size (a codebook of 16 M entries in a few bytes, 4 G comments)
// are refused before it sees them. Each stream declares a plausible
// length (4410 frames), so only the header checks stand in the way.
func TestHostileHeaders(t *testing.T) {
	good := oggSine(t, 441, 4410, 44100, 0.5, 1)
	p, _, err := nextPage(good)
	if err != nil {
		t.Fatal(err)
	}
	id := p.body
	comment := []byte("\x03vorbis\x00\x00\x00\x00\x00\x00\x00\x00\x01")
	var w bitWriter
	w.put(0, 8)         // one codebook
	w.put(0x564342, 24) // sync
	w.put(1, 16)        // dimensions
	w.put(1<<24-1, 24)  // entries
	w.put(1, 1)         // ordered
	w.put(0, 5)         // first length
	w.put(1<<24-1, 24)  // that many entries of it
	w.put(0, 4)         // no lookup
	setup := append([]byte("\x05vorbis"), w.b...)
	for _, c := range []struct {
		name   string
		stream []byte
		want   string
	}{
		{"huge codebook", append(oggPage(2, 0, 0, id), oggPage(4, 4410, 1, comment, setup)...), "codebooks ask for over"},
		{"4 G comments", append(oggPage(2, 0, 0, id), oggPage(4, 4410, 1, []byte("\x03vorbis\x00\x00\x00\x00\xff\xff\xff\xff\x01"), setup)...), "comments in"},
		{"codebook cut short", append(oggPage(2, 0, 0, id), oggPage(4, 4410, 1, comment, setup[:16])...), "cut short"},
		{"junk after the last page", append(bytes.Clone(good), "junk"...), "not an Ogg page"},
	} {
		_, err := read(sf3Font(c.stream, 0, 0, 44100))
		checkErr(t, c.name, err, sf2.ErrCorrupt)
		if err != nil && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want it to say %q", c.name, err, c.want)
		}
	}
}
