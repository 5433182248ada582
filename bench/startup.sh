#!/usr/bin/env bash
# Start to first packet: how long after `pidcap -w` is started the first
# packet is in its file, against `tcpdump -i lo -w` in the same run. A sender
# keeps one UDP datagram a millisecond going to the discard port on loopback;
# each tool is started with -c 1, and the time from just before its start to
# the timestamp of the packet it wrote is taken (a packet sent before the tool
# was ready is not seen, so this is readiness plus at most a millisecond).
# Also `pidcap -w f -- true` whole (start, the command, the end), and each
# tool's peak memory (RSS) in that run. Prints medians of ROUNDS runs. Not a
# test: the machine is shared and noisy.
#
#   sudo bash bench/startup.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-7}
pidcap=${PIDCAP:-./pidcap}
dir=$(mktemp -d)
sender=
cleanup() {
	[ -n "$sender" ] && kill "$sender" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

for tool in tcpdump tshark python3 "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

python3 - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
while True:
    s.sendto(b"pidcap startup bench", ("127.0.0.1", 9))
    time.sleep(0.001)
PY
sender=$!

# Runs a capture tool with -c 1 writing $dir/f; prints "seconds_to_first_packet".
first_packet() {
	rm -f "$dir/f"
	local t0
	t0=$(date +%s.%N)
	"$@" -c 1 -w "$dir/f" 2>/dev/null
	local t1
	t1=$(tshark -r "$dir/f" -c 1 -T fields -e frame.time_epoch 2>/dev/null)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A t
for round in $(seq "$rounds"); do
	t[tcpdump]+="$(first_packet tcpdump -i lo -U)"$'\n'
	t[pidcap]+="$(first_packet "$pidcap" -U)"$'\n'
	t[whole]+="$(/usr/bin/time -f '%e %M' "$pidcap" -w "$dir/w" -- true 2>&1 >/dev/null | tail -1)"$'\n'
done
tcpdump_s=$(grep -v '^$' <<<"${t[tcpdump]}" | median)
pidcap_s=$(grep -v '^$' <<<"${t[pidcap]}" | median)
whole_s=$(grep -v '^$' <<<"${t[whole]}" | awk '{ print $1 }' | median)
whole_kib=$(grep -v '^$' <<<"${t[whole]}" | awk '{ print $2 }' | median)
printf '%-34s %8s s\n' "tcpdump -i lo: start to first packet" "$tcpdump_s"
printf '%-34s %8s s  (%.1f x tcpdump)\n' "pidcap: start to first packet" "$pidcap_s" \
	"$(awk -v a="$pidcap_s" -v b="$tcpdump_s" 'BEGIN { print a / b }')"
printf '%-34s %8s s  peak RSS %.1f MiB\n' "pidcap -w f -- true, whole" "$whole_s" \
	"$(awk -v k="$whole_kib" 'BEGIN { print k / 1024 }')"
echo "medians of $rounds runs"
