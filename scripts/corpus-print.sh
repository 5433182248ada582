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
#     udp, icmp, icmpv6, dns, mdns, and undissected payload "data" after TCP or ICMP).
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

# Succeeds when every frame of capture $1 uses only allowed protocols; an undissected
# payload ("data") only after TCP or ICMP: after UDP or IP, tcpdump may know it by its port.
protocols_ok() {
	local f=$1 key
	key=$cache/$(basename "$f").$(stat -c %s-%Y "$f")
	if [ ! -f "$key" ]; then
		tshark -r "$f" -T fields -e frame.protocols 2>/dev/null | sort -u >"$key.tmp" &&
			mv "$key.tmp" "$key"
	fi
	[ -s "$key" ] && sed -E 's/:(tcp|icmp|icmpv6):data$/:\1/' "$key" | tr ':' '\n' |
		grep -Evq "$allowed" && return 1
	[ -s "$key" ]
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
