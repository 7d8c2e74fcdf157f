// Package usdhc drives an SD memory card behind an NXP uSDHC controller,
// the SD/eMMC host of the i.MX 8M Plus, and offers it as a boot.BlockDevice.
//
// The driver is small on purpose: Default Speed (25 MHz), a 4-bit bus, and
// a page (4 KiB) as one multi-block transfer of eight 512-byte blocks,
// moved by the controller's ADMA2 engine when the board supplies a DMA
// (dma.go: addresses and cache maintenance, since the uSDHC is not
// cache-coherent with the Cortex-A53s and the kernel maps RAM
// write-back), else by programmed I/O through the data port (card.go),
// which needs no maintenance but costs the CPU a register access per
// word. Under QEMU a page costs about 2,000 guest instructions by ADMA2 and
// 40,000 by PIO, and either way about a millisecond of host time, spent
// in QEMU's card model (hw/sd/sd.c moves the data a byte at a time and
// asks the block layer whether the medium is present for every byte);
// virtio-blk moves a page in about a tenth of that.
//
// Sources: IMX8MPRM, chapter "Ultra Secured Digital Host Controller
// (uSDHC)" (registers, regs.go); SD Association, SD Physical Layer
// Simplified Specification v9.00 (commands, responses, card states,
// registers OCR, CID, CSD) and SD Host Controller Simplified Specification
// v4.20 (the standard host registers the uSDHC extends). QEMU models the
// controller in hw/sd/sdhci.c (usdhc_read, usdhc_write) and the card in
// hw/sd/sd.c.
//
// eMMC (the EVK's uSDHC3 on the real board) answers neither CMD8 nor
// ACMD41; the driver reports such a device as not an SD card and leaves it
// alone. The register accesses go through Regs, so that the protocol runs
// on the host against a model of a controller and card (fake_test.go).
package usdhc

import (
	"errors"
	"fmt"
	"sync"
)

// BlockSize is the SD data block: every transfer is whole 512-byte blocks
// (SDHC/SDXC fix it; CMD16 sets it on SDSC cards).
const BlockSize = 512

// PageSize is the kernel's page: one boot.BlockDevice page is eight
// blocks.
const PageSize = 4096

const blocksPerPage = PageSize / BlockSize

// Regs reaches the controller's 32-bit registers by offset.
type Regs interface {
	Read32(off uint32) uint32
	Write32(off uint32, v uint32)
}

// Errors the driver returns.
var (
	// ErrNoCard: no SD memory card answered the identification.
	ErrNoCard = errors.New("usdhc: no SD memory card")
	// ErrTimeout: the controller or card did not finish in time.
	ErrTimeout = errors.New("usdhc: timeout")
)

// Timeouts, in Nanotime units (guest instructions under QEMU -icount).
const (
	resetTimeout   = 100_000_000   // RSTA, INITA, clock stable
	cmdTimeout     = 100_000_000   // one command
	blockTimeout   = 250_000_000   // one data block (SD spec §4.6.2: 100 ms read, 250 ms write)
	powerUpTimeout = 1_000_000_000 // ACMD41 until the card is ready (SD spec §4.2.3: 1 s)
	busyTimeout    = 1_000_000_000 // the card programming a write
)

// Host is one uSDHC controller and the SD card in its slot. Its methods are
// safe for several goroutines.
type Host struct {
	// Slot names the controller in messages, e.g. "usdhc2"; it is the
	// card's Name.
	Slot string
	// Regs reaches the controller's registers.
	Regs Regs
	// Nanotime is the clock for timeouts.
	Nanotime func() int64
	// DMA, when set, lets the controller move pages by ADMA2 (dma.go);
	// nil, or a page DMA cannot reach, moves them by PIO.
	DMA DMA

	mu     sync.Mutex
	ready  bool
	rca    uint32 // relative card address, in bits [31:16]
	hc     bool   // high capacity (SDHC/SDXC): block addressing
	blocks uint64 // card size in 512-byte blocks
	cid    [4]uint32
	stats  Stats
	desc   [1]uint64 // the ADMA2 descriptor table: one descriptor
	// dmaPages counts pages moved by ADMA2 (the rest went by PIO).
	dmaPages uint64
}

// Stats counts the card's work.
type Stats struct {
	PagesRead, PagesWritten uint64
	// DMAPages of them moved by ADMA2, the others by PIO.
	DMAPages uint64
}

// Init resets the controller, identifies the card and makes it ready for
// transfers (SD spec §4.2.3 "Card Initialization and Identification
// Process", figure 4-2): CMD0, CMD8, ACMD41 until powered up, CMD2, CMD3,
// CMD9 for the size, then CMD7 to select it, ACMD6 for a 4-bit bus and
// CMD16 for 512-byte blocks. It returns ErrNoCard when no SD memory card
// answers.
func (h *Host) Init() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ready = false
	if err := h.resetController(); err != nil {
		return err
	}
	// CMD0 GO_IDLE_STATE: every card to the idle state (§4.2.1).
	if _, err := h.cmd(0, 0, xfrRspNone); err != nil {
		return err
	}
	// CMD8 SEND_IF_COND (§4.3.13): VHS 0b0001 (2.7-3.6 V), check
	// pattern 0xAA. A v2.00 or later card echoes both (R7); an older
	// card, or no card, does not answer.
	v2 := false
	if r, err := h.cmd(8, 0x1aa, xfrRsp48|xfrCCCEN|xfrCICEN); err == nil {
		if r[0]&0xfff != 0x1aa {
			return fmt.Errorf("%s: CMD8 echoed %#x, want 0x1aa: unusable voltage", h.Slot, r[0]&0xfff)
		}
		v2 = true
	} else if !errors.Is(err, ErrTimeout) {
		return err
	}
	if err := h.powerUp(v2); err != nil {
		return err
	}
	// CMD2 ALL_SEND_CID: the card's identity (R2); it enters ident.
	cid, err := h.cmd(2, 0, xfrRsp136|xfrCCCEN)
	if err != nil {
		return err
	}
	h.cid = cid
	// CMD3 SEND_RELATIVE_ADDR: the card publishes its RCA (R6, §4.9.5)
	// and enters stand-by.
	r, err := h.cmd(3, 0, xfrRsp48|xfrCCCEN|xfrCICEN)
	if err != nil {
		return err
	}
	h.rca = r[0] &^ 0xffff
	// CMD9 SEND_CSD: the size (R2, §5.3).
	csd, err := h.cmd(9, h.rca, xfrRsp136|xfrCCCEN)
	if err != nil {
		return err
	}
	if h.blocks, err = csdBlocks(csd); err != nil {
		return fmt.Errorf("%s: %w", h.Slot, err)
	}
	if err := h.setClock(clockData); err != nil {
		return err
	}
	// CMD7 SELECT_CARD (R1b): stand-by to transfer state.
	if _, err := h.cmd(7, h.rca, xfrRsp48Busy|xfrCCCEN|xfrCICEN); err != nil {
		return err
	}
	// ACMD6 SET_BUS_WIDTH 0b10: four data lines (§4.7.4, table 4-32),
	// then the controller to match.
	if err := h.appCmd(6, 0b10, xfrRsp48|xfrCCCEN|xfrCICEN); err != nil {
		return err
	}
	prot := h.Regs.Read32(regProtCtrl)
	h.Regs.Write32(regProtCtrl, prot&^protDTWMask|protDTW4Bit)
	if !h.hc {
		// CMD16 SET_BLOCKLEN: 512 bytes (SDHC/SDXC ignore it, §4.3.2).
		if _, err := h.cmd(16, BlockSize, xfrRsp48|xfrCCCEN|xfrCICEN); err != nil {
			return err
		}
	}
	if err := h.waitTransfer(); err != nil {
		return err
	}
	h.ready = true
	return nil
}

// resetController resets the uSDHC, keeping VEND_SPEC (the board's I/O
// voltage select, which a reset would change under a card that U-Boot may
// have switched), and sets it up for PIO at the identification clock.
func (h *Host) resetController() error {
	vend := h.Regs.Read32(regVendorSpec)
	h.Regs.Write32(regSysCtrl, h.Regs.Read32(regSysCtrl)|sysRSTA)
	if !h.waitReg(regSysCtrl, sysRSTA, 0, resetTimeout) {
		return fmt.Errorf("%s: SYS_CTRL.RSTA stuck: %w", h.Slot, ErrTimeout)
	}
	h.Regs.Write32(regVendorSpec, vend)
	// A reset leaves MIX_CTRL's transfer mode and tuning bits (which
	// U-Boot may have set for a faster mode) as they were: clear them.
	h.Regs.Write32(regMixCtrl, 0)
	prot := h.Regs.Read32(regProtCtrl)
	h.Regs.Write32(regProtCtrl, prot&protKeepMask|protDTW1Bit|protEMODELE)
	h.Regs.Write32(regWtmkLvl, wtmkValue)
	h.Regs.Write32(regIntStatEn, intAll)
	h.Regs.Write32(regIntSigEn, 0) // polled: no interrupt line
	if err := h.setClock(clockIdent); err != nil {
		return err
	}
	// INITA: 80 clocks before the first command (SD spec §6.4.1.1).
	h.Regs.Write32(regSysCtrl, h.Regs.Read32(regSysCtrl)|sysINITA)
	if !h.waitReg(regSysCtrl, sysINITA, 0, resetTimeout) {
		return fmt.Errorf("%s: SYS_CTRL.INITA stuck: %w", h.Slot, ErrTimeout)
	}
	return nil
}

// setClock programs the card clock divider (SYS_CTRL SDCLKFS and DVS) and
// the longest data timeout, then waits for PRES_STATE.SDSTB.
func (h *Host) setClock(div uint32) error {
	sys := h.Regs.Read32(regSysCtrl) &^ sysClockMask
	h.Regs.Write32(regSysCtrl, sys|sysRsvdOnes|div|dtocvMax<<sysDTOCVShift)
	if !h.waitReg(regPresState, presSDSTB, presSDSTB, resetTimeout) {
		return fmt.Errorf("%s: SD clock not stable (PRES_STATE.SDSTB): %w", h.Slot, ErrTimeout)
	}
	return nil
}

// powerUp sends ACMD41 until the card says it is ready (OCR bit 31,
// §5.1), asking for high capacity when the card spoke CMD8 (HCS, bit 30)
// and offering 2.7-3.6 V (OCR bits 15-23).
func (h *Host) powerUp(v2 bool) error {
	const (
		ocrBusy    = 1 << 31 // 1: power-up finished
		ocrCCS     = 1 << 30 // card capacity status: SDHC/SDXC
		ocrVoltage = 0x00ff_8000
	)
	arg := uint32(ocrVoltage)
	if v2 {
		arg |= ocrCCS // HCS
	}
	deadline := h.Nanotime() + powerUpTimeout
	for {
		if _, err := h.cmd(55, 0, xfrRsp48|xfrCCCEN|xfrCICEN); err != nil {
			if errors.Is(err, ErrTimeout) {
				return fmt.Errorf("%s: %w (CMD55 unanswered)", h.Slot, ErrNoCard)
			}
			return err
		}
		// ACMD41 SD_SEND_OP_COND: R3 carries the OCR, with neither
		// CRC nor index (§4.9.4).
		r, err := h.cmd(41, arg, xfrRsp48)
		if err != nil {
			if errors.Is(err, ErrTimeout) {
				return fmt.Errorf("%s: %w (ACMD41 unanswered)", h.Slot, ErrNoCard)
			}
			return err
		}
		if r[0]&ocrBusy != 0 {
			h.hc = r[0]&ocrCCS != 0
			return nil
		}
		if h.Nanotime() > deadline {
			return fmt.Errorf("%s: card busy after ACMD41 for 1 s: %w", h.Slot, ErrTimeout)
		}
	}
}

// appCmd sends CMD55 APP_CMD, then the application command index.
func (h *Host) appCmd(index, arg, xfr uint32) error {
	if _, err := h.cmd(55, h.rca, xfrRsp48|xfrCCCEN|xfrCICEN); err != nil {
		return err
	}
	_, err := h.cmd(index, arg, xfr)
	return err
}

// cmd sends one command without data and returns the response registers
// (Host Controller spec §3.7.1 "Transaction Control without Data
// Transfer Using DAT Line"). A command that times out returns an error
// wrapping ErrTimeout, after resetting the command line.
func (h *Host) cmd(index, arg, xfr uint32) ([4]uint32, error) {
	return h.issue(index, arg, xfr, false)
}

// issue sends a command, with a data phase when data is set (the caller
// has written BLK_ATT and MIX_CTRL).
func (h *Host) issue(index, arg, xfr uint32, data bool) ([4]uint32, error) {
	var rsp [4]uint32
	inhibit := uint32(presCIHB)
	if data || xfr&(xfrRsp48Busy) == xfrRsp48Busy {
		inhibit |= presCDIHB
	}
	if !h.waitReg(regPresState, inhibit, 0, cmdTimeout) {
		return rsp, fmt.Errorf("%s: CMD%d: lines busy (PRES_STATE %#x): %w", h.Slot, index, h.Regs.Read32(regPresState), ErrTimeout)
	}
	h.Regs.Write32(regIntStatus, intAll)
	h.Regs.Write32(regCmdArg, arg)
	if data {
		xfr |= xfrDPSEL
	}
	h.Regs.Write32(regCmdXfrTyp, index<<xfrCmdShift|xfr)
	st, err := h.waitInt(intCC|intCmdErrors, cmdTimeout)
	if err != nil {
		return rsp, fmt.Errorf("%s: CMD%d: %w", h.Slot, index, err)
	}
	if st&intCmdErrors != 0 {
		h.resetLines(sysRSTC)
		if st&intCTOE != 0 {
			return rsp, fmt.Errorf("%s: CMD%d: no response: %w", h.Slot, index, ErrTimeout)
		}
		return rsp, fmt.Errorf("%s: CMD%d: response error (INT_STATUS %#x)", h.Slot, index, st)
	}
	for i := range rsp {
		rsp[i] = h.Regs.Read32(regCmdRsp0 + uint32(4*i))
	}
	if xfr&xfrRsp48Busy == xfrRsp48Busy && !data {
		// R1b: the card holds DAT0 low while busy, and the controller
		// keeps PRES_STATE.CDIHB set until it lets go (Host Controller
		// spec §2.2.9, "Command Inhibit (DAT)"). Whether a transfer
		// complete event follows differs between controllers (QEMU's
		// i.MX model sends none for a card that was never busy:
		// SDHCI_QUIRK_NO_BUSY_IRQ), so the driver waits on CDIHB.
		if !h.waitReg(regPresState, presCDIHB, 0, busyTimeout) {
			return rsp, fmt.Errorf("%s: CMD%d: card busy (PRES_STATE %#x): %w", h.Slot, index, h.Regs.Read32(regPresState), ErrTimeout)
		}
		h.Regs.Write32(regIntStatus, intTC) // if the controller sent one
	}
	h.Regs.Write32(regIntStatus, intCC)
	return rsp, nil
}

// resetLines resets the command or data line state machines (SYS_CTRL
// RSTC, RSTD) after an error.
func (h *Host) resetLines(bits uint32) {
	h.Regs.Write32(regSysCtrl, h.Regs.Read32(regSysCtrl)|bits)
	h.waitReg(regSysCtrl, bits, 0, resetTimeout)
}

// waitInt waits for any of the INT_STATUS bits in mask and returns
// INT_STATUS, or an error wrapping ErrTimeout.
func (h *Host) waitInt(mask uint32, timeout int64) (uint32, error) {
	deadline := h.Nanotime() + timeout
	for {
		st := h.Regs.Read32(regIntStatus)
		if st&mask != 0 {
			return st, nil
		}
		if h.Nanotime() > deadline {
			return st, fmt.Errorf("INT_STATUS %#x after %d ns: %w", st, timeout, ErrTimeout)
		}
	}
}

// waitReg waits until reg&mask == want and reports whether it got there.
func (h *Host) waitReg(reg, mask, want uint32, timeout int64) bool {
	deadline := h.Nanotime() + timeout
	for {
		if h.Regs.Read32(reg)&mask == want {
			return true
		}
		if h.Nanotime() > deadline {
			return false
		}
	}
}

// Card states (SD spec §4.10.1, card status bits [12:9]).
const (
	stateTran = 4
	statePrg  = 7
)

// statusErrors are the card status bits that report a failed command
// (§4.10.1, table 4-42): OUT_OF_RANGE, ADDRESS_ERROR, BLOCK_LEN_ERROR,
// ERASE_SEQ_ERROR, ERASE_PARAM, WP_VIOLATION, CARD_IS_LOCKED's unlock
// failure, COM_CRC_ERROR, ILLEGAL_COMMAND, CARD_ECC_FAILED, CC_ERROR,
// ERROR.
const statusErrors = 0xfdf8_0000 &^ (1 << 25)

// waitTransfer polls CMD13 SEND_STATUS until the card is in the transfer
// state (after programming a write, §4.3.4), and checks the status' error
// bits.
func (h *Host) waitTransfer() error {
	deadline := h.Nanotime() + busyTimeout
	for {
		r, err := h.cmd(13, h.rca, xfrRsp48|xfrCCCEN|xfrCICEN)
		if err != nil {
			return err
		}
		if r[0]&statusErrors != 0 {
			return fmt.Errorf("%s: card status %#x reports an error", h.Slot, r[0])
		}
		if state := r[0] >> 9 & 0xf; state == stateTran {
			return nil
		} else if state != statePrg && h.Nanotime() > deadline {
			return fmt.Errorf("%s: card in state %d, want transfer (4): %w", h.Slot, state, ErrTimeout)
		}
		if h.Nanotime() > deadline {
			return fmt.Errorf("%s: card still programming: %w", h.Slot, ErrTimeout)
		}
	}
}

// csdBlocks returns the card size in 512-byte blocks from the CSD (SD spec
// §5.3). The uSDHC stores a 136-bit response without its CRC byte: CSD
// bit k (k >= 8) is bit k-8 of RSP3:RSP2:RSP1:RSP0.
func csdBlocks(rsp [4]uint32) (uint64, error) {
	bits := func(hi, lo int) uint64 { // CSD bits [hi:lo]
		var v uint64
		for b := hi; b >= lo; b-- {
			i := b - 8
			v = v<<1 | uint64(rsp[i/32]>>(i%32)&1)
		}
		return v
	}
	switch bits(127, 126) {
	case 0: // CSD version 1.0 (§5.3.2): SDSC
		cSize, mult, readBlLen := bits(73, 62), bits(49, 47), bits(83, 80)
		if readBlLen < 9 || readBlLen > 11 {
			return 0, fmt.Errorf("CSD READ_BL_LEN %d", readBlLen)
		}
		bytes := (cSize + 1) << (mult + 2) << readBlLen
		return bytes / BlockSize, nil
	case 1: // CSD version 2.0 (§5.3.3): SDHC/SDXC, C_SIZE in 512 KiB units
		return (bits(69, 48) + 1) * 1024, nil
	}
	return 0, fmt.Errorf("CSD structure %d unknown", bits(127, 126))
}

// Name is the card's name in messages (boot.BlockDevice): the slot.
func (h *Host) Name() string { return h.Slot }

// Ready reports whether Init succeeded.
func (h *Host) Ready() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ready
}

// Describe says what card Init found.
func (h *Host) Describe() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	kind := "SDSC (byte addressing)"
	if h.hc {
		kind = "SDHC/SDXC (block addressing)"
	}
	mode := "PIO"
	if h.DMA != nil {
		mode = "ADMA2"
	}
	return fmt.Sprintf("%s: %s card, %d MiB, 4-bit bus at 25 MHz, %s", h.Slot, kind, h.blocks*BlockSize>>20, mode)
}

// Stats returns the counts so far.
func (h *Host) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.stats
	s.DMAPages = h.dmaPages
	return s
}
