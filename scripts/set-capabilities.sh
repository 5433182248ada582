#!/usr/bin/env bash
# Lets the members of group "wireshark" capture with pidcap without being root,
# the way Debian's dumpcap does: the binary belongs to root:wireshark, only
# that group may run it (0750), and it carries the file capabilities a
# capture needs and no more:
#   cap_bpf       load BPF programs and maps
#   cap_perfmon   tracing programs (tp_btf, iterators) and reading kernel memory
#   cap_net_admin attach programs to the cgroup hierarchy (cgroup_skb, cgroup/sock)
# Without them pidcap names what it lacks. Usage: set-capabilities.sh BINARY
set -euo pipefail
bin=$1
if ! command -v setcap >/dev/null; then
	echo "set-capabilities: setcap is missing (apt-get install libcap2-bin)" >&2
	exit 1
fi
getent group wireshark >/dev/null || groupadd --system wireshark
chown root:wireshark "$bin"
chmod 0750 "$bin"
setcap cap_bpf,cap_perfmon,cap_net_admin+ep "$bin"
echo "pidcap: members of group wireshark may capture (usermod -aG wireshark USER, then log in again)"
