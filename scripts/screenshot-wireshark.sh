#!/usr/bin/env bash
# Wireshark's packet list with the pidcap profile's process columns, as a PNG
# (doc/wireshark-packet-list.png): wireshark-qt under Xvfb opens CAPTURE, or a
# capture ./pidcap makes of an HTTP exchange on 127.0.0.1 (then as root).
#   screenshot-wireshark.sh OUT.png [CAPTURE]
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: screenshot-wireshark.sh OUT.png [CAPTURE]" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$root/tests/e2e/test_wireshark_gui.py" screenshot "$@"
