//go:build tamago

package machine

// Register and memory leaves, defined in cpu_amd64.s. Each is one or two
// instructions; the Go declaration says what it executes.

// cli masks maskable interrupts (Intel SDM Vol. 2A CLI). The kernel's Go code
// runs with IF = 0 (DESIGN §3); user mode runs with IF = 1.
func cli()

// readIDTR returns the base and limit of the loaded IDT (Vol. 2B SIDT).
func readIDTR() (base uint64, limit uint16)

// rdmsr reads a model-specific register (Vol. 2B RDMSR).
func rdmsr(msr uint32) uint64

// wrmsr writes a model-specific register (Vol. 2D WRMSR).
func wrmsr(msr uint32, val uint64)

// readCR0 returns CR0 (Vol. 3A §2.5).
func readCR0() uint64

// readCR4 returns CR4 (Vol. 3A §2.5).
func readCR4() uint64

// writeCR4 executes MOV to CR4 (Vol. 3A §2.5).
func writeCR4(val uint64)

// readCR3 returns CR3 (Vol. 3A §2.5, §4.5).
func readCR3() uint64

// rdtsc returns the time-stamp counter (Vol. 2B RDTSC).
func rdtsc() uint64

// store64 writes the 64-bit word at an identity-mapped address.
func store64(addr, val uint64)

// load64 reads the 64-bit word at an identity-mapped address.
func load64(addr uint64) uint64

// store32 writes a 32-bit device register (memory-mapped, uncached).
func store32(addr uint64, val uint32)

// load32 reads a 32-bit device register.
func load32(addr uint64) uint32

// writeCR0 executes MOV to CR0 (Vol. 3A §2.5).
func writeCR0(val uint64)
