#!/usr/bin/env bash
# scripts/check-labs.sh: what .ci/run checks of the coursework labs
# (docs/labs/README.md). For every lab: the reference tree scores full, and
# the student skeleton builds (host and both kernels) and scores less than
# full on its host tests alone (GRADE_HOST_ONLY: booting every skeleton
# would only show the stubs' panics again, at minutes a lab), while the host
# tests of every package that does not reach the lab's code still pass
# there (go test -short: the quick form of each).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for lab in $(go run ./cmd/lab list | awk '{print $1}'); do
	echo "=== lab $lab: reference tree"
	if ! make --no-print-directory grade LAB="$lab"; then
		echo "labs: FAIL: the reference tree does not score full on lab $lab"
		status=1
	fi
	echo "=== lab $lab: skeleton"
	make --no-print-directory lab-skeleton LAB="$lab" DEST="$tmp/$lab"
	if ! (cd "$tmp/$lab" && make -s --no-print-directory kernel ARCH=amd64 >/dev/null && make -s --no-print-directory kernel ARCH=arm64 >/dev/null); then
		echo "labs: FAIL: the $lab skeleton's kernels do not build"
		status=1
	fi
	pkgs=$(go run ./cmd/lab unaffected "$lab")
	if ! (cd "$tmp/$lab" && go test -short -count=1 $pkgs >"$tmp/$lab.test" 2>&1); then
		grep -E '^(FAIL|---)' "$tmp/$lab.test" | head -20
		echo "labs: FAIL: in the $lab skeleton, tests of packages that do not reach the lab's code fail"
		status=1
	fi
	out=$(cd "$tmp/$lab" && GRADE_HOST_ONLY=1 make --no-print-directory grade LAB="$lab" 2>&1 || true)
	echo "$out" | grep -E '^(PASS|FAIL|host tests|score)'
	host=$(echo "$out" | sed -n 's/^host tests: \([0-9]*\)\/\([0-9]*\)$/\1 \2/p')
	if [ -z "$host" ] || [ "${host% *}" -ge "${host#* }" ]; then
		echo "labs: FAIL: the $lab skeleton's host tests score full (or did not run): a stub succeeds somewhere"
		status=1
	fi
	rm -rf "${tmp:?}/$lab"
done
exit $status
