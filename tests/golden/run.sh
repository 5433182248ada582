#!/usr/bin/env bash
# Golden tests, as tcpdump keeps them: capture files in, expected text out.
#   bash tests/golden/run.sh            compare
#   bash tests/golden/run.sh --update   rewrite the expected files (then read the diff!)
cd "$(dirname "$0")"
pidcap=../../${PIDCAP_BUILD:-build}/pidcap
export TZ=UTC
passed=0
failed=0
while IFS='|' read -r name input args; do
	name=$(echo $name)
	[ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
	input=inputs/$(echo $input)
	expected=expected/$name.txt
	# shellcheck disable=SC2086 # the arguments are words
	actual=$("$pidcap" -r "$input" $args 2>&1)
	if [ "$1" = "--update" ]; then
		printf '%s\n' "$actual" >"$expected"
		continue
	fi
	if [ "$actual" = "$(cat "$expected" 2>/dev/null)" ]; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name: pidcap -r $input $args differs:"
		diff <(printf '%s\n' "$actual") "$expected" | head -10 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done <cases
[ "$1" = "--update" ] && exit 0
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
