package usdhc

// uSDHC registers and bits (IMX8MPRM, i.MX 8M Plus Applications Processor
// Reference Manual, chapter "Ultra Secured Digital Host Controller
// (uSDHC)", section "uSDHC Memory Map/Register Definition"). The uSDHC is
// an SD Host Controller (SD Association, "SD Host Controller Simplified
// Specification" v4.20, chapter 2 "SD Host Standard Register") with i.MX
// changes: 32-bit registers, the transfer mode bits moved from 0x0C to
// MIX_CTRL, the clock divider and resets in SYS_CTRL, a watermark register
// for PIO. Offsets are from the controller's base.
const (
	regBlkAtt     = 0x04 // BLK_ATT: block size [12:0], block count [31:16]
	regCmdArg     = 0x08 // CMD_ARG: command argument
	regCmdXfrTyp  = 0x0c // CMD_XFR_TYP: command index, response type, data present
	regCmdRsp0    = 0x10 // CMD_RSP0..3: the response, R[39:8] in RSP0 for 48-bit ones
	regDataPort   = 0x20 // DATA_BUFF_ACC_PORT: PIO data, 32 bits at a time
	regPresState  = 0x24 // PRES_STATE
	regProtCtrl   = 0x28 // PROT_CTRL: bus width, endianness, DMA select
	regSysCtrl    = 0x2c // SYS_CTRL: clock divider, data timeout, resets
	regIntStatus  = 0x30 // INT_STATUS: write 1 to clear
	regIntStatEn  = 0x34 // INT_STATUS_EN: which events latch in INT_STATUS
	regIntSigEn   = 0x38 // INT_SIGNAL_EN: which raise the interrupt line
	regWtmkLvl    = 0x44 // WTMK_LVL: PIO read/write watermarks, in words
	regMixCtrl    = 0x48 // MIX_CTRL: the transfer mode
	regADMAErr    = 0x54 // ADMA_ERR_STATUS: what the ADMA engine tripped on
	regADMAAddr   = 0x58 // ADMA_SYS_ADDR: the ADMA2 descriptor table
	regVendorSpec = 0xc0 // VEND_SPEC: vendor specific (I/O voltage select, clock gating)
)

// CMD_XFR_TYP fields ("Command Transfer Type"; Host Controller spec §2.2.6
// "Command Register", shifted up 16 bits).
const (
	xfrRspNone   = 0b00 << 16 // RSPTYP: no response
	xfrRsp136    = 0b01 << 16 // 136-bit response (R2)
	xfrRsp48     = 0b10 << 16 // 48-bit response (R1, R3, R6, R7)
	xfrRsp48Busy = 0b11 << 16 // 48-bit response with busy on DAT0 (R1b)
	xfrCCCEN     = 1 << 19    // check the response's CRC
	xfrCICEN     = 1 << 20    // check the response's command index
	xfrDPSEL     = 1 << 21    // data present
	xfrCmdShift  = 24         // CMDINX [29:24]
)

// PRES_STATE bits ("Present State").
const (
	presCIHB  = 1 << 0  // command inhibit (CMD line busy)
	presCDIHB = 1 << 1  // command inhibit (DAT lines busy)
	presSDSTB = 1 << 3  // SD clock stable
	presCINST = 1 << 16 // card inserted
	presWPSPL = 1 << 19 // write protect switch pin level (1: writable)
)

// PROT_CTRL fields ("Protocol Control").
const (
	protDTWMask  = 0b11 << 1 // data transfer width
	protDTW1Bit  = 0b00 << 1
	protDTW4Bit  = 0b01 << 1
	protEMODE    = 0b11 << 4 // endian mode
	protEMODELE  = 0b10 << 4 // little endian: byte 0 of the data in bits [7:0]
	protDMASEL   = 0b11 << 8 // DMA select: 00 none (PIO)
	protADMA2    = 0b10 << 8 // DMA select: ADMA2
	protKeepMask = ^uint32(protDTWMask | protEMODE | protDMASEL)
)

// SYS_CTRL fields ("System Control").
const (
	sysRsvdOnes    = 0xf // bits [3:0] reserved, always written as 1s
	sysDVSShift    = 4   // DVS [7:4]: divisor, SDCLK / (DVS+1)
	sysSDCLKFSShft = 8   // SDCLKFS [15:8]: prescaler, 0x01 /2, 0x02 /4 ... 0x80 /256
	sysDTOCVShift  = 16  // DTOCV [19:16]: data timeout, SDCLK x 2^(14+DTOCV)
	sysClockMask   = 0x000f_fff0
	sysRSTA        = 1 << 24 // reset all
	sysRSTC        = 1 << 25 // reset the command line
	sysRSTD        = 1 << 26 // reset the data lines
	sysINITA       = 1 << 27 // send 80 clocks to the card
	dtocvMax       = 0xe     // SDCLK x 2^28
)

// INT_STATUS bits ("Interrupt Status"; Host Controller spec §2.2.17 and
// §2.2.18, normal events in [15:0], errors in [31:16]).
const (
	intCC    = 1 << 0  // command complete
	intTC    = 1 << 1  // transfer complete
	intBWR   = 1 << 4  // buffer write ready
	intBRR   = 1 << 5  // buffer read ready
	intCTOE  = 1 << 16 // command timeout
	intCCE   = 1 << 17 // command CRC error
	intCEBE  = 1 << 18 // command end bit error
	intCIE   = 1 << 19 // command index error
	intDTOE  = 1 << 20 // data timeout
	intDCE   = 1 << 21 // data CRC error
	intDEBE  = 1 << 22 // data end bit error
	intAC12E = 1 << 24 // auto CMD12 error
	intDMAE  = 1 << 28 // DMA (ADMA) error

	intCmdErrors  = intCTOE | intCCE | intCEBE | intCIE
	intDataErrors = intDTOE | intDCE | intDEBE | intAC12E | intDMAE
	intAll        = intCC | intTC | intBWR | intBRR | intCmdErrors | intDataErrors
)

// MIX_CTRL bits ("Mixer Control": the Host Controller spec's Transfer
// Mode register, §2.2.5, moved here on the uSDHC).
const (
	mixDMAEN  = 1 << 0 // DMA enable
	mixBCEN   = 1 << 1 // block count enable
	mixAC12EN = 1 << 2 // auto CMD12 after the last block
	mixDTDSEL = 1 << 4 // data transfer direction: 1 read (card to host)
	mixMSBSEL = 1 << 5 // multiple blocks
	mixXfer   = 0x3f   // the transfer mode bits [5:0] (DMAEN, BCEN, AC12EN, DDR_EN, DTDSEL, MSBSEL)
)

// WTMK_LVL: the read watermark [7:0] and write watermark [23:16], in 32-bit
// words: a whole block (128 words) per buffer-ready event under PIO. The
// DMA burst lengths (RD_BRST_LEN [12:8], WR_BRST_LEN [28:24]) are 16 words,
// no more than the watermarks, as the register's description requires.
const (
	wtmkWords = BlockSize / 4
	wtmkBurst = 16
	wtmkValue = wtmkBurst<<24 | wtmkWords<<16 | wtmkBurst<<8 | wtmkWords
)

// ADMA2 descriptor attributes (Host Controller spec §1.13.4, "32-bit
// Address ADMA2 Descriptor"): Valid, End, and Act = Tran (transfer the
// data at the descriptor's address); Length in bits [31:16], the address
// in bits [63:32].
const (
	admaValid = 1 << 0
	admaEnd   = 1 << 1
	admaTran  = 0b10 << 4
)

// Clock dividers. The card may run at most 400 kHz while it is identified
// and at most 25 MHz in Default Speed (SD Physical Layer Simplified
// Specification v9.00, §4.2 "Card Identification Mode", §6.6.6 "Bus
// Timing"). The driver leaves the uSDHC root clock (USDHCn_CLK_ROOT,
// IMX8MPRM chapter "Clock Control Module (CCM)") as the boot loader set it
// and divides it so that a root of up to 400 MHz, the rate Linux's
// imx8mp-evk.dts assigns, stays within both limits; a slower root gives a
// slower, still valid, card clock.
const (
	clockIdent = 0x80<<sysSDCLKFSShft | 3<<sysDVSShift // 400 MHz / 256 / 4 = 390 kHz
	clockData  = 0x04<<sysSDCLKFSShft | 1<<sysDVSShift // 400 MHz / 8 / 2 = 25 MHz
)
