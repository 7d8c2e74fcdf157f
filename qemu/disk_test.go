//go:build !tamago

package qemu

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
)

// TestDiskSelfCheck attaches a raw image of random bytes as a virtio block
// device: the board's virtio-blk self-check writes, flushes and reads back
// its last page, and must leave the image exactly as it found it.
func TestDiskSelfCheck(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		Require(t, arch)
		img := filepath.Join(t.TempDir(), "disk.img")
		orig := make([]byte, 16<<20)
		rand.Read(orig)
		if err := os.WriteFile(img, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		res := Boot(t, Run{Arch: arch, Cmdline: "halt", Make: []string{"DISK=" + img}})
		res.Expect(t, `^selfcheck virtio-blk: ok \(.*virtio-blk@0x[0-9a-f]+: 4096 pages`, `^halt: powering off$`)
		res.ExpectExit(t, true)
		after, err := os.ReadFile(img)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(orig, after) {
			t.Fatal("the self-check changed the disk image")
		}
	})
}

// TestNoDiskPasses boots without a disk: the self-check must say so and pass.
func TestNoDiskPasses(t *testing.T) {
	forEachArch(t, func(t *testing.T, arch string) {
		res := Boot(t, Run{Arch: arch, Cmdline: "halt", Make: []string{"SWAP=", "PROGRAMS="}})
		res.Expect(t, `^selfcheck virtio-blk: ok \(no disk`)
		res.ExpectExit(t, true)
	})
}
