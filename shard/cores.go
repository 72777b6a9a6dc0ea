package shard

import (
	"runtime"

	"github.com/klauspost/cpuid/v2"
)

// DefaultWorkers is the worker count that every package of the renderer
// uses when a Config leaves it at 0: the physical cores cpuid reports
// (hyper-threads of one core share its SIMD units, so a second worker per
// core adds little), capped by GOMAXPROCS, which follows the process's CPU
// affinity mask and cgroup quota. The cap matters on virtual machines,
// where cpuid can report the host's cores rather than the guest's (254 on
// a 2-vCPU VM). Where cpuid cannot count cores it is GOMAXPROCS.
func DefaultWorkers() int {
	procs := runtime.GOMAXPROCS(0)
	if c := cpuid.CPU.PhysicalCores; c > 0 {
		return max(min(c, procs), 1)
	}
	return max(procs, 1)
}
