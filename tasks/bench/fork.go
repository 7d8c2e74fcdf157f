//go:build tamago

package main

import (
	"errors"
	"fmt"

	"github.com/tamach/tamach/tasks/mach"
)

// forkRounds is how many times each fork is measured (the fastest counts:
// the parent's other runtime threads may run before the child does).
const forkRounds = 3

// Words of the page the children report through (inherited shared).
const (
	reportChildStart = 0  // ticks from the fork call to the child's first instruction
	reportCowFault   = 8  // ns per copy-on-write fault, fastest batch
	reportCowCount   = 16 // copy-on-write faults the vm counted during the batches
	reportCowCounted = 24 // 1 if the kernel counts them (tamach)
)

// forkResult is what one fork measurement found.
type forkResult struct {
	child, parent int64 // ns from the call to the child running, to the parent's return
	cow           int64 // ns per copy-on-write fault (only when asked)
}

// forks measures fork with 1 MiB and 64 MiB written, and copy-on-write
// faults in a child of the second, and prints one line.
func forks(k kernel) error {
	report, err := k.sharedPage()
	if err != nil {
		return fmt.Errorf("shared page: %w", err)
	}
	small, err := forkBench(k, 1<<20, report, false)
	if err != nil {
		return err
	}
	large, err := forkBench(k, 64<<20, report, true)
	if err != nil {
		return err
	}
	fmt.Printf("PASS bench: copy-on-write fault %d ns; fork with 1 MiB written: child runs after %d ns, parent resumes after %d ns; with 64 MiB: %d ns, %d ns\n",
		large.cow, small.child, small.parent, large.child, large.parent)
	return nil
}

// forkBench allocates size bytes and forks forkRounds times, each time
// after writing every page;
// with cow the first child also times copy-on-write faults over that
// memory. It returns the fastest of the rounds.
func forkBench(k kernel, size, report uint64, cow bool) (forkResult, error) {
	area, err := k.allocate(size)
	if err != nil {
		return forkResult{}, fmt.Errorf("allocate %d MiB: %w", size>>20, err)
	}
	defer k.deallocate(area, size)
	best := forkResult{child: 1 << 62, parent: 1 << 62}
	for round := range forkRounds {
		// Every round forks with the whole area written since the last
		// fork: mapped writable, as a task that just wrote it has it.
		for off := uint64(0); off < size; off += mach.PageSize {
			*word(area + off) = uint64(round)
		}
		r, err := forkOnce(k, area, size, report, cow && round == 0)
		if err != nil {
			return forkResult{}, err
		}
		best.child, best.parent = min(best.child, r.child), min(best.parent, r.parent)
		if r.cow != 0 {
			best.cow = r.cow
		}
	}
	return best, nil
}

// forkOnce forks once; the child records when it runs (and with cow times
// copy-on-write faults) in the report page and exits.
func forkOnce(k kernel, area, size, report uint64, cow bool) (forkResult, error) {
	*word(report + reportChildStart) = 0
	start := ticks()
	id, err := k.fork()
	if err != nil {
		return forkResult{}, fmt.Errorf("fork: %w", err)
	}
	if id == 0 {
		*word(report + reportChildStart) = ticks() - start
		if cow {
			timeCow(k, area, size, report)
		}
		mach.Exit(0)
	}
	parent := clk.ns(ticks() - start)
	if err := k.wait(id); err != nil {
		return forkResult{}, fmt.Errorf("wait: %w", err)
	}
	r := forkResult{child: clk.ns(*word(report + reportChildStart)), parent: parent}
	if cow {
		r.cow = int64(*word(report + reportCowFault))
		n := *word(report + reportCowCount)
		if *word(report + reportCowCounted) != 0 && n < batches*perBatch {
			return forkResult{}, fmt.Errorf("the vm counted %d copy-on-write faults for %d first writes to inherited pages", n, batches*perBatch)
		}
	}
	if r.child <= 0 || r.cow < 0 {
		return forkResult{}, errors.New("the child did not report")
	}
	return r, nil
}

// timeCow runs in a child: it writes the first word of batches*perBatch
// pages it inherited copy-on-write, and reports the fastest batch and the
// vm's count of copy-on-write faults.
func timeCow(k kernel, area, size, report uint64) {
	if size < batches*perBatch*mach.PageSize {
		mach.Exit(1)
	}
	before, counted := k.cowFaults()
	cow := fastest(func(b int) {
		base := area + uint64(b*perBatch)*mach.PageSize
		for i := range uint64(perBatch) {
			*word(base + i*mach.PageSize) = 2
		}
	})
	after, _ := k.cowFaults()
	*word(report + reportCowFault) = uint64(cow)
	*word(report + reportCowCount) = after - before
	if counted {
		*word(report + reportCowCounted) = 1
	}
}
