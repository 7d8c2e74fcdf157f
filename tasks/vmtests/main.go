//go:build tamago

// Command vmtests exercises the Mach VM system from a task: zero-fill heap
// growth, stack growth, fork with copy-on-write, protection and execute
// faults and unmapped accesses in children (killed, status seen by the
// parent), shared memory by inheritance and by memory entry, vm_copy,
// vm_read and vm_write, wiring, frames returned on deallocation, and each
// of the other vm calls (machvm.go: remap, msync, advice, purgeable
// memory, cache attributes, the copying reads, region and page queries).
// Each test prints PASS name or FAIL name: why; the task exits 1 if any
// failed.
package main

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/tamach/tamach/tasks/mach"
)

type test struct {
	name string
	run  func() error
}

var tests = []test{
	{"exit-status", testExitStatus},
	{"heap-zero-fill", testHeap},
	{"stack-growth", testStack},
	{"fork-cow", testForkCOW},
	{"protect-kill", testProtectKill},
	{"exec-nx", testExecNX},
	{"unmapped", testUnmapped},
	{"share-inherit", testShareInherit},
	{"preempt-syscalls", testPreemptSyscalls},
	{"memory-entry", testMemoryEntry},
	{"copy-read-write", testCopyReadWrite},
	{"wire", testWire},
	{"dealloc-frees", testDeallocFrees},
	{"vm-remap", testRemap},
	{"vm-remap-new", testRemapNew},
	{"vm-map-return-data-addr", testMapReturnDataAddr},
	{"vm-msync", testMsync},
	{"vm-behavior-set", testBehaviorSet},
	{"vm-purgable-control", testPurgableControl},
	{"memory-entry-purgable-control", testEntryPurgableControl},
	{"task-purgable-info", testTaskPurgableInfo},
	{"vm-machine-attribute", testMachineAttribute},
	{"vm-read-overwrite", testReadOverwrite},
	{"vm-read-list", testReadList},
	{"vm-region-recurse", testRegionRecurse},
	{"vm-page-range-query", testPageRangeQuery},
	{"vm-page-info", testPageInfo},
}

func main() {
	failed := 0
	for _, t := range tests {
		if err := t.run(); err != nil {
			fmt.Printf("FAIL %s: %v\n", t.name, err)
			failed++
			continue
		}
		fmt.Printf("PASS %s\n", t.name)
	}
	if failed > 0 {
		os.Exit(1)
	}
}

// wantKilled checks a child was killed by a page fault.
func wantKilled(st mach.WaitStatus, err error) error {
	if err != nil {
		return err
	}
	if st.Exited() || st.Signal() != mach.SIGSEGV {
		return fmt.Errorf("child %v, want killed by signal %d", st, mach.SIGSEGV)
	}
	return nil
}

func testExitStatus() error {
	st, err := mach.InChild(func() { mach.Exit(42) })
	if err != nil {
		return err
	}
	if !st.Exited() || st.ExitCode() != 42 {
		return fmt.Errorf("child %v, want exit 42", st)
	}
	return nil
}

// heapBytes is how much the heap test allocates and touches.
const heapBytes = 64 << 20

func testHeap() error {
	before, err := mach.VMStatistics()
	if err != nil {
		return err
	}
	b := make([]byte, heapBytes)
	for i := 0; i < len(b); i += mach.PageSize {
		b[i] = byte(i >> 12)
	}
	sum := 0
	for i := 0; i < len(b); i += mach.PageSize {
		sum += int(b[i])
	}
	after, err := mach.VMStatistics()
	if err != nil {
		return err
	}
	want := 0
	for i := 0; i < len(b); i += mach.PageSize {
		want += int(byte(i >> 12))
	}
	if sum != want {
		return fmt.Errorf("read back sum %d, want %d", sum, want)
	}
	if n := after.ZeroFills - before.ZeroFills; n < heapBytes/mach.PageSize {
		return fmt.Errorf("%d zero-fill faults for %d pages", n, heapBytes/mach.PageSize)
	}
	fmt.Printf("heap: %d MiB touched, %d zero-fill faults, %d frames free\n",
		heapBytes>>20, after.ZeroFills-before.ZeroFills, after.Free)
	return nil
}

// recurse uses a kilobyte of stack per call.
func recurse(n int) int {
	var pad [1024]byte
	pad[n%len(pad)] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return recurse(n-1) + int(pad[n%len(pad)])
}

func testStack() error {
	const depth = 20000 // about 20 MiB of goroutine stack
	got := recurse(depth)
	want := 0
	for n := 1; n <= depth; n++ {
		want += int(byte(n))
	}
	if got != want {
		return fmt.Errorf("recursion returned %d, want %d", got, want)
	}
	return nil
}

// region allocates n pages anywhere.
func region(n int) (uint64, error) {
	return mach.Allocate(0, uint64(n)*mach.PageSize, mach.FlagsAnywhere)
}

func at(addr uint64) *uint64 { return ptr(addr) }

func testForkCOW() error {
	buf, err := region(3)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 3*mach.PageSize)
	report, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(report, mach.PageSize)
	if err := mach.SetInherit(report, mach.PageSize, mach.InheritShare); err != nil {
		return err
	}
	p0, p1, p2 := at(buf), at(buf+mach.PageSize), at(buf+2*mach.PageSize)
	*p0, *p1, *p2 = 1, 2, 3
	before, _ := mach.VMStatistics()
	id, err := mach.Fork()
	if err != nil {
		return err
	}
	if id == 0 {
		r := at(report)
		*at(report + 8) = *p0 // the parent's write must not show
		*p1 = 20              // the child's own copy
		q, _ := mach.PageQuery(buf + 2*mach.PageSize)
		*at(report + 16) = *p2 // read: maps the shared page
		q, _ = mach.PageQuery(buf + 2*mach.PageSize)
		*at(report + 24) = q.Frame
		q, _ = mach.PageQuery(buf + mach.PageSize)
		*at(report + 32) = q.Frame
		*r = 1
		mach.Exit(0)
	}
	*p0 = 10
	_, st, err := mach.Wait(id)
	if err != nil || !st.Exited() {
		return fmt.Errorf("child %v, %v", st, err)
	}
	after, _ := mach.VMStatistics()
	r := at(report)
	shared, _ := mach.PageQuery(buf + 2*mach.PageSize)
	own, _ := mach.PageQuery(buf + mach.PageSize)
	switch {
	case *r != 1:
		return fmt.Errorf("child did not report")
	case *at(report + 8) != 1:
		return fmt.Errorf("child read %d at page 0, want 1 (the parent wrote 10 after fork)", *at(report + 8))
	case *p1 != 2 || *p0 != 10:
		return fmt.Errorf("parent reads %d, %d, want 10, 2", *p0, *p1)
	case *at(report + 16) != 3:
		return fmt.Errorf("child read %d at page 2, want 3", *at(report + 16))
	case shared.Frame == 0 || shared.Frame != *at(report + 24):
		return fmt.Errorf("page 2, written by neither, at frame %#x in the parent and %#x in the child: not shared", shared.Frame, *at(report + 24))
	case own.Frame == *at(report + 32):
		return fmt.Errorf("page 1, written by the child, shares frame %#x", own.Frame)
	case after.CowFaults-before.CowFaults < 2:
		return fmt.Errorf("%d copy-on-write faults, want at least 2", after.CowFaults-before.CowFaults)
	}
	fmt.Printf("fork-cow: %d copy-on-write faults, shared frame %#x\n", after.CowFaults-before.CowFaults, shared.Frame)
	return nil
}

func testProtectKill() error {
	buf, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	*at(buf) = 5
	return wantKilled(mach.InChild(func() {
		if err := mach.Protect(buf, mach.PageSize, false, mach.ProtRead); err != nil {
			mach.Exit(3)
		}
		*at(buf) = 6
	}))
}

// retInsn is a return instruction: x86 RET (C3) or AArch64 RET (D65F03C0).
var retInsn = map[string][]byte{"amd64": {0xc3}, "arm64": {0xc0, 0x03, 0x5f, 0xd6}}

func testExecNX() error {
	buf, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	copy(bytesAt(buf, 4), retInsn[goarch])
	// Made executable, the code runs and returns.
	if err := mach.Protect(buf, mach.PageSize, false, mach.ProtRead|mach.ProtExecute); err != nil {
		return err
	}
	call(buf)
	if err := mach.Protect(buf, mach.PageSize, false, mach.ProtDefault); err != nil {
		return err
	}
	return wantKilled(mach.InChild(func() { call(buf) }))
}

// sink keeps the unmapped load from being optimised away.
var sink uint64

func testUnmapped() error {
	return wantKilled(mach.InChild(func() {
		sink = *at(0x10)
	}))
}

func testShareInherit() error {
	buf, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	if err := mach.SetInherit(buf, mach.PageSize, mach.InheritShare); err != nil {
		return err
	}
	*at(buf) = 1
	if _, err := mach.InChild(func() { *at(buf) = 99 }); err != nil {
		return err
	}
	if v := *at(buf); v != 99 {
		return fmt.Errorf("parent reads %d after the child wrote 99", v)
	}
	return nil
}

// testPreemptSyscalls checks that a task making system calls without pause
// is still preempted when its quantum ends. Parent and child share a page
// and each spins on a system call until the other has written its word:
// should a turn last as long as its thread keeps trapping, the first to
// run would spin forever and this test would never end.
func testPreemptSyscalls() error {
	buf, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	if err := mach.SetInherit(buf, mach.PageSize, mach.InheritShare); err != nil {
		return err
	}
	started, stop := at(buf), at(buf+8)
	id, err := mach.Fork()
	if err != nil {
		return fmt.Errorf("fork: %v", err)
	}
	if id == 0 {
		atomic.StoreUint64(started, 1)
		for atomic.LoadUint64(stop) == 0 {
			mach.TaskID()
		}
		mach.Exit(0)
	}
	for atomic.LoadUint64(started) == 0 {
		mach.TaskID()
	}
	atomic.StoreUint64(stop, 1)
	_, st, err := mach.Wait(id)
	if err != nil {
		return fmt.Errorf("wait: %v", err)
	}
	if !st.Exited() || st.ExitCode() != 0 {
		return fmt.Errorf("child %v, want exit 0", st)
	}
	return nil
}

func testMemoryEntry() error {
	buf, err := region(1)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, mach.PageSize)
	port, size, err := mach.MakeMemoryEntry(mach.PageSize, buf, uint64(mach.ProtDefault)|mach.MapMemVMShare)
	if err != nil {
		return fmt.Errorf("make memory entry: %v", err)
	}
	defer mach.PortDeallocate(port)
	args := mach.MapArgs{Flags: mach.FlagsAnywhere, Entry: port, Cur: mach.ProtDefault, Max: mach.ProtDefault, Inherit: mach.InheritCopy}
	alias, err := mach.Map(0, size, args)
	if err != nil {
		return fmt.Errorf("vm_map: %v", err)
	}
	defer mach.Deallocate(alias, size)
	*at(alias) = 7
	if v := *at(buf); v != 7 {
		return fmt.Errorf("wrote 7 through the alias, read %d", v)
	}
	// A child maps the same entry (its name is inherited) and writes.
	st, err := mach.InChild(func() {
		a, err := mach.Map(0, size, args)
		if err != nil {
			mach.Exit(3)
		}
		*at(a + 8) = 8
	})
	if err != nil || !st.Exited() || st.ExitCode() != 0 {
		return fmt.Errorf("child %v, %v", st, err)
	}
	if v := *at(buf + 8); v != 8 {
		return fmt.Errorf("child wrote 8 through its mapping of the entry, parent reads %d", v)
	}
	return nil
}

func testCopyReadWrite() error {
	src, err := region(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(src, 2*mach.PageSize)
	dst, err := region(2)
	if err != nil {
		return err
	}
	defer mach.Deallocate(dst, 2*mach.PageSize)
	s := bytesAt(src, 2*mach.PageSize)
	for i := range s {
		s[i] = pattern(i)
	}
	if err := mach.Copy(src, 2*mach.PageSize, dst); err != nil {
		return fmt.Errorf("vm_copy: %v", err)
	}
	s[0] = 0xff // copy-on-write: the copy keeps the old byte
	if d := bytesAt(dst, 2*mach.PageSize); d[0] != 0 || d[mach.PageSize+5] != pattern(mach.PageSize+5) {
		return fmt.Errorf("vm_copy: dst %#x %#x", d[0], d[mach.PageSize+5])
	}
	rd, err := mach.Read(src+100, 50)
	if err != nil {
		return fmt.Errorf("vm_read: %v", err)
	}
	if r := bytesAt(rd, 50); r[0] != pattern(100) || r[49] != pattern(149) {
		return fmt.Errorf("vm_read: got %#x..%#x", r[0], r[49])
	}
	mach.Deallocate(rd, 50)
	msg := []byte("written by vm_write")
	if err := mach.Write(dst+3, msg); err != nil {
		return fmt.Errorf("vm_write: %v", err)
	}
	if got := string(bytesAt(dst+3, uint64(len(msg)))); got != string(msg) {
		return fmt.Errorf("vm_write: read back %q", got)
	}
	if err := mach.Write(0x10, msg); err == nil {
		return fmt.Errorf("vm_write to an unmapped address succeeded")
	}
	return nil
}

func testWire() error {
	buf, err := region(4)
	if err != nil {
		return err
	}
	defer mach.Deallocate(buf, 4*mach.PageSize)
	before, _ := mach.VMStatistics()
	if err := mach.Wire(buf, 4*mach.PageSize, mach.ProtDefault); err != nil {
		return fmt.Errorf("wire: %v", err)
	}
	mid, _ := mach.VMStatistics()
	if err := mach.Wire(buf, 4*mach.PageSize, mach.ProtNone); err != nil {
		return fmt.Errorf("unwire: %v", err)
	}
	after, _ := mach.VMStatistics()
	if mid.Wired < before.Wired+4 || after.Wired > mid.Wired-4 {
		return fmt.Errorf("wired pages %d, %d, %d", before.Wired, mid.Wired, after.Wired)
	}
	return nil
}

func testDeallocFrees() error {
	const pages = 1024 // 4 MiB
	before, _ := mach.VMStatistics()
	buf, err := region(pages)
	if err != nil {
		return err
	}
	for i := uint64(0); i < pages; i++ {
		*at(buf + i*mach.PageSize) = i
	}
	mid, _ := mach.VMStatistics()
	if err := mach.Deallocate(buf, pages*mach.PageSize); err != nil {
		return err
	}
	after, _ := mach.VMStatistics()
	// A few frames may go to the runtime's own memory meanwhile.
	const slack = 16
	if before.Free-mid.Free < pages || after.Free+slack < before.Free {
		return fmt.Errorf("free frames %d, %d after touching %d pages, %d after deallocating", before.Free, mid.Free, pages, after.Free)
	}
	fmt.Printf("dealloc-frees: free frames %d -> %d -> %d\n", before.Free, mid.Free, after.Free)
	return nil
}

// pattern is the byte the copy test stores at offset i.
func pattern(i int) byte { return byte(i * 7) }
