//go:build gc && !purego && !noasm

package mix

import "golang.org/x/sys/cpu"

// wantTiers is what this CPU must offer, read from golang.org/x/sys/cpu
// rather than from cpuid, which chooses the tiers: a tier the CPU has but
// Tiers lacks (or a detection bug) fails the tests instead of going
// untested.
func wantTiers() []string {
	want := []string{"generic", "sse2"}
	if cpu.X86.HasAVX && cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		want = append(want, "avx2")
		if cpu.X86.HasAVX512F {
			want = append(want, "avx512")
		}
	}
	return want
}
