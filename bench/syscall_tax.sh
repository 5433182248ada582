#!/usr/bin/env bash
# What a capture costs a process that touches no socket: a loop of getppid()
# system calls, measured in one run with no capture, under `tcpdump -i any -w`
# (the peer: it hooks no system call), under a default `pidcap -w` (every
# process), and under `pidcap -w --pid P` for an idle process P. Also how much
# one BPF program on one rarely used system-call tracepoint costs by itself
# (the kernel's slow path for every system call once any such tracepoint is
# attached), when bpftrace is there. Prints medians of ROUNDS rounds and
# ratios against the uncaptured rate. Not a test: the machine is shared and
# noisy, so compare ratios measured in the same run.
#
#   sudo bash bench/syscall_tax.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-3}
rounds=${2:-3}
pidcap=${PIDCAP:-./pidcap}
dir=$(mktemp -d)
idle=
cleanup() {
	[ -n "$idle" ] && kill "$idle" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

for tool in cc tcpdump "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

cat >"$dir/loop.c" <<'C'
/* getppid() for SECONDS seconds; prints the calls per second. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double start = now(), seconds = argc > 1 ? atof(argv[1]) : 3, t;
	unsigned long n = 0;

	do {
		for (int i = 0; i < 10000; i++)
			syscall(SYS_getppid); /* (not the libc wrapper: no caching) */
		n += 10000;
		t = now() - start;
	} while (t < seconds);
	printf("%.0f\n", n / t);
	return 0;
}
C
cc -O2 -o "$dir/loop" "$dir/loop.c"
sleep infinity &
idle=$!

# The loop's rate under a tool that says it is ready on stderr (nothing: no
# tool).
rate() {
	if [ $# -eq 0 ]; then
		"$dir/loop" "$seconds"
		return
	fi
	local log="$dir/tool.log"
	"$@" 2>"$log" &
	local tool=$!
	for _ in $(seq 300); do
		grep -qE 'listening on|capturing|Attaching' "$log" && break
		sleep 0.1
	done
	"$dir/loop" "$seconds"
	kill -INT $tool
	wait $tool 2>/dev/null || true
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

modes=(none tcpdump pidcap pidcap_idle)
command -v bpftrace >/dev/null && modes+=(one_tracepoint)
declare -A got
for round in $(seq "$rounds"); do
	got[none]+="$(rate) "
	got[tcpdump]+="$(rate tcpdump -i any -w "$dir/t.pcap") "
	got[pidcap]+="$(rate "$pidcap" -w "$dir/p.pcapng") "
	got[pidcap_idle]+="$(rate "$pidcap" -w "$dir/i.pcapng" --pid "$idle") "
	if command -v bpftrace >/dev/null; then
		got[one_tracepoint]+="$(rate bpftrace -e \
			'tracepoint:syscalls:sys_enter_acct { @n = count(); }') "
	fi
	echo "round $round done" >&2
done

base=$(tr ' ' '\n' <<<"${got[none]}" | grep . | median)
printf '%-34s %14s %7s\n' capture "getppid()/s" ratio
for mode in "${modes[@]}"; do
	m=$(tr ' ' '\n' <<<"${got[$mode]}" | grep . | median)
	case $mode in
	none) label="no capture" ;;
	tcpdump) label="tcpdump -i any -w" ;;
	pidcap) label="pidcap -w" ;;
	pidcap_idle) label="pidcap -w --pid IDLE" ;;
	one_tracepoint) label="bpftrace on sys_enter_acct only" ;;
	esac
	printf '%-34s %14.0f %7.2f\n' "$label" "$m" "$(echo "$m / $base" | bc -l)"
done
echo "medians of $rounds rounds of $seconds s"
[ -n "${got[one_tracepoint]:-}" ] || echo "(bpftrace missing: the cost of one system-call tracepoint is not measured)"
