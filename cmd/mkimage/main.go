// Command mkimage writes the files a board's own boot loader loads (make
// image BOARD=imx8mpevk; docs/boards.md):
//
//	mkimage -elf tamach.elf -bin tamach.bin
//
// writes the flat binary U-Boot's go command runs: the kernel's memory
// image from its lowest loadable address to the end of its last segment,
// each PT_LOAD segment's file bytes at its physical address and zeroes
// everywhere else (the bss included: go, unlike bootelf and QEMU's ELF
// loader, clears nothing). It prints the load address and the entry
// point for go.
//
//	mkimage -bootfiles bootfiles.tar [-cmdline 'words'] [-run prog.elf]
//
// writes a boot-files archive (boot/bootfiles): a ustar archive holding
// the kernel command line as opt/tamach/cmdline and, with -run, an ELF as
// opt/tamach/run, for the loader to put at the board's boot-files address.
package main

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/tamach/tamach/boot/bootfiles"
)

func main() {
	elfPath := flag.String("elf", "", "the kernel ELF to flatten (with -bin)")
	binPath := flag.String("bin", "", "write the flat binary here")
	entryPath := flag.String("entry", "", "with -bin: write the entry address (hex) here too")
	bootPath := flag.String("bootfiles", "", "write a boot-files archive here")
	cmdline := flag.String("cmdline", "", "the kernel command line (with -bootfiles)")
	run := flag.String("run", "", "an ELF to pass as opt/tamach/run (with -bootfiles)")
	flag.Parse()
	if flag.NArg() != 0 || (*binPath == "") == (*bootPath == "") || (*binPath != "") != (*elfPath != "") {
		fmt.Fprintln(os.Stderr, "usage: mkimage -elf tamach.elf -bin tamach.bin [-entry tamach.entry] | mkimage -bootfiles out.tar [-cmdline words] [-run prog.elf]")
		os.Exit(2)
	}
	var err error
	if *binPath != "" {
		err = writeBin(*elfPath, *binPath, *entryPath, os.Stdout)
	} else {
		err = writeBootFiles(*bootPath, *cmdline, *run)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// Image is a kernel flattened to its memory image.
type Image struct {
	Base  uint64 // physical address of the first byte
	Entry uint64 // the ELF entry point
	Bytes []byte // the memory image, Base to the end of the last segment
}

// maxImage bounds the flat image: anything larger means segments far
// apart (the kernel's span its RAM plan; cf. the heap window).
const maxImage = 256 << 20

// Flatten lays the PT_LOAD segments of f out at their physical addresses.
func Flatten(f *elf.File) (*Image, error) {
	var loads []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Memsz > 0 {
			loads = append(loads, p)
		}
	}
	if len(loads) == 0 {
		return nil, errors.New("no PT_LOAD segment")
	}
	sort.Slice(loads, func(i, j int) bool { return loads[i].Paddr < loads[j].Paddr })
	base := loads[0].Paddr
	end := base
	for i, p := range loads {
		if p.Filesz > p.Memsz {
			return nil, fmt.Errorf("segment at %#x: file size %#x above memory size %#x", p.Paddr, p.Filesz, p.Memsz)
		}
		if i > 0 && p.Paddr < end {
			return nil, fmt.Errorf("segment at %#x overlaps the one before (ends %#x)", p.Paddr, end)
		}
		end = p.Paddr + p.Memsz
	}
	if end-base > maxImage {
		return nil, fmt.Errorf("segments span %#x-%#x, more than %d MiB", base, end, maxImage>>20)
	}
	img := &Image{Base: base, Entry: f.Entry, Bytes: make([]byte, end-base)}
	for _, p := range loads {
		if _, err := io.ReadFull(p.Open(), img.Bytes[p.Paddr-base:p.Paddr-base+p.Filesz]); err != nil {
			return nil, fmt.Errorf("segment at %#x: %w", p.Paddr, err)
		}
	}
	if img.Entry < base || img.Entry >= end {
		return nil, fmt.Errorf("entry %#x outside the image %#x-%#x", img.Entry, base, end)
	}
	return img, nil
}

// writeBin flattens the ELF at elfPath into binPath and reports where it
// goes; with entryPath, it also writes the entry there as a hex number.
func writeBin(elfPath, binPath, entryPath string, out io.Writer) error {
	f, err := elf.Open(elfPath)
	if err != nil {
		return err
	}
	defer f.Close()
	img, err := Flatten(f)
	if err != nil {
		return fmt.Errorf("%s: %w", elfPath, err)
	}
	if err := writeFile(binPath, img.Bytes); err != nil {
		return err
	}
	if entryPath != "" {
		if err := writeFile(entryPath, []byte(fmt.Sprintf("%#x\n", img.Entry))); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "%s: %#x-%#x (%.1f MiB), entry %#x\n", binPath, img.Base, img.Base+uint64(len(img.Bytes)),
		float64(len(img.Bytes))/(1<<20), img.Entry)
	fmt.Fprintf(out, "U-Boot: load it at %#x, then: go %#x\n", img.Base, img.Entry)
	return nil
}

// writeBootFiles writes the boot-files archive.
func writeBootFiles(path, cmdline, run string) error {
	files := []bootfiles.File{{Name: bootfiles.CmdlineFile, Data: []byte(cmdline)}}
	if run != "" {
		b, err := os.ReadFile(run)
		if err != nil {
			return err
		}
		files = append(files, bootfiles.File{Name: bootfiles.RunFile, Data: b})
	}
	var buf bytes.Buffer
	if err := WriteArchive(&buf, files); err != nil {
		return err
	}
	return writeFile(path, buf.Bytes())
}

// WriteArchive writes files as a ustar archive, the format
// boot/bootfiles.Parse reads.
func WriteArchive(w io.Writer, files []bootfiles.File) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		hdr := &tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		if _, err := tw.Write(f.Data); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return tw.Close()
}

// writeFile writes data under a temporary name and renames it, so that a
// QEMU run reading path never sees half a file.
func writeFile(path string, data []byte) error {
	tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
