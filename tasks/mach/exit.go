//go:build tamago

package mach

// syscallExit is exit_group(code) (trap_<arch>.s).
func syscallExit(code uintptr)
