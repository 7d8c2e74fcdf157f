//go:build tamago

package main

// Linux AArch64 system call numbers (include/uapi/asm-generic/unistd.h).
const (
	sysDup3     = 24
	sysPipe2    = 59
	sysClose    = 57
	sysRead     = 63
	sysWrite    = 64
	sysGetpid   = 172
	sysReboot   = 142
	sysMunmap   = 215
	sysClone    = 220
	sysExecve   = 221
	sysMmap     = 222
	sysMprotect = 226
	sysMadvise  = 233
	sysWait4    = 260
)

// For the paging measurement (linuxpressure.go).
const (
	sysMkdirat     = 34
	sysMount       = 40
	sysOpenat      = 56
	sysLseek       = 62
	sysWriteAt     = 68 // pwrite64
	sysFsync       = 82
	sysNanosleep   = 101
	sysSwapon      = 224
	sysFinitModule = 273
)
