#!/usr/bin/env bash
# Fetches the newest of Debian's own kernel packages for each kernel the
# tests boot, and unpacks each under DIR/NAME (never installed: the host keeps
# its kernel). Prints one "NAME DIR/NAME" line per kernel. Safe to run again:
# a kernel already unpacked at its newest version is not fetched twice.
#   kernels.sh DIR [NAME...]       NAME: 6.1 (Debian 12's stock kernel), 6.12
set -euo pipefail
dir=$1
shift
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(6.1 6.12)
mkdir -p "$dir"
dir=$(readlink -f "$dir")

# The package name pattern of each kernel, as in Debian 12's archive.
pattern() {
	case $1 in
	6.1) echo '^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) echo '^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) echo "kernels: unknown kernel '$1' (known: 6.1 6.12)" >&2; return 1 ;;
	esac
}

newest() {
	apt-cache search --names-only "$1" | awk '{ print $1 }' | sort -V | tail -1
}

updated=
for name in "${names[@]}"; do
	re=$(pattern "$name")
	pkg=$(newest "$re")
	if [ -z "$pkg" ] && [ -z "$updated" ]; then
		apt-get update -q >/dev/null
		updated=1
		pkg=$(newest "$re")
	fi
	[ -n "$pkg" ] || { echo "kernels: no package matches $re in the apt sources" >&2; exit 1; }
	kdir=$dir/$name
	if [ "$(cat "$kdir/package" 2>/dev/null)" != "$pkg" ]; then
		rm -rf "$kdir" "$dir/download"
		mkdir -p "$dir/download"
		# As root, apt wants its sandbox user to write here; the folder is ours.
		(cd "$dir/download" && apt-get download -q -o APT::Sandbox::User=root "$pkg" >/dev/null)
		dpkg-deb -x "$dir"/download/"$pkg"_*.deb "$kdir"
		rm -rf "$dir/download"
		ver=$(ls "$kdir/lib/modules")
		# The package leaves modules.dep to its install script: make it here.
		depmod -b "$kdir" "$ver"
		echo "$pkg" > "$kdir/package"
	fi
	echo "$name $kdir"
done
