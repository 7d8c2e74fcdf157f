package usdhc

// A model of a uSDHC controller with an SD card in its slot, enough for the
// driver's protocol: the commands Init and the transfers send, responses in
// the uSDHC's register layout, PIO through the data port, write-1-to-clear
// interrupt status. It follows the same specifications as the driver (SD
// Physical Layer Simplified Specification v9.00, the uSDHC register map),
// so it checks the driver's plumbing, not its reading of them; QEMU's
// model is the independent check (qemu/board_test.go).

type fakeCard struct {
	data      []byte // the card's contents
	hc        bool   // SDHC (block addresses) or SDSC (byte addresses)
	v1        bool   // a v1.x card: no answer to CMD8
	wp        bool   // write-protect switch on
	busyPolls int    // ACMD41 answers busy this many times first

	state   int // card state (stateIdle...)
	app     bool
	rca     uint32
	width4  bool
	blklen  uint32
	addrs   []uint32 // arguments of the data commands, in order
	stopped int      // automatic CMD12s
}

const (
	fIdle = iota
	fReady
	fIdent
	fStby
	fTran
)

type fakeHost struct {
	card *fakeCard // nil: empty slot
	regs map[uint32]uint32
	st   uint32 // INT_STATUS

	// the data phase in progress
	xferRead   bool
	xferAddr   uint64 // byte offset in card.data
	xferLeft   int    // blocks after the current one
	word       int    // words of the current block moved
	xferActive bool
	cmds       []uint32 // command indexes, in order
	now        int64
	mem        *fakeDMA // the memory ADMA reads descriptors and data from
}

// fakeDMA is memory for the model's ADMA engine: buffers the driver
// asked addresses for, at made-up addresses (64-byte aligned, below 4 GiB
// unless high is set).
type fakeDMA struct {
	bufs            map[*byte][]byte
	addrs           map[*byte]uint64
	next            uint64
	high            bool
	cleans, flushes int
}

func newFakeDMA() *fakeDMA {
	return &fakeDMA{bufs: map[*byte][]byte{}, addrs: map[*byte]uint64{}, next: 0x4000_0000}
}

func (m *fakeDMA) Addr(b []byte) uint64 {
	k := &b[0]
	if a, ok := m.addrs[k]; ok {
		return a
	}
	a := m.next
	if m.high {
		a += 1 << 32
	}
	m.next += 0x10000
	m.addrs[k], m.bufs[k] = a, b
	return a
}

func (m *fakeDMA) LineSize() uint64         { return 64 }
func (m *fakeDMA) Clean(b []byte)           { m.cleans++ }
func (m *fakeDMA) CleanInvalidate(b []byte) { m.flushes++ }

// at returns the n bytes at address a, from the buffer registered there.
func (m *fakeDMA) at(a, n uint64) []byte {
	for k, base := range m.addrs {
		if b := m.bufs[k]; a >= base && a+n <= base+uint64(len(b)) {
			return b[a-base : a-base+n]
		}
	}
	return nil
}

func newFake(c *fakeCard) *fakeHost {
	return &fakeHost{card: c, regs: map[uint32]uint32{regPresState: presSDSTB | presCINST | presWPSPL}}
}

func (f *fakeHost) nanotime() int64 { f.now += 1000; return f.now }

func (f *fakeHost) Read32(off uint32) uint32 {
	switch off {
	case regIntStatus:
		return f.st
	case regPresState:
		v := uint32(presSDSTB)
		if f.card != nil {
			v |= presCINST
			if !f.card.wp {
				v |= presWPSPL
			}
		}
		return v
	case regDataPort:
		return f.readPort()
	}
	return f.regs[off]
}

func (f *fakeHost) Write32(off, v uint32) {
	switch off {
	case regIntStatus:
		f.st &^= v
	case regSysCtrl:
		if v&sysRSTA != 0 {
			f.regs = map[uint32]uint32{}
			f.st = 0
		}
		f.regs[off] = v &^ (sysRSTA | sysRSTC | sysRSTD | sysINITA)
	case regCmdXfrTyp:
		f.regs[off] = v
		f.command(v>>xfrCmdShift&0x3f, f.regs[regCmdArg], v)
	case regDataPort:
		f.writePort(v)
	default:
		f.regs[off] = v
	}
}

// status is a card status word (R1) in state s.
func status(s int, app bool) uint32 {
	v := uint32(s) << 9
	if app {
		v |= 1 << 5
	}
	return v
}

func (f *fakeHost) respond(r0 uint32) {
	f.regs[regCmdRsp0] = r0
	f.st |= intCC
}

func (f *fakeHost) command(index, arg, xfr uint32) {
	f.cmds = append(f.cmds, index)
	c := f.card
	if c == nil {
		if xfr&(3<<16) != 0 {
			f.st |= intCTOE
		}
		f.st |= intCC
		return
	}
	app := c.app
	c.app = false
	switch {
	case index == 0:
		c.state = fIdle
		f.st |= intCC
	case index == 8:
		if c.v1 {
			f.st |= intCTOE | intCC
			return
		}
		f.respond(arg & 0xfff)
	case index == 55:
		c.app = true
		f.respond(status(c.state, true))
	case index == 41 && app:
		ocr := uint32(0x00ff_8000)
		if c.busyPolls > 0 {
			c.busyPolls--
		} else {
			ocr |= 1 << 31
			if c.hc && arg&(1<<30) != 0 {
				ocr |= 1 << 30
			}
			c.state = fReady
		}
		f.respond(ocr)
	case index == 2 && c.state == fReady:
		f.regs[regCmdRsp0+4] = 0x5441_4d41 // CID bytes, whatever
		c.state = fIdent
		f.respond(0x1234_5678)
	case index == 3 && c.state == fIdent:
		c.rca = 0xb368 << 16
		c.state = fStby
		f.respond(c.rca | 0x0500)
	case index == 9 && arg == c.rca:
		csd := c.csd()
		for i, w := range csd {
			f.regs[regCmdRsp0+uint32(4*i)] = w
		}
		f.st |= intCC
	case index == 7 && arg == c.rca:
		c.state = fTran
		f.respond(status(fStby, false))
		f.st |= intTC
	case index == 6 && app && c.state == fTran:
		c.width4 = arg == 0b10
		f.respond(status(fTran, false))
	case index == 16 && c.state == fTran:
		c.blklen = arg
		f.respond(status(fTran, false))
	case index == 13 && arg == c.rca:
		f.respond(status(c.state, false))
	case (index == 18 || index == 25) && c.state == fTran:
		c.addrs = append(c.addrs, arg)
		addr := uint64(arg)
		if c.hc {
			addr *= BlockSize
		}
		mix := f.regs[regMixCtrl]
		if xfr&xfrDPSEL == 0 || mix&mixAC12EN == 0 || mix&mixMSBSEL == 0 || (index == 18) != (mix&mixDTDSEL != 0) {
			f.st |= intCIE | intCC
			return
		}
		if addr+uint64(f.regs[regBlkAtt]>>16)*BlockSize > uint64(len(c.data)) {
			f.respond(1 << 31) // OUT_OF_RANGE
			f.st |= intDTOE
			return
		}
		f.xferRead, f.xferAddr, f.xferLeft, f.word, f.xferActive = index == 18, addr, int(f.regs[regBlkAtt]>>16)-1, 0, true
		f.respond(status(fTran, false))
		if mix&mixDMAEN != 0 {
			f.adma()
			return
		}
		if f.xferRead {
			f.st |= intBRR
		} else {
			f.st |= intBWR
		}
	default:
		f.st |= intCTOE | intCC // an illegal command is not answered
	}
}

func (f *fakeHost) readPort() uint32 {
	if !f.xferActive || !f.xferRead {
		return 0xdead_beef
	}
	at := f.xferAddr + uint64(4*f.word)
	d := f.card.data[at:]
	v := uint32(d[0]) | uint32(d[1])<<8 | uint32(d[2])<<16 | uint32(d[3])<<24
	f.advance()
	return v
}

func (f *fakeHost) writePort(v uint32) {
	if !f.xferActive || f.xferRead {
		return
	}
	at := f.xferAddr + uint64(4*f.word)
	d := f.card.data[at:]
	d[0], d[1], d[2], d[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	f.advance()
}

// adma runs the transfer from the ADMA2 descriptor at ADMA_SYS_ADDR: one
// Valid|End|Tran descriptor covering the whole transfer.
func (f *fakeHost) adma() {
	f.xferActive = false
	bad := func() { f.st |= intDMAE; f.regs[regADMAErr] = 1 }
	if f.mem == nil || f.regs[regProtCtrl]&protDMASEL != protADMA2 {
		bad()
		return
	}
	d := f.mem.at(uint64(f.regs[regADMAAddr]), 8)
	if d == nil {
		bad()
		return
	}
	desc := uint64(d[0]) | uint64(d[1])<<8 | uint64(d[2])<<16 | uint64(d[3])<<24 |
		uint64(d[4])<<32 | uint64(d[5])<<40 | uint64(d[6])<<48 | uint64(d[7])<<56
	n := uint64(f.regs[regBlkAtt]>>16) * BlockSize
	if desc&0x3f != admaValid|admaEnd|admaTran || desc>>16&0xffff != n {
		bad()
		return
	}
	buf := f.mem.at(desc>>32, n)
	if buf == nil {
		bad()
		return
	}
	if f.xferRead {
		copy(buf, f.card.data[f.xferAddr:])
	} else {
		copy(f.card.data[f.xferAddr:], buf)
	}
	f.card.stopped++
	f.st |= intTC
}

// advance moves one word on; at the end of a block the next block is ready,
// or, after the last, the automatic CMD12 ends the transfer.
func (f *fakeHost) advance() {
	f.word++
	if f.word < BlockSize/4 {
		return
	}
	f.word = 0
	f.xferAddr += BlockSize
	if f.xferLeft == 0 {
		f.xferActive = false
		f.card.stopped++
		f.st |= intTC
		return
	}
	f.xferLeft--
	if f.xferRead {
		f.st |= intBRR
	} else {
		f.st |= intBWR
	}
}

// csd builds the card's CSD in the uSDHC's response layout: CSD bit k
// (k >= 8) at bit k-8 of RSP3:RSP2:RSP1:RSP0.
func (c *fakeCard) csd() [4]uint32 {
	var r [4]uint32
	set := func(hi, lo int, v uint64) {
		for b := lo; b <= hi; b++ {
			if v>>(b-lo)&1 != 0 {
				i := b - 8
				r[i/32] |= 1 << (i % 32)
			}
		}
	}
	size := uint64(len(c.data))
	if c.hc {
		set(127, 126, 1)
		set(69, 48, size/(512<<10)-1)
	} else {
		set(83, 80, 9)                // READ_BL_LEN 512
		set(49, 47, 7)                // C_SIZE_MULT: x512
		set(73, 62, size/(512*512)-1) // C_SIZE
	}
	return r
}
