//go:build !tamago

package main

import "time"

// Lab is one coursework lab: what the student writes is marked by regions
// of the lab's name in the source (regions.go); the handout is
// docs/labs/<Name>.md; the grader runs Tests.
type Lab struct {
	Name  string
	Title string
	// Needs lists the labs a student should have done first (the order
	// of docs/labs/README.md); the skeleton does not need them.
	Needs []string
	Hours string // a time estimate for a student
	Tests []Test
}

// Test is one graded test: a `go test -run` of one package, host or boot.
type Test struct {
	Name   string // shown as PASS name (points) or FAIL name (points): why
	Points int
	Pkg    string   // the package, relative to the repository root ("./vm")
	Run    string   // the -run pattern: every test it selects must pass
	Args   []string // extra arguments after the package (test flags)
	// Boot tests boot QEMU (package ./qemu): they need the TamaGo
	// toolchain and QEMU, and a skip counts as a failure.
	Boot    bool
	Timeout time.Duration // 0: defaultTestTimeout
}

const defaultTestTimeout = 5 * time.Minute

// labs are the labs, in the order students take them.
var labs = []Lab{
	{
		Name:  "pgtbl-x86",
		Title: "x86-64 page tables: walk, enter, remove, large pages, NX, TLB",
		Hours: "6-8",
		Tests: []Test{
			{Name: "entries", Points: 15, Pkg: "./pmap/amd64", Run: "^TestGoldenEntries$"},
			{Name: "mappings", Points: 15, Pkg: "./pmap/amd64", Run: "^TestMappings$"},
			{Name: "model", Points: 20, Pkg: "./pmap/amd64", Run: "^TestModel$"},
			{Name: "out-of-frames", Points: 10, Pkg: "./pmap/amd64", Run: "^(TestOutOfFrames|TestNoLeaks)$"},
			{Name: "tlb", Points: 10, Pkg: "./pmap/amd64", Run: "^(TestPCIDGenerations|TestPrepare)$"},
			{Name: "vm-over-amd64", Points: 10, Pkg: "./vm", Run: "^TestModel$", Args: []string{"-vm.pmap=amd64"}},
			{Name: "boot-amd64", Points: 20, Pkg: "./qemu", Run: "^TestMMUSelfChecks$/^amd64$", Boot: true},
		},
	},
	{
		Name:  "pgtbl-arm64",
		Title: "ARM64 translation tables: walk, enter, remove, break-before-make, software Access flag and dirty state",
		Needs: []string{"pgtbl-x86"},
		Hours: "8-10",
		Tests: []Test{
			{Name: "entries", Points: 10, Pkg: "./pmap/arm64", Run: "^TestGoldenEntries$"},
			{Name: "mappings", Points: 10, Pkg: "./pmap/arm64", Run: "^(TestMappings|TestMapRangeLevels)$"},
			{Name: "model", Points: 15, Pkg: "./pmap/arm64", Run: "^TestModel$"},
			{Name: "break-before-make", Points: 15, Pkg: "./pmap/arm64", Run: "^(TestRemapBreakBeforeMake|TestSplitBreakBeforeMake|TestPermissionChangeWithoutBreak)$"},
			{Name: "access-flag-dirty", Points: 15, Pkg: "./pmap/arm64", Run: "^(TestSoftwareReferencedModified|TestFastFaultRefuses)$"},
			{Name: "vm-over-arm64", Points: 10, Pkg: "./vm", Run: "^TestModel$", Args: []string{"-vm.pmap=arm64-swaf"}},
			{Name: "boot-arm64", Points: 10, Pkg: "./qemu", Run: "^TestMMUSelfChecks$/^arm64$", Boot: true},
			{Name: "boot-arm64-no-hafdbs", Points: 15, Pkg: "./qemu", Run: "^TestArm64SoftwareAccessFlag$", Boot: true},
		},
	},
	{
		Name:  "zero-fill",
		Title: "lazy allocation: zero-fill pages in the vm fault handler",
		Hours: "3-4",
		Tests: []Test{
			{Name: "untouched-costs-nothing", Points: 20, Pkg: "./vm", Run: "^TestUntouchedCostsNothing$"},
			{Name: "zero-fill", Points: 15, Pkg: "./vm", Run: "^TestZeroFillReadWrite$"},
			{Name: "no-allocation", Points: 5, Pkg: "./vm", Run: "^TestFaultAllocations$"},
			{Name: "vm-model", Points: 15, Pkg: "./vm", Run: "^TestModel$"},
			{Name: "tasks-host", Points: 15, Pkg: "./kernel/task", Run: "^(TestHelloWriteExit|TestRunProgram)$"},
			{Name: "boot-tasks", Points: 30, Pkg: "./qemu", Run: "^TestTasks$", Boot: true, Timeout: 10 * time.Minute},
		},
	},
	{
		Name:  "cow",
		Title: "copy-on-write: shadow objects, the copy-on-write fault, shadow-chain collapse",
		Needs: []string{"zero-fill"},
		Hours: "8-10",
		Tests: []Test{
			{Name: "fork-cow", Points: 15, Pkg: "./vm", Run: "^TestForkCopyOnWrite$"},
			{Name: "chains-stay-short", Points: 15, Pkg: "./vm", Run: "^(TestShadowChainGenerations|TestForkGenerations)$"},
			{Name: "chains-paged", Points: 10, Pkg: "./vm", Run: "^TestShadowChainGenerationsPaged$"},
			{Name: "delayed-copies", Points: 10, Pkg: "./vm", Run: "^(TestDelayedCopyOfPagerObject|TestDelayedCopyOfSharedRegion)$"},
			{Name: "vm-model", Points: 15, Pkg: "./vm", Run: "^TestModel$"},
			{Name: "task-fork", Points: 10, Pkg: "./kernel/task", Run: "^TestForkCopyOnWriteAndWait$"},
			{Name: "boot-tasks", Points: 25, Pkg: "./qemu", Run: "^TestTasks$", Boot: true, Timeout: 10 * time.Minute},
		},
	},
	{
		Name:  "pager",
		Title: "the default pager and the pageout policy: no byte lost, the working set kept",
		Needs: []string{"zero-fill"},
		Hours: "8-10",
		Tests: []Test{
			{Name: "default-pager", Points: 15, Pkg: "./vm/defpager", Run: "."},
			{Name: "pageout", Points: 15, Pkg: "./vm", Run: "^(TestPageoutRoundTrip|TestPageoutShadowChain|TestPageoutStoreFull|TestPageoutIOErrors)$"},
			{Name: "pageout-model", Points: 15, Pkg: "./vm", Run: "^(TestPageoutModel|TestPageoutPolicyFIFOModel)$"},
			{Name: "second-chance", Points: 10, Pkg: "./vm", Run: "^TestPageoutSecondChance$"},
			{Name: "working-set", Points: 15, Pkg: "./vm", Run: "^TestPageoutPolicyHotSet$"},
			{Name: "boot-pressure", Points: 30, Pkg: "./qemu", Run: "^TestPagerPressure$", Boot: true, Timeout: 10 * time.Minute},
		},
	},
	{
		Name:  "sharing",
		Title: "sharing memory: memory entries, vm_map of a named entry, inheritance at fork, vm_remap",
		Needs: []string{"cow"},
		Hours: "6-8",
		Tests: []Test{
			{Name: "vm-map-entry", Points: 15, Pkg: "./vm", Run: "^TestConformanceEntries$/^(mach_vm_map|mach_make_memory_entry_64)$"},
			{Name: "vm-remap", Points: 15, Pkg: "./vm", Run: "^TestConformanceEntries$/^(mach_vm_remap|mach_vm_remap_new)$"},
			{Name: "shared-region", Points: 10, Pkg: "./vm", Run: "^(TestDelayedCopyOfSharedRegion|TestSubmap)$"},
			{Name: "vm-model", Points: 10, Pkg: "./vm", Run: "^TestModel$"},
			{Name: "task-sharing", Points: 20, Pkg: "./kernel/task", Run: "^TestSharedMemoryAndMachTraps$"},
			{Name: "boot-tasks", Points: 30, Pkg: "./qemu", Run: "^TestTasks$", Boot: true, Timeout: 10 * time.Minute},
		},
	},
	{
		Name:  "syscalls",
		Title: "mmap, mprotect and munmap on top of the Mach VM calls",
		Needs: []string{"zero-fill"},
		Hours: "4-6",
		Tests: []Test{
			{Name: "mmap-hint-fixed-errors", Points: 20, Pkg: "./kernel/task", Run: "^TestMmapHintFixedAndErrors$"},
			{Name: "mprotect", Points: 15, Pkg: "./kernel/task", Run: "^TestProtectThenWriteKills$"},
			{Name: "hello", Points: 10, Pkg: "./kernel/task", Run: "^TestHelloWriteExit$"},
			{Name: "syscall-fuzz", Points: 15, Pkg: "./kernel/task", Run: "^TestSyscallFuzz$"},
			{Name: "go-std-tests", Points: 40, Pkg: "./qemu", Run: "^TestStdTests$", Boot: true, Timeout: 15 * time.Minute},
		},
	},
	{
		Name:  "trap-x86",
		Title: "entering and leaving ring 3 on x86-64: the trap frame, trap decoding, SYSRET or IRET",
		Needs: []string{"pgtbl-x86"},
		Hours: "6-8",
		Tests: []Test{
			{Name: "decode", Points: 20, Pkg: "./kernel/machine/amd64", Run: "^TestDecodeTrap$"},
			{Name: "frame", Points: 20, Pkg: "./kernel/machine/amd64", Run: "^(TestLoadIntoSegmentsAndSysret|TestUserRFLAGS|TestBadPC)$"},
			{Name: "usermode-check", Points: 30, Pkg: "./qemu", Run: "^TestMMUSelfChecks$/^amd64$", Boot: true},
			{Name: "tasks", Points: 30, Pkg: "./qemu", Run: "^TestTasks$/^amd64$", Boot: true, Timeout: 10 * time.Minute},
		},
	},
}

// lookupLab returns the lab called name.
func lookupLab(name string) (*Lab, bool) {
	for i := range labs {
		if labs[i].Name == name {
			return &labs[i], true
		}
	}
	return nil, false
}

// points is the lab's full score.
func (l *Lab) points() int {
	n := 0
	for _, t := range l.Tests {
		n += t.Points
	}
	return n
}
