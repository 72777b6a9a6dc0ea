package bench

import (
	"slices"

	"github.com/aether-audio/aether/shard"
	"github.com/klauspost/cpuid/v2"
)

// CPUInfo is the processor as cpuid sees it.
type CPUInfo struct {
	Brand string `json:"brand"`
	// PhysicalCores is what cpuid reports (0 when it cannot tell); on a
	// virtual machine it can be the host's count.
	PhysicalCores int `json:"physical_cores"`
	// Cores is how many of them this process may use: the default worker
	// count (shard.DefaultWorkers).
	Cores    int      `json:"cores"`
	Features []string `json:"features"`
}

// DetectCPU reads the processor's brand, core counts and feature flags.
func DetectCPU() CPUInfo {
	features := cpuid.CPU.FeatureSet()
	slices.Sort(features) // sorted, so reports from two machines diff cleanly
	return CPUInfo{
		Brand:         cpuid.CPU.BrandName,
		PhysicalCores: cpuid.CPU.PhysicalCores,
		Cores:         shard.DefaultWorkers(),
		Features:      features,
	}
}
