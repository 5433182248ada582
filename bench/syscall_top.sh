#!/usr/bin/env bash
# The cost of watching system calls: a busy loop of getppid() calls measured
# alone, under `pidcap top -b` and under the bpftrace one-liner people use for
# it (tracepoint:syscalls:sys_enter_* { @[probe] = count(); }), in one run.
# Prints medians over ROUNDS and ratios against the loop alone. Not a test:
# the machine is shared and noisy, compare ratios from the same run.
#
#   sudo bash bench/syscall_top.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
pidcap=${PIDCAP:-./pidcap}
dir=$(mktemp -d)
mounted=
cleanup() {
	pkill -INT -f "bpftrace -e tracepoint:syscalls" 2>/dev/null || true
	[ -n "$mounted" ] && umount /sys/kernel/tracing 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
for tool in cc bpftrace "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
if [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs tracefs /sys/kernel/tracing && mounted=1
fi
ulimit -l unlimited 2>/dev/null || true

cat >"$dir/loop.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	double secs = atof(argv[1]), t0, t;
	unsigned long long n = 0;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	do {
		for (int i = 0; i < 1000; i++)
			syscall(SYS_getppid);
		n += 1000;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t = ts.tv_sec + ts.tv_nsec / 1e9;
	} while (t - t0 < secs);
	printf("%.0f\n", n / (t - t0));
	return 0;
}
C
cc -O2 -o "$dir/loop" "$dir/loop.c"

# Runs the loop while "$@" watches; prints calls per second.
under() {
	local log="$dir/watch.log" ready=$1
	shift
	"$@" >"$dir/watch.out" 2>"$log" &
	local w=$!
	for _ in $(seq 100); do
		grep -q "$ready" "$log" "$dir/watch.out" 2>/dev/null && break
		sleep 0.1
	done
	"$dir/loop" "$seconds"
	kill -INT $w 2>/dev/null || true
	wait $w 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
none= top= bt=
for round in $(seq "$rounds"); do
	none+="$("$dir/loop" "$seconds") "
	top+="$(under counting "$pidcap" top -b -d 1) "
	bt+="$(under Attaching bpftrace -e 'tracepoint:syscalls:sys_enter_* { @[probe] = count(); }') "
	echo "round $round done" >&2
done
med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
base=$(med "$none")
printf '%-12s %14s %7s\n' mode "getppid()/s" ratio
printf '%-12s %14s %7s\n' none "$base" 1.00
for mode in top bt; do
	v=$(med "${!mode}")
	printf '%-12s %14s %7s\n' "$([ $mode = top ] && echo 'pidcap top' || echo bpftrace)" "$v" \
		"$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
done
echo "medians of $rounds rounds of $seconds s; bpftrace attaches one probe per system call"
