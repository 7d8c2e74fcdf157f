package task

import (
	"github.com/tamach/tamach/pmap"
	"github.com/tamach/tamach/vm"
)

// mmap, munmap and mprotect on the Mach VM API, as XNU's BSD layer builds
// them (bsd/kern/kern_mman.c): mmap is vm_allocate (anywhere, at a hint, or
// fixed with overwrite) followed by vm_protect and vm_inherit; munmap is
// vm_deallocate; mprotect is vm_protect.

// mmap protections (include/uapi/asm-generic/mman-common.h). They have the
// values of VM_PROT_READ, _WRITE and _EXECUTE.
const (
	protRead  = 0x1
	protWrite = 0x2
	protExec  = 0x4
	protKnown = protRead | protWrite | protExec
)

// mmap flags (mman-common.h, linux/mman.h).
const (
	mapShared         = 0x01
	mapPrivate        = 0x02
	mapSharedValidate = 0x03
	mapTypeMask       = 0x0f
	mapFixed          = 0x10
	mapAnonymous      = 0x20
	mapNoreserve      = 0x4000
	mapPopulate       = 0x8000
	mapFixedNoreplace = 0x100000
	mapGrowsdown      = 0x0100
	mapStack          = 0x20000
	mapNorestrict     = mapNoreserve | mapPopulate | mapGrowsdown | mapStack

	mapKnown = mapTypeMask | mapFixed | mapAnonymous | mapFixedNoreplace | mapNorestrict
)

// MmapBase is where mmap without a usable hint starts looking for room
// (Linux searches down from below the stack; tamach searches up from here,
// far above the images and the Go runtime's window at 2 GiB).
const MmapBase vm.VAddr = 0x10_0000_0000

// prot converts mmap protections to VM protections (the same bits).
func prot(p uint64) pmap.Prot { return pmap.Prot(p) & vm.ProtAll }

// sysMmapFn is mmap(addr, length, prot, flags, fd, offset) for anonymous
// memory. Without MAP_FIXED addr is a hint: the mapping goes there if the
// range is free, anywhere at or above MmapBase otherwise. MAP_FIXED
// replaces what is there; MAP_FIXED_NOREPLACE fails with EEXIST instead.
// MAP_SHARED memory is shared with children at fork.
func sysMmapFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	// LAB syscalls: begin
	addr, length, p, flags, off := a[0], a[1], a[2], a[3], a[5]
	typ := flags & mapTypeMask
	switch {
	case length == 0, p&^protKnown != 0, flags&^mapKnown != 0, off&pmap.PageMask != 0:
		return EINVAL.ret()
	case typ != mapShared && typ != mapPrivate && typ != mapSharedValidate:
		return EINVAL.ret()
	case flags&mapAnonymous == 0:
		return EBADF.ret() // a task has no files to map
	case flags&(mapFixed|mapFixedNoreplace) != 0 && addr&pmap.PageMask != 0:
		return EINVAL.ret()
	case length > uint64(k.cfg.UserMax-k.cfg.UserMin):
		return ENOMEM.ret()
	}
	m := th.Task.Map
	start, errno := k.mmapPlace(m, addr, length, flags)
	if errno != 0 {
		return errno.ret()
	}
	if err := k.mmapAttributes(m, start, length, p, typ != mapPrivate); err != nil {
		m.Deallocate(start, length)
		return ENOMEM.ret()
	}
	return int64(start)
	// LAB syscalls: stub
	// panic("lab syscalls: not implemented: mmap")
	// LAB syscalls: end
}

// mmapPlace allocates zero-filled memory for mmap where flags and the hint
// say.
func (k *Kernel) mmapPlace(m *vm.Map, addr, length, flags uint64) (vm.VAddr, Errno) {
	switch {
	case flags&mapFixed != 0:
		start, err := m.Allocate(vm.VAddr(addr), length, vm.FlagsFixed|vm.FlagsOverwrite)
		return start, mmapErrno(err)
	case flags&mapFixedNoreplace != 0:
		start, err := m.Allocate(vm.VAddr(addr), length, vm.FlagsFixed)
		if vm.Code(err) == vm.KernNoSpace {
			return 0, EEXIST
		}
		return start, mmapErrno(err)
	}
	if hint := vm.VAddr(addr).Trunc(); hint >= k.cfg.UserMin && hint < k.cfg.UserMax {
		if start, err := m.Allocate(hint, length, vm.FlagsFixed); err == nil {
			return start, 0
		}
	}
	// vm_allocate(VM_FLAGS_ANYWHERE) ignores its address, as XNU's does;
	// vm_map takes it as the hint to search from, which is how mmap keeps
	// its memory above MmapBase.
	anon := vm.MapOptions{Flags: vm.FlagsAnywhere, Cur: vm.ProtDefault, Max: vm.ProtAll} // zero Inherit: copy
	start, err := m.MapMemory(MmapBase, length, anon)
	if err != nil {
		start, err = m.Allocate(0, length, vm.FlagsAnywhere)
	}
	return start, mmapErrno(err)
}

// mmapAttributes gives new memory its protection and, for MAP_SHARED, share
// inheritance.
func (k *Kernel) mmapAttributes(m *vm.Map, start vm.VAddr, length, p uint64, shared bool) error {
	if prot(p) != vm.ProtDefault {
		if err := m.Protect(start, length, false, vm.Prot(prot(p))); err != nil {
			return err
		}
	}
	if shared {
		return m.Inherit(start, length, vm.InheritShare)
	}
	return nil
}

// mmapErrno maps a vm_allocate failure to mmap's errno.
func mmapErrno(err error) Errno {
	switch vm.Code(err) {
	case vm.KernSuccess:
		return 0
	case vm.KernInvalidArgument:
		return EINVAL
	}
	return ENOMEM
}

// sysMunmapFn is munmap(addr, length).
func sysMunmapFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	// LAB syscalls: begin
	addr, length := a[0], a[1]
	if addr&pmap.PageMask != 0 || length == 0 || addr+length < addr ||
		addr < uint64(k.cfg.UserMin) || addr+length > uint64(k.cfg.UserMax) {
		return EINVAL.ret()
	}
	if err := th.Task.Map.Deallocate(vm.VAddr(addr), length); err != nil {
		return EINVAL.ret()
	}
	return 0
	// LAB syscalls: stub
	// panic("lab syscalls: not implemented: munmap")
	// LAB syscalls: end
}

// sysMprotectFn is mprotect(addr, length, prot). An unmapped page in the
// range is ENOMEM, a protection above the maximum EACCES, as in Linux.
func sysMprotectFn(k *Kernel, th *Thread, a [6]uint64) int64 {
	// LAB syscalls: begin
	addr, length, p := a[0], a[1], a[2]
	if addr&pmap.PageMask != 0 || p&^protKnown != 0 || addr+length < addr {
		return EINVAL.ret()
	}
	if length == 0 {
		return 0
	}
	if addr < uint64(k.cfg.UserMin) || addr+length > uint64(k.cfg.UserMax) {
		return ENOMEM.ret()
	}
	switch vm.Code(th.Task.Map.Protect(vm.VAddr(addr), length, false, vm.Prot(prot(p)))) {
	case vm.KernSuccess:
		return 0
	case vm.KernProtectionFailure:
		return EACCES.ret()
	case vm.KernInvalidAddress:
		return ENOMEM.ret()
	}
	return EINVAL.ret()
	// LAB syscalls: stub
	// panic("lab syscalls: not implemented: mprotect")
	// LAB syscalls: end
}
