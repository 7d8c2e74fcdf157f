package tarfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// formatMembers returns a set of members exercising format: small and
// page-crossing files, an empty file, a long name, a directory and links.
// want maps the regular files' names to their contents.
func formatMembers(rng *rand.Rand, format tar.Format) (members []member, want map[string][]byte) {
	long := strings.Repeat("d", 60) + "/" + strings.Repeat("n", 80) + ".elf" // ustar splits it
	if format != tar.FormatUSTAR {
		long = strings.Repeat("p", 120) + "/" + strings.Repeat("q", 130) + ".elf" // needs pax or 'L'
	}
	members = []member{
		{name: "a.elf", data: randomBytes(rng, 1300)},
		{name: "dir/", typ: tar.TypeDir},
		{name: "dir/b.elf", data: randomBytes(rng, 9000)},
		{name: "empty", data: nil},
		{name: long, data: randomBytes(rng, 5000)},
		{name: "big.bin", data: randomBytes(rng, 300<<10+17)},
		{name: "sym", typ: tar.TypeSymlink, link: "a.elf"},
		{name: "hard", typ: tar.TypeLink, link: "a.elf"},
		{name: "fifo", typ: tar.TypeFifo},
		{name: "last.elf", data: randomBytes(rng, PageSize)},
	}
	want = map[string][]byte{}
	for _, m := range members {
		if m.typ == 0 {
			want[m.name] = m.data
		}
	}
	return members, want
}

// checkContents compares every file of a with want: names, sizes, and
// ReadAt at seeded random offsets and lengths against bytes.Reader.
func checkContents(t *testing.T, a *Archive, want map[string][]byte, rng *rand.Rand) {
	t.Helper()
	var names []string
	for _, f := range a.Files() {
		names = append(names, f.Name)
	}
	wantNames := make([]string, 0, len(want))
	for n := range want {
		wantNames = append(wantNames, n)
	}
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		t.Fatalf("Files() = %q, want %q", names, wantNames)
	}
	for _, f := range a.Files() {
		data := want[f.Name]
		if f.Size != int64(len(data)) {
			t.Errorf("%s: Size %d, want %d", f.Name, f.Size, len(data))
		}
		if f.Archive() != a {
			t.Errorf("%s: Archive() is not the archive", f.Name)
		}
		all, err := io.ReadAll(io.NewSectionReader(f, 0, f.Size))
		if err != nil || !bytes.Equal(all, data) {
			t.Errorf("%s: whole read: err %v, equal %v", f.Name, err, bytes.Equal(all, data))
		}
		for range 40 {
			checkReadAt(t, f, bytes.NewReader(data), rng.Int63n(f.Size+PageSize)-10, rng.Intn(3*PageSize))
		}
		checkReadAt(t, f, bytes.NewReader(data), f.Size, 1)
		checkReadAt(t, f, bytes.NewReader(data), f.Size+100, 5)
		checkReadAt(t, f, bytes.NewReader(data), max(f.Size-3, 0), 10)
	}
}

// checkReadAt compares f.ReadAt with ref.ReadAt for one range.
func checkReadAt(t *testing.T, f *File, ref *bytes.Reader, off int64, n int) {
	t.Helper()
	got, want := make([]byte, n), make([]byte, n)
	gn, gerr := f.ReadAt(got, off)
	wn, werr := ref.ReadAt(want, off)
	if off < 0 {
		if gerr == nil || gn != 0 {
			t.Errorf("%s: ReadAt(%d, off %d) = %d, %v; want an error", f.Name, n, off, gn, gerr)
		}
		return
	}
	if gn != wn || gerr != werr || !bytes.Equal(got[:gn], want[:wn]) {
		t.Errorf("%s: ReadAt(%d, off %d) = %d, %v; want %d, %v (bytes equal %v)",
			f.Name, n, off, gn, gerr, wn, werr, bytes.Equal(got[:gn], want[:wn]))
	}
}

func TestFormats(t *testing.T) {
	for _, format := range []tar.Format{tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU} {
		t.Run(format.String(), func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(format)))
			members, want := formatMembers(rng, format)
			a, _ := mustOpen(t, makeTar(t, format, members))
			checkContents(t, a, want, rng)
			if a.Name() != "mem" {
				t.Errorf("Name() = %q", a.Name())
			}
		})
	}
}

func TestPAXSizeAndLongNames(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	data := randomBytes(rng, 700)
	long := strings.Repeat("x", 300) + ".elf"
	var img []byte
	img = append(img, rawEntry(rawHeader("PaxHeaders/g", typePAXGlobal, 0), nil)...)
	pax := paxData("comment", "hi", "path", long, "size", "700")
	img = append(img, rawEntry(rawHeader("PaxHeaders/x", typePAXLocal, int64(len(pax))), pax)...)
	img = append(img, rawEntry(rawHeader("short", typeRegular, 0), data)...) // size from pax
	gnu := []byte("gnu/" + strings.Repeat("y", 200) + "\x00")
	img = append(img, rawEntry(rawHeader("././@LongLink", typeGNULink, 9), []byte("linktarget"[:9]))...)
	img = append(img, rawEntry(rawHeader("././@LongLink", typeGNULong, int64(len(gnu))), gnu)...)
	img = append(img, rawEntry(rawHeader("trunc", typeContiguous, 3), []byte("abc"))...)
	img = append(img, endBlocks...)
	a, _ := mustOpen(t, padPages(img))
	checkContents(t, a, map[string][]byte{long: data, "gnu/" + strings.Repeat("y", 200): []byte("abc")}, rng)
}

func TestBase256Size(t *testing.T) {
	data := []byte("base-256 sized file")
	h := rawHeader("b256.elf", typeRegular, 0)
	f := h.get(fSize)
	clear(f)
	f[0] = base256Flag
	f[len(f)-1] = byte(len(data))
	setChecksum(&h)
	img := append(rawEntry(h, data), endBlocks...)
	a, _ := mustOpen(t, padPages(img))
	checkContents(t, a, map[string][]byte{"b256.elf": data}, rand.New(rand.NewSource(1)))
}

func TestSignedChecksum(t *testing.T) {
	// Historical tars summed the header as signed chars: each byte
	// >= 0x80 counts 256 less. A name with one such byte tells them apart.
	h := rawHeader("caf\xe9.elf", typeRegular, 2)
	u, s := h.checksums()
	if s <= 0 || s == u {
		t.Fatalf("sums %d, %d: test needs a positive signed sum that differs", u, s)
	}
	storeOctal(h.get(fChksum), s)
	img := append(rawEntry(h, []byte("ok")), endBlocks...)
	a, _ := mustOpen(t, padPages(img))
	if len(a.Files()) != 1 || a.Files()[0].Name != "caf\xe9.elf" {
		t.Fatalf("Files() = %v", a.Files())
	}
}

// storeOctal writes v into f as octal digits ending in NUL and space.
func storeOctal(f []byte, v int64) {
	clear(f)
	s := []byte(strings.Repeat("0", len(f)-2))
	for i := len(s) - 1; i >= 0 && v > 0; i-- {
		s[i] = byte('0' + v%8)
		v /= 8
	}
	copy(f, s)
	f[len(f)-2], f[len(f)-1] = 0, ' '
}

func TestLookup(t *testing.T) {
	img := makeTar(t, tar.FormatPAX, []member{
		{name: "./init.elf", data: []byte("init")},
		{name: "/abs.elf", data: []byte("abs")},
		{name: "plain", data: []byte("plain")},
		{name: "plain.elf", data: []byte("plain.elf")},
		{name: "../evil.elf", data: []byte("evil")},
		{name: "a/../b.elf", data: []byte("evil")},
		{name: ".", data: []byte("empty name")},
		{name: "sub/./x.elf", data: []byte("x")},
	})
	a, _ := mustOpen(t, img)
	for _, c := range []struct {
		query, want string // want "" when not found
	}{
		{"init", "init"}, {"init.elf", "init"}, {"./init", "init"}, {"/init.elf", "init"},
		{"abs", "abs"}, {"abs.elf", "abs"},
		{"plain", "plain"}, {"plain.elf", "plain.elf"},
		{"sub/x", "x"}, {"evil", ""}, {"../evil", ""}, {"b", ""}, {"", ""}, {".", ""}, {"nope", ""},
	} {
		f, ok := a.Lookup(c.query)
		got := ""
		if ok {
			b := make([]byte, f.Size)
			if _, err := f.ReadAt(b, 0); err != nil {
				t.Fatalf("ReadAt %s: %v", f.Name, err)
			}
			got = string(b)
		}
		if got != c.want {
			t.Errorf("Lookup(%q) found %q, want %q", c.query, got, c.want)
		}
	}
	if n := len(a.Files()); n != 5 {
		t.Errorf("%d files, want 5 (names with .. or empty skipped)", n)
	}
}

func TestDirectoriesSkipped(t *testing.T) {
	img := makeTar(t, tar.FormatUSTAR, []member{
		{name: "d/", typ: tar.TypeDir},
		{name: "d/e/", typ: tar.TypeDir},
		{name: "d/e/f.elf", data: []byte("f")},
	})
	a, _ := mustOpen(t, img)
	if len(a.Files()) != 1 || a.Files()[0].Name != "d/e/f.elf" {
		t.Errorf("Files() = %v", a.Files())
	}
	// A pre-POSIX header (typeflag NUL) naming a directory with a
	// trailing slash is not a file.
	old := rawHeader("olddir/", typeRegularOld, 0)
	a, _ = mustOpen(t, padPages(append(rawEntry(old, nil), endBlocks...)))
	if len(a.Files()) != 0 {
		t.Errorf("old-style directory indexed as %v", a.Files())
	}
}

func TestDuplicateLaterWins(t *testing.T) {
	img := makeTar(t, tar.FormatGNU, []member{
		{name: "p.elf", data: []byte("first version")},
		{name: "q.elf", data: []byte("q")},
		{name: "./p.elf", data: []byte("second")},
	})
	a, _ := mustOpen(t, img)
	checkContents(t, a, map[string][]byte{"p.elf": []byte("second"), "q.elf": []byte("q")}, rand.New(rand.NewSource(3)))
}

func TestNotArchive(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for name, img := range map[string][]byte{
		"empty":  nil,
		"zeros":  make([]byte, 2*PageSize),
		"random": randomBytes(rng, 3*PageSize),
	} {
		_, err := Open(newDevice(img))
		if !errors.Is(err, ErrNotArchive) {
			t.Errorf("%s: Open error %v, want ErrNotArchive", name, err)
		}
	}
}

func TestEndAtDeviceEnd(t *testing.T) {
	// No end blocks: the archive ends where the device does.
	img := rawEntry(rawHeader("a.elf", typeRegular, 5), []byte("hello"))
	dir := rawHeader("d/", typeDir, 0)
	for len(img) < PageSize-BlockSize {
		img = append(img, dir[:]...)
	}
	img = append(img, rawEntry(rawHeader("b.elf", typeRegular, 0), nil)...)
	a, _ := mustOpen(t, img)
	if len(a.Files()) != 2 {
		t.Errorf("Files() = %v", a.Files())
	}
}

// formatErrorAt opens img and checks for a *FormatError at offset off
// whose message contains want.
func formatErrorAt(t *testing.T, img []byte, off int64, want string) {
	t.Helper()
	_, err := Open(newDevice(img))
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Fatalf("Open error %v, want a *FormatError", err)
	}
	if fe.Offset != off || !strings.Contains(err.Error(), want) {
		t.Errorf("Open error %q (offset %d), want offset %d and %q", err, fe.Offset, off, want)
	}
}

func TestBadInput(t *testing.T) {
	two := append(rawEntry(rawHeader("a.elf", typeRegular, 5), []byte("hello")), rawEntry(rawHeader("b.elf", typeRegular, 2), []byte("hi"))...)
	two = padPages(append(two, endBlocks...))
	const second = 2 * BlockSize

	t.Run("checksum", func(t *testing.T) {
		img := bytes.Clone(two)
		img[second+3] ^= 0x20
		formatErrorAt(t, img, second, "checksum")
	})
	t.Run("first checksum", func(t *testing.T) {
		// The first header still says "ustar": a damaged archive, which
		// the kernel must not mistake for a blank disk to page onto.
		img := bytes.Clone(two)
		img[10] ^= 1
		formatErrorAt(t, img, 0, "damaged archive")
	})
	t.Run("first block without magic", func(t *testing.T) {
		img := bytes.Clone(two)
		img[10] ^= 1
		copy(img[257:], "xxxxx")
		if _, err := Open(newDevice(img)); !errors.Is(err, ErrNotArchive) {
			t.Errorf("Open error %v, want ErrNotArchive", err)
		}
	})
	t.Run("numeric", func(t *testing.T) {
		h := rawHeader("b.elf", typeRegular, 0)
		copy(h.get(fSize), "00000x00002\x00")
		setChecksum(&h)
		img := bytes.Clone(two)
		copy(img[second:], h[:])
		formatErrorAt(t, img, second, "bad numeric field size")
	})
	t.Run("negative base-256", func(t *testing.T) {
		h := rawHeader("a.elf", typeRegular, 0)
		copy(h.get(fSize), bytes.Repeat([]byte{0xff}, fSize.len))
		setChecksum(&h)
		formatErrorAt(t, padPages(append(h[:], endBlocks...)), 0, "bad numeric field size")
	})
	t.Run("pax malformed", func(t *testing.T) {
		for _, data := range []string{"99 path=x\n", "5 path=x\n", "x path=x\n", "10 pathxxx\n", "9 path=x\n\n", "10 path=xy", "11 size=-3\n"} {
			img := rawEntry(rawHeader("pax", typePAXLocal, int64(len(data))), []byte(data))
			img = append(img, rawEntry(rawHeader("f", typeRegular, 1), []byte("f"))...)
			formatErrorAt(t, padPages(append(img, endBlocks...)), 0, "pax")
		}
	})
	t.Run("beyond device", func(t *testing.T) {
		img := rawEntry(rawHeader("a.elf", typeRegular, 5000), make([]byte, 5000))
		formatErrorAt(t, img[:PageSize], 0, "pad the image to a multiple of 4 KiB")
		// The data ends inside a page the device does not have whole.
		img = append(rawEntry(rawHeader("x", typeRegular, 1), []byte("x")), rawEntry(rawHeader("b.elf", typeRegular, 4000), make([]byte, 4000))...)
		formatErrorAt(t, img[:PageSize], BlockSize*2, "tar -b 8")
	})
	t.Run("too many entries", func(t *testing.T) {
		dir := rawHeader("d/", typeDir, 0)
		img := bytes.Repeat(dir[:], MaxEntries+1)
		formatErrorAt(t, padPages(img), MaxEntries*BlockSize, "more than 4096")
	})
	t.Run("long name", func(t *testing.T) {
		pax := paxData("path", strings.Repeat("n", MaxNameLen+1))
		img := rawEntry(rawHeader("pax", typePAXLocal, int64(len(pax))), pax)
		off := int64(len(img))
		img = append(img, rawEntry(rawHeader("f", typeRegular, 0), nil)...)
		formatErrorAt(t, padPages(append(img, endBlocks...)), off, "longer than 4096")
		gnu := strings.Repeat("n", MaxNameLen+1)
		img = rawEntry(rawHeader("L", typeGNULong, int64(len(gnu))), []byte(gnu))
		off = int64(len(img))
		img = append(img, rawEntry(rawHeader("f", typeRegular, 0), nil)...)
		formatErrorAt(t, padPages(append(img, endBlocks...)), off, "longer than 4096")
		img = rawEntry(rawHeader("L", typeGNULong, int64(len(gnu))+1), []byte(gnu+"x"))
		formatErrorAt(t, padPages(append(img, endBlocks...)), 0, "longer than 4096")
	})
}

func TestDeviceErrors(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	img := makeTar(t, tar.FormatUSTAR, []member{
		{name: "a.elf", data: randomBytes(rng, 3*PageSize)},
		{name: "b.elf", data: randomBytes(rng, 100)},
	})
	d := newDevice(img)
	d.fail = 3 // b.elf's header: 512 + 3 pages of data
	_, err := Open(d)
	var de *DeviceError
	if !errors.As(err, &de) || de.Page != 3 || !errors.Is(err, errInjected) {
		t.Fatalf("Open error %v, want a *DeviceError for page 3", err)
	}
	d.fail = -1
	a, err := Open(d)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := a.Lookup("a")
	d.fail = 2
	buf := make([]byte, 3*PageSize)
	n, err := f.ReadAt(buf, 0)
	if !errors.As(err, &de) || de.Page != 2 || !strings.Contains(err.Error(), "page 2") {
		t.Fatalf("ReadAt error %v, want a *DeviceError for page 2", err)
	}
	if n != 2*PageSize-BlockSize {
		t.Errorf("ReadAt read %d bytes before the failing page, want %d", n, 2*PageSize-BlockSize)
	}
}

func TestStats(t *testing.T) {
	rng := rand.New(rand.NewSource(11))
	img := makeTar(t, tar.FormatUSTAR, []member{
		{name: "a.elf", data: randomBytes(rng, 100)},
		{name: "b.elf", data: randomBytes(rng, 200)},
		{name: "c.elf", data: randomBytes(rng, 300)},
	})
	a, d := mustOpen(t, img)
	s := a.Stats()
	if s.HeaderPages < 1 || s.HeaderPages > 2 || s.PagesRead != s.HeaderPages || d.reads.Load() != s.PagesRead {
		t.Errorf("after Open of 3 small files: %+v, device reads %d; want 1-2 pages", s, d.reads.Load())
	}

	big := randomBytes(rng, 20*PageSize)
	a, d = mustOpen(t, makeTar(t, tar.FormatPAX, []member{{name: "big.elf", data: big}}))
	f, _ := a.Lookup("big")
	aligned := (PageSize - f.off%PageSize) % PageSize
	ref := bytes.NewReader(big)
	for _, c := range []struct {
		off   int64
		n     int
		pages uint64
	}{
		{aligned, PageSize, 1},
		{aligned + PageSize, PageSize, 1},
		{aligned + 1, PageSize, 2},
		{aligned + PageSize - 1, PageSize, 2},
		{aligned + 100, PageSize - 200, 1},
		{aligned, 4 * PageSize, 4},
		{aligned + 7, 4 * PageSize, 5},
	} {
		before := a.Stats().PagesRead
		a.valid = false // start each case with an empty cache
		checkReadAt(t, f, ref, c.off, c.n)
		if got := a.Stats().PagesRead - before; got != c.pages {
			t.Errorf("ReadAt(%d, off %d) read %d pages, want %d", c.n, c.off, got, c.pages)
		}
		if direct := (c.off-aligned)%PageSize == 0 && c.n%PageSize == 0; direct && a.valid {
			t.Errorf("ReadAt(%d, off %d) of whole aligned pages went through the cache page", c.n, c.off)
		}
	}
	if d.reads.Load() != a.Stats().PagesRead {
		t.Errorf("device reads %d, Stats %d", d.reads.Load(), a.Stats().PagesRead)
	}
	// Open read the header's page and the end block's.
	if a.Stats().HeaderPages != 2 {
		t.Errorf("HeaderPages %d, want 2", a.Stats().HeaderPages)
	}
}

func TestConcurrentReadAt(t *testing.T) {
	rng := rand.New(rand.NewSource(13))
	members, want := formatMembers(rng, tar.FormatPAX)
	a, _ := mustOpen(t, makeTar(t, tar.FormatPAX, members))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			checkContents(t, a, want, rand.New(rand.NewSource(int64(g))))
		})
	}
	wg.Wait()
}

func TestNegativeOffset(t *testing.T) {
	a, _ := mustOpen(t, makeTar(t, tar.FormatUSTAR, []member{{name: "a", data: []byte("abc")}}))
	f := a.Files()[0]
	if n, err := f.ReadAt(make([]byte, 1), -1); n != 0 || err == nil || err == io.EOF {
		t.Errorf("ReadAt(-1) = %d, %v", n, err)
	}
}

// TestGNUTar reads back an archive written by the tar program the way the
// build writes programs.tar.
func TestGNUTar(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("tar not on PATH")
	}
	dir := t.TempDir()
	rng := rand.New(rand.NewSource(17))
	want := map[string][]byte{}
	var args []string
	for i, size := range []int{0, 1, 511, 512, 513, 4096, 70001, 123456} {
		name := "prog" + string(rune('a'+i)) + ".elf"
		want[name] = randomBytes(rng, size)
		if err := os.WriteFile(filepath.Join(dir, name), want[name], 0o755); err != nil {
			t.Fatal(err)
		}
		args = append(args, name)
	}
	out := filepath.Join(t.TempDir(), "programs.tar")
	cmd := exec.Command("tar", append([]string{"-b", "8", "--format=ustar", "-cf", out, "-C", dir}, args...)...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, msg)
	}
	img, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(img)%PageSize != 0 {
		t.Fatalf("tar -b 8 wrote %d bytes, not a multiple of 4 KiB", len(img))
	}
	a, _ := mustOpen(t, img)
	checkContents(t, a, want, rng)
}
