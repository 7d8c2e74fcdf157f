#!/usr/bin/env bash
# scripts/fuzz.sh LOG COMMAND...: run a fuzz boot (make fuzz runs
# `make qemu RUN=build/<arch>/fuzz/fuzz-N-S.elf`), keep its console in LOG,
# and check what it must show (docs/reliability.md, "Fuzzing"):
#
#   - no kernel panic: the kernel reached its normal power-off and QEMU
#     exited 0 (a panic prints panic: and a backtrace and exits non-zero);
#   - the fuzz task made every call (its PASS fuzz line) and exited 0;
#   - the kernel's frames line: the vm's free frames and the page-table
#     frames after the program equal their numbers before it.
#
# It prints one summary line and exits 0 only if all hold.
set -uo pipefail
log=$1
shift
SECONDS=0
"$@" 2>&1 | tee "$log" | grep -a --line-buffered -E '^(fuzz: |PASS fuzz|FAIL|task run\[1\]: [^k]|frames:|end of command line|panic:)'
status=${PIPESTATUS[0]}
secs=$SECONDS

fail=()
[ "$status" -eq 0 ] || fail+=("QEMU exited $status")
grep -aq '^end of command line: powering off$' "$log" || fail+=("no normal power-off: the kernel did not survive")
pass=$(grep -a '^PASS fuzz: ' "$log" | tail -1)
[ -n "$pass" ] || fail+=("no PASS fuzz line")
task=$(grep -a '^task run\[1\]: ' "$log" | tail -1)
echo "$task" | grep -q 'exit 0 after' || fail+=("the fuzz task did not exit 0")
frames=$(grep -a '^frames: .* free after run' "$log" | tail -1)
if [[ "$frames" =~ ^frames:\ ([0-9]+)\ free\ after\ run,\ ([0-9]+)\ before\;\ page-table\ frames:\ ([0-9]+)\ free\ after,\ ([0-9]+)\ before$ ]]; then
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] || fail+=("vm frames: ${BASH_REMATCH[1]} free after, ${BASH_REMATCH[2]} before")
	[ "${BASH_REMATCH[3]}" = "${BASH_REMATCH[4]}" ] || fail+=("page-table frames: ${BASH_REMATCH[3]} free after, ${BASH_REMATCH[4]} before")
else
	fail+=("no frames line")
fi
kills=$(echo "$task" | sed -n 's/.* \([0-9]*\) kills:.*/\1/p')

echo "make fuzz: ${pass#PASS fuzz: }"
echo "make fuzz: ${secs} s wall; ${kills:-?} tasks killed; kernel panics: $([ "$status" -eq 0 ] && grep -aq '^end of command line: powering off$' "$log" && echo 0 || echo 1); ${frames:-no frames line}"
echo "make fuzz: console in $log"
if [ ${#fail[@]} -gt 0 ]; then
	printf 'make fuzz: FAIL: %s\n' "${fail[@]}"
	exit 1
fi
echo "make fuzz: PASS"
