//go:build tamago

package main

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"github.com/tamach/tamach/tasks/mach"
)

// Linux's side of tasks/pressure's paging measurement, for make
// bench-linux: with the swap disk scripts/bench-linux.sh attaches, /init
// loads the virtio block driver (modules the script puts in
// /lib/modules/), makes the disk swap space and turns it on, and a child
// in a memory cgroup limited to 8 MiB (Documentation/admin-guide/
// cgroup-v2.rst, memory.max) does what tasks/pressure's measure does on an
// 8 MiB pool: it writes four times the limit, then times a load from each
// page (page-ins) and a store to each page (page-ins and the page-outs
// that make room). It prints the same MEASURE lines.

const (
	pressureLimit = 8 << 20
	pressurePages = 4 * pressureLimit / mach.PageSize
	atFDCWD       = ^uintptr(99) // -100
	oRDONLY       = 0
	oRDWR         = 2
	seekEnd       = 2
	errnoEEXIST   = 17
)

// Words of the shared page the child reports through.
const (
	prRead, prReadIns, prStore, prStoreIns, prStoreOuts, prDone = 0, 1, 2, 3, 4, 5
)

// cstrs keeps every string cstr made reachable: a uintptr does not keep
// its memory from the garbage collector, and the program makes few.
var cstrs [][]byte

// cstr is s as a NUL-terminated string for a system call.
func cstr(s string) uintptr {
	b := append([]byte(s), 0)
	cstrs = append(cstrs, b)
	return uintptr(unsafe.Pointer(&b[0]))
}

func openat(path string, flags uintptr) (uintptr, error) {
	return sys(sysOpenat, atFDCWD, cstr(path), flags, 0)
}

// writeFile writes s to the file at path (a cgroup or proc file).
func writeFile(path, s string) error {
	fd, err := openat(path, oRDWR)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer sys(sysClose, fd)
	b := []byte(s)
	if _, err := sys(sysWrite, fd, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b))); err != nil {
		return fmt.Errorf("write %q to %s: %w", s, path, err)
	}
	return nil
}

// swapModules are the modules the virtio block driver needs, in the
// order of their dependencies (each .ko's depends= field).
var swapModules = []string{"virtio_ring", "virtio", "virtio_mmio", "virtio_blk"}

// swapOn loads the driver, writes a swap header on /dev/vda and swaps on
// it.
func (linux) swapOn() error {
	sys(sysMkdirat, atFDCWD, cstr("/dev"), 0o755)
	if _, err := sys(sysMount, cstr("devtmpfs"), cstr("/dev"), cstr("devtmpfs"), 0, 0); err != nil {
		return fmt.Errorf("mount devtmpfs: %w", err)
	}
	for _, m := range swapModules {
		fd, err := openat("/lib/modules/"+m+".ko", oRDONLY)
		if err != nil {
			return fmt.Errorf("no module %s: %w", m, err)
		}
		r := mach.Syscall(sysFinitModule, fd, cstr(""), 0, 0, 0, 0)
		sys(sysClose, fd)
		if int64(r) < 0 && int64(r) != -errnoEEXIST {
			return fmt.Errorf("finit_module %s: errno %d", m, -int64(r))
		}
	}
	// The disk appears once the driver has probed it.
	var fd uintptr
	var err error
	for range 500 {
		if fd, err = openat("/dev/vda", oRDWR); err == nil {
			break
		}
		ts := [2]int64{0, 10_000_000}
		sys(sysNanosleep, uintptr(unsafe.Pointer(&ts)), 0)
	}
	if err != nil {
		return errors.New("no /dev/vda: no swap disk")
	}
	size, err := sys(sysLseek, fd, 0, seekEnd)
	if err != nil || size < 1<<20 {
		sys(sysClose, fd)
		return fmt.Errorf("swap disk of %d bytes", size)
	}
	// The swap header (include/linux/swap.h, union swap_header): version
	// 1, the last page and no bad pages after the 1024 boot bytes, and
	// the signature SWAPSPACE2 ending the first page.
	var hdr [mach.PageSize]byte
	*(*uint32)(unsafe.Pointer(&hdr[1024])) = 1
	*(*uint32)(unsafe.Pointer(&hdr[1028])) = uint32(size/mach.PageSize - 1)
	copy(hdr[mach.PageSize-10:], "SWAPSPACE2")
	_, err = sys(sysWriteAt, fd, uintptr(unsafe.Pointer(&hdr[0])), mach.PageSize, 0)
	if err == nil {
		_, err = sys(sysFsync, fd)
	}
	sys(sysClose, fd)
	if err != nil {
		return fmt.Errorf("swap header: %w", err)
	}
	if _, err := sys(sysSwapon, cstr("/dev/vda"), 0); err != nil {
		return fmt.Errorf("swapon: %w", err)
	}
	return nil
}

// vmstatPath is made before the child forks: the child does not allocate.
var vmstatPath = cstr("/proc/vmstat")

// vmstat returns pswpin and pswpout from /proc/vmstat.
func vmstat(buf []byte) (in, out uint64) {
	fd, err := sys(sysOpenat, atFDCWD, vmstatPath, oRDONLY)
	if err != nil {
		return 0, 0
	}
	n := 0
	for n < len(buf) {
		r, err := sys(sysRead, fd, uintptr(unsafe.Pointer(&buf[n])), uintptr(len(buf)-n))
		if err != nil || r == 0 {
			break
		}
		n += int(r)
	}
	sys(sysClose, fd)
	return field(buf[:n], "pswpin "), field(buf[:n], "pswpout ")
}

// field is the number after the line that starts with name in b.
func field(b []byte, name string) uint64 {
	for i := 0; i+len(name) <= len(b); i++ {
		if (i == 0 || b[i-1] == '\n') && string(b[i:i+len(name)]) == name {
			v := uint64(0)
			for j := i + len(name); j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
				v = v*10 + uint64(b[j]-'0')
			}
			return v
		}
	}
	return 0
}

// pressure measures paging, as tasks/pressure does, and prints its MEASURE
// lines; without a swap disk it says why in one line.
func (l linux) pressure() {
	if err := l.swapOn(); err != nil {
		fmt.Println("bench: no paging measurement:", err)
		return
	}
	if err := l.measurePaging(); err != nil {
		fmt.Println("bench: no paging measurement:", err)
	}
}

func (l linux) measurePaging() error {
	sys(sysMkdirat, atFDCWD, cstr("/proc"), 0o555)
	if _, err := sys(sysMount, cstr("proc"), cstr("/proc"), cstr("proc"), 0, 0); err != nil {
		return fmt.Errorf("mount proc: %w", err)
	}
	sys(sysMkdirat, atFDCWD, cstr("/cg"), 0o755)
	if _, err := sys(sysMount, cstr("cgroup2"), cstr("/cg"), cstr("cgroup2"), 0, 0); err != nil {
		return fmt.Errorf("mount cgroup2: %w", err)
	}
	if err := writeFile("/cg/cgroup.subtree_control", "+memory"); err != nil {
		return err
	}
	sys(sysMkdirat, atFDCWD, cstr("/cg/bench"), 0o755)
	if err := writeFile("/cg/bench/memory.max", fmt.Sprint(pressureLimit)); err != nil {
		return err
	}
	report, err := l.sharedPage()
	if err != nil {
		return err
	}
	// Everything the child needs is made here: it only computes and
	// makes system calls (see mach.Fork).
	procs := []byte("0")
	procsPath := cstr("/cg/bench/cgroup.procs")
	buf := make([]byte, 16<<10)
	size := uint64(pressurePages * mach.PageSize)
	id, err := l.fork()
	if err != nil {
		return err
	}
	if id == 0 {
		fd, err := sys(sysOpenat, atFDCWD, procsPath, oRDWR, 0)
		if err != nil {
			mach.Exit(2)
		}
		if _, err := sys(sysWrite, fd, uintptr(unsafe.Pointer(&procs[0])), 1); err != nil {
			mach.Exit(3)
		}
		sys(sysClose, fd)
		area, err := l.allocate(size)
		if err != nil {
			mach.Exit(4)
		}
		for i := uint64(0); i < pressurePages; i++ {
			*word(area + i*mach.PageSize) = i + 1
		}
		in0, _ := vmstat(buf)
		start := ticks()
		var sink uint64
		for i := uint64(0); i < pressurePages; i++ {
			sink += *word(area + i*mach.PageSize)
		}
		read := ticks() - start
		in1, out1 := vmstat(buf)
		start = ticks()
		for i := uint64(0); i < pressurePages; i++ {
			atomic.AddUint64(word(area+i*mach.PageSize+8), 0)
		}
		store := ticks() - start
		in2, out2 := vmstat(buf)
		r := (*[6]uint64)(unsafe.Pointer(word(report)))
		r[prRead], r[prReadIns], r[prStore], r[prStoreIns], r[prStoreOuts] = read, in1-in0, store, in2-in1, out2-out1
		if sink != 0 {
			r[prDone] = 1
		}
		mach.Exit(0)
	}
	if err := l.wait(id); err != nil {
		return fmt.Errorf("paging child: %w", err)
	}
	r := (*[6]uint64)(unsafe.Pointer(word(report)))
	if r[prDone] == 0 || r[prReadIns] == 0 {
		return fmt.Errorf("no page-ins measured (%d)", r[prReadIns])
	}
	fmt.Printf("MEASURE page-in fault: %d ns/page (%d page-ins, %d pages read)\n",
		clk.ns(r[prRead])/int64(r[prReadIns]), r[prReadIns], pressurePages)
	fmt.Printf("MEASURE store pass: %d ns/page (%d page-ins, %d page-outs, %d pages written)\n",
		clk.ns(r[prStore])/pressurePages, r[prStoreIns], r[prStoreOuts], pressurePages)
	return nil
}
