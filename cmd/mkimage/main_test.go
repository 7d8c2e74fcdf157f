package main

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamach/tamach/boot/bootfiles"
)

// segment is one PT_LOAD of a test ELF.
type segment struct {
	paddr, memsz uint64
	data         []byte
}

// makeELF writes a minimal ELF64 AArch64 executable (ELF-64 Object File
// Format: Elf64_Ehdr, then Elf64_Phdr entries, then the segments' bytes).
func makeELF(t *testing.T, entry uint64, segs ...segment) string {
	t.Helper()
	const ehsize, phentsize = 64, 56
	var b bytes.Buffer
	le := binary.LittleEndian
	ident := [16]byte{0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* little-endian */, 1 /* version */}
	b.Write(ident[:])
	binary.Write(&b, le, uint16(elf.ET_EXEC))
	binary.Write(&b, le, uint16(elf.EM_AARCH64))
	binary.Write(&b, le, uint32(1))
	binary.Write(&b, le, entry)
	binary.Write(&b, le, uint64(ehsize))      // e_phoff
	binary.Write(&b, le, uint64(0))           // e_shoff
	binary.Write(&b, le, uint32(0))           // e_flags
	binary.Write(&b, le, uint16(ehsize))      // e_ehsize
	binary.Write(&b, le, uint16(phentsize))   // e_phentsize
	binary.Write(&b, le, uint16(len(segs)))   // e_phnum
	binary.Write(&b, le, [3]uint16{64, 0, 0}) // e_shentsize, e_shnum, e_shstrndx
	off := uint64(ehsize + phentsize*len(segs))
	for _, s := range segs {
		binary.Write(&b, le, uint32(elf.PT_LOAD))
		binary.Write(&b, le, uint32(elf.PF_R|elf.PF_X))
		binary.Write(&b, le, off)                 // p_offset
		binary.Write(&b, le, s.paddr)             // p_vaddr
		binary.Write(&b, le, s.paddr)             // p_paddr
		binary.Write(&b, le, uint64(len(s.data))) // p_filesz
		binary.Write(&b, le, s.memsz)             // p_memsz
		binary.Write(&b, le, uint64(0x1000))      // p_align
		off += uint64(len(s.data))
	}
	for _, s := range segs {
		b.Write(s.data)
	}
	path := filepath.Join(t.TempDir(), "k.elf")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkFlat verifies that bin is the memory image of the ELF at path: each
// PT_LOAD's file bytes at its physical address minus base, zeroes
// everywhere else.
func checkFlat(t *testing.T, path string, base uint64, bin []byte) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	covered := make([]bool, len(bin))
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || p.Memsz == 0 {
			continue
		}
		data := make([]byte, p.Filesz)
		if _, err := p.ReadAt(data, 0); err != nil {
			t.Fatal(err)
		}
		at := p.Paddr - base
		if at+p.Memsz > uint64(len(bin)) {
			t.Fatalf("segment at %#x (%#x bytes) outside the %d-byte image", p.Paddr, p.Memsz, len(bin))
		}
		if !bytes.Equal(bin[at:at+p.Filesz], data) {
			t.Errorf("segment at %#x: bytes differ from the ELF's", p.Paddr)
		}
		for i := at; i < at+p.Filesz; i++ {
			covered[i] = true
		}
	}
	for i, c := range covered {
		if !c && bin[i] != 0 {
			t.Fatalf("byte %#x (address %#x) outside the segments' file bytes is %#x, want 0", i, base+uint64(i), bin[i])
		}
	}
}

func TestFlatten(t *testing.T) {
	text := bytes.Repeat([]byte{0xd5, 0x03, 0x20, 0x1f}, 64) // 256 bytes of NOPs
	data := []byte("data segment")
	path := makeELF(t, 0x4020_0080,
		segment{paddr: 0x4020_2000, memsz: 0x1000, data: data}, // listed first: Flatten sorts
		segment{paddr: 0x4020_0000, memsz: 0x100, data: text})
	bin := filepath.Join(t.TempDir(), "k.bin")
	entry := filepath.Join(t.TempDir(), "k.entry")
	var out bytes.Buffer
	if err := writeBin(path, bin, entry, &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 0x3000 {
		t.Errorf("image is %#x bytes, want 0x3000 (to the end of the last segment's memory)", len(b))
	}
	checkFlat(t, path, 0x4020_0000, b)
	if !strings.Contains(out.String(), "load it at 0x40200000, then: go 0x40200080") {
		t.Errorf("output %q does not say where to load and go", out.String())
	}
	if e, err := os.ReadFile(entry); err != nil || string(e) != "0x40200080\n" {
		t.Errorf("entry file %q, %v", e, err)
	}
}

func TestFlattenRejects(t *testing.T) {
	for name, path := range map[string]string{
		"overlap": makeELF(t, 0x1000, segment{paddr: 0x1000, memsz: 0x2000, data: []byte{1}},
			segment{paddr: 0x1800, memsz: 0x10, data: []byte{2}}),
		"entry outside": makeELF(t, 0x9000, segment{paddr: 0x1000, memsz: 0x10, data: []byte{1}}),
		"too far apart": makeELF(t, 0x1000, segment{paddr: 0x1000, memsz: 0x10, data: []byte{1}},
			segment{paddr: 0x4000_0000, memsz: 0x10, data: []byte{2}}),
	} {
		f, err := elf.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Flatten(f); err == nil {
			t.Errorf("%s: Flatten accepted it", name)
		}
		f.Close()
	}
}

// TestFlattenKernel checks the real kernel image when make kernel
// BOARD=imx8mpevk has built one.
func TestFlattenKernel(t *testing.T) {
	path := filepath.Join("..", "..", "build", "imx8mpevk", "tamach.elf")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("skip: %s not built (make kernel BOARD=imx8mpevk)", path)
	}
	bin := filepath.Join(t.TempDir(), "tamach.bin")
	var out bytes.Buffer
	if err := writeBin(path, bin, "", &out); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Flatten(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	checkFlat(t, path, img.Base, b)
	t.Logf("%s", out.String())
}

func TestBootFilesArchive(t *testing.T) {
	run := filepath.Join(t.TempDir(), "prog.elf")
	if err := os.WriteFile(run, []byte("\x7fELF program"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "bootfiles.tar")
	if err := writeBootFiles(out, "echo=a,b halt", run); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	mem := append(b, make([]byte, 4096)...) // as in RAM: whatever follows
	files, err := bootfiles.Parse(mem)
	if err != nil {
		t.Fatal(err)
	}
	if files.Cmdline() != "echo=a,b halt" {
		t.Errorf("cmdline %q", files.Cmdline())
	}
	if got, err := files.ReadFile(bootfiles.RunFile); err != nil || string(got) != "\x7fELF program" {
		t.Errorf("run file %q, %v", got, err)
	}
}
