package amd64

import "strings"

// Control-register bits (Intel SDM Vol. 3A §2.5 "Control Registers",
// Figure 2-7).
const (
	CR0WP    = 1 << 16 // write protect: read-only pages are read-only for CPL0 too
	CR0PG    = 1 << 31 // paging
	CR4PAE   = 1 << 5  // physical address extension
	CR4PCIDE = 1 << 17 // process-context identifiers (§4.10.1); only with CR3[11:0] = 0
)

// Model-specific registers (Intel SDM Vol. 4, Table 2-2 "IA-32 Architectural
// MSRs") and their bits.
const (
	MSREFER         = 0xc000_0080 // IA32_EFER (Vol. 3A §2.2.1)
	MSRSTAR         = 0xc000_0081 // SYSCALL/SYSRET segments (Vol. 3A §5.8.8)
	MSRLSTAR        = 0xc000_0082 // SYSCALL's 64-bit entry point
	MSRFMASK        = 0xc000_0084 // RFLAGS bits SYSCALL clears
	MSRFSBase       = 0xc000_0100 // IA32_FS_BASE
	MSRKernelGSBase = 0xc000_0102 // IA32_KERNEL_GS_BASE, swapped in by SWAPGS

	EFERSCE = 1 << 0  // SYSCALL/SYSRET enabled (§5.8.8)
	EFERLMA = 1 << 10 // IA-32e mode active
	EFERNXE = 1 << 11 // bit 63 of paging entries is XD (§4.1.3, §4.6)
)

// RFLAGS bits (Intel SDM Vol. 1 §3.4.3, Figure 3-8).
const (
	FlagCF       = 1 << 0
	FlagReserved = 1 << 1 // always 1
	FlagPF       = 1 << 2
	FlagAF       = 1 << 4
	FlagZF       = 1 << 6
	FlagSF       = 1 << 7
	FlagTF       = 1 << 8
	FlagIF       = 1 << 9
	FlagDF       = 1 << 10
	FlagOF       = 1 << 11
	FlagNT       = 1 << 14
	FlagRF       = 1 << 16
	FlagAC       = 1 << 18
)

// flagNames name the RFLAGS bits FlagNames reports.
var flagNames = []struct {
	bit  uint64
	name string
}{
	{FlagCF, "CF"}, {FlagPF, "PF"}, {FlagAF, "AF"}, {FlagZF, "ZF"},
	{FlagSF, "SF"}, {FlagTF, "TF"}, {FlagIF, "IF"}, {FlagDF, "DF"},
	{FlagOF, "OF"}, {FlagNT, "NT"}, {FlagRF, "RF"}, {FlagAC, "AC"},
}

// FlagNames lists the RFLAGS bits set in rflags, space-separated.
func FlagNames(rflags uint64) string {
	var w []string
	for _, f := range flagNames {
		if rflags&f.bit != 0 {
			w = append(w, f.name)
		}
	}
	return strings.Join(w, " ")
}

// SelectorRPL masks the requested privilege level of a segment selector; in
// CS it is the CPL (Intel SDM Vol. 3A §3.4.2, §5.5).
const SelectorRPL = 0b11
