//go:build tamago

package main

// Linux x86-64 system call numbers (arch/x86/entry/syscalls/syscall_64.tbl).
const (
	sysRead     = 0
	sysWrite    = 1
	sysClose    = 3
	sysMmap     = 9
	sysMprotect = 10
	sysMunmap   = 11
	sysMadvise  = 28
	sysGetpid   = 39
	sysClone    = 56
	sysExecve   = 59
	sysWait4    = 61
	sysReboot   = 169
	sysDup3     = 292
	sysPipe2    = 293
)

// For the paging measurement (linuxpressure.go).
const (
	sysWriteAt     = 18 // pwrite64
	sysNanosleep   = 35
	sysFsync       = 74
	sysMount       = 165
	sysSwapon      = 167
	sysOpenat      = 257
	sysMkdirat     = 258
	sysFinitModule = 313
	sysLseek       = 8
)
