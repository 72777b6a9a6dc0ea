//go:build !amd64 || !gc || purego || noasm

package mix

func wantTiers() []string { return []string{"generic"} }
