package bench

import (
	"runtime"
	"slices"

	"github.com/klauspost/cpuid/v2"
)

// CPUInfo is the processor as cpuid sees it.
type CPUInfo struct {
	Brand         string   `json:"brand"`
	PhysicalCores int      `json:"physical_cores"`
	Features      []string `json:"features"`
}

// DetectCPU reads the processor's brand, physical core count and feature
// flags. Where cpuid cannot count physical cores (some hypervisors hide the
// topology) it falls back to the logical CPUs Go may use, so the default
// worker list is never empty.
func DetectCPU() CPUInfo {
	cores := cpuid.CPU.PhysicalCores
	if cores < 1 {
		cores = runtime.NumCPU()
	}
	features := cpuid.CPU.FeatureSet()
	slices.Sort(features) // sorted, so reports from two machines diff cleanly
	return CPUInfo{
		Brand:         cpuid.CPU.BrandName,
		PhysicalCores: cores,
		Features:      features,
	}
}
