#!/usr/bin/env bash
# Floods loopback with small UDP datagrams (iperf3 -u -l 64, unlimited rate) and
# measures, in one run, the workload's packet rate with no capture, under
# `tcpdump -i lo -w`, and under `pidcap -w`; how many packets each captured
# against those sent (records per datagram: one for each, as a datagram from
# one local process to another is one packet); and what each dropped. Prints
# medians over ROUNDS runs and ratios against the uncaptured rate, each
# tool's peak memory (RSS), and the CPU time the tool's own process took per
# thousand records it wrote (user and system; the BPF programs run in the
# workload's processes and show in its rate instead). Not a test: the machine
# is shared and noisy, so compare ratios measured in the same run, not
# absolute figures.
#
#   sudo bash bench/udp_flood.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
pidcap=${PIDCAP:-./pidcap}
port=5299
# The idle process a capture of one process selects (its own argument, to
# find it again).
idle_seconds=86399
dir=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null || true
	pkill -f "sleep $idle_seconds" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

for tool in iperf3 tcpdump python3 "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 &
server=$!
sleep 0.5

# One workload run; prints "sent_packets rate_pps".
workload() {
	iperf3 -c 127.0.0.1 -p $port -u -l 64 -b 0 -t "$seconds" -J >"$dir/iperf.json"
	python3 - "$dir/iperf.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum"]
print(d["packets"], round(d["packets"] / d["seconds"]))
PY
}

# Runs the workload under a capture tool; prints "sent rate captured dropped
# peak_rss_kib cpu_ticks" (the tool's VmHWM and utime + stime just before it
# is stopped).
under() {
	local log="$dir/capture.log"
	"$@" 2>"$log" &
	local cap=$!
	for _ in $(seq 100); do
		grep -qE 'listening on|capturing' "$log" && break
		sleep 0.1
	done
	local result
	result=$(workload)
	sleep 0.5
	local hwm ticks
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$cap/status")
	# (fields 14 and 15 of stat; the command name before them may hold spaces)
	ticks=$(sed 's/.*) //' "/proc/$cap/stat" | awk '{ print $12 + $13 }')
	kill -INT $cap
	wait $cap || true
	local captured dropped
	captured=$(grep -oE '^[0-9]+ packets captured' "$log" | grep -oE '^[0-9]+')
	dropped=$(grep -oE '^[0-9]+ packets dropped by kernel' "$log" | grep -oE '^[0-9]+')
	echo "$result $captured $dropped $hwm $ticks"
	pkill -f "sleep $idle_seconds" 2>/dev/null || true
}


median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# CPU microseconds per thousand records, from clock ticks.
per_thousand() { awk -v t="$1" -v c="$2" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%d", c ? t * 1e6 / hz / c * 1000 : 0 }'; }

declare -A rate sent captured dropped rss cpu
for round in $(seq "$rounds"); do
	read -r s r <<<"$(workload)"
	rate[none]+="$r "; sent[none]+="$s "
	read -r s r c d m t <<<"$(under tcpdump -i lo -w "$dir/t.pcap")"
	rate[tcpdump]+="$r "; sent[tcpdump]+="$s "; captured[tcpdump]+="$c "; dropped[tcpdump]+="$d "
	rss[tcpdump]+="$m "; cpu[tcpdump]+="$(per_thousand "$t" "$c") "
	read -r s r c d m t <<<"$(under "$pidcap" -w "$dir/p.pcapng")"
	rate[pidcap]+="$r "; sent[pidcap]+="$s "; captured[pidcap]+="$c "; dropped[pidcap]+="$d "
	rss[pidcap]+="$m "; cpu[pidcap]+="$(per_thousand "$t" "$c") "
	# One idle process captured: as a command (its own cgroup), and by pid
	# (the programs run machine-wide and pass over every other packet).
	read -r s r c d m _ <<<"$(under "$pidcap" -w "$dir/c.pcapng" -- sleep $idle_seconds)"
	rate[idle_cmd]+="$r "; sent[idle_cmd]+="$s "; captured[idle_cmd]+="$c "; dropped[idle_cmd]+="$d "
	rss[idle_cmd]+="$m "
	sleep $idle_seconds &
	idle=$!
	read -r s r c d m _ <<<"$(under "$pidcap" -w "$dir/i.pcapng" --pid $idle)"
	kill $idle 2>/dev/null || true
	rate[idle_pid]+="$r "; sent[idle_pid]+="$s "; captured[idle_pid]+="$c "; dropped[idle_pid]+="$d "
	rss[idle_pid]+="$m "
	echo "round $round done" >&2
done

med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
base=$(med "${rate[none]}")
printf '%-10s %14s %9s %14s %14s %10s %12s %9s %10s\n' mode "datagrams/s" "ratio" "sent" \
	"captured" "dropped" "records/dgram" "peak RSS" "CPU/1000"
printf '%-10s %14s %9s %14s %14s %10s %12s %9s %10s\n' none "$base" 1.00 "$(med "${sent[none]}")" \
	- - - - -
for mode in tcpdump pidcap idle_cmd idle_pid; do
	r=$(med "${rate[$mode]}")
	s=$(med "${sent[$mode]}")
	c=$(med "${captured[$mode]}")
	d=$(med "${dropped[$mode]}")
	m=$(med "${rss[$mode]}")
	u=-
	[ -n "${cpu[$mode]:-}" ] && u="$(med "${cpu[$mode]}") us"
	printf '%-10s %14s %9s %14s %14s %10s %12s %9s %10s\n' "$mode" "$r" "$(awk -v a="$r" -v b="$base" 'BEGIN { printf "%.2f", a / b }')" \
		"$s" "$c" "$d" "$(awk -v c="$c" -v d="$d" -v s="$s" 'BEGIN { printf "%.3f", (c + d) / s }')" \
		"$(awk -v k="$m" 'BEGIN { printf "%.1f MiB", k / 1024 }')" "$u"
done
awk -v p="$(med "${rate[pidcap]}")" -v t="$(med "${rate[tcpdump]}")" \
	'BEGIN { printf "pidcap -w keeps %.2f x the rate tcpdump -i lo -w keeps\n", p / t }'
echo "idle_cmd: pidcap -w -- sleep (an idle command); idle_pid: pidcap -w --pid (an idle process)"
# Attribution: with only iperf3 selected, a datagram pidcap could not
# attribute (pid 0) or attributed to anyone else would be missing.
read -r s r c d _ <<<"$(under "$pidcap" -w "$dir/a.pcapng" --comm iperf3)"
echo "attribution: pidcap --comm iperf3 kept $c packets for $s datagrams sent (1 per datagram expected," \
	"plus the control connection), dropped $d"
echo "medians of $rounds rounds of $seconds s; records/dgram = (captured + dropped) / sent: each"
echo "loopback datagram is one record for both, plus iperf3's control connection. CPU/1000: the"
echo "capture process's own CPU time (user + system) per thousand records it captured."
