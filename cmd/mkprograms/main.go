// Command mkprograms writes the program disk: a tar archive of task ELF
// files in which every file's data starts on a 4 KiB boundary, so that the
// kernel pages a program in with one disk page read per page fault and
// reads the page straight into the frame (kernel/tarfs reads the disk only
// in whole 4 KiB pages; data at any other offset costs two page reads and
// a copy).
//
//	go run ./cmd/mkprograms -o build/amd64/programs.tar build/amd64/tasks/*.elf
//
// The archive is standard POSIX.1-2001 pax (IEEE Std 1003.1, "pax"
// utility, "pax Interchange Format"), readable by any tar: the alignment
// comes from a pax extended header before a member whose data would
// otherwise start off a page boundary, holding a "comment" record (which
// readers ignore, by that section's definition of the keyword) sized to
// push the member's header to the last block of a page. The archive is
// padded with zeros to a whole number of pages, as `tar -b 8` does.
//
// Members are named by the files' base names and stamped with mode 0755
// and modification time 0, so the same files give the same archive.
package main

import (
	"archive/tar"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Sizes: the tar block (ustar Interchange Format) and the disk page.
const (
	blockSize = 512
	pageSize  = 4096
)

func main() {
	out := flag.String("o", "", "the archive to write")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: mkprograms -o archive.tar file...")
		os.Exit(2)
	}
	if err := writeFile(*out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mkprograms:", err)
		os.Exit(1)
	}
}

// writeFile writes the archive of files to path, through a temporary file
// renamed at the end, so a reader never sees half an archive.
func writeFile(path string, files []string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp, files); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// write writes the archive of files to w.
func write(w io.Writer, files []string) error {
	c := &counter{w: w}
	tw := tar.NewWriter(c)
	seen := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		if seen[name] {
			return fmt.Errorf("%s: a second file named %s", f, name)
		}
		seen[name] = true
		if err := addFile(tw, c, f, name); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	_, err := c.Write(make([]byte, padTo(c.n, pageSize)))
	return err
}

// addFile appends file as member name, its data page-aligned.
func addFile(tw *tar.Writer, c *counter, file, name string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	// Flush writes the previous member's padding, so c.n is where this
	// member's headers start.
	if err := tw.Flush(); err != nil {
		return err
	}
	h := &tar.Header{Name: name, Mode: 0o755, Size: int64(len(data)),
		ModTime: time.Unix(0, 0), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
	if pad := alignComment(c.n); pad != "" {
		h.PAXRecords = map[string]string{"comment": pad}
	}
	if err := tw.WriteHeader(h); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if c.n%pageSize != 0 {
		return fmt.Errorf("%s: its data would start at byte %d, not on a page", file, c.n)
	}
	_, err = tw.Write(data)
	return err
}

// alignComment returns the comment for a pax extended header written at
// byte off such that the member header after it ends on a page boundary,
// or "" when the member header alone already does. The extended header is
// a header block, then its records padded to whole blocks, then comes the
// member's header block.
func alignComment(off int64) string {
	if (off+blockSize)%pageSize == 0 {
		return ""
	}
	records := padTo(off+2*blockSize, pageSize) // bytes of records, block-padded
	if records == 0 {
		records = pageSize
	}
	return commentOfLength(int(records))
}

// commentOfLength returns a comment whose pax record
// "<length> comment=<comment>\n" is exactly n bytes long (the length
// counts its own digits), n at least 16.
func commentOfLength(n int) string {
	fixed := len(" comment=\n") + len(strconv.Itoa(n))
	return strings.Repeat("x", n-fixed)
}

// padTo returns how many bytes take n to the next multiple of size.
func padTo(n, size int64) int64 { return (size - n%size) % size }
