#!/usr/bin/env bash
# The bash completion, driven as bash drives it: words in, COMPREPLY out.
cd "$(dirname "$0")/../.."
if [ ! -f /usr/share/bash-completion/bash_completion ]; then
	echo "skipped: bash-completion is not installed"
	exit 77
fi
source /usr/share/bash-completion/bash_completion
source completion/pidcap.bash
passed=0
failed=0

# complete WORD... : completes the last word of "pidcap WORD..."
complete_words() {
	COMP_WORDS=(pidcap "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_pidcap 2>/dev/null
	printf '%s\n' "${COMPREPLY[@]}"
}

expect() {
	local name=$1 want=$2
	shift 2
	if complete_words "$@" | grep -qx -- "$want"; then
		echo "ok - $name"
		passed=$((passed + 1))
	else
		echo "not ok - $name: '$want' not offered for: pidcap $*"
		failed=$((failed + 1))
	fi
}

expect "options" "--follow-forks" "--fol"
expect "formats" "darwin" "--format" "d"
expect "directions" "inout" "-Q" "ino"
expect "interfaces" "lo" "-i" "l"
expect "users" "root" "-Z" "ro"
expect "own pid" "$$" "--pid" "$$"
expect "expression words" "portrange" "port"
expect "the command after --" "bash" "--" "bas"
expect "the top subcommand" "top" "to"
expect "top's options" "--json" "top" "--js"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
