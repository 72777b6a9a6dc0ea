//go:build gc && !purego && !noasm

package mix

import "golang.org/x/sys/cpu"

// wantTiers is what this CPU must offer, read from golang.org/x/sys/cpu
// rather than from cpuid, which chooses the tiers: NEON (Advanced SIMD)
// is in every arm64 CPU's base ISA.
func wantTiers() []string {
	if !cpu.ARM64.HasASIMD {
		return []string{"generic"}
	}
	return []string{"generic", "neon"}
}
