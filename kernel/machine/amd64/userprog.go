package amd64

import "encoding/binary"

// The usermode self-check's ring-3 program, hand-assembled (Intel SDM Vol. 2
// opcode tables; userprog_amd64_test.go decodes it back and compares). It
// runs at userCodeVA with its stack page below userStackTop and FS base at
// the stack page; the kernel's side is CheckUserMode.
//
//	step 1: read the thread pointer's first word (FS-relative) into R12
//	        and XMM0, then a SYSCALL with known registers; its return
//	        value N is the number of null system calls to make next
//	        (timed; XMM0 must survive them);
//	step 2: store to userFaultVA, which is not mapped: a page fault the
//	        kernel resolves by mapping a page; the store is retried;
//	step 3: spin until the word after the stored one becomes non-zero,
//	        which the kernel does once a timer interrupt preempted it;
//	step 4: load from a kernel (supervisor) address: a protection fault;
//	        the kernel then resumes at the UD2, an invalid-opcode trap,
//	        and then on the stack page, an execute fault (NX).
const (
	userCodeVA   = 0x0040_0000
	userStackTop = 0x0080_0000
	userStackVA  = userStackTop - 0x1000
	userFaultVA  = 0x0060_0000

	userNrFirst = 0x1234 // the first system call's number
	userNrNull  = 0x1235 // the timed null system call's number
	userArg0    = 0x11   // RDI ... R9 of the first system call: 0x11, 0x22, ..., 0x66
	userTLSWord = 0x7443_4852_4541_4421

	// Offsets of the instructions the kernel checks the PC against.
	userAfterFirst = 0x36 // after the first SYSCALL
	userStore      = 0x4a // the store to userFaultVA
	userSpin       = 0x51 // the spin loop, up to userKernelLoad
	userKernelLoad = 0x62 // the load from the kernel address
	userUD2        = 0x65
	userEnd        = 0x67
	userKernelImm  = 0x5a // where the kernel address sits in the program

	// fxXMM0 is where FXSAVE stores XMM0 (Intel SDM Vol. 1 §10.5.1,
	// Table 10-2): the program copies the thread pointer's word there.
	fxXMM0 = 160
)

// userProgram returns the program's bytes; kernelVA is the address step 4
// reads.
func userProgram(kernelVA uint64) []byte {
	p := []byte{
		0x64, 0x4c, 0x8b, 0x24, 0x25, 0, 0, 0, 0, // 00 mov r12, qword ptr fs:[0]
		0x66, 0x49, 0x0f, 0x6e, 0xc4, // 09 movq xmm0, r12
		0xb8, 0x34, 0x12, 0x00, 0x00, // 0e mov eax, 0x1234
		0xbf, 0x11, 0x00, 0x00, 0x00, // 13 mov edi, 0x11
		0xbe, 0x22, 0x00, 0x00, 0x00, // 18 mov esi, 0x22
		0xba, 0x33, 0x00, 0x00, 0x00, // 1d mov edx, 0x33
		0x41, 0xba, 0x44, 0x00, 0x00, 0x00, // 22 mov r10d, 0x44
		0x41, 0xb8, 0x55, 0x00, 0x00, 0x00, // 28 mov r8d, 0x55
		0x41, 0xb9, 0x66, 0x00, 0x00, 0x00, // 2e mov r9d, 0x66
		0x0f, 0x05, // 34 syscall
		0x48, 0x89, 0xc3, // 36 mov rbx, rax: N
		0xb8, 0x35, 0x12, 0x00, 0x00, // 39 mov eax, 0x1235
		0x0f, 0x05, // 3e syscall
		0x48, 0xff, 0xcb, // 40 dec rbx
		0x75, 0xf4, // 43 jnz 0x39
		0xb9, 0x00, 0x00, 0x60, 0x00, // 45 mov ecx, 0x600000
		0x48, 0xc7, 0x01, 0x5a, 0x00, 0x00, 0x00, // 4a mov qword ptr [rcx], 0x5a
		0x48, 0x83, 0x79, 0x08, 0x00, // 51 cmp qword ptr [rcx+8], 0
		0x74, 0xf9, // 56 je 0x51
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, // 58 mov rax, kernelVA
		0x48, 0x8b, 0x00, // 62 mov rax, qword ptr [rax]
		0x0f, 0x0b, // 65 ud2
	}
	binary.LittleEndian.PutUint64(p[userKernelImm:], kernelVA)
	return p
}
