#!/usr/bin/env bash
# scripts/fetch-linux.sh ARCH: fetch Debian 12's cloud kernel for ARCH
# (amd64 or arm64) from the Debian archive with apt and unpack it under
# build/linux/ARCH/; print the path of its vmlinuz on stdout. make
# bench-linux (scripts/bench-linux.sh) boots it with tasks/bench as /init.
#
# The package is what the bookworm metapackage linux-image-cloud-ARCH
# depends on (linux-image-6.1.0-N-cloud-ARCH); `apt-get download` fetches
# its .deb without installing it and `dpkg-deb -x` unpacks it. For a
# foreign ARCH, dpkg must know the architecture: as root the script adds it
# (dpkg --add-architecture ARCH; apt-get update), as it would for any
# cross package. Nothing comes from outside the Debian archive, and
# nothing is installed.
#
# When apt cannot fetch the package, the script prints one line saying why
# on stderr and exits 1.
set -uo pipefail
cd "$(dirname "$0")/.."

arch=${1:-amd64}
case "$arch" in
amd64 | arm64) ;;
*)
	echo "fetch-linux: ARCH must be amd64 or arm64, not $arch" >&2
	exit 2
	;;
esac
dir=build/linux/$arch
skip() {
	echo "skip: Linux for $arch: $*" >&2
	exit 1
}

# Already unpacked: the newest vmlinuz there.
if k=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1) && [ -n "$k" ]; then
	echo "$k"
	exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || skip "apt-get or dpkg-deb is missing (not Debian?)"

host=$(dpkg --print-architecture)
if [ "$arch" != "$host" ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	[ "$(id -u)" = 0 ] || skip "dpkg does not know $arch: run 'sudo dpkg --add-architecture $arch && sudo apt-get update'"
	{ dpkg --add-architecture "$arch" && apt-get update -qq; } >/dev/null 2>&1 || skip "dpkg --add-architecture $arch; apt-get update failed"
fi

meta=linux-image-cloud-$arch
# The bookworm (Debian 12) version of the metapackage, not backports'.
ver=$(apt-cache madison "$meta:$arch" 2>/dev/null | awk -F'|' '$3 ~ /bookworm\/main|bookworm-updates\/main|bookworm-security/ {gsub(/ /,"",$2); print $2; exit}')
[ -n "$ver" ] || skip "apt knows no bookworm $meta:$arch (apt-get update?)"
pkg=$(apt-cache show "$meta:$arch=$ver" 2>/dev/null | sed -n 's/^Depends: *\(linux-image-[^ ,]*\).*/\1/p' | head -1)
[ -n "$pkg" ] || skip "cannot tell which kernel $meta $ver depends on"

mkdir -p "$dir"
(cd "$dir" && apt-get download -q "$pkg:$arch" >/dev/null 2>&1) || skip "apt-get download $pkg:$arch failed"
deb=$(ls "$dir"/"${pkg}"_*_"$arch".deb 2>/dev/null | head -1)
[ -n "$deb" ] || skip "apt-get download left no $pkg .deb in $dir"
rm -rf "$dir/root"
dpkg-deb -x "$deb" "$dir/root" || skip "dpkg-deb -x $deb failed"
echo "fetch-linux: $(basename "$deb") (from $meta $ver) unpacked into $dir/root" >&2
k=$(ls "$dir"/root/boot/vmlinuz-* 2>/dev/null | sort -V | tail -1)
[ -n "$k" ] || skip "$deb has no boot/vmlinuz-*"
echo "$k"
