package main

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tamach/tamach/kernel/tarfs"
)

// memDisk is a disk of whole 4 KiB pages in memory.
type memDisk []byte

func (d memDisk) Pages() uint64 { return uint64(len(d)) / pageSize }
func (d memDisk) Name() string  { return "memdisk" }
func (d memDisk) ReadPage(n uint64, p *[pageSize]byte) error {
	if n >= d.Pages() {
		return errors.New("memdisk: page out of range")
	}
	copy(p[:], d[n*pageSize:])
	return nil
}

// testFiles writes files of awkward sizes (empty, under a block, a block,
// a page and a bit, ...) to a temporary directory.
func testFiles(t *testing.T) (paths []string, contents map[string][]byte) {
	rng := rand.New(rand.NewSource(1))
	dir := t.TempDir()
	contents = map[string][]byte{}
	// Their data blocks cover every count of blocks modulo a page (0-7).
	for i, size := range []int{0, 1, 511, 512, 513, 1500, 2000, 2500, 3000, 3583, 3584, 4095, 4096, 5000, 70000} {
		name := "f" + string(rune('a'+i)) + ".elf"
		data := make([]byte, size)
		rng.Read(data)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths, contents[name] = append(paths, path), data
	}
	return paths, contents
}

func TestArchivePagesAligned(t *testing.T) {
	paths, contents := testFiles(t)
	var buf bytes.Buffer
	if err := write(&buf, paths); err != nil {
		t.Fatal(err)
	}
	if buf.Len()%pageSize != 0 {
		t.Fatalf("archive of %d bytes: not whole pages", buf.Len())
	}
	a, err := tarfs.Open(memDisk(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Files()) != len(contents) {
		t.Fatalf("%d files in the archive, want %d", len(a.Files()), len(contents))
	}
	for _, f := range a.Files() {
		want := contents[f.Name]
		got := make([]byte, f.Size)
		if _, err := f.ReadAt(got, 0); err != nil && err != io.EOF || !bytes.Equal(got, want) {
			t.Errorf("%s: contents differ (%v)", f.Name, err)
		}
		if f.Size < pageSize {
			continue
		}
		// Page-aligned data: a whole-page read is one disk page.
		before := a.Stats().PagesRead
		var page [pageSize]byte
		if _, err := f.ReadAt(page[:], pageSize*((f.Size/pageSize)-1)); err != nil {
			t.Fatal(err)
		}
		if n := a.Stats().PagesRead - before; n != 1 {
			t.Errorf("%s: a page read %d disk pages, want 1 (data not page-aligned)", f.Name, n)
		}
	}
}

// TestArchiveIsStandard: Go's archive/tar and GNU tar read the archive
// back with the same contents (the alignment comments are ignored).
func TestArchiveIsStandard(t *testing.T) {
	paths, contents := testFiles(t)
	out := filepath.Join(t.TempDir(), "programs.tar")
	if err := writeFile(out, paths); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(bytes.NewReader(data))
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(tr)
		if !bytes.Equal(got, contents[h.Name]) {
			t.Errorf("archive/tar: %s differs", h.Name)
		}
		n++
	}
	if n != len(contents) {
		t.Errorf("archive/tar read %d members, want %d", n, len(contents))
	}
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("skip: GNU tar is not on PATH")
	}
	dir := t.TempDir()
	if msg, err := exec.Command("tar", "-xf", out, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("tar -x: %v: %s", err, msg)
	}
	for name, want := range contents {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GNU tar: %s differs (%v)", name, err)
		}
	}
}

// TestArchiveReproducible: the same files give the same bytes.
func TestArchiveReproducible(t *testing.T) {
	paths, _ := testFiles(t)
	var a, b bytes.Buffer
	if err := write(&a, paths); err != nil {
		t.Fatal(err)
	}
	if err := write(&b, paths); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two archives of the same files differ")
	}
}

func TestArchiveErrors(t *testing.T) {
	paths, _ := testFiles(t)
	var buf bytes.Buffer
	if err := write(&buf, append(paths, paths[0])); err == nil || !strings.Contains(err.Error(), "a second file") {
		t.Errorf("duplicate name: %v", err)
	}
	if err := write(&buf, []string{filepath.Join(t.TempDir(), "missing.elf")}); err == nil {
		t.Error("a missing file was archived")
	}
}
