package vm

import (
	"errors"
	"fmt"
)

// KernReturn is Mach's kern_return_t as a Go error: every call of the Mach
// VM API returns nil (KERN_SUCCESS) or one of these values. The numeric
// values are those of osfmk/mach/kern_return.h, so a trap handler returns
// int(code) to a task unchanged.
type KernReturn int32

// Mach's return codes (osfmk/mach/kern_return.h).
const (
	KernSuccess                KernReturn = 0  // KERN_SUCCESS
	KernInvalidAddress         KernReturn = 1  // KERN_INVALID_ADDRESS: address not valid or not allocated
	KernProtectionFailure      KernReturn = 2  // KERN_PROTECTION_FAILURE: access not permitted by protection
	KernNoSpace                KernReturn = 3  // KERN_NO_SPACE: no room in the address space
	KernInvalidArgument        KernReturn = 4  // KERN_INVALID_ARGUMENT
	KernFailure                KernReturn = 5  // KERN_FAILURE
	KernResourceShortage       KernReturn = 6  // KERN_RESOURCE_SHORTAGE: out of memory
	KernNotReceiver            KernReturn = 7  // KERN_NOT_RECEIVER
	KernNoAccess               KernReturn = 8  // KERN_NO_ACCESS
	KernMemoryFailure          KernReturn = 9  // KERN_MEMORY_FAILURE: memory object destroyed
	KernMemoryError            KernReturn = 10 // KERN_MEMORY_ERROR: pager could not supply the data
	KernAlreadyInSet           KernReturn = 11 // KERN_ALREADY_IN_SET
	KernNotInSet               KernReturn = 12 // KERN_NOT_IN_SET
	KernNameExists             KernReturn = 13 // KERN_NAME_EXISTS
	KernAborted                KernReturn = 14 // KERN_ABORTED
	KernInvalidName            KernReturn = 15 // KERN_INVALID_NAME
	KernInvalidTask            KernReturn = 16 // KERN_INVALID_TASK
	KernInvalidRight           KernReturn = 17 // KERN_INVALID_RIGHT
	KernInvalidValue           KernReturn = 18 // KERN_INVALID_VALUE: a blatant range error
	KernUrefsOverflow          KernReturn = 19 // KERN_UREFS_OVERFLOW
	KernInvalidCapability      KernReturn = 20 // KERN_INVALID_CAPABILITY
	KernRightExists            KernReturn = 21 // KERN_RIGHT_EXISTS
	KernInvalidHost            KernReturn = 22 // KERN_INVALID_HOST
	KernMemoryPresent          KernReturn = 23 // KERN_MEMORY_PRESENT
	KernMemoryDataMoved        KernReturn = 24 // KERN_MEMORY_DATA_MOVED
	KernMemoryRestartCopy      KernReturn = 25 // KERN_MEMORY_RESTART_COPY
	KernInvalidProcessorSet    KernReturn = 26 // KERN_INVALID_PROCESSOR_SET
	KernPolicyLimit            KernReturn = 27 // KERN_POLICY_LIMIT
	KernInvalidPolicy          KernReturn = 28 // KERN_INVALID_POLICY
	KernInvalidObject          KernReturn = 29 // KERN_INVALID_OBJECT
	KernAlreadyWaiting         KernReturn = 30 // KERN_ALREADY_WAITING
	KernDefaultSet             KernReturn = 31 // KERN_DEFAULT_SET
	KernExceptionProtected     KernReturn = 32 // KERN_EXCEPTION_PROTECTED
	KernInvalidLedger          KernReturn = 33 // KERN_INVALID_LEDGER
	KernInvalidMemoryControl   KernReturn = 34 // KERN_INVALID_MEMORY_CONTROL
	KernInvalidSecurity        KernReturn = 35 // KERN_INVALID_SECURITY
	KernNotDepressed           KernReturn = 36 // KERN_NOT_DEPRESSED
	KernTerminated             KernReturn = 37 // KERN_TERMINATED
	KernLockSetDestroyed       KernReturn = 38 // KERN_LOCK_SET_DESTROYED
	KernLockUnstable           KernReturn = 39 // KERN_LOCK_UNSTABLE
	KernLockOwned              KernReturn = 40 // KERN_LOCK_OWNED
	KernLockOwnedSelf          KernReturn = 41 // KERN_LOCK_OWNED_SELF
	KernSemaphoreDestroyed     KernReturn = 42 // KERN_SEMAPHORE_DESTROYED
	KernRPCServerTerminated    KernReturn = 43 // KERN_RPC_SERVER_TERMINATED
	KernRPCTerminateOrphan     KernReturn = 44 // KERN_RPC_TERMINATE_ORPHAN
	KernRPCContinueOrphan      KernReturn = 45 // KERN_RPC_CONTINUE_ORPHAN
	KernNotSupported           KernReturn = 46 // KERN_NOT_SUPPORTED
	KernNodeDown               KernReturn = 47 // KERN_NODE_DOWN
	KernNotWaiting             KernReturn = 48 // KERN_NOT_WAITING
	KernOperationTimedOut      KernReturn = 49 // KERN_OPERATION_TIMED_OUT
	KernCodesignError          KernReturn = 50 // KERN_CODESIGN_ERROR
	KernPolicyStatic           KernReturn = 51 // KERN_POLICY_STATIC
	KernInsufficientBufferSize KernReturn = 52 // KERN_INSUFFICIENT_BUFFER_SIZE
	KernDenied                 KernReturn = 53 // KERN_DENIED
	KernMissingKC              KernReturn = 54 // KERN_MISSING_KC
	KernInvalidKC              KernReturn = 55 // KERN_INVALID_KC
	KernNotFound               KernReturn = 56 // KERN_NOT_FOUND
)

var kernNames = [...]string{
	"KERN_SUCCESS", "KERN_INVALID_ADDRESS", "KERN_PROTECTION_FAILURE",
	"KERN_NO_SPACE", "KERN_INVALID_ARGUMENT", "KERN_FAILURE",
	"KERN_RESOURCE_SHORTAGE", "KERN_NOT_RECEIVER", "KERN_NO_ACCESS",
	"KERN_MEMORY_FAILURE", "KERN_MEMORY_ERROR", "KERN_ALREADY_IN_SET",
	"KERN_NOT_IN_SET", "KERN_NAME_EXISTS", "KERN_ABORTED",
	"KERN_INVALID_NAME", "KERN_INVALID_TASK", "KERN_INVALID_RIGHT",
	"KERN_INVALID_VALUE", "KERN_UREFS_OVERFLOW", "KERN_INVALID_CAPABILITY",
	"KERN_RIGHT_EXISTS", "KERN_INVALID_HOST", "KERN_MEMORY_PRESENT",
	"KERN_MEMORY_DATA_MOVED", "KERN_MEMORY_RESTART_COPY",
	"KERN_INVALID_PROCESSOR_SET", "KERN_POLICY_LIMIT", "KERN_INVALID_POLICY",
	"KERN_INVALID_OBJECT", "KERN_ALREADY_WAITING", "KERN_DEFAULT_SET",
	"KERN_EXCEPTION_PROTECTED", "KERN_INVALID_LEDGER",
	"KERN_INVALID_MEMORY_CONTROL", "KERN_INVALID_SECURITY",
	"KERN_NOT_DEPRESSED", "KERN_TERMINATED", "KERN_LOCK_SET_DESTROYED",
	"KERN_LOCK_UNSTABLE", "KERN_LOCK_OWNED", "KERN_LOCK_OWNED_SELF",
	"KERN_SEMAPHORE_DESTROYED", "KERN_RPC_SERVER_TERMINATED",
	"KERN_RPC_TERMINATE_ORPHAN", "KERN_RPC_CONTINUE_ORPHAN",
	"KERN_NOT_SUPPORTED", "KERN_NODE_DOWN", "KERN_NOT_WAITING",
	"KERN_OPERATION_TIMED_OUT", "KERN_CODESIGN_ERROR", "KERN_POLICY_STATIC",
	"KERN_INSUFFICIENT_BUFFER_SIZE", "KERN_DENIED", "KERN_MISSING_KC",
	"KERN_INVALID_KC", "KERN_NOT_FOUND",
}

// String returns the Mach name of the code, e.g. "KERN_NO_SPACE".
func (k KernReturn) String() string {
	if k >= 0 && int(k) < len(kernNames) {
		return kernNames[k]
	}
	return fmt.Sprintf("kern_return(%d)", int32(k))
}

// Error implements error.
func (k KernReturn) Error() string { return "vm: " + k.String() }

// Code converts the result of a VM call into the kern_return_t a task sees:
// nil is KERN_SUCCESS, a KernReturn (or an error wrapping one, such as a
// *PageInError) is itself, anything else KERN_FAILURE.
func Code(err error) KernReturn {
	if err == nil {
		return KernSuccess
	}
	var k KernReturn
	if errors.As(err, &k) {
		return k
	}
	return KernFailure
}

// PageInError is a pager's failure to supply the data of a page: the access
// that needed it fails with KERN_MEMORY_ERROR. It names the pager and the
// offset, for the report of the task the fault kills.
type PageInError struct {
	Pager  Pager
	Offset uint64 // in the pager's object
	Err    error  // the pager's error
}

func (e *PageInError) Error() string {
	return fmt.Sprintf("%v: %s at offset %#x: %v", KernMemoryError.String(), PagerName(e.Pager), e.Offset, e.Err)
}

// Unwrap gives errors.Is and errors.As both KERN_MEMORY_ERROR and the
// pager's error.
func (e *PageInError) Unwrap() []error { return []error{KernMemoryError, e.Err} }

// PagerName names a pager for reports: its String method when it has one
// (the default pager says which disk it is on), else its type.
func PagerName(p Pager) string {
	if s, ok := p.(fmt.Stringer); ok {
		return s.String()
	}
	return fmt.Sprintf("%T", p)
}

// notImplemented stops the kernel with msg where a coursework lab's student
// has code to write (docs/labs): a stub in the middle of a function calls
// it, since code after a plain panic would not compile cleanly there.
func notImplemented(msg string) { panic(msg) }
