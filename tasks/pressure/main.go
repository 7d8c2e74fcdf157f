//go:build tamago

// Command pressure puts the vm system's pageout and the default pager to
// work from a task: it allocates four times the page pool (read from
// vm_statistics), writes a distinct pattern into every page and keeps a
// checksum per page, reads every page back and compares, then forks while
// memory is short: the child checks the inherited pages, writes its own
// pattern into half of them (copy-on-write copies, themselves paged out)
// and checks again, and the parent checks afterwards that none of its pages
// changed. Each step prints PASS name or FAIL name: why, and the vm
// statistics (page-outs, page-ins) it caused; the task exits 1 if any
// step failed.
//
// It needs a small pool (boot with pool=8M, say) and a backing store of
// more than three times the pool: on a larger pool it prints SKIP and exits
// 0, so that a run of every bundled program stays short.
package main

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/tamach/tamach/tasks/mach"
)

const (
	pageSize  = 4096
	pageWords = pageSize / 8
	// factor is how many times the pool the task touches.
	factor = 4
	// maxPoolPages is the largest pool the test runs on: 32 MiB.
	maxPoolPages = 32 << 20 / pageSize
	// Seeds of the parent's and the child's patterns.
	parentSeed = 0x7061_7265_6e74
	childSeed  = 0x6368_696c_64
)

func main() {
	st, err := mach.VMStatistics()
	if err != nil {
		fmt.Printf("FAIL pressure: vm_statistics: %v\n", err)
		os.Exit(1)
	}
	if st.PoolPages > maxPoolPages {
		fmt.Printf("SKIP pressure: a pool of %d pages is larger than %d; boot with pool=8M and a disk\n",
			st.PoolPages, maxPoolPages)
		return
	}
	n := factor * st.PoolPages
	measureZeroFill()
	fmt.Printf("pressure: pool %d pages, touching %d pages (%d KiB)\n", st.PoolPages, n, n*pageSize>>10)
	if !run(n) {
		os.Exit(1)
	}
}

// region is the memory under test: n pages at addr and the checksum each
// should have.
type region struct {
	mem  []uint64
	n    uint64
	sums []uint64
}

// run performs the steps on n pages and reports whether all passed.
func run(n uint64) bool {
	addr, err := mach.Allocate(0, n*pageSize, mach.FlagsAnywhere)
	if err != nil {
		fmt.Printf("FAIL pressure-allocate: %d pages: %v\n", n, err)
		return false
	}
	r := &region{mem: wordsAt(addr, n*pageWords), n: n, sums: make([]uint64, n)}
	ok := step("pressure-write", func() error {
		for i := range r.n {
			r.sums[i] = r.fill(i, parentSeed)
		}
		return nil
	})
	ok = step("pressure-verify", func() error { return r.verify(r.sums) }) && ok
	ok = step("pressure-measure", r.measure) && ok
	ok = step("pressure-fork", r.forkUnderPressure) && ok
	return ok
}

// step runs f, prints its PASS or FAIL line with the page-outs and page-ins
// it caused, and reports whether it passed.
func step(name string, f func() error) bool {
	before, _ := mach.VMStatistics()
	err := f()
	after, _ := mach.VMStatistics()
	io := fmt.Sprintf("pageouts %d pageins %d reactivations %d reclaims %d",
		after.Pageouts-before.Pageouts, after.Pageins-before.Pageins,
		after.Reactivations-before.Reactivations, after.Reclaims-before.Reclaims)
	if err != nil {
		fmt.Printf("FAIL %s: %v (%s)\n", name, err, io)
		return false
	}
	fmt.Printf("PASS %s: %s\n", name, io)
	return true
}

// page is page i of the region.
func (r *region) page(i uint64) []uint64 { return r.mem[i*pageWords : (i+1)*pageWords] }

// fill writes page i's pattern for seed and returns its checksum.
func (r *region) fill(i, seed uint64) uint64 {
	p := r.page(i)
	x := seed ^ i*0x9e37_79b9_7f4a_7c15
	for j := range p {
		x = splitmix(x)
		p[j] = x
	}
	return checksum(p)
}

// verify compares every page's checksum with sums and reports the
// mismatches.
func (r *region) verify(sums []uint64) error {
	bad, first := 0, uint64(0)
	for i := range r.n {
		if checksum(r.page(i)) != sums[i] {
			if bad == 0 {
				first = i
			}
			bad++
		}
	}
	if bad != 0 {
		return fmt.Errorf("%d of %d pages mismatch, the first is page %d", bad, r.n, first)
	}
	fmt.Printf("pressure: %d pages verified, 0 mismatches\n", r.n)
	return nil
}

// forkUnderPressure forks while the region is mostly paged out. The child
// checks the pages it inherited (copy-on-write), rewrites the even pages
// with its own pattern and checks the whole region again, exiting with the
// number of mismatches (at most 255); the parent waits and checks that its
// pages are unchanged.
func (r *region) forkUnderPressure() error {
	childSums := make([]uint64, r.n)
	copy(childSums, r.sums)
	id, err := mach.Fork()
	if err != nil {
		return fmt.Errorf("fork: %v", err)
	}
	if id == 0 {
		mach.Exit(r.child(childSums))
	}
	_, ws, err := mach.Wait(id)
	if err != nil {
		return fmt.Errorf("wait: %v", err)
	}
	if !ws.Exited() || ws.ExitCode() != 0 {
		return fmt.Errorf("child: %v (exit code = mismatching pages)", ws)
	}
	fmt.Printf("pressure: child %d verified its %d pages (%d rewritten), 0 mismatches\n", id, r.n, (r.n+1)/2)
	return r.verify(r.sums)
}

// child is the forked child's work; it returns the exit code. It only
// computes and makes traps (see mach.Fork).
func (r *region) child(sums []uint64) int {
	bad := r.count(sums)
	for i := uint64(0); i < r.n; i += 2 {
		sums[i] = r.fill(i, childSeed)
	}
	return min(bad+r.count(sums), 255)
}

// count returns the number of pages whose checksum is not in sums.
func (r *region) count(sums []uint64) int {
	bad := 0
	for i := range r.n {
		if checksum(r.page(i)) != sums[i] {
			bad++
		}
	}
	return bad
}

// zeroFillPages is how many pages measureZeroFill touches: few enough to
// stay clear of the pageout thresholds on any pool the test runs on.
const zeroFillPages = 64

// measureZeroFill prints the cost of a zero-fill fault before the test
// region exists: one store into each of zeroFillPages fresh pages. Whether
// memory is short then depends on the pool: the line gives the free frames.
func measureZeroFill() {
	st, _ := mach.VMStatistics()
	addr, err := mach.Allocate(0, zeroFillPages*pageSize, mach.FlagsAnywhere)
	if err != nil {
		fmt.Printf("pressure: zero-fill measure: %v\n", err)
		return
	}
	mem := wordsAt(addr, zeroFillPages*pageWords)
	start := time.Now()
	for i := range uint64(zeroFillPages) {
		mem[i*pageWords] = i
	}
	fmt.Printf("MEASURE zero-fill fault: %d ns/page (%d pages, %d frames free before)\n",
		time.Since(start).Nanoseconds()/zeroFillPages, zeroFillPages, st.Free)
	mach.Deallocate(addr, zeroFillPages*pageSize)
}

// measure times two passes of one access per page over the region, which
// is mostly paged out and clean after the checks: a load from each page
// (faults that page in, evicting clean pages for free), then a store to
// each page (faults that page in and make the page dirty, so that
// evicting it later costs a page-out, into the slot the page already has).
// The store adds 0 atomically, a write the compiler cannot drop that
// leaves the data, and so the checksums, as they were. It runs before the
// fork: after it, a store copies the page into the parent's new shadow
// object, which needs a new slot per page, and a 64 MiB disk fills.
func (r *region) measure() error {
	before, _ := mach.VMStatistics()
	start := time.Now()
	var sink uint64
	for i := range r.n {
		sink += r.mem[i*pageWords]
	}
	if sink == 0 {
		return fmt.Errorf("the first words of all %d pages sum to 0", r.n)
	}
	read := time.Since(start)
	mid, _ := mach.VMStatistics()
	for i := range r.n {
		atomic.AddUint64(&r.mem[i*pageWords+1], 0)
	}
	write := time.Since(start) - read
	after, _ := mach.VMStatistics()
	ins := mid.Pageins - before.Pageins
	if ins == 0 || after.Pageouts == mid.Pageouts {
		return fmt.Errorf("no paging measured: %d page-ins, %d page-outs", ins, after.Pageouts-mid.Pageouts)
	}
	fmt.Printf("MEASURE page-in fault: %d ns/page (%d page-ins, %d pages read)\n",
		read.Nanoseconds()/int64(ins), ins, r.n)
	outs := after.Pageouts - mid.Pageouts
	fmt.Printf("MEASURE store pass: %d ns/page (%d page-ins, %d page-outs, %d pages written)\n",
		write.Nanoseconds()/int64(r.n), after.Pageins-mid.Pageins, outs, r.n)
	return nil
}

// splitmix is one step of SplitMix64 (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014): distinct
// patterns per page and word.
func splitmix(x uint64) uint64 {
	x += 0x9e37_79b9_7f4a_7c15
	x = (x ^ x>>30) * 0xbf58_476d_1ce4_e5b9
	x = (x ^ x>>27) * 0x94d0_49bb_1331_11eb
	return x ^ x>>31
}

// checksum is FNV-1a over the page's words (64-bit FNV prime and offset
// basis, as in Go's hash/fnv), word by word.
func checksum(p []uint64) uint64 {
	const (
		offset = 0xcbf2_9ce4_8422_2325
		prime  = 0x100_0000_01b3
	)
	h := uint64(offset)
	for _, w := range p {
		h = (h ^ w) * prime
	}
	return h
}
