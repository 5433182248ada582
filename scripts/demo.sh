#!/usr/bin/env bash
# The main job in one go: capture a command's traffic with pidcap, then show
# the file the way Wireshark would, with PID and Process columns.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/demo.pcapng"
# (the tests run it on the binary they test)
pidcap=${PIDCAP:-./pidcap}

echo "# sudo ./pidcap -w $file -- ping -c 3 127.0.0.1"
"$pidcap" -w "$file" -- ping -c 3 -i 0.2 127.0.0.1
echo
echo "# tshark -r $file, with Wireshark's columns plus PID and Process (packets and events),"
echo "# and the receiving process of a packet between two local ones (Peer PID, Peer process;"
echo "# ping's partner here is the kernel, outside the command's cgroup: no peer):"
tshark -r "$file" -o 'gui.column.format:"No.","%m","Time","%Aut","PID","%Cus:pktap.pid || systemd_journal.pid","Process","%Cus:pktap.cmdname || systemd_journal.comm","Peer PID","%Cus:pktap.epid","Peer process","%Cus:pktap.ecmdname","Interface","%Cus:pktap.ifname","Source","%s","Destination","%d","Info","%i"' 2>/dev/null
echo
echo "# the command line of each packet's process, from the packet comments:"
tshark -r "$file" -Y pktap -T fields -e frame.number -e frame.comment 2>/dev/null | head -3
echo
echo "# the same without a file: one line per packet"
echo "# sudo ./pidcap -- ping -c 1 127.0.0.1"
"$pidcap" -- ping -q -c 1 127.0.0.1
