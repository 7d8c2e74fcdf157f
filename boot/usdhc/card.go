package usdhc

import (
	"encoding/binary"
	"fmt"
)

// The card as a boot.BlockDevice: 4 KiB pages, each one transfer of eight
// blocks with CMD18 READ_MULTIPLE_BLOCK or CMD25 WRITE_MULTIPLE_BLOCK and
// an automatic CMD12 STOP_TRANSMISSION after the last block (SD spec
// §4.3.3, §4.3.4; MIX_CTRL.AC12EN).

// Pages is the card's size in whole 4 KiB pages.
func (h *Host) Pages() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.blocks / blocksPerPage
}

// ReadPage reads page n into p.
func (h *Host) ReadPage(n uint64, p *[PageSize]byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkPage(n); err != nil {
		return err
	}
	if err := h.transfer(18, n*blocksPerPage, p, true); err != nil {
		return err
	}
	h.stats.PagesRead++
	return nil
}

// WritePage writes p to page n. The card has programmed it when the call
// returns (the driver waits for the transfer state), so Flush has nothing
// left to do.
func (h *Host) WritePage(n uint64, p *[PageSize]byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := h.checkPage(n); err != nil {
		return err
	}
	if h.Regs.Read32(regPresState)&presWPSPL == 0 {
		// The uSDHC only reports the switch; refusing is the driver's
		// job (§ "Present State", WPSPL).
		return fmt.Errorf("%s: card is write-protected", h.Slot)
	}
	if err := h.transfer(25, n*blocksPerPage, p, false); err != nil {
		return err
	}
	h.stats.PagesWritten++
	return nil
}

// Flush makes every completed write durable: writes already wait for the
// card to finish programming, and an SD card without its optional cache
// (SD spec §4.16, not enabled here) keeps nothing volatile.
func (h *Host) Flush() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.ready {
		return fmt.Errorf("%s: card not initialised", h.Slot)
	}
	return h.waitTransfer()
}

// checkPage rejects a page beyond the card or a card not ready.
func (h *Host) checkPage(n uint64) error {
	if !h.ready {
		return fmt.Errorf("%s: card not initialised", h.Slot)
	}
	if n >= h.blocks/blocksPerPage {
		return fmt.Errorf("%s: page %d beyond the card's %d pages", h.Slot, n, h.blocks/blocksPerPage)
	}
	return nil
}

// transfer moves one page at block lba, by DMA when it can (dma.go), else
// by PIO (Host Controller spec §3.7.2
// "Transaction Control with Data Transfer Using DAT Line", "not using
// DMA"): BLK_ATT and MIX_CTRL set the transfer up, the command starts it,
// and every buffer-ready event (BRR or BWR, one per block at a 128-word
// watermark) moves 128 words through the data port; transfer complete
// (TC) follows the automatic CMD12.
func (h *Host) transfer(index uint32, lba uint64, p *[PageSize]byte, read bool) error {
	arg := lba
	if !h.hc {
		arg *= BlockSize // SDSC cards take byte addresses (§4.3.14)
	}
	if arg > 0xffff_ffff {
		return fmt.Errorf("%s: address %#x beyond 32 bits", h.Slot, arg)
	}
	if h.dmaUsable(p) {
		return h.transferDMA(index, lba, arg, p, read)
	}
	h.Regs.Write32(regBlkAtt, blocksPerPage<<16|BlockSize)
	mix := h.Regs.Read32(regMixCtrl)&^mixXfer | mixBCEN | mixMSBSEL | mixAC12EN
	ready := uint32(intBWR)
	if read {
		mix |= mixDTDSEL
		ready = intBRR
	}
	h.Regs.Write32(regMixCtrl, mix)
	if _, err := h.issue(index, uint32(arg), xfrRsp48|xfrCCCEN|xfrCICEN, true); err != nil {
		h.resetLines(sysRSTD)
		return err
	}
	for b := 0; b < blocksPerPage; b++ {
		st, err := h.waitInt(ready|intDataErrors, blockTimeout)
		if err == nil && st&intDataErrors != 0 {
			err = fmt.Errorf("data error (INT_STATUS %#x)", st)
		}
		if err != nil {
			h.resetLines(sysRSTC | sysRSTD)
			return fmt.Errorf("%s: CMD%d block %d of page at block %d: %w", h.Slot, index, b, lba, err)
		}
		h.Regs.Write32(regIntStatus, ready)
		block := p[b*BlockSize : (b+1)*BlockSize]
		for i := 0; i < BlockSize; i += 4 {
			if read {
				binary.LittleEndian.PutUint32(block[i:], h.Regs.Read32(regDataPort))
			} else {
				h.Regs.Write32(regDataPort, binary.LittleEndian.Uint32(block[i:]))
			}
		}
	}
	st, err := h.waitInt(intTC|intDataErrors, blockTimeout)
	if err == nil && st&intDataErrors != 0 {
		err = fmt.Errorf("data error (INT_STATUS %#x)", st)
	}
	if err != nil {
		h.resetLines(sysRSTC | sysRSTD)
		return fmt.Errorf("%s: CMD%d page at block %d: %w", h.Slot, index, lba, err)
	}
	h.Regs.Write32(regIntStatus, intTC)
	if !read {
		return h.waitTransfer()
	}
	return nil
}
