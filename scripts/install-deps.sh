#!/usr/bin/env bash
# Installs, from Debian's packages, whatever pidcap needs to build, run and test
# and this machine lacks. Safe to run again: it does nothing when all is there.
#   install-deps.sh        to build, run and test on this machine's kernel
#   install-deps.sh vm     also what the kernel tests need to boot Debian's
#                          kernels in QEMU (tests/vm)
set -euo pipefail

packages=(
	make gcc clang libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config
	libpcap-dev libncurses-dev
	tshark tcpdump iproute2 iputils-ping procps python3 iperf3 libclang-rt-14-dev bash-completion
	libcap2-bin tmux clang-format
	man-db
	# Wireshark itself under a virtual X server, for its test and the screenshot
	# in doc/ (tests/e2e/test_wireshark_gui.py): xdotool finds its windows,
	# ImageMagick's import takes them, curl makes the traffic shown.
	wireshark-qt xvfb xdotool imagemagick curl
	# The TLS libraries --tls reads and hooks, binutils (readelf, nm,
	# objdump) to judge how it reads them, and real TLS programs for its
	# scenarios: curl (OpenSSL), wget (GnuTLS), openssl for certificates,
	# Go to build a client with Go's own TLS.
	libssl3 libgnutls30 binutils wget openssl golang-go
)
if [ "${1:-}" = vm ]; then
	packages+=(qemu-system-x86 busybox-static cpio kmod xz-utils zstd)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture: answer no, quietly.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
