#!/usr/bin/env bash
# How close pidcap -r prints to the installed tcpdump, on tcpdump's own test captures.
#   scripts/corpus-print.sh [CORPUS] [-k]     CORPUS defaults to ../shared/corpora/tcpdump
#                                             (-k: keep the outputs in $work for reading)
# Compares against /usr/bin/tcpdump's output, not the corpus's expected files (those come
# from tcpdump master). Nothing of the corpus is copied into the repository.
#
# A case (a line of TESTLIST or TESTrun-cases.tsv: name, capture, output, options) is in
# scope when
#   - its options are ones pidcap has: -v..-vvv, -e, -q, -x, -X, -A, -xx, -XX, -S, -t..-ttttt,
#     -c N (SPECIAL_t only tells TESTrun how to time-stamp and is dropped), and no filter;
#   - every frame of its capture is made only of protocols pidcap's printer decodes, as
#     tshark names them in frame.protocols (eth, sll, null, raw, vlan, arp, ip, ipv6, tcp,
#     udp, icmp, icmpv6, dns, mdns, and undissected payload "data" after TCP or ICMP);
#   - and tcpdump would not take a frame for a protocol outside the printer either: where
#     tshark leaves an IP payload undissected (a damaged packet), its protocol is ICMP,
#     TCP, UDP or ICMPv6 (not PGM, say); and no TCP or UDP payload goes to or from a port
#     tcpdump 4.99's tcp_print/udp_print hand to a decoder of their own (NFS on 2049,
#     NAT-T ISAKMP on 4500, SOME/IP on 30490, ...), whatever tshark made of it.
# Both tools then get the same arguments: TZ=UTC tcpdump -n -r CAPTURE OPTIONS, and the
# same for pidcap; standard output is compared line for line.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo/../shared/corpora/tcpdump
keep=
for a in "$@"; do
	case $a in
	-k) keep=1 ;;
	*) corpus=$a ;;
	esac
done
pidcap=$repo/${PIDCAP_BUILD:-build}/pidcap
tcpdump=${TCPDUMP:-/usr/bin/tcpdump}
[ -f "$corpus/TESTLIST" ] || {
	echo "no TESTLIST in $corpus" >&2
	exit 2
}
[ -x "$pidcap" ] || {
	echo "no $pidcap: build first" >&2
	exit 2
}
command -v tshark >/dev/null || {
	echo "tshark is needed to choose the cases" >&2
	exit 2
}
# tshark is slow: its verdict on a capture is kept, keyed by name, size and time.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/pidcap-corpus-print
mkdir -p "$cache"
work=$(mktemp -d)
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
export TZ=UTC

allowed='^(eth|ethertype|sll|null|raw|vlan|arp|ip|ipv6|tcp|udp|icmp|icmpv6|dns|mdns)$'

# The ports tcpdump 4.99 decodes a payload by (print-tcp.c, print-udp.c), for protocols
# outside pidcap's printer (DNS, mDNS and HTTP are within it).
tcp_ports=' 21 22 23 25 43 139 179 323 445 554 639 646 1723 2049 6379 6633 6653 8554 10288 '
udp_ports=' 67 68 69 88 123 137 138 161 162 319 320 496 500 514 520 521 525 546 547 646 654
	698 701 750 921 1589 1645 1646 1700 1701 1812 1813 1985 2049 2103 2104 3456 3503
	3784 3785 3799 4342 4500 4567 4784 4789 4790 5060 5359 6081 6343 6635 6696 6697 6784
	7000 7001 7002 7003 7004 7005 7006 7007 7008 7009 7500 8231 8472 8500 12222 12223
	17754 30490 49152 '

# Succeeds when every frame of capture $1 uses only allowed protocols; an undissected
# payload ("data") only after TCP or ICMP: after UDP or IP, tcpdump may know it by its port.
protocols_ok() {
	local f=$1 key
	key=$cache/$(basename "$f").$(stat -c %s-%Y "$f").v2
	if [ ! -f "$key" ]; then
		tshark -r "$f" -T fields -E separator=/t -e frame.protocols -e ip.proto \
			-e ipv6.nxt -e tcp.srcport -e tcp.dstport -e tcp.len -e udp.srcport \
			-e udp.dstport -e udp.length 2>/dev/null | sort -u >"$key.tmp" &&
			mv "$key.tmp" "$key"
	fi
	[ -s "$key" ] || return 1
	cut -f1 "$key" | sed -E 's/:(tcp|icmp|icmpv6):data$/:\1/' | tr ':' '\n' |
		grep -Evq "$allowed" && return 1
	# The payloads tcpdump decodes by their port, whatever tshark made of them (tshark
	# takes someip1.pcap for DNS) or left undissected; DNS's own port comes first.
	awk -F'\t' -v tcp="$tcp_ports" -v udp="$udp_ports" '
		# (the lists are spread over lines: one space between ports, for index())
		BEGIN { gsub(/[ \t\n]+/, " ", tcp); gsub(/[ \t\n]+/, " ", udp) }
		function last(v,  n, a) { n = split(v, a, ","); return n ? a[n] : "" }
		function listed(list, p) { return p != "" && index(list, " " p " ") }
		$1 ~ /icmp/ { next }
		$1 ~ /:ipv?6?$/ {
			proto = last($2) != "" ? last($2) : last($3)
			if (proto != "" && proto !~ /^(1|6|17|58)$/) found = 1
			next
		}
		$1 ~ /:tcp(:|$)/ && last($6) > 0 && $1 !~ /:(dns|http)$/ &&
			(listed(tcp, last($4)) || listed(tcp, last($5))) { found = 1 }
		$1 ~ /:udp(:|$)/ && last($9) > 8 && last($7) !~ /^(53|5353)$/ &&
			last($8) !~ /^(53|5353)$/ &&
			(listed(udp, last($7)) || listed(udp, last($8))) { found = 1 }
		END { exit found }' "$key"
}

# Prints the options pidcap has, or fails.
options_ok() {
	local out=() w
	while [ $# -gt 0 ]; do
		w=$1
		shift
		case $w in
		SPECIAL_t) ;;
		-v | -vv | -vvv | -e | -ev | -ve | -q | -x | -X | -A | -xx | -XX | -S) out+=("$w") ;;
		-t | -tt | -ttt | -tttt | -ttttt) out+=("$w") ;;
		-c[0-9]*) out+=("$w") ;;
		-c)
			[[ ${1:-} =~ ^[0-9]+$ ]] || return 1
			out+=("$w" "$1")
			shift
			;;
		*) return 1 ;;
		esac
	done
	echo "${out[@]}"
}

total=0
same=0
differ=()
# TESTLIST: name capture output options...; the TSV: the same, tab-separated, then a
# skip condition (none of its in-scope cases has one that applies here).
{
	grep -Ev '^[[:space:]]*(#|$)' "$corpus/TESTLIST"
	[ -f "$corpus/TESTrun-cases.tsv" ] &&
		grep -Ev '^[[:space:]]*(#|$)' "$corpus/TESTrun-cases.tsv" | cut -f1-4 | tr '\t' ' '
} | while read -r name capture _output rest; do
	# shellcheck disable=SC2086 # the options are words (no case in scope quotes any)
	opts=$(options_ok $rest) || continue
	f=$corpus/$capture
	[ -f "$f" ] && protocols_ok "$f" || continue
	# shellcheck disable=SC2086
	"$tcpdump" -n -r "$f" $opts >"$work/$name.tcpdump" 2>/dev/null
	# shellcheck disable=SC2086
	"$pidcap" -n -r "$f" $opts >"$work/$name.pidcap" 2>/dev/null
	if cmp -s "$work/$name.tcpdump" "$work/$name.pidcap"; then
		echo "same $name"
	else
		echo "differ $name ($capture $opts)"
	fi
done >"$work/results"

total=$(wc -l <"$work/results")
same=$(grep -c '^same ' "$work/results")
echo "$same of $total in-scope cases identical ($(awk -v s="$same" -v t="$total" \
	'BEGIN { printf "%.1f", t ? 100 * s / t : 0 }')%)"
grep '^differ ' "$work/results" | sed 's/^differ /  /'
[ -z "$keep" ] || echo "outputs kept in $work"
