#!/usr/bin/env bash
# Floods loopback with small UDP datagrams (iperf3 -u -l 64, unlimited rate) and
# measures the workload's packet rate under `tcpdump -i lo -w`, under
# `pidcap -w`, under two captures of one idle process, and under the floor
# of any capture on pidcap's hooks (build/hook_floor, `make tests`): "hooks",
# the same kernel hooks with empty programs, and "hooks+rec", those plus one
# bare ring-buffer record per packet at each packet hook (so two for a
# loopback datagram, sent and received) that its loader reads; each run right
# after a run with no capture, and its ratio taken against that one, since the
# machine's own speed drifts from minute to minute. Also: how many packets
# each tool captured against those sent (records per datagram: one for each,
# as a datagram from one local process to another is one packet) and what
# each dropped; each tool's peak memory (RSS); the CPU time the tool's own
# process took per thousand records it wrote (user and system; the BPF
# programs run in the workload's processes and show in its rate instead); and
# what a capture costs the whole machine per datagram (its busy CPU time from
# /proc/stat, less that of the paired run with no capture). Prints medians
# over ROUNDS rounds. Not a test: the machine is shared and noisy, so compare
# ratios measured in the same run, not absolute figures.
#
#   sudo bash bench/udp_flood.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
pidcap=${PIDCAP:-./pidcap}
floor=${HOOK_FLOOR:-build/hook_floor}
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
[ -x "$floor" ] || { echo "bench: $floor is missing: run 'make tests' first" >&2; exit 1; }

# Another capture would tax every run, the uncaptured ones too: a packet
# socket (tcpdump's) or another pidcap's (or hook_floor's) packet programs.
others=$(awk 'NR > 1' /proc/net/packet | wc -l)
if [ "$others" -gt 0 ]; then
	echo "bench: $others packet sockets are open (another capture is running): stop it first" >&2
	exit 1
fi
if command -v bpftool >/dev/null && bpftool prog show 2>/dev/null | grep -qE 'name (packet|hook)_egress'; then
	echo "bench: another pidcap or hook_floor is capturing: stop it first" >&2
	exit 1
fi

iperf3 -s -B 127.0.0.1 -p $port >/dev/null 2>&1 &
server=$!
sleep 0.5

# The machine's busy CPU time so far, in clock ticks (user, nice, system,
# irq and softirq of all CPUs; not idle, iowait or steal).
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }

# One workload run; prints "sent_packets rate_pps busy_ns_per_datagram".
workload() {
	local b0 b1
	b0=$(busy_ticks)
	iperf3 -c 127.0.0.1 -p $port -u -l 64 -b 0 -t "$seconds" -J >"$dir/iperf.json"
	b1=$(busy_ticks)
	python3 - "$dir/iperf.json" $((b1 - b0)) "$(getconf CLK_TCK)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["end"]["sum"]
busy_s = int(sys.argv[2]) / int(sys.argv[3])
print(d["packets"], round(d["packets"] / d["seconds"]), round(busy_s * 1e9 / max(d["packets"], 1)))
PY
}

# Runs the workload under a capture tool; prints "sent rate busy_ns captured
# dropped peak_rss_kib cpu_ticks" (the tool's VmHWM and utime + stime just
# before it is stopped).
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

# The median of the numbers on standard input, one a line, printed with the
# awk printf FORMAT ("%d" truncates toward zero); med and medf take them as
# one space-separated argument.
median() { sort -g | awk -v f="$1" '{ v[NR] = $1 }
	END { printf f, (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median %d; }
medf() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median %.2f; }

# CPU microseconds per thousand records, from clock ticks.
per_thousand() { awk -v t="$1" -v c="$2" -v hz="$(getconf CLK_TCK)" \
	'BEGIN { printf "%d", c ? t * 1e6 / hz / c * 1000 : 0 }'; }

# One mode of a round, right after a run with no capture: its ratio to that
# run and the machine CPU per datagram it added.
declare -A rate ratio sent captured dropped rss cpu extra
measure() {
	local mode=$1 s0 r0 b0 s r b c d m t
	shift
	read -r s0 r0 b0 <<<"$(workload)"
	rate[none]+="$r0 "; sent[none]+="$s0 "
	read -r s r b c d m t <<<"$(under "$@")"
	rate[$mode]+="$r "; sent[$mode]+="$s "; captured[$mode]+="$c "; dropped[$mode]+="$d "
	rss[$mode]+="$m "; cpu[$mode]+="$(per_thousand "$t" "$c") "; extra[$mode]+="$((b - b0)) "
	ratio[$mode]+="$(awk -v a="$r" -v b="$r0" 'BEGIN { printf "%.3f", a / b }') "
}

for round in $(seq "$rounds"); do
	measure tcpdump tcpdump -i lo -w "$dir/t.pcap"
	measure pidcap "$pidcap" -w "$dir/p.pcapng"
	# One idle process captured: as a command (its own cgroup), and by pid
	# (the programs run machine-wide and pass over every other packet).
	measure idle_cmd "$pidcap" -w "$dir/c.pcapng" -- sleep $idle_seconds
	sleep $idle_seconds &
	idle=$!
	measure idle_pid "$pidcap" -w "$dir/i.pcapng" --pid $idle
	kill $idle 2>/dev/null || true
	# The floor: the same hooks, empty, then writing one record per packet.
	measure hooks "$floor"
	measure hooks+rec "$floor" --record
	echo "round $round done" >&2
done

format='%-10s %12s %7s %11s %11s %8s %13s %9s %9s %11s\n'
printf "$format" mode "datagrams/s" ratio sent captured dropped "records/dgram" "peak RSS" \
	"CPU/1000" "+CPU/dgram"
printf "$format" none "$(med "${rate[none]}")" 1.00 "$(med "${sent[none]}")" - - - - - -
for mode in tcpdump pidcap idle_cmd idle_pid hooks hooks+rec; do
	s=$(med "${sent[$mode]}")
	c=$(med "${captured[$mode]}")
	d=$(med "${dropped[$mode]}")
	u=-
	case $mode in tcpdump | pidcap | hooks+rec) u="$(med "${cpu[$mode]}") us" ;; esac
	printf "$format" "$mode" "$(med "${rate[$mode]}")" "$(medf "${ratio[$mode]}")" "$s" "$c" "$d" \
		"$(awk -v c="$c" -v d="$d" -v s="$s" 'BEGIN { printf "%.3f", (c + d) / s }')" \
		"$(awk -v k="$(med "${rss[$mode]}")" 'BEGIN { printf "%.1f MiB", k / 1024 }')" "$u" \
		"$(med "${extra[$mode]}") ns"
done
awk -v p="$(medf "${ratio[pidcap]}")" -v t="$(medf "${ratio[tcpdump]}")" \
	'BEGIN { printf "pidcap -w keeps %.2f x the rate tcpdump -i lo -w keeps\n", p / t }'
floor_keeps=$(awk -v h="$(medf "${ratio[hooks+rec]}")" -v t="$(medf "${ratio[tcpdump]}")" \
	'BEGIN { printf "%.2f", h / t }')
echo "hooks+rec keeps $floor_keeps x tcpdump's rate: the floor of a capture on these hooks" \
	"that writes one bare record at each packet hook"
echo "idle_cmd: pidcap -w -- sleep (an idle command); idle_pid: pidcap -w --pid (an idle process)"
echo "hooks: $floor, pidcap's kernel hooks (packets at the cgroup root, sockets made and closed,"
echo "sends and receives) with empty programs; hooks+rec: the same plus one ring-buffer record per"
echo "packet at each packet hook (two per loopback datagram, as pidcap writes its packet's record"
echo "and a delivery note), read by its loader: what any capture on these hooks must at least pay"
# Attribution: with only iperf3 selected, a datagram pidcap could not
# attribute (pid 0) or attributed to anyone else would be missing.
read -r s _ _ c d _ <<<"$(under "$pidcap" -w "$dir/a.pcapng" --comm iperf3)"
echo "attribution: pidcap --comm iperf3 kept $c packets for $s datagrams sent (1 per datagram expected," \
	"plus the control connection), dropped $d"
echo "medians of $rounds rounds of $seconds s; ratio: to the run with no capture just before;"
echo "records/dgram = (captured + dropped) / sent: each loopback datagram is one record for both,"
echo "plus iperf3's control connection. CPU/1000: the capture process's own CPU time (user +"
echo "system) per thousand records it captured. +CPU/dgram: the machine's busy CPU time per"
echo "datagram sent, less that of the run with no capture before it."
