//go:build tamago

package imx8mpevk

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/tamach/tamach/boot"
	"github.com/tamach/tamach/boot/armv8"
	"github.com/tamach/tamach/boot/parts"
	"github.com/tamach/tamach/boot/usdhc"
	"github.com/tamach/tamach/boot/virtio"
)

// The board's disks: the SD cards in uSDHC2 (the EVK's microSD slot) and
// uSDHC3 (where the EVK has its eMMC; under QEMU another SD card), driven
// by boot/usdhc (pages moved by ADMA2, dma_arm64.go), and of each card
// only the parts boot/parts offers: a tar
// archive (the program disk, read-only), tamach swap (a labelled area, or
// a blank one labelled now), looked for on the whole card and in its MBR
// partitions. uSDHC1 (the EVK's M.2 Wi-Fi) is not probed. Probed on the
// first call of Board.Disks or of the "sd" self-check.
var sd = sdDisks{hosts: []*usdhc.Host{
	{Slot: "usdhc2", Regs: mmio(USDHC2Base), Nanotime: armv8.Nanotime, DMA: sdDMA{}},
	{Slot: "usdhc3", Regs: mmio(USDHC3Base), Nanotime: armv8.Nanotime, DMA: sdDMA{}},
}}

// mmio reaches a uSDHC's registers at a base address (usdhc.Regs).
type mmio PAddr

func (m mmio) Read32(off uint32) uint32     { return armv8.Read32(PAddr(m) + PAddr(off)) }
func (m mmio) Write32(off uint32, v uint32) { armv8.Write32(PAddr(m)+PAddr(off), v) }

type sdDisks struct {
	hosts []*usdhc.Host

	once    sync.Once
	offered []boot.BlockDevice
	notes   []string
	errs    []error
}

// probe initialises each card and selects its parts, once.
func (s *sdDisks) probe() {
	s.once.Do(func() {
		for _, h := range s.hosts {
			if err := h.Init(); err != nil {
				if errors.Is(err, usdhc.ErrNoCard) {
					s.notes = append(s.notes, h.Slot+": no SD card")
				} else {
					s.errs = append(s.errs, err)
				}
				continue
			}
			s.notes = append(s.notes, h.Describe())
			offered, notes := parts.Select(h)
			s.offered = append(s.offered, offered...)
			s.notes = append(s.notes, notes...)
		}
	})
}

// List is Board.Disks: the parts offered, uSDHC2's first.
func (s *sdDisks) List() []boot.BlockDevice {
	s.probe()
	return s.offered
}

// Check is the "sd" boot self-check: what each slot holds and what of it
// the kernel got, and virtio.CheckDisk (generic over boot.BlockDevice) on
// every part offered: the last page written, read back and restored on
// swap, read only on the program disk. A card that answered but could not
// be brought up fails it.
func (s *sdDisks) Check() (string, error) {
	s.probe()
	notes := append([]string(nil), s.notes...)
	errs := append([]error(nil), s.errs...)
	for _, d := range s.offered {
		note, err := virtio.CheckDisk(d, armv8.Nanotime, virtio.CheckRounds)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Name(), err))
			continue
		}
		notes = append(notes, note)
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	return strings.Join(notes, "; "), nil
}
