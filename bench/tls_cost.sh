#!/usr/bin/env bash
# What --tls costs a TLS program, measured in one run: a Python client
# (OpenSSL 3) against a local Python TLS server on loopback, first making
# HANDSHAKES new connections one after the other, then sending RECORDS small
# TLS records on one connection. Each workload runs with no capture, under
# `pidcap -w`, `pidcap --tls -w` (keys) and `pidcap --tls=data -w` (keys and
# plaintext); prints the median rate of ROUNDS rounds, the ratio against the
# uncaptured rate, and the time each --tls mode adds per handshake and per
# record. Last, what one bare uprobe hit costs here (perf probe), the floor
# under any uprobe-based hook. Not a test: the machine is shared and noisy,
# so compare ratios measured in the same run.
#
#   sudo bash bench/tls_cost.sh [HANDSHAKES] [RECORDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
handshakes=${1:-300}
records=${2:-20000}
rounds=${3:-3}
pidcap=${PIDCAP:-./pidcap}
dir=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT

for tool in python3 openssl "$pidcap"; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$dir/key.pem" \
	-out "$dir/cert.pem" -days 1 -subj /CN=bench 2>/dev/null

# The server: answers each connection's records until it closes.
cat >"$dir/server.py" <<'PY'
import socket, ssl, sys, threading
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.create_server(("127.0.0.1", 0))
print(srv.getsockname()[1], flush=True)
def serve(conn):
    try:
        with ctx.wrap_socket(conn, server_side=True) as s:
            while s.recv(65536):
                pass
    except (OSError, ssl.SSLError):
        pass
while True:
    conn, _ = srv.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
PY
# The client: prints its rate (per second) for one workload.
cat >"$dir/client.py" <<'PY'
import socket, ssl, sys, time
port, what, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ctx = ssl._create_unverified_context()
def connect():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
t0 = time.monotonic()
if what == "handshakes":
    for _ in range(n):
        with connect() as s:
            s.sendall(b"x")
else:
    with connect() as s:
        for _ in range(n):
            s.sendall(b"x")  # one TLS record each
print(n / (time.monotonic() - t0))
PY
python3 "$dir/server.py" "$dir/cert.pem" "$dir/key.pem" >"$dir/port" &
server=$!
for _ in $(seq 100); do
	[ -s "$dir/port" ] && break
	sleep 0.1
done
port=$(cat "$dir/port")

# One workload's rate, under the capture given (nothing: no capture).
rate() {
	local what=$1 n=$2
	shift 2
	if [ $# -eq 0 ]; then
		python3 "$dir/client.py" "$port" "$what" "$n"
		return
	fi
	local log="$dir/capture.log"
	"$@" 2>"$log" &
	local cap=$!
	for _ in $(seq 300); do
		grep -q 'capturing' "$log" && break
		sleep 0.1
	done
	python3 "$dir/client.py" "$port" "$what" "$n"
	kill -INT $cap
	wait $cap || true
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

printf '%-11s %-22s %12s %7s\n' workload capture "rate (/s)" ratio
for what in handshakes records; do
	n=$handshakes
	[ $what = records ] && n=$records
	declare -A got=()
	for _ in $(seq "$rounds"); do
		got[none]+="$(rate $what "$n") "
		got[pidcap]+="$(rate $what "$n" "$pidcap" -w "$dir/plain.pcapng" --comm python3) "
		got[tls]+="$(rate $what "$n" "$pidcap" --tls -w "$dir/tls.pcapng" --comm python3) "
		got[data]+="$(rate $what "$n" "$pidcap" --tls=data -w "$dir/data.pcapng" \
			--comm python3) "
	done
	base=$(tr ' ' '\n' <<<"${got[none]}" | grep . | median)
	for cap in none pidcap tls data; do
		m=$(tr ' ' '\n' <<<"${got[$cap]}" | grep . | median)
		label=$cap
		[ $cap = none ] && label="no capture"
		[ $cap = pidcap ] && label="pidcap -w"
		[ $cap = tls ] && label="pidcap --tls -w"
		[ $cap = data ] && label="pidcap --tls=data -w"
		printf '%-11s %-22s %12.0f %7.2f\n' $what "$label" "$m" "$(echo "$m / $base" | bc -l)"
		[ $cap = pidcap ] && plain=$m
		[ $cap = tls ] && printf '%-11s %-22s %12.1f us each\n' $what "--tls adds" \
			"$(echo "(1 / $m - 1 / $plain) * 1000000" | bc -l)"
		[ $cap = data ] && printf '%-11s %-22s %12.1f us each\n' $what "--tls=data adds" \
			"$(echo "(1 / $m - 1 / $plain) * 1000000" | bc -l)"
	done
	unset got
done

# The floor under any uprobe-based hook: what one bare uprobe hit costs on
# this machine (perf probe, no BPF program), on a function that does nothing.
if command -v perf >/dev/null && command -v cc >/dev/null; then
	cat >"$dir/hit.c" <<'C'
#include <stdio.h>
#include <time.h>
__attribute__((noinline)) int hit(int x) { __asm__ volatile(""); return x + 1; }
int main(void)
{
	struct timespec a, b;
	int s = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < 100000; i++)
		s = hit(s);
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e3 / s);
	return 0;
}
C
	cc -O2 -o "$dir/hit" "$dir/hit.c"
	bare=$("$dir/hit")
	if perf probe -q -x "$dir/hit" hit 2>/dev/null; then
		probed=$(perf stat -e "probe_hit:hit" "$dir/hit" 2>/dev/null | head -1)
		perf probe -q -d 'probe_hit:*' >/dev/null 2>&1 || true
		printf '%-11s %-22s %12.1f us each\n' uprobe "one bare hit costs" \
			"$(echo "$probed - $bare" | bc -l)"
	fi
else
	echo "(perf or cc missing: the cost of a bare uprobe hit is not measured)"
fi