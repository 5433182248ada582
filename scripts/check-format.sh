#!/usr/bin/env bash
# Every C file of the tree as .clang-format (the kernel's style) would write
# it: lists the files that differ and exits 1 if any does.
#   check-format.sh          check
#   check-format.sh --fix    rewrite them
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')
if [ "${1:-}" = --fix ]; then
	clang-format -i "${files[@]}"
	exit 0
fi
bad=0
for f in "${files[@]}"; do
	if ! clang-format --dry-run --Werror "$f" 2>/dev/null; then
		echo "check-format: $f is not as .clang-format writes it (scripts/check-format.sh --fix)" >&2
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "check-format: ${#files[@]} files as .clang-format writes them"
exit $bad
