//go:build tamago

package armv8

// Data cache maintenance by address, for drivers of devices that do not
// snoop the CPU's caches (the i.MX 8M Plus uSDHC's DMA): each line of
// [addr, addr+n) is cleaned (DC CVAC) or cleaned and invalidated (DC CIVAC)
// to the Point of Coherency, then DSB SY waits for all of it (Arm ARM
// D7.5.9 "Data cache maintenance instructions (DC*)", C5.3 "DC CVAC", "DC
// CIVAC"). Both may run at EL1 on any address the kernel maps. Defined in
// cache_arm64.s.

// CleanDCache writes the dirty lines of [addr, addr+n) back to memory.
func CleanDCache(addr, n uint64)

// CleanInvalidateDCache writes back and drops the lines of [addr, addr+n).
func CleanInvalidateDCache(addr, n uint64)

// DCacheLine returns the smallest data cache line in bytes: 4 <<
// CTR_EL0.DminLine (bits [19:16]; Arm ARM D24.2 "CTR_EL0").
func DCacheLine() uint64
