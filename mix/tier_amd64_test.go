//go:build gc && !purego && !noasm

package mix

import "github.com/klauspost/cpuid/v2"

// wantTiers is what this CPU must offer: a tier it has but Tiers lacks
// fails the tests instead of going untested.
func wantTiers() []string {
	want := []string{"generic", "sse2"}
	if cpuid.CPU.Supports(cpuid.AVX, cpuid.AVX2, cpuid.FMA3) {
		want = append(want, "avx2")
		if cpuid.CPU.Supports(cpuid.AVX512F) {
			want = append(want, "avx512")
		}
	}
	return want
}
