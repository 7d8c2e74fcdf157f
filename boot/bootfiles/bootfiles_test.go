package bootfiles

import (
	"archive/tar"
	"bytes"
	"errors"
	"strings"
	"testing"
)

// archive writes files with Go's archive/tar in ustar format, as
// cmd/mkimage does, into a region of size bytes (the rest zero).
func archive(t *testing.T, size int, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	mem := make([]byte, size)
	copy(mem, buf.Bytes())
	return mem
}

func TestParse(t *testing.T) {
	elf := strings.Repeat("\x7fELF", 300) // 1200 bytes: three blocks
	mem := archive(t, 1<<16, [2]string{CmdlineFile, "help halt\n"}, [2]string{RunFile, elf})
	f, err := Parse(mem)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Cmdline(); got != "help halt" {
		t.Errorf("Cmdline = %q", got)
	}
	run, err := f.ReadFile(RunFile)
	if err != nil || string(run) != elf {
		t.Errorf("ReadFile(%s) = %d bytes, %v", RunFile, len(run), err)
	}
	if _, err := f.ReadFile("opt/tamach/other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing file: %v", err)
	}
	if got := strings.Join(f.Names(), " "); got != CmdlineFile+" "+RunFile {
		t.Errorf("Names = %q", got)
	}
	if want := 512 + 512 + 512 + 3*512; f.Size() != want {
		t.Errorf("Size = %d, want %d", f.Size(), want)
	}
}

func TestLongNameUsesPrefix(t *testing.T) {
	long := strings.Repeat("d/", 60) + "file" // 124 bytes: needs the prefix field
	f, err := Parse(archive(t, 1<<12, [2]string{long, "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := f.ReadFile(long); err != nil || string(b) != "x" {
		t.Errorf("ReadFile(long) = %q, %v", b, err)
	}
}

func TestNoArchive(t *testing.T) {
	for name, mem := range map[string][]byte{
		"zero RAM": make([]byte, 1<<12),
		"garbage":  bytes.Repeat([]byte{0xa5}, 1<<12),
		"short":    make([]byte, 100),
	} {
		if _, err := Parse(mem); !errors.Is(err, ErrNone) {
			t.Errorf("%s: %v, want ErrNone", name, err)
		}
	}
}

func TestDamaged(t *testing.T) {
	mem := archive(t, 1<<12, [2]string{CmdlineFile, "halt"})
	bad := append([]byte(nil), mem...)
	bad[0] ^= 1 // name changed: the checksum no longer matches
	if _, err := Parse(bad); !errors.Is(err, ErrDamaged) {
		t.Errorf("bad checksum: %v, want ErrDamaged", err)
	}
	// A region too small for the member's data.
	big := archive(t, 1<<14, [2]string{RunFile, strings.Repeat("x", 8000)})
	if _, err := Parse(big[:4096]); !errors.Is(err, ErrDamaged) {
		t.Errorf("truncated: %v, want ErrDamaged", err)
	}
	// No end blocks before the region ends.
	noEnd := archive(t, 1024, [2]string{CmdlineFile, "x"})
	if _, err := Parse(noEnd); !errors.Is(err, ErrDamaged) {
		t.Errorf("no end blocks: %v, want ErrDamaged", err)
	}
}

func TestEmptyArchiveHasNoCmdline(t *testing.T) {
	f, err := Parse(archive(t, 1<<12, [2]string{"opt/tamach/other", "x"}))
	if err != nil {
		t.Fatal(err)
	}
	if f.Cmdline() != "" {
		t.Errorf("Cmdline = %q, want empty", f.Cmdline())
	}
}
