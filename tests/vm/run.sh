#!/usr/bin/env bash
# The kernel tests: boots each of Debian 12's kernels (the newest 6.1 and 6.12
# packages, fetched and unpacked, never installed) in QEMU and runs the suites
# that depend on the kernel inside: the BPF programs, the filter expressions
# and the end-to-end scenarios, with the binaries built on this machine.
# Prints one "N passed, N failed" line per kernel; exit status 0 only if no
# kernel had a failure. The kernels run side by side, one host thread each.
#   run.sh [KERNEL...]       KERNEL: 6.1, 6.12 (default: both)
# Environment: PIDCAP_BUILD (default build), PIDCAP_VM_DIR (kernels and logs,
# default $PIDCAP_BUILD/vm), E2E_TESTS (only the scenarios whose names contain
# one of these words), VM_TIMEOUT, VM_MEM, VM_CPUS (see boot.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PIDCAP_BUILD:-build}
vmdir=${PIDCAP_VM_DIR:-$build/vm}
bash scripts/install-deps.sh vm
for f in "$build/pidcap" "$build/test_packet_progs" "$build/test_filter" "$build/netpeer"; do
	[ -x "$f" ] || { echo "vm: $f is not built (make tests)" >&2; exit 1; }
done

# The VMs run a copy of the checkout taken now (binaries included), so that
# work on the tree can go on while they run.
mkdir -p "$vmdir"
snap=$(readlink -f "$vmdir")/checkout
rel=$(realpath --relative-to=. "$vmdir")
rm -rf "$snap"
mkdir -p "$snap"
tar -cf - --exclude="./$rel" . | tar -xf - -C "$snap"

job=$(mktemp)
trap 'rm -f "$job"' EXIT
cat > "$job" <<EOF
echo "kernel \$(uname -r), \$(nproc) CPUs"
PIDCAP_BUILD=$build E2E_TESTS="${E2E_TESTS:-}" bash tests/run.sh kernel
EOF

kernels=$(bash tests/vm/kernels.sh "$vmdir/kernels" "$@")

# One kernel's boot; its report goes to $out/report, its summary line to
# $out/summary.
test_kernel() {
	local name=$1 kdir=$2 out=$vmdir/out-$1 start rc=0 counts line fault
	start=$(date +%s)
	mkdir -p "$out"
	rm -f "$out/report" "$out/summary"
	bash "$snap/tests/vm/boot.sh" "$kdir" "$job" "$out" 2> "$out/boot.err" || rc=$?
	{
		cat "$out/boot.err"
		[ -e "$out/console.log" ] && sed 's/^/  /' "$out/console.log" |
			grep -E '^  (== |not ok|kernel |pidcap: warning)' || true
	} > "$out/report"
	# (|| true: the runner runs under set -e, and a guest that died has no counts)
	counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/console.log" 2>/dev/null | tail -1) || true
	line="$(cat "$kdir/package"): ${counts:-no result} in $(( $(date +%s) - start )) s"
	if [ -s "$out/faults" ]; then
		# (a boot whose kernel faulted was run again: the summary says so)
		fault=$(grep -h -m1 -o -E '(Oops|BUG|Kernel panic)[^[]*' "$(head -1 "$out/faults")") || true
		line="$line, in a second boot: the first one's kernel faulted (${fault:-see $out/faults})"
	fi
	if [ "$rc" -ne 0 ] || [ -z "$counts" ]; then
		line="$line (exit $rc)"
	fi
	echo "$line" > "$out/summary"
	[ "$rc" -eq 0 ] && [ -n "$counts" ]
}

# The kernels boot side by side: each guest is emulated on one host thread
# (boot.sh), so two of them keep a two-core machine busy.
pids=()
names=()
while read -r name kdir; do
	echo "== kernel $name: $(cat "$kdir/package"), booting (log: $vmdir/out-$name/console.log)"
	test_kernel "$name" "$kdir" &
	pids+=($!)
	names+=("$name")
done <<< "$kernels"

summary=()
failed=0
for i in "${!pids[@]}"; do
	name=${names[$i]}
	wait "${pids[$i]}" || failed=1
	out=$vmdir/out-$name
	cat "$out/report" 2>/dev/null || true
	line=$(cat "$out/summary" 2>/dev/null || echo "no result (its runner died)")
	echo "== kernel $name: $line"
	summary+=("$line")
done

echo
printf 'kernel tests: %s\n' "${summary[@]}"
exit $failed
