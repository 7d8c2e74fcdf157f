//go:build tamago

#include "go_asm.h"
#include "textflag.h"

// The trap trampoline. Everything from trampStubs to trampEnd is copied to
// one page mapped at TrampolineVA in the kernel's space and in every task's
// (docs/trap-amd64.md), so this code may only use relative branches between
// its own symbols and absolute constants in the trampoline mapping: no
// reference to kernel data, whose addresses a task's space does not map.
// trampoline_amd64.go checks at boot that the symbols lie in this order.

// func trampStubs()
//
// IDT entry v points at trampStubs+v*stubSize. Each stub makes the stack look
// the same for every vector: an error code (the CPU's, or a 0 pushed here),
// then the return address of the CALL, from which trampCommon works out v.
// The PUSHQ $0 is written as bytes so that the assembler's stack-depth
// bookkeeping, which cannot know that trampCommon never returns here, does
// not count 246 pushes against the nosplit limit.
TEXT ·trampStubs(SB),NOSPLIT|NOFRAME,$0-0
	BYTE	$0x6a; BYTE	$0x00	// 0: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 1: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 2: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 3: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 4: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 5: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 6: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 7: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 8: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 9: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 10: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 11: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 12: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 13: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 14: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 15: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 16: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 17: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 18: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 19: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 20: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 21: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 22: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 23: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 24: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 25: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 26: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 27: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 28: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 29: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x66; BYTE	$0x90	// 30: error code pushed by the CPU (2-byte NOP)
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 31: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 32: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 33: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 34: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 35: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 36: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 37: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 38: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 39: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 40: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 41: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 42: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 43: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 44: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 45: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 46: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 47: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 48: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 49: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 50: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 51: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 52: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 53: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 54: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 55: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 56: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 57: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 58: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 59: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 60: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 61: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 62: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 63: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 64: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 65: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 66: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 67: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 68: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 69: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 70: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 71: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 72: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 73: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 74: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 75: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 76: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 77: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 78: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 79: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 80: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 81: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 82: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 83: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 84: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 85: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 86: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 87: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 88: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 89: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 90: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 91: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 92: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 93: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 94: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 95: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 96: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 97: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 98: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 99: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 100: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 101: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 102: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 103: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 104: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 105: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 106: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 107: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 108: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 109: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 110: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 111: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 112: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 113: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 114: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 115: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 116: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 117: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 118: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 119: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 120: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 121: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 122: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 123: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 124: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 125: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 126: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 127: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 128: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 129: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 130: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 131: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 132: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 133: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 134: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 135: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 136: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 137: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 138: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 139: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 140: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 141: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 142: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 143: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 144: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 145: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 146: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 147: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 148: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 149: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 150: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 151: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 152: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 153: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 154: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 155: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 156: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 157: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 158: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 159: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 160: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 161: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 162: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 163: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 164: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 165: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 166: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 167: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 168: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 169: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 170: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 171: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 172: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 173: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 174: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 175: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 176: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 177: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 178: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 179: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 180: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 181: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 182: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 183: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 184: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 185: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 186: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 187: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 188: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 189: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 190: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 191: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 192: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 193: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 194: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 195: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 196: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 197: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 198: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 199: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 200: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 201: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 202: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 203: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 204: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 205: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 206: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 207: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 208: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 209: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 210: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 211: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 212: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 213: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 214: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 215: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 216: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 217: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 218: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 219: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 220: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 221: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 222: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 223: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 224: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 225: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 226: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 227: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 228: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 229: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 230: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 231: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 232: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 233: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 234: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 235: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 236: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 237: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 238: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 239: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 240: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 241: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 242: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 243: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 244: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 245: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 246: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 247: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 248: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 249: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 250: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 251: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 252: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 253: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 254: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)
	BYTE	$0x6a; BYTE	$0x00	// 255: PUSHQ $0 (6A ib), a 0 in place of an error code
	CALL	·trampCommon(SB)

// func trampCommon()
//
// Stack, from SP up: the stub's return address, the error code, the CPU's
// frame RIP, CS, RFLAGS, RSP, SS. From CPL3 the CPU switched to TSS.RSP0,
// so this is the top of trapFrame in the per-CPU page and SP-15 words is its
// start. From CPL0 (a fault in the kernel) it is the kernel stack, and the
// trap goes on to the gate this IDT replaced (the chain table).
TEXT ·trampCommon(SB),NOSPLIT|NOFRAME,$0-0
	SUBQ	$(trapFrame_Vector), SP
	MOVQ	AX, trapFrame_RAX(SP)
	MOVQ	BX, trapFrame_RBX(SP)
	MOVQ	CX, trapFrame_RCX(SP)
	MOVQ	DX, trapFrame_RDX(SP)
	MOVQ	SI, trapFrame_RSI(SP)
	MOVQ	DI, trapFrame_RDI(SP)
	MOVQ	BP, trapFrame_RBP(SP)
	MOVQ	R8, trapFrame_R8(SP)
	MOVQ	R9, trapFrame_R9(SP)
	MOVQ	R10, trapFrame_R10(SP)
	MOVQ	R11, trapFrame_R11(SP)
	MOVQ	R12, trapFrame_R12(SP)
	MOVQ	R13, trapFrame_R13(SP)
	MOVQ	R14, trapFrame_R14(SP)
	MOVQ	R15, trapFrame_R15(SP)

	// vector = (return address - trampStubs) / stubSize - 1; the stubs
	// start the trampoline's page.
	MOVQ	trapFrame_Vector(SP), AX
	ANDQ	$0xfff, AX
	XORQ	DX, DX
	MOVQ	$const_stubSize, CX
	DIVQ	CX
	DECQ	AX
	MOVQ	AX, trapFrame_Vector(SP)
	MOVQ	trapFrame_CS(SP), CX
	ANDQ	$3, CX
	JZ	kernel
	JMP	·trampUserTrap(SB)
kernel:

	// CPL0: re-create the stack the CPU built and continue at the
	// previous handler (a RET to it), leaving the error code only if
	// the CPU pushed one.
	MOVQ	$const_chainVA, BX
	MOVQ	(BX)(AX*8), BX
	CMPQ	AX, $const_exceptions
	JAE	noerror
	MOVQ	$const_errorCodeVectors, CX
	BTQ	AX, CX
	JCC	noerror
	MOVQ	BX, trapFrame_Vector(SP)
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_Vector(SP), SP
	RET
noerror:
	MOVQ	BX, trapFrame_ErrorCode(SP)
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_ErrorCode(SP), SP
	RET

// func trampSyscall()
//
// IA32_LSTAR points here. SYSCALL (Intel SDM Vol. 3A §5.8.8; Vol. 2B SYSCALL)
// left the user's RIP in RCX and RFLAGS in R11, masked RFLAGS with
// IA32_FMASK (IF is 0), loaded CS and SS from IA32_STAR, and did not change
// RSP. SWAPGS (Vol. 2B) makes GS address the per-CPU page just long enough to
// park the user's RSP in the frame; then the frame is completed as if the
// CPU had pushed it.
TEXT ·trampSyscall(SB),NOSPLIT|NOFRAME,$0-0
	SWAPGS
	MOVQ	SP, (const_pcpuFrame+trapFrame_RSP)(GS)
	SWAPGS
	MOVQ	$const_trapFrameVA, SP
	MOVQ	AX, trapFrame_RAX(SP)
	MOVQ	BX, trapFrame_RBX(SP)
	MOVQ	CX, trapFrame_RCX(SP)
	MOVQ	DX, trapFrame_RDX(SP)
	MOVQ	SI, trapFrame_RSI(SP)
	MOVQ	DI, trapFrame_RDI(SP)
	MOVQ	BP, trapFrame_RBP(SP)
	MOVQ	R8, trapFrame_R8(SP)
	MOVQ	R9, trapFrame_R9(SP)
	MOVQ	R10, trapFrame_R10(SP)
	MOVQ	R11, trapFrame_R11(SP)
	MOVQ	R12, trapFrame_R12(SP)
	MOVQ	R13, trapFrame_R13(SP)
	MOVQ	R14, trapFrame_R14(SP)
	MOVQ	R15, trapFrame_R15(SP)
	MOVQ	CX, trapFrame_RIP(SP)
	MOVQ	R11, trapFrame_RFLAGS(SP)
	MOVQ	$const_selUserCode, trapFrame_CS(SP)
	MOVQ	$const_selUserData, trapFrame_SS(SP)
	MOVQ	$0, trapFrame_ErrorCode(SP)
	MOVQ	$const_vectorSyscall, trapFrame_Vector(SP)
	JMP	·trampUserTrap(SB)

// func trampUserTrap()
//
// The user registers are in the frame. Record CR2, load the kernel's CR3 and
// continue in kernel text at trapReturn, which returns from enterUser.
TEXT ·trampUserTrap(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	$const_trampVarsVA, BX
	MOVQ	CR2, AX
	MOVQ	AX, trampVars_CR2(BX)
	MOVQ	trampVars_KernelCR3(BX), AX
	MOVQ	AX, CR3
	CLD
	MOVQ	trampVars_KernelResume(BX), AX
	JMP	AX

// func trampExit()
//
// enterUser jumps here, on the kernel's CR3 and stack, with the frame filled
// in by Run. Load the task's CR3 and the user registers, then IRETQ through
// the frame, or SYSRETQ after a system call (RIP from RCX, RFLAGS from R11;
// Run only asks for it with a canonical RIP, as SYSRET from a non-canonical
// RCX faults at CPL0 on Intel CPUs: Vol. 2B SYSRET).
TEXT ·trampExit(SB),NOSPLIT|NOFRAME,$0-0
	MOVQ	$const_trampVarsVA, BX
	MOVQ	$const_trapFrameVA, SP
	MOVQ	trampVars_UserCR3(BX), AX
	MOVQ	AX, CR3
	MOVQ	trampVars_Sysret(BX), AX
	TESTQ	AX, AX
	JNZ	sysret
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RCX(SP), CX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R11(SP), R11
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	LEAQ	trapFrame_RIP(SP), SP
	IRETQ
sysret:
	MOVQ	trapFrame_RAX(SP), AX
	MOVQ	trapFrame_RBX(SP), BX
	MOVQ	trapFrame_RDX(SP), DX
	MOVQ	trapFrame_RSI(SP), SI
	MOVQ	trapFrame_RDI(SP), DI
	MOVQ	trapFrame_RBP(SP), BP
	MOVQ	trapFrame_R8(SP), R8
	MOVQ	trapFrame_R9(SP), R9
	MOVQ	trapFrame_R10(SP), R10
	MOVQ	trapFrame_R12(SP), R12
	MOVQ	trapFrame_R13(SP), R13
	MOVQ	trapFrame_R14(SP), R14
	MOVQ	trapFrame_R15(SP), R15
	MOVQ	trapFrame_RIP(SP), CX
	MOVQ	trapFrame_RFLAGS(SP), R11
	MOVQ	trapFrame_RSP(SP), SP
	// SYSRETQ: SYSRET with REX.W, back to 64-bit mode (Vol. 2B SYSRET).
	BYTE	$0x48; BYTE	$0x0f; BYTE	$0x07

// func trampEnd()
//
// Marks the end of the trampoline; never entered.
TEXT ·trampEnd(SB),NOSPLIT|NOFRAME,$0-0
	INT	$3
