package vm

import "github.com/tamach/tamach/pmap"

// Mach's VM constants, with the values of osfmk/mach/*.h so that a trap
// handler passes a task's arguments through unchanged.

// Protections (osfmk/mach/vm_prot.h). They are pmap.Prot values.
const (
	ProtNone    = pmap.ProtNone    // VM_PROT_NONE
	ProtRead    = pmap.ProtRead    // VM_PROT_READ
	ProtWrite   = pmap.ProtWrite   // VM_PROT_WRITE
	ProtExecute = pmap.ProtExecute // VM_PROT_EXECUTE
	ProtDefault = ProtRead | ProtWrite
	ProtAll     = pmap.ProtAll // VM_PROT_ALL
)

// Inherit is vm_inherit_t: what a child map gets of an entry at fork
// (osfmk/mach/vm_inherit.h).
type Inherit uint8

// Inheritance values.
const (
	InheritShare      Inherit = 0 // VM_INHERIT_SHARE: child shares the memory
	InheritCopy       Inherit = 1 // VM_INHERIT_COPY: child gets a copy-on-write copy
	InheritNone       Inherit = 2 // VM_INHERIT_NONE: child gets nothing there
	InheritDonateCopy Inherit = 3 // VM_INHERIT_DONATE_COPY: accepted by the API, treated as copy
	InheritDefault            = InheritCopy
)

func (i Inherit) valid() bool { return i <= InheritDonateCopy }

// Flags are the vm_allocate / vm_map flags (osfmk/mach/vm_statistics.h).
type Flags uint32

// Allocation flags.
const (
	FlagsFixed     Flags = 0x0000     // VM_FLAGS_FIXED
	FlagsAnywhere  Flags = 0x0001     // VM_FLAGS_ANYWHERE
	FlagsPurgable  Flags = 0x0002     // VM_FLAGS_PURGABLE
	FlagsOverwrite Flags = 0x4000     // VM_FLAGS_OVERWRITE
	FlagsAliasMask Flags = 0xFF000000 // VM_FLAGS_ALIAS_MASK: the alias tag (VM_MEMORY_*)

	Flags4GBChunk          Flags = 0x0004   // VM_FLAGS_4GB_CHUNK: no effect in tamach
	FlagsRandomAddr        Flags = 0x0008   // VM_FLAGS_RANDOM_ADDR: accepted; tamach places first fit
	FlagsNoCache           Flags = 0x0010   // VM_FLAGS_NO_CACHE: no effect in tamach
	FlagsResilientCodesign Flags = 0x0020   // VM_FLAGS_RESILIENT_CODESIGN (vm_remap): read-only
	FlagsResilientMedia    Flags = 0x0040   // VM_FLAGS_RESILIENT_MEDIA (vm_remap, with copy only)
	FlagsPermanent         Flags = 0x0080   // VM_FLAGS_PERMANENT: accepted; tamach entries are never permanent
	FlagsTPRO              Flags = 0x1000   // VM_FLAGS_TPRO: needs max read-write, maps read-only
	FlagsSuperpageMask     Flags = 0x70000  // VM_FLAGS_SUPERPAGE_MASK: any superpage size is refused (as on arm64)
	FlagsReturnDataAddr    Flags = 0x100000 // VM_FLAGS_RETURN_DATA_ADDR: return the address of the data, not of its page
	FlagsReturn4KDataAddr  Flags = 0x800000 // VM_FLAGS_RETURN_4K_DATA_ADDR: the same, truncated to 4 KiB

	// flagsUserMap is VM_FLAGS_USER_MAP, the flags vm_map accepts from
	// a task; flagsUserRemap is VM_FLAGS_USER_REMAP
	// (osfmk/mach/vm_statistics.h).
	flagsUserMap = FlagsAnywhere | FlagsPurgable | Flags4GBChunk | FlagsRandomAddr | FlagsNoCache |
		FlagsPermanent | FlagsOverwrite | FlagsSuperpageMask | FlagsTPRO | FlagsAliasMask |
		FlagsReturn4KDataAddr | FlagsReturnDataAddr
	flagsUserRemap = FlagsAnywhere | FlagsRandomAddr | FlagsOverwrite | FlagsReturnDataAddr |
		FlagsResilientCodesign | FlagsResilientMedia

	flagsAllocate = FlagsAnywhere | FlagsPurgable | FlagsOverwrite | FlagsAliasMask
	flagsMap      = FlagsAnywhere | FlagsOverwrite | FlagsAliasMask
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
	BehaviorFree        Behavior = 6  // VM_BEHAVIOR_FREE
	BehaviorReusable    Behavior = 8  // VM_BEHAVIOR_REUSABLE
	BehaviorReuse       Behavior = 9  // VM_BEHAVIOR_REUSE
	BehaviorCanReuse    Behavior = 10 // VM_BEHAVIOR_CAN_REUSE
	BehaviorPageout     Behavior = 11 // VM_BEHAVIOR_PAGEOUT
)

// RegionFlavor selects what vm_region reports (osfmk/mach/vm_region.h).
type RegionFlavor int32

// Region flavors.
const (
	FlavorBasicInfo64  RegionFlavor = 9  // VM_REGION_BASIC_INFO_64
	FlavorBasicInfo    RegionFlavor = 10 // VM_REGION_BASIC_INFO
	FlavorTopInfo      RegionFlavor = 12 // VM_REGION_TOP_INFO
	FlavorExtendedInfo RegionFlavor = 13 // VM_REGION_EXTENDED_INFO
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

	syncAll = SyncAsynchronous | SyncSynchronous | SyncInvalidate |
		SyncKillPages | SyncDeactivate | SyncContiguous
)

// PageQuery is the disposition bit set vm_map_page_query returns
// (osfmk/mach/vm_statistics.h VM_PAGE_QUERY_*).
type PageQuery int32

// Page dispositions.
const (
	PageQueryPresent  PageQuery = 0x01 // VM_PAGE_QUERY_PAGE_PRESENT
	PageQueryRef      PageQuery = 0x04 // VM_PAGE_QUERY_PAGE_REF
	PageQueryDirty    PageQuery = 0x08 // VM_PAGE_QUERY_PAGE_DIRTY
	PageQueryPagedOut PageQuery = 0x10 // VM_PAGE_QUERY_PAGE_PAGED_OUT
	PageQueryCopied   PageQuery = 0x20 // VM_PAGE_QUERY_PAGE_COPIED
	PageQueryExternal PageQuery = 0x80 // VM_PAGE_QUERY_PAGE_EXTERNAL
)

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
