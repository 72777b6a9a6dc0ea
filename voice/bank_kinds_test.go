package voice

import (
	"errors"
	"strings"
	"testing"

	"github.com/aether-audio/aether/block"
)

// A bank made for some kinds plays those, refuses a NoteOn of another with
// a one-line ErrParams, and makes nothing for the others; a kind out of
// range is refused at NewBank.
func TestBankForSomeKinds(t *testing.T) {
	b, err := NewBank(4, testRate, Sine, Noise)
	if err != nil {
		t.Fatal(err)
	}
	if b.src[Saw] != nil || b.src[SoundFontSampler] != nil || b.src[Sine] == nil || b.src[Noise] == nil {
		t.Error("the bank made state for kinds it was not made for, or none for its own")
	}
	if err := b.NoteOn(0, &Params{Kind: Sine, Freq: 440, Gain: 0.5}, 0); err != nil {
		t.Fatal(err)
	}
	err = b.NoteOn(1, &Params{Kind: Saw, Freq: 440, Gain: 0.5}, 0)
	if !errors.Is(err, ErrParams) || !strings.Contains(err.Error(), "saw") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a saw in a sine and noise bank: %v, want a one-line ErrParams naming the kind", err)
	}
	if b.Active(1) {
		t.Error("the refused voice is active")
	}
	var l, r block.Block
	if gone := b.Render([]int32{0, 1}, &l, &r); gone != 1 || l[32] == 0 {
		t.Errorf("Render: %d gone, sample 32 = %v; want the sine playing and slot 1 gone", gone, l[32])
	}
	if _, err := NewBank(4, testRate, numKinds); !errors.Is(err, ErrParams) {
		t.Errorf("NewBank with kind %d: %v, want ErrParams", numKinds, err)
	}
}
