#!/usr/bin/env bash
# Runs pidcap's tests against the binaries in $PIDCAP_BUILD (default build)
# and ends with one line "N passed, N failed". Exit status 0 only if none failed.
#   run.sh            every suite
#   run.sh kernel     only the suites that depend on the kernel (BPF programs,
#                     filter expressions, end to end): what the kernel tests run
# E2E_TESTS="word ..." runs only the end-to-end scenarios whose names hold a word.
set -u
group=${1:-all}
case $group in
all | kernel) ;;
*) echo "usage: tests/run.sh [all|kernel]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
build=${PIDCAP_BUILD:-build}
# A sanitizer finding fails the run, not just a line in a log.
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export PIDCAP_BUILD=$build
[ "$group" = kernel ] && export E2E_KERNEL_ONLY=1
passed=0
failed=0
skipped=0
failures=()

# Runs one test program, counting the "ok" / "not ok" lines it prints.
run_suite() {
	local name=$1
	shift
	local log rc ok bad start
	log=$(mktemp)
	echo "== $name"
	start=$(date +%s)
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	ok=$(grep -c '^ok - ' "$log")
	bad=$(grep -c '^not ok - ' "$log")
	rm -f "$log"
	# (the kernel tests' log shows these lines: where the time under emulation goes)
	echo "== $name: $ok passed, $bad failed in $(($(date +%s) - start)) s"
	if [ "$rc" -eq 77 ]; then
		skipped=$((skipped + 1))
		echo "== $name: skipped"
		return
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		# A crash or an error outside any check still fails the run.
		failed=$((failed + 1))
		failures+=("$name (exit $rc)")
	elif [ "$bad" -gt 0 ]; then
		failures+=("$name")
	fi
}

if [ "$group" = all ]; then
	run_suite "pcapng writer" "$build/test_pcapng"
	run_suite "packet printer" "$build/test_print"
	run_suite "pcap and pcapng reader" "$build/test_savefile"
	run_suite "packets held for their verdict" "$build/test_holdback"
	run_suite "process records waiting for older packets" "$build/test_record_queue"
	run_suite "the packet comment, written and read" "$build/test_comment"
	run_suite "events: records, journal entries, read back" "$build/test_events"
	run_suite "/proc/PID/stat, read and parsed" "$build/test_procfs"
	run_suite "library files, read for --tls" "$build/test_elf_file"
	run_suite "TLS libraries calibrated without privileges" "$build/test_tls_calibrate"
	run_suite "TLS connections and their keys" "$build/test_tls_keylog"
	run_suite "Go programs, read for --tls" "$build/test_go_program"
	run_suite "file rotation (-C, -W, -G)" "$build/test_rotation"
	run_suite "the command line" "$build/test_options"
	run_suite "bash completion" bash tests/docs/test_completion.sh
	run_suite "help, man page and completion agree" bash tests/docs/test_docs.sh
fi
run_suite "BPF programs on synthetic packets" "$build/test_packet_progs"
run_suite "filter expressions in the kernel" "$build/test_filter"
[ "$group" = all ] && run_suite "golden: files in, text out" bash tests/golden/run.sh
# (word splitting of E2E_TESTS is wanted: one scenario name per word)
# shellcheck disable=SC2086
run_suite "end to end" python3 tests/e2e/run.py ${E2E_TESTS:-}

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
[ "$skipped" -gt 0 ] && echo "$skipped suite(s) skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
