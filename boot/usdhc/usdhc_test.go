package usdhc

import (
	"errors"
	"strings"
	"testing"
)

func newHost(c *fakeCard) (*Host, *fakeHost) {
	f := newFake(c)
	return &Host{Slot: "usdhc2", Regs: f, Nanotime: f.nanotime}, f
}

func TestInitAndRoundTrip(t *testing.T) {
	for _, hc := range []bool{false, true} {
		size := 4 << 20
		if hc {
			size = 2 << 20 // C_SIZE counts 512 KiB
		}
		c := &fakeCard{data: make([]byte, size), hc: hc, busyPolls: 3}
		h, f := newHost(c)
		if err := h.Init(); err != nil {
			t.Fatalf("hc %v: Init: %v", hc, err)
		}
		if !c.width4 || f.regs[regProtCtrl]&protDTWMask != protDTW4Bit {
			t.Errorf("hc %v: card or controller not on a 4-bit bus", hc)
		}
		if !hc && c.blklen != BlockSize {
			t.Errorf("SDSC card: block length %d, want CMD16 512", c.blklen)
		}
		if h.Pages() != uint64(size/PageSize) {
			t.Errorf("hc %v: %d pages, want %d", hc, h.Pages(), size/PageSize)
		}
		var w, r [PageSize]byte
		for i := range w {
			w[i] = byte(i*7 + 3)
		}
		if err := h.WritePage(3, &w); err != nil {
			t.Fatal(err)
		}
		if err := h.Flush(); err != nil {
			t.Fatal(err)
		}
		if err := h.ReadPage(3, &r); err != nil {
			t.Fatal(err)
		}
		if r != w || string(c.data[3*PageSize:4*PageSize]) != string(w[:]) {
			t.Errorf("hc %v: page 3 did not round-trip", hc)
		}
		// Addressing: SDSC cards take byte offsets, SDHC block numbers.
		want := uint32(3 * PageSize)
		if hc {
			want = 3 * blocksPerPage
		}
		for _, a := range c.addrs {
			if a != want {
				t.Errorf("hc %v: data command argument %#x, want %#x", hc, a, want)
			}
		}
		if c.stopped != 2 {
			t.Errorf("hc %v: %d automatic CMD12s, want 2", hc, c.stopped)
		}
		if s := h.Stats(); s.PagesRead != 1 || s.PagesWritten != 1 {
			t.Errorf("stats %+v", s)
		}
		if !strings.Contains(h.Describe(), "usdhc2") {
			t.Errorf("Describe = %q", h.Describe())
		}
	}
}

func TestV1Card(t *testing.T) {
	c := &fakeCard{data: make([]byte, 1<<20), v1: true, hc: true}
	h, _ := newHost(c)
	if err := h.Init(); err != nil {
		t.Fatal(err)
	}
	if h.hc {
		t.Error("a v1 card was treated as high capacity (HCS may not be offered without CMD8)")
	}
}

func TestEmptySlot(t *testing.T) {
	h, _ := newHost(nil)
	if err := h.Init(); !errors.Is(err, ErrNoCard) {
		t.Fatalf("Init of an empty slot: %v, want ErrNoCard", err)
	}
	var p [PageSize]byte
	if err := h.ReadPage(0, &p); err == nil {
		t.Error("ReadPage on an empty slot succeeded")
	}
}

func TestWriteProtected(t *testing.T) {
	c := &fakeCard{data: make([]byte, 1<<20), wp: true}
	h, _ := newHost(c)
	if err := h.Init(); err != nil {
		t.Fatal(err)
	}
	var p [PageSize]byte
	if err := h.WritePage(0, &p); err == nil || !strings.Contains(err.Error(), "write-protected") {
		t.Errorf("WritePage on a protected card: %v", err)
	}
	if err := h.ReadPage(0, &p); err != nil {
		t.Errorf("ReadPage on a protected card: %v", err)
	}
}

func TestPageBeyondCard(t *testing.T) {
	c := &fakeCard{data: make([]byte, 1<<20)}
	h, _ := newHost(c)
	if err := h.Init(); err != nil {
		t.Fatal(err)
	}
	var p [PageSize]byte
	if err := h.ReadPage(h.Pages(), &p); err == nil {
		t.Error("ReadPage past the end succeeded")
	}
}

func TestBusyCardTimesOut(t *testing.T) {
	c := &fakeCard{data: make([]byte, 1<<20), busyPolls: 1 << 30}
	h, _ := newHost(c)
	if err := h.Init(); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Init with a card busy forever: %v, want ErrTimeout", err)
	}
}

func TestCSD(t *testing.T) {
	for _, c := range []fakeCard{
		{data: make([]byte, 64<<20)},
		{data: make([]byte, 1<<20)},
		{data: make([]byte, 32<<30>>10), hc: true}, // the data is not read: a stand-in size
	} {
		got, err := csdBlocks(c.csd())
		if err != nil || got != uint64(len(c.data))/BlockSize {
			t.Errorf("csdBlocks of a %d-byte card = %d, %v", len(c.data), got, err)
		}
	}
	var bad [4]uint32
	bad[3] = 3 << 22 // CSD_STRUCTURE 3
	if _, err := csdBlocks(bad); err == nil {
		t.Error("CSD structure 3 accepted")
	}
}

func TestDMARoundTrip(t *testing.T) {
	c := &fakeCard{data: make([]byte, 4<<20)}
	h, f := newHost(c)
	f.mem = newFakeDMA()
	h.DMA = f.mem
	if err := h.Init(); err != nil {
		t.Fatal(err)
	}
	w, r := new([PageSize]byte), new([PageSize]byte)
	for i := range w {
		w[i] = byte(i ^ 0x5a)
	}
	if err := h.WritePage(7, w); err != nil {
		t.Fatal(err)
	}
	if err := h.ReadPage(7, r); err != nil {
		t.Fatal(err)
	}
	if *r != *w || string(c.data[7*PageSize:8*PageSize]) != string(w[:]) {
		t.Error("page 7 did not round-trip by DMA")
	}
	if s := h.Stats(); s.DMAPages != 2 {
		t.Errorf("%d pages by DMA, want 2", s.DMAPages)
	}
	// Clean the page before the card reads it, clean and invalidate
	// it on both sides of the card writing it; the descriptor is
	// cleaned each time.
	if f.mem.cleans != 3 || f.mem.flushes != 2 {
		t.Errorf("%d cleans, %d clean+invalidates: want 3 and 2", f.mem.cleans, f.mem.flushes)
	}
	if f.regs[regMixCtrl]&mixDMAEN != 0 || f.regs[regProtCtrl]&protDMASEL != 0 {
		t.Error("DMA left enabled after the transfer")
	}
}

func TestDMAFallsBackToPIO(t *testing.T) {
	c := &fakeCard{data: make([]byte, 4<<20)}
	h, f := newHost(c)
	f.mem = newFakeDMA()
	f.mem.high = true // every buffer above 4 GiB
	h.DMA = f.mem
	if err := h.Init(); err != nil {
		t.Fatal(err)
	}
	w, r := new([PageSize]byte), new([PageSize]byte)
	w[100] = 42
	if err := h.WritePage(1, w); err != nil {
		t.Fatal(err)
	}
	if err := h.ReadPage(1, r); err != nil || r[100] != 42 {
		t.Fatalf("PIO fallback: %v", err)
	}
	if s := h.Stats(); s.DMAPages != 0 {
		t.Errorf("%d pages by DMA above 4 GiB", s.DMAPages)
	}
}
