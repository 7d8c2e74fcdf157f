package task

import (
	"bytes"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/tamach/tamach/kernel/machine"
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
	"github.com/tamach/tamach/vm/vmtest"

	x86 "github.com/tamach/tamach/cpu/amd64"
)

var arches = []*Arch{AMD64, ARM64}

// forArches runs f once per architecture.
func forArches(t *testing.T, f func(t *testing.T, a *Arch)) {
	for _, a := range arches {
		t.Run(a.Name, func(t *testing.T) { f(t, a) })
	}
}

// mmapAnon maps n bytes of anonymous read-write memory anywhere.
func mmapAnon(u *User, n uint64) uint64 {
	return uint64(u.Sys("mmap", 0, n, protRead|protWrite, mapPrivate|mapAnonymous, ^uint64(0), 0))
}

func TestHelloWriteExit(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		task := tk.spawn(t, "hello", func(u *User) {
			buf := mmapAnon(u, pmap.PageSize)
			for i, c := range []byte("hello, world\n") {
				u.Store8(buf+uint64(i), c)
			}
			if n := u.Sys("write", 1, buf, 13); n != 13 {
				u.Exit(10)
			}
			if n := u.Sys("write", 1, 0x10, 1); n != EFAULT.ret() {
				u.Exit(11)
			}
			if n := u.Sys("write", 3, buf, 1); n != EBADF.ret() {
				u.Exit(12)
			}
			// A write running off the end of the mapping stops there.
			if n := u.Sys("write", 2, buf+pmap.PageSize-2, 10); n != 2 {
				u.Exit(13)
			}
			if n := u.SysNr(9999); n != ENOSYS.ret() {
				u.Exit(14)
			}
			// Kernel addresses (the trampoline's) and addresses past the
			// user range are never read for a task.
			for _, bad := range []uint64{0xffff_ff80_0000_0000, uint64(vmtest.UserMax), ^uint64(0) - 3} {
				if n := u.Sys("write", 1, bad, 8); n != EFAULT.ret() {
					u.Exit(15)
				}
			}
			u.Exit(7)
		})
		tk.run(t)
		tk.wantOut(t, "hello, world\n")
		tk.wantStatus(t, task, exitStatus(7))
	})
}

func TestMmapHintFixedAndErrors(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		const window, size = 0x8000_0000, 512 << 20
		var got []int64
		task := tk.spawn(t, "mmap", func(u *User) {
			rw := uint64(protRead | protWrite)
			anon := uint64(mapPrivate | mapAnonymous)
			got = append(got,
				u.Sys("mmap", window, size, rw, anon, ^uint64(0), 0),                            // 0: the hint is free
				u.Sys("mmap", window, pmap.PageSize, rw, anon, ^uint64(0), 0),                   // 1: hint taken: elsewhere
				u.Sys("mmap", window, pmap.PageSize, rw, anon|mapFixedNoreplace, ^uint64(0), 0), // 2: EEXIST
				u.Sys("mmap", window+1, pmap.PageSize, rw, anon|mapFixed, ^uint64(0), 0),        // 3: unaligned fixed
				u.Sys("mmap", 0, 0, rw, anon, ^uint64(0), 0),                                    // 4: length 0
				u.Sys("mmap", 0, pmap.PageSize, rw, mapPrivate, 3, 0),                           // 5: a file
				u.Sys("mmap", 0, pmap.PageSize, 0x80, anon, ^uint64(0), 0),                      // 6: bad prot
				u.Sys("mmap", 0, 1<<50, rw, anon, ^uint64(0), 0),                                // 7: too big
				u.Sys("munmap", window+1, 10),                                                   // 8
				u.Sys("mprotect", 0x7000_0000, pmap.PageSize, protRead),                         // 9: unmapped
			)
			u.Store8(window+size-1, 1) // the runtime's stack at the top of its window
			// MAP_FIXED replaces: the page reads as zero again.
			got = append(got, u.Sys("mmap", window+size-pmap.PageSize, pmap.PageSize, rw, anon|mapFixed, ^uint64(0), 0))
			got = append(got, int64(u.Load8(window+size-1)))
			got = append(got, u.Sys("munmap", window, size))
			u.Exit(0)
		})
		tk.run(t)
		tk.wantStatus(t, task, 0)
		want := []int64{window, -1, EEXIST.ret(), EINVAL.ret(), EINVAL.ret(), EBADF.ret(), EINVAL.ret(),
			ENOMEM.ret(), EINVAL.ret(), ENOMEM.ret(), window + size - pmap.PageSize, 0, 0}
		for i, w := range want {
			if w == -1 {
				if got[i] < int64(MmapBase) {
					t.Errorf("call %d: mmap at a taken hint gave %#x, want at or above %#x", i, got[i], uint64(MmapBase))
				}
				continue
			}
			if got[i] != w {
				t.Errorf("call %d: got %#x, want %#x", i, got[i], w)
			}
		}
	})
}

func TestProtectThenWriteKills(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		task := tk.spawn(t, "ro", func(u *User) {
			buf := mmapAnon(u, pmap.PageSize)
			u.Store8(buf, 1)
			if r := u.Sys("mprotect", buf, pmap.PageSize, protRead); r != 0 {
				u.Exit(1)
			}
			u.c.pc = testText + 0x20
			u.Store8(buf+8, 2)
			u.Exit(2)
		})
		tk.run(t)
		tk.wantStatus(t, task, killStatus(sigSEGV))
		line := tk.out.String()
		for _, w := range []string{"task ro[", "killed: page fault at pc 0x400020", "write", "KERN_PROTECTION_FAILURE", map[*Arch]string{AMD64: "90  nop", ARM64: "90 90 90 90  adrp"}[a]} {
			if !strings.Contains(line, w) {
				t.Errorf("report lacks %q: %q", w, line)
			}
		}
		if n := strings.Count(line, "\n"); n != 1 {
			t.Errorf("report is %d lines, want 1: %q", n, line)
		}
	})
}

func TestUnmappedAndExecuteFaults(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		unmapped := tk.spawn(t, "segv", func(u *User) {
			u.Load8(0x10)
			u.Exit(0)
		})
		nx := tk.spawn(t, "nx", func(u *User) {
			buf := mmapAnon(u, pmap.PageSize)
			u.Store8(buf, 0xc3)
			u.Exec(buf)
			u.Exit(0)
		})
		ud := tk.spawn(t, "ud", func(u *User) {
			u.c.pc = testText
			u.Exception(x86.VectorUD)
		})
		tk.run(t)
		tk.wantStatus(t, unmapped, killStatus(sigSEGV))
		tk.wantStatus(t, nx, killStatus(sigSEGV))
		tk.wantStatus(t, ud, killStatus(sigILL))
		tk.wantOut(t, "address 0x10, read: KERN_INVALID_ADDRESS")
		tk.wantOut(t, "execute: KERN_PROTECTION_FAILURE")
		if a == AMD64 {
			tk.wantOut(t, "c3  ret")
		}
	})
}

func TestLoaderSegments(t *testing.T) {
	forArches(t, func(t *testing.T, a *Arch) {
		tk := newTestKernel(t, a, 1024)
		var text, data, tail, bss [2]byte
		task := tk.spawn(t, "loader", func(u *User) {
			text[0], text[1] = u.Load8(testText), u.Load8(testText+0x17ff)
			data[0], data[1] = u.Load8(testData), u.Load8(testData+99)
			tail[0], tail[1] = u.Load8(testData+100), u.Load8(testData+pmap.PageSize-1)
			bss[0], bss[1] = u.Load8(testData+pmap.PageSize), u.Load8(testData+3*pmap.PageSize-1)
			u.Store8(testData, 0x22)
			u.Store8(testData+2*pmap.PageSize, 0x33)
			if r := u.Sys("mprotect", testText, pmap.PageSize, protRead|protWrite); r != EACCES.ret() {
				u.Exit(1)
			}
			u.Load8(testText + 0x1800) // past the text's file bytes, inside its page
			u.Store8(testText, 0)      // text is never writable
			u.Exit(2)
		})
		tk.run(t)
		if text != [2]byte{0x90, 0x90} || data != [2]byte{0x11, 0x11} {
			t.Errorf("text %x data %x, want the file bytes", text, data)
		}
		if tail != [2]byte{} || bss != [2]byte{} {
			t.Errorf("last file page tail %x, .bss %x: want zeros (the file has filler there)", tail, bss)
		}
		tk.wantStatus(t, task, killStatus(sigSEGV))
		tk.wantOut(t, "write: KERN_PROTECTION_FAILURE")
		// A second task from the same image sees the original data.
		var again byte
		tk.spawn(t, "again", func(u *User) { again = u.Load8(testData); u.Exit(0) })
		tk.run(t)
		if again != 0x11 {
			t.Errorf("second task reads %#x at the data segment, want the file's 0x11", again)
		}
	})
}

func TestLoaderMapsLazily(t *testing.T) {
	tk := newTestKernel(t, AMD64, 1024)
	img, err := NewImage(tk.env.VM, AMD64, "lazy", testELF(AMD64, testText), vmtest.UserMin, vmtest.UserMax)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Release()
	free := tk.env.VM.FreePages()
	task, err := tk.Spawn("lazy", img)
	if err != nil {
		t.Fatal(err)
	}
	if st := task.Map.Pmap().Stats(); st.Resident != 0 {
		t.Errorf("%d pages mapped right after loading, want 0", st.Resident)
	}
	// Writable segments are a vm_map copy of their object: a delayed copy,
	// so loading takes no frame at all.
	if used := free - tk.env.VM.FreePages(); used != 0 {
		t.Errorf("loading took %d frames, want 0 (nothing copied eagerly)", used)
	}
	for _, r := range []struct {
		at   vm.VAddr
		prot pmap.Prot
		max  pmap.Prot
	}{{testText, pmap.ProtRead | pmap.ProtExecute, pmap.ProtRead | pmap.ProtExecute},
		{testData, pmap.ProtRead | pmap.ProtWrite, pmap.ProtAll},
		{testData + pmap.PageSize, pmap.ProtRead | pmap.ProtWrite, pmap.ProtAll}} {
		ri, err := task.Map.Region(r.at, vm.FlavorBasicInfo64)
		if err != nil || ri.Start > r.at || ri.Basic.Protection != r.prot || ri.Basic.MaxProtection != r.max {
			t.Errorf("region at %v: %+v %v, want prot %v max %v", r.at, ri, err, r.prot, r.max)
		}
	}
}

func TestBadImages(t *testing.T) {
	tk := newTestKernel(t, AMD64, 256)
	seg := func() []elfSeg {
		return []elfSeg{{vaddr: testText, flags: pfR | pfX, data: []byte{1, 2, 3}, memsz: 3}}
	}
	cases := map[string][]byte{
		"empty":     nil,
		"garbage":   bytes.Repeat([]byte{0x7f}, 200),
		"arm64":     buildELFRaw(183, testText, seg(), nil),
		"entry":     buildELFRaw(62, testText+0x10000, seg(), nil),
		"filesz":    buildELFRaw(62, testText, seg(), func(i int, ph []byte) { ph[40] = 1 }),
		"offset":    buildELFRaw(62, testText, seg(), func(i int, ph []byte) { ph[15] = 0x7f }),
		"congruent": buildELFRaw(62, testText, seg(), func(i int, ph []byte) { ph[8]++ }),
		"kernel":    buildELFRaw(62, testText, seg(), func(i int, ph []byte) { ph[23] = 0xff }),
		"page0":     buildELFRaw(62, 0x10, []elfSeg{{vaddr: 0, flags: pfR | pfX, data: []byte{1}, memsz: 1}}, nil),
		"overlap": buildELFRaw(62, testText, []elfSeg{
			{vaddr: testText, flags: pfR | pfX, data: []byte{1}, memsz: 1},
			{vaddr: testText + 0x800, flags: pfR | pfW, data: []byte{1}, memsz: 1}}, nil),
		"flags": buildELFRaw(62, testText, seg(), func(i int, ph []byte) { ph[4] = 0x80 }),
		// A PT_INTERP after a PT_LOAD: the first segment's object must be
		// released when the image is refused.
		"interp": buildELFRaw(62, testText, []elfSeg{
			{vaddr: testText, flags: pfR | pfX, data: []byte{1}, memsz: 1},
			{vaddr: testText + 0x10000, flags: pfR, data: []byte{1}, memsz: 1}},
			func(i int, ph []byte) {
				if i == 1 {
					ph[0] = 3 // PT_INTERP
				}
			}),
	}
	for name, data := range cases {
		if img, err := NewImage(tk.env.VM, AMD64, name, data, vmtest.UserMin, vmtest.UserMax); err == nil {
			img.Release()
			t.Errorf("%s: image accepted", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	if err := tk.env.Check(); err != nil {
		t.Fatal(err)
	}
	if n := tk.env.VM.Objects(); n != 0 {
		t.Errorf("%d objects left after refused images", n)
	}
}

func TestRunProgram(t *testing.T) {
	tk := newTestKernel(t, AMD64, 1024)
	free := tk.env.VM.FreePages()
	tk.cpu.progs[testText+0x20] = func(u *User) {
		buf := mmapAnon(u, 4*pmap.PageSize)
		for i := range uint64(4) {
			u.Store8(buf+i*pmap.PageSize, 1)
		}
		u.Store8(testData+2*pmap.PageSize, 1)
		u.Exit(3)
	}
	r := tk.RunProgram("prog", testELF(AMD64, testText+0x20))
	if r.Err != nil || r.Status != exitStatus(3) || r.Stats.Syscalls != 2 || r.Stats.Faults < 5 {
		t.Fatalf("result %v %+v", r, r.Stats)
	}
	t.Log(r)
	if err := tk.env.CheckEmpty(); err != nil {
		t.Errorf("after the run: %v", err)
	}
	if tk.env.VM.FreePages() != free {
		t.Errorf("free pages %d, were %d", tk.env.VM.FreePages(), free)
	}
	if r := tk.RunProgram("bad", []byte("not an ELF")); r.Err == nil {
		t.Errorf("garbage image ran: %v", r)
	}
}

// TestFaultLoopKills: a fault the vm resolves but the CPU keeps taking
// (the MMU and the vm disagree) ends the task instead of spinning.
func TestFaultLoopKills(t *testing.T) {
	tk := newTestKernel(t, AMD64, 256)
	task := tk.spawn(t, "loop", func(u *User) {
		buf := mmapAnon(u, pmap.PageSize)
		for {
			u.trap(machine.Trap{Cause: machine.Cause{Kind: machine.TrapPageFault, Access: pmap.ProtRead, User: true}, Addr: pmap.VAddr(buf)})
		}
	})
	tk.run(t)
	tk.wantStatus(t, task, killStatus(sigSEGV))
	tk.wantOut(t, "repeats after the vm resolved it 8 times")
}

// countingFile is an image file that records which of its pages were read
// and fails every read at or after failAt (when failAt > 0), like a disk
// that dies.
type countingFile struct {
	data   []byte
	pages  map[int64]bool
	bytes  int64
	failAt int64
}

func (f *countingFile) ReadAt(p []byte, off int64) (int, error) {
	if f.failAt > 0 && off+int64(len(p)) > f.failAt {
		return 0, errors.New("disk: I/O error")
	}
	n, err := bytes.NewReader(f.data).ReadAt(p, off)
	for pg := off >> pmap.PageShift; pg<<pmap.PageShift < off+int64(n); pg++ {
		f.pages[pg] = true
	}
	f.bytes += int64(n)
	return n, err
}

// TestRunFileReadsOnDemand: an image from a file (a program on a disk) is
// parsed from its headers, and each segment page is read from the file
// when a task first touches it, not at load.
func TestRunFileReadsOnDemand(t *testing.T) {
	tk := newTestKernel(t, AMD64, 1024)
	entry := uint64(testText + 0x40)
	f := &countingFile{data: testELF(AMD64, entry), pages: map[int64]bool{}}
	var text, data byte
	tk.cpu.progs[entry] = func(u *User) {
		text, data = u.Load8(testText+pmap.PageSize), u.Load8(testData)
		u.Exit(0)
	}
	img, err := NewImageAt(tk.env.VM, AMD64, "ondemand", f, int64(len(f.data)), vmtest.UserMin, vmtest.UserMax)
	if err != nil {
		t.Fatal(err)
	}
	// testELF puts the headers in page 0, text at file pages 1-2, data at 4.
	if len(f.pages) != 1 || !f.pages[0] {
		t.Errorf("loading read file pages %v, want only the header page 0", f.pages)
	}
	task, err := tk.Spawn("ondemand", img)
	img.Release()
	if err != nil {
		t.Fatal(err)
	}
	tk.run(t)
	tk.wantStatus(t, task, exitStatus(0))
	if text != 0x90 || data != 0x11 {
		t.Errorf("task read text %#x data %#x, want 0x90 and 0x11", text, data)
	}
	if want := map[int64]bool{0: true, 2: true, 4: true}; !maps.Equal(f.pages, want) {
		t.Errorf("file pages read %v, want %v (headers, the touched text page, the data page)", f.pages, want)
	}
	t.Logf("file of %d bytes: %d bytes read", len(f.data), f.bytes)
}

// TestRunFileReadError: a file that fails when a task touches a page kills
// that task with KERN_MEMORY_ERROR (the pager could not supply the data);
// the kernel runs on and every frame comes back.
func TestRunFileReadError(t *testing.T) {
	tk := newTestKernel(t, AMD64, 1024)
	free := tk.env.VM.FreePages()
	entry := uint64(testText + 0x50)
	f := &countingFile{data: testELF(AMD64, entry), pages: map[int64]bool{}}
	tk.cpu.progs[entry] = func(u *User) {
		u.Load8(testData)
		u.Exit(0)
	}
	f.failAt = 4 << pmap.PageShift // the data page
	r := tk.RunFile("baddisk", f, int64(len(f.data)))
	if r.Err != nil || r.Status != killStatus(sigSEGV) {
		t.Fatalf("result %v, want a kill by SIGSEGV", r)
	}
	// The report names the code, the pager and the file's error.
	tk.wantOut(t, "read: KERN_MEMORY_ERROR: image pager of baddisk (file offset 0x4000) at offset 0x0: ")
	if tk.env.VM.FreePages() != free {
		t.Errorf("free pages %d, were %d", tk.env.VM.FreePages(), free)
	}
	if r := tk.RunFile("negative", f, -1); r.Err == nil {
		t.Errorf("negative size accepted: %v", r)
	}
}
