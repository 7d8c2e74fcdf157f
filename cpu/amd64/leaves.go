//go:build tamago && amd64

package amd64

// Register and memory leaves, defined in leaves_amd64.s. Each executes one
// or two instructions; its doc comment names them and the manual page.
// They run at CPL0 only.

// CPUID executes CPUID with EAX = leaf and ECX = subleaf (Intel SDM Vol.
// 2A CPUID).
func CPUID(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)

// ReadCR0 returns CR0 (Vol. 3A §2.5).
func ReadCR0() uint64

// WriteCR0 executes MOV to CR0 (Vol. 3A §2.5).
func WriteCR0(val uint64)

// ReadCR3 returns CR3, the page-map root and PCID (Vol. 3A §2.5, §4.5).
func ReadCR3() uint64

// WriteCR3 executes MOV to CR3 (Vol. 3A §4.10.4.1: it also invalidates TLB
// entries, unless bit 63 asks it not to with PCIDs on).
func WriteCR3(val uint64)

// ReadCR4 returns CR4 (Vol. 3A §2.5).
func ReadCR4() uint64

// WriteCR4 executes MOV to CR4 (Vol. 3A §2.5).
func WriteCR4(val uint64)

// ReadMSR reads a model-specific register (Vol. 2B RDMSR).
func ReadMSR(msr uint32) uint64

// WriteMSR writes a model-specific register (Vol. 2D WRMSR).
func WriteMSR(msr uint32, val uint64)

// RDTSC returns the time-stamp counter (Vol. 2B RDTSC).
func RDTSC() uint64

// CLI masks maskable interrupts (Vol. 2A CLI). The kernel's Go code runs
// with IF = 0; user mode runs with IF = 1 (docs/architecture.md).
func CLI()

// ReadCS returns the code segment selector; its low two bits are the CPL
// (Vol. 3A §5.5 "Privilege Levels").
func ReadCS() uint16

// ReadIDTR returns the base and limit of the loaded IDT (Vol. 2B SIDT;
// Vol. 3A §6.10 "Interrupt Descriptor Table").
func ReadIDTR() (base uint64, limit uint16)

// Halt masks interrupts and halts the CPU for good (Vol. 2A CLI, HLT).
func Halt()

// Load64 reads the 64-bit word at an identity-mapped address.
func Load64(addr uint64) uint64

// Store64 writes the 64-bit word at an identity-mapped address.
func Store64(addr, val uint64)

// Load32 reads a 32-bit device register (memory-mapped, uncached).
func Load32(addr uint64) uint32

// Store32 writes a 32-bit device register.
func Store32(addr uint64, val uint32)

// Load8 reads the byte at an identity-mapped address.
func Load8(addr uint64) uint8

// Store8 writes the byte at an identity-mapped address, e.g. a device
// register.
func Store8(addr uint64, val uint8)
