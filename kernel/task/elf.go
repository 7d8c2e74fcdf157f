package task

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// Image is a parsed static ELF executable ready to be mapped into tasks.
// Each PT_LOAD segment's file bytes become a memory object whose pager reads
// the file's bytes on demand, one page per fault (nothing is copied when the
// image is made: the file may be a byte slice in the kernel image or a file
// on a disk), shared by every task that runs the image: read-only segments are mapped
// shared with a maximum protection without write; writable segments are
// mapped as a copy of the object (copy-on-write); the rest of a segment
// (.bss) is zero-filled anonymous memory.
type Image struct {
	Name  string
	Entry uint64
	arch  *Arch
	segs  []segment
}

// segment is one PT_LOAD segment, page-rounded.
type segment struct {
	start    vm.VAddr        // first page
	fileEnd  vm.VAddr        // end of the pages holding file bytes
	end      vm.VAddr        // end of the last page of the segment
	prot     pmap.Prot       // from p_flags
	entry    *vm.MemoryEntry // the file bytes' object; nil when p_filesz is 0
	fileSize uint64          // bytes of the object that come from the file
}

// Segment flags (ELF gABI, "Program Header": PF_X, PF_W, PF_R).
const (
	pfX = 0x1
	pfW = 0x2
	pfR = 0x4
)

// ErrBadImage wraps every reason an image is refused.
var ErrBadImage = errors.New("task: bad ELF image")

func badImage(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadImage, fmt.Sprintf(format, a...))
}

// NewImage is NewImageAt for an image held in memory. data must not change
// afterwards: the pagers read it on demand.
func NewImage(sys *vm.System, arch *Arch, name string, data []byte, min, max vm.VAddr) (*Image, error) {
	return NewImageAt(sys, arch, name, bytes.NewReader(data), int64(len(data)), min, max)
}

// NewImageAt parses the size bytes of file, a static little-endian ELF64
// executable for arch, and makes the memory objects of its segments in sys.
// Parsing reads the ELF header, the program headers and the section
// headers (debug/elf.NewFile); segment bytes are read later, a page at a
// time, when a task faults on them. Every segment must lie inside
// [min, max), its file bytes inside the file, its address and file offset
// congruent modulo the page size, and no two segments may share a page.
// The file must not change while the image or a task mapping it lives.
func NewImageAt(sys *vm.System, arch *Arch, name string, file io.ReaderAt, size int64, min, max vm.VAddr) (*Image, error) {
	if size < 0 {
		return nil, badImage("negative size %d", size)
	}
	f, err := elf.NewFile(io.NewSectionReader(file, 0, size))
	if err != nil {
		return nil, badImage("%v", err)
	}
	if err := checkHeader(f, arch); err != nil {
		return nil, err
	}
	img := &Image{Name: name, Entry: f.Entry, arch: arch}
	if err := img.load(sys, f, file, size, min, max); err != nil {
		img.Release() // the segments made before the error
		return nil, err
	}
	return img, nil
}

// load makes the image's segments from f's program headers, each with its
// memory object over file, and checks the entry point.
func (img *Image) load(sys *vm.System, f *elf.File, file io.ReaderAt, size int64, min, max vm.VAddr) error {
	for _, p := range f.Progs {
		switch p.Type {
		case elf.PT_LOAD:
		case elf.PT_DYNAMIC, elf.PT_INTERP:
			return badImage("dynamically linked (%v)", p.Type)
		default:
			continue
		}
		s, err := newSegment(p.ProgHeader, uint64(size), min, max)
		if err != nil {
			return err
		}
		if len(img.segs) > 0 && s.start < img.segs[len(img.segs)-1].end {
			return badImage("segment at %#x overlaps or precedes the one before", p.Vaddr)
		}
		if err := s.makeObject(sys, img.Name, file, p.Off); err != nil {
			return err
		}
		img.segs = append(img.segs, s)
	}
	return img.checkEntry()
}

// checkHeader validates the ELF header for arch.
func checkHeader(f *elf.File, arch *Arch) error {
	switch {
	case f.Class != elf.ELFCLASS64:
		return badImage("not ELF64")
	case f.Data != elf.ELFDATA2LSB:
		return badImage("not little-endian")
	case f.Type != elf.ET_EXEC:
		return badImage("type %v, want ET_EXEC", f.Type)
	case f.Machine != arch.Machine:
		return badImage("machine %v, want %v (%s)", f.Machine, arch.Machine, arch.Name)
	}
	return nil
}

// newSegment validates a PT_LOAD header and rounds it to pages.
func newSegment(p elf.ProgHeader, fileLen uint64, min, max vm.VAddr) (segment, error) {
	end := p.Vaddr + p.Memsz
	switch {
	case p.Memsz == 0:
		return segment{}, badImage("empty segment at %#x", p.Vaddr)
	case p.Filesz > p.Memsz:
		return segment{}, badImage("segment at %#x: file size above memory size", p.Vaddr)
	case p.Off+p.Filesz < p.Off || p.Off+p.Filesz > fileLen:
		return segment{}, badImage("segment at %#x: file bytes beyond the image", p.Vaddr)
	case end < p.Vaddr || p.Vaddr < uint64(min) || end > uint64(max):
		return segment{}, badImage("segment [%#x, %#x) outside [%#x, %#x)", p.Vaddr, end, uint64(min), uint64(max))
	case p.Vaddr&pmap.PageMask != p.Off&pmap.PageMask:
		return segment{}, badImage("segment at %#x: address and file offset differ modulo the page size", p.Vaddr)
	case p.Flags&^(pfR|pfW|pfX) != 0 || p.Flags == 0:
		return segment{}, badImage("segment at %#x: flags %#x", p.Vaddr, p.Flags)
	}
	s := segment{start: vm.VAddr(p.Vaddr).Trunc(), end: vm.VAddr(roundPage(end)), fileSize: p.Filesz}
	if p.Filesz > 0 {
		s.fileEnd = vm.VAddr(roundPage(p.Vaddr + p.Filesz))
		s.fileSize = p.Filesz + p.Vaddr&pmap.PageMask
	} else {
		s.fileEnd = s.start
	}
	if p.Flags&pfR != 0 {
		s.prot |= pmap.ProtRead
	}
	if p.Flags&pfW != 0 {
		s.prot |= pmap.ProtWrite
	}
	if p.Flags&pfX != 0 {
		s.prot |= pmap.ProtExecute
	}
	return s, nil
}

func roundPage(n uint64) uint64 { return (n + pmap.PageMask) &^ pmap.PageMask }

// makeObject makes the memory object of the segment's file pages: the
// bytes from the start of its first page up to the end of its file data,
// zeros after (so the last file page never shows the bytes that follow
// the segment in the file).
func (s *segment) makeObject(sys *vm.System, name string, file io.ReaderAt, off uint64) error {
	if s.fileEnd == s.start {
		return nil
	}
	first := off - (off & pmap.PageMask)
	pg := &imagePager{name: name, file: file, base: int64(first), size: s.fileSize}
	size := uint64(s.fileEnd - s.start)
	o, err := sys.NewPagerObject(pg, size)
	if err != nil {
		return err
	}
	defer o.Release()
	me, err := sys.NewMemoryEntry(o, vm.ProtAll) // mapFile sets each mapping's protections (vm_map checks them against this)
	if err != nil {
		return err
	}
	s.entry = me
	return nil
}

// checkEntry verifies that the entry point is in an executable segment.
func (img *Image) checkEntry() error {
	for _, s := range img.segs {
		if vm.VAddr(img.Entry) >= s.start && vm.VAddr(img.Entry) < s.end && s.prot&pmap.ProtExecute != 0 {
			return nil
		}
	}
	return badImage("entry point %#x not in an executable segment", img.Entry)
}

// Release drops the image's memory objects; tasks that map them keep them.
func (img *Image) Release() {
	for _, s := range img.segs {
		if s.entry != nil {
			s.entry.Release()
		}
	}
	img.segs = nil
}

// Load maps the image into m, which must have nothing mapped where the
// segments go. On failure m may hold part of the image: the caller
// destroys it.
func (img *Image) Load(m *vm.Map) error {
	if len(img.segs) == 0 {
		return badImage("%s: released or without segments", img.Name)
	}
	for _, s := range img.segs {
		if err := s.load(m); err != nil {
			return fmt.Errorf("task: loading %s segment at %v: %w", img.Name, s.start, err)
		}
	}
	return nil
}

// load maps one segment: its file pages from the object, then zero-fill.
func (s *segment) load(m *vm.Map) error {
	if s.entry != nil {
		if err := s.mapFile(m); err != nil {
			return err
		}
	}
	if s.fileEnd == s.end {
		return nil
	}
	n := uint64(s.end - s.fileEnd)
	if _, err := m.Allocate(s.fileEnd, n, vm.FlagsFixed); err != nil {
		return err
	}
	if s.prot != vm.ProtDefault {
		return m.Protect(s.fileEnd, n, false, vm.Prot(s.prot))
	}
	return nil
}

// mapFile maps the segment's object: shared when the segment cannot be
// written (its maximum protection excludes write, so the shared pages
// never change; inheritance share, so a fork shares them too), a private
// copy when it can (vm_map with copy, a delayed copy: pages are copied on
// the task's first write to each).
func (s *segment) mapFile(m *vm.Map) error {
	o := vm.MapOptions{Flags: vm.FlagsFixed, Entry: s.entry, Cur: s.prot, Max: s.prot, Inherit: new(vm.InheritShare)}
	if s.prot&pmap.ProtWrite != 0 {
		o.Copy, o.Max, o.Inherit = true, vm.ProtAll, nil
	}
	_, err := m.MapMemory(s.start, uint64(s.fileEnd-s.start), o)
	return err
}

// imagePager is the pager of a segment's file pages: it reads the size
// bytes at base of the image's file, a page per request, zeros past them,
// and refuses to take pages back, since nothing may write the image. Its
// pages are always clean, so under memory pressure the pageout daemon
// frees them and the next fault reads them from the file again.
type imagePager struct {
	name  string // the image's name, for reports
	file  io.ReaderAt
	base  int64
	size  uint64
	reads atomic.Uint64 // pages read, for the shell's pagers
}

// Reads reports how many pages the pager has read from the file.
func (p *imagePager) Reads() uint64 { return p.reads.Load() }

func (p *imagePager) Init(size uint64) {}

// String names the pager in reports: the image and where its bytes start.
func (p *imagePager) String() string {
	return fmt.Sprintf("image pager of %s (file offset %#x)", p.name, p.base)
}

// DataRequest reads the page at offset. A read error (a disk that fails)
// makes the faulting access fail with KERN_MEMORY_ERROR.
func (p *imagePager) DataRequest(offset uint64, dst *[pmap.PageSize]byte) error {
	n := 0
	if offset < p.size {
		want := int(min(p.size-offset, pmap.PageSize))
		got, err := p.file.ReadAt(dst[:want], p.base+int64(offset))
		if got < want {
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("task: image page at %#x: %w", offset, err)
		}
		n = got
	}
	p.reads.Add(1)
	clear(dst[n:])
	return nil
}

func (p *imagePager) DataReturn(offset uint64, src *[pmap.PageSize]byte) error {
	return vm.KernProtectionFailure
}

func (p *imagePager) Terminate() {}
