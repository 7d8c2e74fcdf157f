package tarfs

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"math/rand"
	"strings"
	"testing"
)

// fuzzSeeds are valid archives in each format and damaged copies of them.
func fuzzSeeds(f *testing.F) [][]byte {
	rng := rand.New(rand.NewSource(19))
	small := []member{
		{name: "a.elf", data: randomBytes(rng, 700)},
		{name: "d/", typ: tar.TypeDir},
		{name: strings.Repeat("long/", 30) + "b.elf", data: randomBytes(rng, 5000)},
	}
	var seeds [][]byte
	for _, format := range []tar.Format{tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU} {
		m := small
		if format == tar.FormatUSTAR {
			m = small[:2]
		}
		seeds = append(seeds, makeTar(f, format, m))
	}
	damaged := bytes.Clone(seeds[1])
	damaged[BlockSize+7] ^= 0x40 // the pax record or the next header
	seeds = append(seeds, damaged, seeds[2][:PageSize], make([]byte, PageSize))
	h := rawHeader("b256", typeRegular, 0)
	clear(h.get(fSize))
	h.get(fSize)[0] = base256Flag
	h.get(fSize)[fSize.len-1] = 9
	setChecksum(&h)
	return append(seeds, padPages(rawEntry(h, []byte("123456789"))))
}

// FuzzOpen opens arbitrary device contents. Open must not panic; when it
// succeeds every file must lie on the device and read back Size bytes
// following io.ReaderAt.
func FuzzOpen(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := newDevice(data)
		a, err := Open(d)
		if err != nil {
			var fe *FormatError
			if !errors.Is(err, ErrNotArchive) && !errors.As(err, &fe) {
				t.Fatalf("Open error %v of an unexpected kind", err)
			}
			return
		}
		devBytes := int64(d.Pages()) * PageSize
		for i, file := range a.Files() {
			if i > 0 && a.Files()[i-1].Name >= file.Name {
				t.Fatalf("Files not sorted: %q before %q", a.Files()[i-1].Name, file.Name)
			}
			if g, ok := a.Lookup(file.Name); !ok || g != file {
				t.Fatalf("Lookup(%q) did not find it", file.Name)
			}
			if file.Size < 0 || file.off+file.Size > devBytes {
				t.Fatalf("%s: [%d,+%d) outside the %d-byte device", file.Name, file.off, file.Size, devBytes)
			}
			fuzzReads(t, file)
		}
	})
}

// fuzzReads reads file at a few offsets and checks counts and errors.
func fuzzReads(t *testing.T, file *File) {
	for _, off := range []int64{0, 1, file.Size / 2, file.Size - 1, file.Size, file.Size + 1} {
		if off < 0 {
			continue
		}
		for _, n := range []int{0, 1, PageSize, PageSize + 3} {
			p := make([]byte, n)
			got, err := file.ReadAt(p, off)
			want := int64(n)
			if rem := file.Size - off; rem < want {
				want = max(rem, 0)
			}
			if int64(got) != want {
				t.Fatalf("%s: ReadAt(%d, off %d) = %d bytes, want %d", file.Name, n, off, got, want)
			}
			wantEOF := int64(n) > want || off >= file.Size
			if (err == io.EOF) != wantEOF || (err != nil && err != io.EOF) {
				t.Fatalf("%s: ReadAt(%d, off %d) error %v, want EOF %v", file.Name, n, off, err, wantEOF)
			}
		}
	}
}
