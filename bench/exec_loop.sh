#!/usr/bin/env bash
# Runs a tight fork+exec loop (bench/execloop.c: fork, exec a program that exits
# at once, wait, repeat, for SECONDS) and measures, in one run, the loop's exec
# rate with no tracing, under `bpftrace -e 'tracepoint:sched:sched_process_exec
# { printf(...) }'`, and under `pidcap --no-packets --events exec`; how many of
# the loop's execs each one reported against those started; and what each
# dropped. Prints medians over ROUNDS runs and ratios against the untraced rate.
# Not a test: the machine is shared and noisy, so compare ratios measured in
# the same run, not absolute figures.
#
#   sudo bash bench/exec_loop.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
pidcap=${PIDCAP:-./pidcap}
child=exl_child  # the comm of every exec the loop makes
tracing=/sys/kernel/tracing
dir=$(mktemp -d)
mounted=
cap=
cleanup() {
	if [ -n "$cap" ]; then kill -INT "$cap" 2>/dev/null || true; wait "$cap" 2>/dev/null || true; fi
	if [ -n "$mounted" ]; then umount "$tracing" || true; fi
	rm -rf "$dir"
}
trap cleanup EXIT

for tool in cc bpftrace "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
"$pidcap" --help | grep -q -- --events || { echo "bench: $pidcap has no --events" >&2; exit 1; }

# A static binary keeps the dynamic loader out of each exec; fall back if
# there is no static libc. The loop execs itself under the name $child, and
# exl_ready (same binary) tells when a tracer sees execs.
cc -O2 -static -o "$dir/execloop" bench/execloop.c 2>/dev/null || cc -O2 -o "$dir/execloop" bench/execloop.c
ln -s execloop "$dir/$child"
ln -s execloop "$dir/exl_ready"

# bpftrace needs tracefs; it also wants RLIMIT_MEMLOCK raised, and only
# complains when it cannot be (the kernel charges BPF memory to the memcg).
if [ ! -d "$tracing/events" ]; then
	mount -t tracefs tracefs "$tracing"
	mounted=1
fi
ulimit -l unlimited 2>/dev/null || true

# One workload run; prints "started rate_per_second".
workload() {
	"$dir/execloop" "$seconds" "$dir/$child" | awk '{ print $1, int($1 / $2) }'
}

# Runs the workload under a tracer whose stdout or stderr says READY once it
# is running, setting s and r like workload; leaves the tracer's output in
# $dir/out and $dir/err.
under() {
	local ready=$1
	shift
	"$@" >"$dir/out" 2>"$dir/err" &
	cap=$!
	for _ in $(seq 100); do
		grep -qE "$ready" "$dir/out" "$dir/err" && break
		sleep 0.1
	done
	# Ready messages can come before the probe is attached: wait (up to 2 s)
	# until an exec of exl_ready shows in the output.
	for _ in $(seq 20); do
		"$dir/exl_ready"
		grep -qE '(^| )exl_ready($|\[)' "$dir/out" && break
		sleep 0.1
	done
	read -r s r <<<"$(workload)"
	sleep 0.5
	kill -INT $cap
	wait $cap || true
	cap=
}

# Sums the number in every match of $1 in $dir/out and $dir/err.
count() { cat "$dir/out" "$dir/err" | grep -oE "$1" | awk '{ gsub(/[^0-9]/, ""); n += $0 } END { print n + 0 }' || true; }

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

declare -A rate started captured events dropped
for round in $(seq "$rounds"); do
	read -r s r <<<"$(workload)"
	rate[none]+="$r "; started[none]+="$s "

	under '^Attaching' bpftrace -e 'tracepoint:sched:sched_process_exec { printf("%d %s\n", pid, comm); }'
	rate[bpftrace]+="$r "; started[bpftrace]+="$s "
	captured[bpftrace]+="$(awk -v c="$child" '$2 == c' "$dir/out" | wc -l) "
	events[bpftrace]+="$(grep -cE '^[0-9]+ ' "$dir/out" || true) "
	dropped[bpftrace]+="$(count 'Lost [0-9]+ events') "

	under capturing "$pidcap" --no-packets --events exec
	rate[pidcap]+="$r "; started[pidcap]+="$s "
	captured[pidcap]+="$(grep -cF " exec ${child}[" "$dir/out" || true) "
	events[pidcap]+="$(count '^[0-9]+ events captured') "
	dropped[pidcap]+="$(count '^[0-9]+ events dropped by kernel') "
	echo "round $round done" >&2
done

med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
base=$(med "${rate[none]}")
row() { printf '%-10s %10s %7s %10s %10s %10s %8s\n' "$@"; }
row mode "execs/s" ratio started captured "all events" dropped
row none "$base" 1.00 "$(med "${started[none]}")" - - -
for mode in bpftrace pidcap; do
	r=$(med "${rate[$mode]}")
	row "$mode" "$r" "$(awk -v a="$r" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
		"$(med "${started[$mode]}")" "$(med "${captured[$mode]}")" "$(med "${events[$mode]}")" \
		"$(med "${dropped[$mode]}")"
done
# Totals over all rounds, not medians: every exec started must be reported.
for mode in bpftrace pidcap; do
	read -r s c <<<"$(paste -d' ' <(tr ' ' '\n' <<<"${started[$mode]}") <(tr ' ' '\n' <<<"${captured[$mode]}") |
		awk '{ s += $1; c += $2 } END { print s, c }')"
	if [ "$s" -eq "$c" ]; then
		echo "$mode: every exec captured ($c of $s over $rounds rounds)"
	else
		echo "$mode: NOT every exec captured: $c of $s over $rounds rounds"
	fi
done
echo "medians of $rounds rounds of $seconds s; captured counts the loop's execs ($child), all events every"
echo "exec the tool reported (other processes' too); dropped is bpftrace's \"Lost N events\" and"
echo "pidcap's \"events dropped by kernel\"."
