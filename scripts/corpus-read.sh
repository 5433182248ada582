#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Reads every capture of a folder with tcpdump -r and with pidcap -r and
# says where they disagree: one reads the file to the end and the other
# stops with an error, or they hand over a different number of packets.
# Made for tcpdump's own test captures (issue 14), which stay where they
# are: nothing is copied.
#
#   scripts/corpus-read.sh [FOLDER]     (default ../shared/corpora/tcpdump)
#
# PIDCAP (default ./pidcap), TCPDUMP (default tcpdump) and CAPINFOS
# (default capinfos, Wireshark's reader, shown for the files that differ)
# name the programs. Exit status 0 when every file reads as tcpdump reads
# it, 1 otherwise.
#
# The packet counts: tcpdump --count (libpcap's count, whatever the printer
# would make of the packets), pidcap --json (one line per packet). "ok" is
# exit status 0, "err" anything else.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$repo/../shared/corpora/tcpdump}
pidcap=${PIDCAP:-$repo/pidcap}
tcpdump=${TCPDUMP:-tcpdump}
capinfos=${CAPINFOS:-capinfos}
export TZ=UTC

if [ ! -d "$dir" ]; then
	echo "corpus-read.sh: no folder '$dir'" >&2
	exit 2
fi
if [ ! -x "$pidcap" ]; then
	echo "corpus-read.sh: no pidcap at '$pidcap' (make first, or set PIDCAP)" >&2
	exit 2
fi

verdict() {
	[ "$1" -eq 0 ] && echo ok || echo err
}

total=0
same=0
differ=()
while IFS= read -r -d '' f; do
	total=$((total + 1))
	# "N packets" on stdout; the "reading from" line and errors on stderr
	t_out=$("$tcpdump" -n --count -r "$f" 2>/dev/null)
	t_rc=$?
	t_n=$(printf '%s\n' "$t_out" | awk '/packets?$/ { n = $1 } END { print n + 0 }')
	# the count, then pidcap's exit status (PIPESTATUS stays in the subshell)
	p_out=$("$pidcap" -n --json -r "$f" 2>/dev/null | wc -l; echo "${PIPESTATUS[0]}")
	p_n=${p_out%$'\n'*}
	p_rc=${p_out#*$'\n'}
	t_v=$(verdict "$t_rc")
	p_v=$(verdict "$p_rc")
	if [ "$t_v" = "$p_v" ] && [ "$t_n" -eq "$p_n" ]; then
		same=$((same + 1))
		continue
	fi
	w=$("$capinfos" -c -M "$f" 2>/dev/null | awk -F: '/Number of packets/ { gsub(/ /, "", $2); print $2 }')
	differ+=("$(printf '%-50s tcpdump %-3s %6s  pidcap %-3s %6s  capinfos %s' \
		"$(basename "$f")" "$t_v" "$t_n" "$p_v" "$p_n" "${w:-err}")")
done < <(find "$dir" -maxdepth 1 -type f \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) \
	-print0 | sort -z)

echo "$same of $total files read as tcpdump reads them"
for line in "${differ[@]}"; do
	echo "  $line"
done
[ "$same" -eq "$total" ]
