#!/usr/bin/env bash
# How the golden inputs were made (run once, as root; the files are committed
# so the golden test is deterministic). Traffic stays inside two namespaces.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=tests/golden/inputs
a=gold-a b=gold-b
cleanup() { ip netns del $a 2>/dev/null || true; ip netns del $b 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add $a
ip netns add $b
ip link add gva netns $a type veth peer name gvb netns $b
ip -n $a addr add 10.77.0.1/24 dev gva
ip -n $b addr add 10.77.0.2/24 dev gvb
ip -n $a addr add fd00:77::1/64 dev gva nodad
ip -n $b addr add fd00:77::2/64 dev gvb nodad
for ns in $a $b; do ip -n $ns link set lo up; done
ip -n $a link set gva up
ip -n $b link set gvb up

# Ethernet and ARP, as tcpdump writes them (classic pcap).
ip netns exec $a tcpdump -i gva -w $out/ethernet-arp.pcap -c 6 2>/dev/null &
sleep 1
ip netns exec $a ping -c 2 -i 0.2 10.77.0.2 >/dev/null
wait

# pidcap's own: TCP, UDP, ICMP, IPv6; the darwin file is the same capture
# converted, so the two read alike.
for format in pktap; do
	./pidcap -w $out/mixed-$format.pcapng --format $format \
		-- ip netns exec $a sh -c '
		ip netns exec '$b' build/netpeer udp-echo 10.77.0.2 5555 1 >/dev/null &
		ip netns exec '$b' build/netpeer tcp-server fd00:77::2 8080 1 >/dev/null &
		sleep 0.3
		build/netpeer udp-send 10.77.0.2 5555 1 >/dev/null
		build/netpeer tcp-client fd00:77::2 8080 >/dev/null
		ping -c 1 10.77.0.2 >/dev/null
		wait'
done
./pidcap -r $out/mixed-pktap.pcapng -w $out/mixed-darwin.pcapng --format darwin
chmod 644 $out/*

# A record with nothing in it (caplen 0, len 0) between two ARP frames, as
# damaged files have: tcpdump prints "[Invalid header: ...]" for it.
python3 - <<'PY'
import struct
hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
frame = bytes.fromhex('ffffffffffff020000000001' '0806' '0001080006040001' '020000000001'
                      '0a000001' '000000000000' '0a000002')
def rec(ts, data, length=None):
    return struct.pack('<IIII', ts, 0, len(data), len(data) if length is None else length) + data
out = hdr + rec(1700000000, frame) + rec(1700000001, b'', 0) + rec(1700000002, frame)
open('tests/golden/inputs/empty-record.pcap', 'wb').write(out)
PY

# Records whose header contradicts itself, each kind tcpdump names in its
# "[Invalid header: ...]" line: caplen over len, len 0, caplen 0.
python3 - <<'PY'
import struct
hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1)
frame = bytes.fromhex('ffffffffffff020000000001' '0806' '0001080006040001' '020000000001'
                      '0a000001' '000000000000' '0a000002')
def rec(ts, data, length):
    return struct.pack('<IIII', ts, 0, len(data), length) + data
out = (hdr + rec(1700000000, frame, 42) + rec(1700000001, frame, 41) +
       rec(1700000002, frame, 0) + rec(1700000003, b'', 42) + rec(1700000004, frame, 60))
open('tests/golden/inputs/invalid-header.pcap', 'wb').write(out)
PY
