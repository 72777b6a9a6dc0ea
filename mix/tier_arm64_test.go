//go:build gc && !purego && !noasm

package mix

// wantTiers is what every arm64 CPU offers: NEON is part of the base ISA.
func wantTiers() []string { return []string{"generic", "neon"} }
