#!/usr/bin/env bash
# The help, the man page and the bash completion name the same options, and
# the man page renders without a warning.
cd "$(dirname "$0")/../.."
pidcap=${PIDCAP_BUILD:-build}/pidcap
passed=0
failed=0
result() {
	if [ "$1" -eq 0 ]; then
		echo "ok - $2"
		passed=$((passed + 1))
	else
		echo "not ok - $2${3:+: $3}"
		failed=$((failed + 1))
	fi
}

warnings=$(groff -man -ww -z doc/pidcap.8 2>&1)
result $([ -z "$warnings" ]; echo $?) "the man page renders without warnings" "$warnings"

# Options are the words starting with - at the head of the help's option lines.
options=$("$pidcap" --help | grep -E '^ +-' | sed -E 's/ {2,}[A-Za-z(].*//' |
	grep -oE '(^|[ ,;])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,;' | sort -u)
for opt in $options; do
	man_has=$(groff -man -Tutf8 doc/pidcap.8 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g; s/.\x08//g' |
		grep -c -- "$opt")
	result $([ "$man_has" -gt 0 ]; echo $?) "the man page explains $opt"
	result $(grep -q -- " $opt\b\|'$opt\b\|	$opt\b" completion/pidcap.bash; echo $?) \
		"the completion offers $opt"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
