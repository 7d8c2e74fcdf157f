package vm

import "github.com/tamach/tamach/pmap"

// Mach's VM constants, with the values of osfmk/mach/*.h so that a trap
// handler passes a task's arguments through unchanged.

// Prot is Mach's vm_prot_t as the API receives it (vm_protect's
// new_protection, vm_wire's access): the access bits, which are pmap.Prot
// values, and above them the flag values of osfmk/mach/vm_prot.h that
// some calls accept and others refuse (vm_protect takes ProtCopy and
// refuses ProtNoChange and ProtIsMask with KERN_INVALID_ARGUMENT, as
// XNU's vm_sanitize_prot does). A vm_prot_t that a trap receives converts
// to Prot unchanged.
type Prot int32

// Protections (osfmk/mach/vm_prot.h). The access bits are untyped
// constants so that they serve as a Prot and as a pmap.Prot alike.
const (
	ProtNone    = 0x00 // VM_PROT_NONE
	ProtRead    = 0x01 // VM_PROT_READ
	ProtWrite   = 0x02 // VM_PROT_WRITE
	ProtExecute = 0x04 // VM_PROT_EXECUTE
	ProtDefault = ProtRead | ProtWrite
	ProtAll     = ProtRead | ProtWrite | ProtExecute // VM_PROT_ALL

	ProtNoChangeLegacy Prot = 0x08       // VM_PROT_NO_CHANGE_LEGACY (VM_PROT_UEXEC on x86)
	ProtCopy           Prot = 0x10       // VM_PROT_COPY: make the range a private copy, then add write to its maximum
	ProtIsMask         Prot = 0x40       // VM_PROT_IS_MASK: for vm_map, vm_remap and memory entries' protections
	ProtStripRead      Prot = 0x80       // VM_PROT_STRIP_READ: for mmap only
	ProtNoChange       Prot = 0x01000000 // VM_PROT_NO_CHANGE: for memory_object_lock_request only
)

// access returns the access bits of p.
func (p Prot) access() pmap.Prot { return pmap.Prot(p & ProtAll) }

// Inherit is vm_inherit_t: what a child map gets of an entry at fork
// (osfmk/mach/vm_inherit.h).
type Inherit uint8

// Inheritance values.
const (
	InheritShare      Inherit = 0 // VM_INHERIT_SHARE: child shares the memory
	InheritCopy       Inherit = 1 // VM_INHERIT_COPY: child gets a copy-on-write copy
	InheritNone       Inherit = 2 // VM_INHERIT_NONE: child gets nothing there
	InheritDonateCopy Inherit = 3 // VM_INHERIT_DONATE_COPY: refused by the API, as XNU does
	InheritDefault            = InheritCopy
)

// valid reports whether i is a value the API accepts: XNU's
// vm_sanitize_inherit refuses anything above VM_INHERIT_LAST_VALID
// (VM_INHERIT_NONE), VM_INHERIT_DONATE_COPY included
// (osfmk/vm/vm_sanitize.c, osfmk/mach/vm_inherit.h).
func (i Inherit) valid() bool { return i <= InheritNone }

// Flags are the vm_allocate / vm_map flags (osfmk/mach/vm_statistics.h).
type Flags uint32

// Allocation flags.
const (
	FlagsFixed             Flags = 0x00000000 // VM_FLAGS_FIXED
	FlagsAnywhere          Flags = 0x00000001 // VM_FLAGS_ANYWHERE
	FlagsPurgable          Flags = 0x00000002 // VM_FLAGS_PURGABLE
	Flags4GBChunk          Flags = 0x00000004 // VM_FLAGS_4GB_CHUNK: accepted, no effect here
	FlagsRandomAddr        Flags = 0x00000008 // VM_FLAGS_RANDOM_ADDR: with FlagsAnywhere, start the search at a random address
	FlagsNoCache           Flags = 0x00000010 // VM_FLAGS_NO_CACHE: accepted, no effect here
	FlagsResilientCodesign Flags = 0x00000020 // VM_FLAGS_RESILIENT_CODESIGN
	FlagsResilientMedia    Flags = 0x00000040 // VM_FLAGS_RESILIENT_MEDIA
	FlagsPermanent         Flags = 0x00000080 // VM_FLAGS_PERMANENT: accepted, no effect here
	FlagsTPRO              Flags = 0x00001000 // VM_FLAGS_TPRO: accepted, no effect here
	FlagsOverwrite         Flags = 0x00004000 // VM_FLAGS_OVERWRITE: with FlagsFixed, replace what is there
	FlagsSuperpageMask     Flags = 0x00070000 // VM_FLAGS_SUPERPAGE_MASK: no size is supported (KERN_INVALID_ARGUMENT)
	FlagsReturnDataAddr    Flags = 0x00100000 // VM_FLAGS_RETURN_DATA_ADDR
	FlagsReturn4KDataAddr  Flags = 0x00800000 // VM_FLAGS_RETURN_4K_DATA_ADDR
	FlagsAliasMask         Flags = 0xFF000000 // VM_FLAGS_ALIAS_MASK: the alias tag (VM_MEMORY_*)

	// flagsUserMap is VM_FLAGS_USER_MAP, the flags vm_map accepts from
	// a task; flagsUserRemap is VM_FLAGS_USER_REMAP
	// (osfmk/mach/vm_statistics.h).
	flagsUserMap = FlagsAnywhere | FlagsPurgable | Flags4GBChunk | FlagsRandomAddr | FlagsNoCache |
		FlagsPermanent | FlagsOverwrite | FlagsSuperpageMask | FlagsTPRO | FlagsAliasMask |
		FlagsReturn4KDataAddr | FlagsReturnDataAddr
	flagsUserRemap = FlagsAnywhere | FlagsRandomAddr | FlagsOverwrite | FlagsReturnDataAddr |
		FlagsResilientCodesign | FlagsResilientMedia

	// FlagsUserAllocate are the flags vm_allocate accepts from a task
	// (VM_FLAGS_USER_ALLOCATE, osfmk/mach/vm_statistics.h); any other
	// bit is KERN_INVALID_ARGUMENT (vm_user.c mach_vm_allocate_external).
	FlagsUserAllocate = FlagsFixed | FlagsAnywhere | FlagsPurgable | Flags4GBChunk |
		FlagsRandomAddr | FlagsNoCache | FlagsPermanent | FlagsOverwrite |
		FlagsSuperpageMask | FlagsTPRO | FlagsAliasMask

	flagsMap = FlagsAnywhere | FlagsOverwrite | FlagsAliasMask
)

// alias extracts the VM_MEMORY_* tag of flags (VM_GET_FLAGS_ALIAS).
func (f Flags) alias() uint8 { return uint8(f >> 24) }

// Behavior is vm_behavior_t, the paging advice for a range
// (osfmk/mach/vm_behavior.h).
type Behavior int32

// Behaviors. The first four are stored in the entry; the others are
// one-shot actions applied at once.
const (
	BehaviorDefault     Behavior = 0  // VM_BEHAVIOR_DEFAULT
	BehaviorRandom      Behavior = 1  // VM_BEHAVIOR_RANDOM
	BehaviorSequential  Behavior = 2  // VM_BEHAVIOR_SEQUENTIAL
	BehaviorRSequential Behavior = 3  // VM_BEHAVIOR_RSEQNTL
	BehaviorWillNeed    Behavior = 4  // VM_BEHAVIOR_WILLNEED: fault the range in now
	BehaviorDontNeed    Behavior = 5  // VM_BEHAVIOR_DONTNEED: deactivate resident pages
	BehaviorFree        Behavior = 6  // VM_BEHAVIOR_FREE: discard the contents (msync KILLPAGES)
	BehaviorZeroWired   Behavior = 7  // VM_BEHAVIOR_ZERO_WIRED_PAGES: recorded in the entries
	BehaviorReusable    Behavior = 8  // VM_BEHAVIOR_REUSABLE: contents may be discarded until reuse
	BehaviorReuse       Behavior = 9  // VM_BEHAVIOR_REUSE: the range is in use again
	BehaviorCanReuse    Behavior = 10 // VM_BEHAVIOR_CAN_REUSE: could the range be made reusable?
	BehaviorPageout     Behavior = 11 // VM_BEHAVIOR_PAGEOUT: deactivate (XNU: development kernels only)
	BehaviorZero        Behavior = 12 // VM_BEHAVIOR_ZERO: zero anonymous pages in place

	behaviorLastValid = BehaviorZero // VM_BEHAVIOR_LAST_VALID
)

// RegionFlavor selects what vm_region reports (osfmk/mach/vm_region.h).
type RegionFlavor int32

// Region flavors.
const (
	FlavorBasicInfo64        RegionFlavor = 9  // VM_REGION_BASIC_INFO_64
	FlavorBasicInfo          RegionFlavor = 10 // VM_REGION_BASIC_INFO (answered as BASIC_INFO_64, as mach_vm_region does)
	FlavorExtendedInfoLegacy RegionFlavor = 11 // VM_REGION_EXTENDED_INFO__legacy
	FlavorTopInfo            RegionFlavor = 12 // VM_REGION_TOP_INFO
	FlavorExtendedInfo       RegionFlavor = 13 // VM_REGION_EXTENDED_INFO
)

// ShareMode is the share_mode of extended and top region info.
type ShareMode uint8

// Share modes (osfmk/mach/vm_region.h SM_*).
const (
	SMCOW            ShareMode = 1 // SM_COW
	SMPrivate        ShareMode = 2 // SM_PRIVATE
	SMEmpty          ShareMode = 3 // SM_EMPTY
	SMShared         ShareMode = 4 // SM_SHARED
	SMTrueShared     ShareMode = 5 // SM_TRUESHARED
	SMPrivateAliased ShareMode = 6 // SM_PRIVATE_ALIASED
	SMSharedAliased  ShareMode = 7 // SM_SHARED_ALIASED
)

// SyncFlags are vm_msync's flags (osfmk/mach/vm_sync.h).
type SyncFlags uint32

// msync flags.
const (
	SyncAsynchronous SyncFlags = 0x01 // VM_SYNC_ASYNCHRONOUS
	SyncSynchronous  SyncFlags = 0x02 // VM_SYNC_SYNCHRONOUS
	SyncInvalidate   SyncFlags = 0x04 // VM_SYNC_INVALIDATE
	SyncKillPages    SyncFlags = 0x08 // VM_SYNC_KILLPAGES
	SyncDeactivate   SyncFlags = 0x10 // VM_SYNC_DEACTIVATE
	SyncContiguous   SyncFlags = 0x20 // VM_SYNC_CONTIGUOUS
	SyncReusable     SyncFlags = 0x40 // VM_SYNC_REUSABLEPAGES: accepted, no effect (as in XNU's vm_map_msync)
)

// PageQuery is the disposition bit set vm_map_page_query returns
// (osfmk/mach/vm_statistics.h VM_PAGE_QUERY_*).
type PageQuery int32

// Page dispositions.
const (
	PageQueryPresent  PageQuery = 0x01  // VM_PAGE_QUERY_PAGE_PRESENT
	PageQueryRef      PageQuery = 0x04  // VM_PAGE_QUERY_PAGE_REF
	PageQueryDirty    PageQuery = 0x08  // VM_PAGE_QUERY_PAGE_DIRTY
	PageQueryPagedOut PageQuery = 0x10  // VM_PAGE_QUERY_PAGE_PAGED_OUT (internal objects only)
	PageQueryCopied   PageQuery = 0x20  // VM_PAGE_QUERY_PAGE_COPIED: found in a top object that shadows another
	PageQueryExternal PageQuery = 0x80  // VM_PAGE_QUERY_PAGE_EXTERNAL
	PageQueryReusable PageQuery = 0x800 // VM_PAGE_QUERY_PAGE_REUSABLE
)

// PageInfoFlavor selects what mach_vm_page_info reports
// (osfmk/mach/vm_region.h).
type PageInfoFlavor int32

// PageInfoBasic is VM_PAGE_INFO_BASIC, the only flavor XNU has.
const PageInfoBasic PageInfoFlavor = 1

// MachineAttribute and MachineAttributeVal are vm_machine_attribute's
// arguments (osfmk/mach/vm_attributes.h).
type (
	MachineAttribute    uint32
	MachineAttributeVal int32
)

// Machine attributes and values.
const (
	MattrCache     MachineAttribute = 1 // MATTR_CACHE
	MattrMigrate   MachineAttribute = 2 // MATTR_MIGRATE
	MattrReplicate MachineAttribute = 4 // MATTR_REPLICATE

	MattrValOff         MachineAttributeVal = 0 // MATTR_VAL_OFF
	MattrValOn          MachineAttributeVal = 1 // MATTR_VAL_ON
	MattrValGet         MachineAttributeVal = 2 // MATTR_VAL_GET
	MattrValCacheFlush  MachineAttributeVal = 6 // MATTR_VAL_CACHE_FLUSH
	MattrValDCacheFlush MachineAttributeVal = 7 // MATTR_VAL_DCACHE_FLUSH
	MattrValICacheFlush MachineAttributeVal = 8 // MATTR_VAL_ICACHE_FLUSH
	MattrValCacheSync   MachineAttributeVal = 9 // MATTR_VAL_CACHE_SYNC
)

// MaxWireCount caps an entry's wire counts (XNU's MAX_WIRE_COUNT).
const MaxWireCount = 65535

// MaxReadList is the most elements vm_read_list takes (VM_MAP_ENTRY_MAX,
// osfmk/mach/vm_region.h).
const MaxReadList = 256

// MaxPageRangeQuery is how many bytes of a range mach_vm_page_range_query
// looks at per pass (MAX_PAGE_RANGE_QUERY, 1 GiB, osfmk/vm/vm_protos.h).
const MaxPageRangeQuery = 1 << 30
