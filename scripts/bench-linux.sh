#!/usr/bin/env bash
# scripts/bench-linux.sh ARCH BENCH_ELF LOG: boot Debian 12's cloud kernel
# (scripts/fetch-linux.sh) under QEMU with the tasks/bench binary as /init
# of an initramfs, with the QEMU machine and flags tamach's board boots
# with (make print-qemu-flags) and -icount shift=0,sleep=off, and write
# the console to LOG for cmd/benchtable. make bench-linux runs it.
#
# The initramfs is a cpio archive in the "new" (SVR4, newc) format the
# kernel unpacks into its rootfs (Documentation/filesystems/
# ramfs-rootfs-initramfs.rst): /init and the /dev/console node the kernel
# opens as init's standard output. bench powers the machine off when it is
# done (reboot(2), LINUX_REBOOT_CMD_POWER_OFF); panic=-1 with -no-reboot
# ends QEMU if it fails instead.
#
# When the kernel cannot be fetched the script prints one line and exits 0
# without writing LOG: the table then has tamach's column only.
set -uo pipefail
cd "$(dirname "$0")/.."

arch=$1 elf=$2 log=$3
command -v cpio >/dev/null || { echo "skip: Linux for $arch: cpio is missing (apt-get install cpio)" >&2; exit 0; }
kernel=$(scripts/fetch-linux.sh "$arch") || exit 0
[ -f "$elf" ] || { echo "bench-linux: missing $elf (make tasks ARCH=$arch)" >&2; exit 1; }

dir=build/linux/$arch
root=$dir/initramfs
rm -rf "$root" && mkdir -p "$root/dev" || exit 1
cp "$elf" "$root/init" && chmod 755 "$root/init" || exit 1
if ! mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null; then
	echo "bench-linux: cannot mknod dev/console (root needed): no console for /init" >&2
	exit 1
fi
# The virtio block driver, for the swap disk of the paging measurement
# (tasks/bench/linuxpressure.go loads them in this order).
mkdir -p "$root/lib/modules"
for m in virtio_ring virtio virtio_mmio virtio_blk; do
	ko=$(find "$dir"/root/lib/modules -name "$m.ko" | head -1)
	[ -n "$ko" ] && cp "$ko" "$root/lib/modules/"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$dir/initramfs.cpio" || exit 1

# The swap disk: 64 MiB of zeros as tamach's (boot/virtio/swap.mk), made
# once; snapshot=on keeps the guest's writes out of the file.
swap=build/linux/swap-64M.img
if [ ! -f "$swap" ]; then
	qemu-img create -q -f raw "$swap.$$" 64M && mv -f "$swap.$$" "$swap" || exit 1
fi
disk="-drive file=$swap,if=none,format=raw,id=swap0,snapshot=on -device virtio-blk-device,drive=swap0"

case "$arch" in
amd64) console=ttyS0 ;;
arm64) console=ttyAMA0 ;;
esac
qemu=$(make -s --no-print-directory print-qemu ARCH="$arch")
flags=$(make -s --no-print-directory print-qemu-flags ARCH="$arch")
board=$(make -s --no-print-directory print-board ARCH="$arch")
echo "bench-linux: booting $(basename "$kernel") on $board with tasks/bench as /init (console in $log)"
# shellcheck disable=SC2086 # flags are words
timeout 900 "$qemu" $flags $disk -no-reboot -kernel "$kernel" -initrd "$dir/initramfs.cpio" \
	-append "console=$console panic=-1" -icount shift=0,sleep=off >"$log" 2>&1
status=$?
if ! grep -q '^PASS bench: null system call' "$log"; then
	echo "bench-linux: no bench results from Linux (QEMU exit $status); console tail:" >&2
	tail -20 "$log" >&2
	exit 1
fi
