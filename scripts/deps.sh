#!/usr/bin/env bash
# scripts/deps.sh: install what building and booting tamach needs, once.
# The Makefile (make qemu, make kernel, make test, ...) and .ci/run both call
# it, so a fresh machine sets itself up on first use.
#
#   scripts/deps.sh qemu        QEMU 10 (qemu-system-x86_64, qemu-system-aarch64,
#                               qemu-img) and gdb-multiarch, from Debian
#   scripts/deps.sh toolchain   the TamaGo Go distribution go.mod pairs with
#   scripts/deps.sh all         both
#
# Options:
#   --soft   a missing piece that cannot be installed is reported in one line
#            and the script still succeeds (make test: boot tests then skip)
#
# QEMU comes from Debian's bookworm-backports suite on Debian 12 (QEMU 10.0:
# the first Debian QEMU with the i.MX 8M Plus EVK machine, imx8mp-evk; every
# QEMU package from the same suite, so the shared data packages agree), and
# from the distribution's own suite on newer Debian. Installing needs root;
# otherwise the script prints the one command to run with sudo.
#
# The toolchain is installed by `go tool tamago` itself (it clones
# github.com/usbarmory/tamago-go at the tag matching the tamago module and
# builds it into the user cache directory: a few minutes).
set -uo pipefail
cd "$(dirname "$0")/.."

soft=0
what=()
for a in "$@"; do
	case "$a" in
	--soft) soft=1 ;;
	qemu | toolchain | all) what+=("$a") ;;
	*)
		echo "deps: unknown argument $a (qemu, toolchain, all, --soft)" >&2
		exit 2
		;;
	esac
done
[ ${#what[@]} -gt 0 ] || what=(all)

# fail reports a missing piece in one line; with --soft it is not an error.
fail() {
	echo "deps: $*"
	[ "$soft" = 1 ] && return 0
	exit 1
}

# qemuCurrent: QEMU binaries present and new enough for every board
# (imx8mp-evk appeared in QEMU 9.2).
qemuCurrent() {
	command -v qemu-system-x86_64 >/dev/null &&
		command -v qemu-system-aarch64 >/dev/null &&
		command -v qemu-img >/dev/null &&
		command -v gdb-multiarch >/dev/null &&
		qemu-system-aarch64 -machine help 2>/dev/null | grep -q '^imx8mp-evk '
}

qemuPackages=(qemu-system-x86 qemu-system-arm qemu-utils gdb-multiarch)

installQEMU() {
	qemuCurrent && return 0
	local codename="" suite=""
	[ -r /etc/os-release ] && codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	if [ "$codename" = bookworm ]; then
		suite=bookworm-backports
	fi
	local cmd="apt-get install -y ${suite:+-t $suite }${qemuPackages[*]}"
	if [ "$(id -u)" != 0 ]; then
		if [ -n "$suite" ]; then
			fail "QEMU 10 is missing: run 'sudo scripts/deps.sh qemu' (adds Debian's $suite suite, then $cmd)"
		else
			fail "QEMU 10 is missing: run 'sudo $cmd'"
		fi
		return
	fi
	if ! command -v apt-get >/dev/null; then
		fail "QEMU 10 is missing and this is not a Debian system: install qemu-system-x86_64, qemu-system-aarch64 (9.2 or later), qemu-img and gdb-multiarch"
		return
	fi
	echo "deps: installing QEMU${suite:+ from $suite} (${qemuPackages[*]}): about two minutes"
	export DEBIAN_FRONTEND=noninteractive
	if [ -n "$suite" ] && ! grep -rqs "$suite" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		cat >/etc/apt/sources.list.d/tamach-$suite.sources <<-EOF
			Types: deb
			URIs: http://deb.debian.org/debian
			Suites: $suite
			Components: main
			Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
		EOF
	fi
	if ! apt-get update -qq >/tmp/tamach-deps-apt.log 2>&1 ||
		! apt-get install -y -qq ${suite:+-t "$suite"} "${qemuPackages[@]}" >>/tmp/tamach-deps-apt.log 2>&1; then
		fail "installing QEMU failed (log: /tmp/tamach-deps-apt.log): run '$cmd' by hand"
		return
	fi
	qemuCurrent || fail "QEMU was installed but is older than 9.2 (no imx8mp-evk machine): $(qemu-system-aarch64 --version | head -1)"
}

installToolchain() {
	local goroot
	goroot=$(make -s --no-print-directory print-goroot 2>/dev/null)
	if [ -z "$goroot" ]; then
		fail "cannot ask the Makefile where the TamaGo toolchain goes"
		return
	fi
	[ -x "$goroot/bin/go" ] && return 0
	local tag
	tag=$(basename "$goroot")
	echo "deps: installing the TamaGo toolchain $tag into $goroot with 'go tool tamago' (clones github.com/usbarmory/tamago-go and builds it: about 6 minutes)"
	# A machine without access to GitHub fails at the clone; the timeout
	# keeps a stalled network from hanging make.
	if ! timeout 1800 go tool tamago version >/tmp/tamach-deps-tamago.log 2>&1 || [ ! -x "$goroot/bin/go" ]; then
		# go tool tamago leaves an empty directory behind a failed clone.
		rmdir "$goroot" 2>/dev/null
		fail "installing the TamaGo toolchain failed ($(grep -m1 -iE 'fatal|error|failed' /tmp/tamach-deps-tamago.log || tail -1 /tmp/tamach-deps-tamago.log)): install $tag into $goroot by hand (README.md, Prerequisites)"
		return
	fi
	echo "deps: installed $("$goroot/bin/go" version)"
}

for w in "${what[@]}"; do
	case "$w" in
	qemu) installQEMU ;;
	toolchain) installToolchain ;;
	all)
		installQEMU
		installToolchain
		;;
	esac
done
exit 0
