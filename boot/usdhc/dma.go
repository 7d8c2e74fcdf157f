package usdhc

import "fmt"

// DMA lets the controller move a page itself, by ADMA2, instead of the CPU
// moving it word by word through the data port. The board supplies the
// addresses and the cache maintenance: the uSDHC does not snoop the
// A53s' caches, so before the controller reads a buffer its lines must be
// cleaned to memory, and around the controller writing one, cleaned and
// invalidated (before: so that no dirty line is later evicted over the
// new data; after: so that lines fetched meanwhile are dropped). Under
// QEMU the maintenance costs instructions and changes nothing.
type DMA interface {
	// Addr returns the address the controller uses for b (on the EVK,
	// identity-mapped RAM: b's physical address).
	Addr(b []byte) uint64
	// LineSize is the data cache line in bytes.
	LineSize() uint64
	// Clean writes b's dirty cache lines back to memory.
	Clean(b []byte)
	// CleanInvalidate writes b's dirty lines back and drops all of them.
	CleanInvalidate(b []byte)
}

// dmaMax: ADMA2 with 32-bit address descriptors reaches the first 4 GiB.
const dmaMax = 1 << 32

// dmaUsable reports whether the page p can be moved by DMA: a DMA is set,
// p lies below 4 GiB and starts on a cache line (a page is whole lines
// then, so maintaining them never touches a neighbour's data).
func (h *Host) dmaUsable(p *[PageSize]byte) bool {
	if h.DMA == nil {
		return false
	}
	a := h.DMA.Addr(p[:])
	return a+PageSize <= dmaMax && a%h.DMA.LineSize() == 0
}

// transferDMA moves one page by ADMA2 (Host Controller spec §3.7.2.3
// "Using ADMA"): one descriptor (Valid, End, Tran, 4096 bytes at p), its
// address in ADMA_SYS_ADDR, PROT_CTRL.DMASEL = ADMA2, MIX_CTRL.DMAEN; the
// command starts it and transfer complete ends it.
func (h *Host) transferDMA(index uint32, lba, arg uint64, p *[PageSize]byte, read bool) error {
	buf := p[:]
	if read {
		h.DMA.CleanInvalidate(buf)
	} else {
		h.DMA.Clean(buf)
	}
	h.desc[0] = h.DMA.Addr(buf)<<32 | PageSize<<16 | admaTran | admaEnd | admaValid
	desc := h.descBytes()
	h.DMA.Clean(desc)
	da := h.DMA.Addr(desc)
	if da+uint64(len(desc)) > dmaMax {
		return fmt.Errorf("%s: ADMA descriptor at %#x beyond 32 bits", h.Slot, da)
	}
	h.Regs.Write32(regADMAAddr, uint32(da))
	prot := h.Regs.Read32(regProtCtrl)
	h.Regs.Write32(regProtCtrl, prot&^protDMASEL|protADMA2)
	h.Regs.Write32(regBlkAtt, blocksPerPage<<16|BlockSize)
	mix := h.Regs.Read32(regMixCtrl)&^mixXfer | mixDMAEN | mixBCEN | mixMSBSEL | mixAC12EN
	if read {
		mix |= mixDTDSEL
	}
	h.Regs.Write32(regMixCtrl, mix)
	_, err := h.issue(index, uint32(arg), xfrRsp48|xfrCCCEN|xfrCICEN, true)
	if err == nil {
		var st uint32
		st, err = h.waitInt(intTC|intDataErrors, blocksPerPage*blockTimeout)
		if err == nil && st&intDataErrors != 0 {
			err = fmt.Errorf("data error (INT_STATUS %#x, ADMA_ERR_STATUS %#x)", st, h.Regs.Read32(regADMAErr))
		}
	}
	// Back to PIO for whatever comes next.
	h.Regs.Write32(regMixCtrl, h.Regs.Read32(regMixCtrl)&^mixDMAEN)
	h.Regs.Write32(regProtCtrl, h.Regs.Read32(regProtCtrl)&^protDMASEL)
	if read {
		h.DMA.CleanInvalidate(buf)
	}
	if err != nil {
		h.resetLines(sysRSTC | sysRSTD)
		return fmt.Errorf("%s: CMD%d page at block %d (ADMA2): %w", h.Slot, index, lba, err)
	}
	h.Regs.Write32(regIntStatus, intTC)
	h.dmaPages++
	if !read {
		return h.waitTransfer()
	}
	return nil
}
