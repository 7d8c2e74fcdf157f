package task

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"
)

// Host fuzz targets of the system-call layer and the ELF loader, on the
// simulated machine of fake_test.go (docs/reliability.md, "Fuzzing"):
//
//	go test ./kernel/task -run '^$' -fuzz FuzzSyscalls -fuzztime 5m
//	go test ./kernel/task -run '^$' -fuzz FuzzELF -fuzztime 5m
//
// Without -fuzz, go test runs the seed corpus (and testdata/fuzz/, where
// the fuzzer saves a failing input) as ordinary tests.

// fuzzMaxCalls bounds the calls of one input, over every task and thread
// it makes: a fork or clone starts the same program, which reads on from
// the same input.
const fuzzMaxCalls = 400

// callNumbers are the numbers a fuzz input picks from by index: the
// architecture's Linux calls, every Mach trap, and their neighbours, sorted
// so that an input means the same calls on every run.
func callNumbers(a *Arch) []uint64 {
	var nrs []uint64
	for nr := range a.syscalls {
		nrs = append(nrs, nr)
	}
	for nr := range machTraps {
		nrs = append(nrs, uint64(nr))
	}
	for _, nr := range []int64{-1, -9, -11, -13, -16, -39, -50, -59, -64, 0, 1000} {
		nrs = append(nrs, uint64(nr))
	}
	slices.Sort(nrs)
	return slices.Compact(nrs)
}

// fuzzInput decodes a fuzz input into calls: for each call a byte picking
// the number and for each argument a byte picking its kind, followed by
// the bytes that kind takes.
type fuzzInput struct {
	data  []byte
	nrs   []uint64
	addrs []uint64 // fixed addresses: the image, the user range's ends, the kernel half
}

func (in *fuzzInput) byte() (byte, bool) {
	if len(in.data) == 0 {
		return 0, false
	}
	b := in.data[0]
	in.data = in.data[1:]
	return b, true
}

func (in *fuzzInput) word() uint64 {
	var b [8]byte
	n := copy(b[:], in.data)
	in.data = in.data[n:]
	return binary.LittleEndian.Uint64(b[:])
}

// arg decodes one argument; scratch is the calling program's read-write
// memory, last the last value a call returned or wrote at scratch.
func (in *fuzzInput) arg(scratch, last uint64) uint64 {
	k, _ := in.byte()
	v, _ := in.byte()
	switch k % 10 {
	case 0:
		return in.addrs[int(v)%len(in.addrs)]
	case 1:
		return uint64(v) // small numbers, flags, file descriptors, ports
	case 2:
		return uint64(v) * pmap.PageSize
	case 3:
		return in.word()
	case 4:
		return 1 << (v % 64)
	case 5:
		return ^uint64(0) - uint64(v)
	case 6:
		return scratch + uint64(v)*0x41 // unaligned as often as not
	case 7:
		return last
	case 8:
		return scratch + fuzzScratch - uint64(v%16) // straddles the end
	}
	return scratch
}

// fuzzScratch is the size of each program's scratch memory.
const fuzzScratch = 16 * pmap.PageSize

// checkVM runs the vm's invariant checks: the pages and objects (Check)
// and the pagers' contents (CheckPagers).
func checkVM(s *vm.System) error {
	if err := s.Check(); err != nil {
		return err
	}
	return s.CheckPagers()
}

// FuzzSyscalls makes the calls an input decodes to from a task (and from
// every task and thread a task_fork or clone among them makes): any
// number, any arguments. After each call the vm invariants must hold; once
// every task is gone every page, object, address space and page-table
// frame must be free again. A kernel panic fails the input.
func FuzzSyscalls(f *testing.F) {
	f.Add([]byte{0})
	f.Add(bytes.Repeat([]byte{7, 6, 1, 3, 0, 0, 5, 1, 2, 9, 9}, 20))
	f.Add(bytes.Repeat([]byte{2, 0, 3, 6, 4, 2, 7}, 40))
	// task_fork with a good pointer, then calls from both tasks.
	f.Add(append([]byte{0, 6, 0}, bytes.Repeat([]byte{1, 1, 1, 0, 2, 3, 4}, 30)...))
	for nr := range 40 {
		f.Add([]byte{1, byte(nr), 0, 1, 6, 3, 2, 1, 1, 7, 3, 5, 0, 0, 8, 3})
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		// The first byte picks the architecture and whether anonymous
		// memory pages out (a small pool with a default pager, as
		// the kernel has with a swap disk) or the pool simply runs out.
		a := arches[int(data[0])%len(arches)]
		fuzzSyscalls(t, a, data[0]&2 != 0, data[1:])
	})
}

func fuzzSyscalls(t *testing.T, a *Arch, paging bool, data []byte) {
	pool := 512
	if paging {
		pool = 96
	}
	tk := newTestKernelPaging(t, a, pool, paging)
	defer tk.cpu.release()
	in := &fuzzInput{data: data, nrs: callNumbers(a), addrs: []uint64{
		0, 8, pmap.PageSize - 1, testText, testText + 0x1000, testData, testData + 3*pmap.PageSize - 8,
		uint64(MmapBase), uint64(vmtest.UserMax) - 8, uint64(vmtest.UserMax), 1 << 63,
		0xffff_ff80_0000_0000, 0xffff_ff80_0001_0000, ^uint64(0) - 7,
	}}
	budget := fuzzMaxCalls
	var broke error
	var last uint64
	prog := func(u *User) {
		scratch := mmapAnon(u, fuzzScratch)
		for budget > 0 {
			sel, ok := in.byte()
			if !ok {
				break
			}
			budget--
			nr := in.nrs[int(sel)%len(in.nrs)]
			if sel >= 0xf0 {
				nr = in.word() // any number at all
			}
			var args [6]uint64
			for i := range args {
				args[i] = in.arg(scratch, last)
			}
			ret := u.SysNr(nr, args[:]...)
			last = uint64(ret)
			if ret == 0 && scratch != 0 && int64(scratch) > 0 {
				if pa, prot, ok := u.space.Extract(pmap.VAddr(scratch)); ok && prot.Allows(pmap.ProtRead) {
					last = binary.LittleEndian.Uint64(u.cpu.mem.Frame(pa.Trunc())[:8])
				}
			}
			if err := checkVM(tk.env.VM); err != nil && broke == nil {
				name := fmt.Sprintf("#%d", int64(nr))
				if d := a.syscalls[nr]; d != nil {
					name = d.name
				} else if d := machTraps[int64(nr)]; d != nil {
					name = d.name
				}
				broke = fmt.Errorf("after %s(%#x) = %#x: %v", name, args, ret, err)
			}
		}
		u.Exit(0)
	}
	tk.spawn(t, "fuzz", prog)
	tk.Run()
	if broke != nil {
		t.Fatalf("vm invariants: %v", broke)
	}
	if tk.Live() != 0 {
		t.Fatalf("%d tasks still alive after the run; console:\n%s", tk.Live(), tk.out.String())
	}
	if err := tk.env.CheckEmpty(); err != nil {
		t.Fatalf("after every task ended: %v", err)
	}
}

// FuzzELF hands the loader crafted images: the image must be refused with
// an error or loaded, never panic; a loaded image is run as a task (the
// simulated CPU finds no program at its entry and the kernel kills it),
// and when it and the task are gone nothing may be left in the vm.
func FuzzELF(f *testing.F) {
	for _, a := range arches {
		good := testELF(a, testText+0x10)
		f.Add(good, int64(0))
		f.Add(good[:200], int64(0))
		f.Add(good, int64(-4096))
		f.Add(buildELFRaw(machineNumber(a.Machine), testText, []elfSeg{
			{vaddr: testText, flags: pfR | pfX, data: make([]byte, 100), memsz: 100},
		}, func(i int, ph []byte) { binary.LittleEndian.PutUint64(ph[40:], 1<<62) }), int64(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, sizeDelta int64) {
		for _, a := range arches {
			tk := newTestKernel(t, a, 256)
			size := int64(len(data)) + sizeDelta%(1<<20)
			img, err := NewImageAt(tk.env.VM, a, "fuzz", bytes.NewReader(data), size, vmtest.UserMin, vmtest.UserMax)
			if err != nil {
				if img != nil {
					t.Fatalf("NewImageAt returned an image and the error %v", err)
				}
				if err := tk.env.CheckEmpty(); err != nil {
					t.Fatalf("after refusing the image (%v): %v", err, err)
				}
				continue
			}
			if _, err := tk.Spawn("fuzz", img); err == nil {
				tk.Run()
			}
			img.Release()
			tk.cpu.release()
			if err := tk.env.CheckEmpty(); err != nil {
				t.Fatalf("after the image and its task: %v", err)
			}
		}
	})
}
