#!/usr/bin/env bash
# Builds the initramfs that boots an unpacked Debian kernel into this machine's
# own root filesystem: static busybox, the modules that mount the host's root
# over virtio 9p with a tmpfs overlay on top (decompressed, for busybox insmod),
# and an /init that mounts it all and hands over to guest.sh.
#   initramfs.sh KERNEL_DIR OUT.cpio.gz
set -euo pipefail
kdir=$(readlink -f "$1")
out=$2
ver=$(ls "$kdir/lib/modules")
here=$(dirname "$(readlink -f "$0")")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp"/{bin,dev,proc,sys,modules,host,rw,root}
cp /bin/busybox "$tmp/bin/busybox"
ln -s busybox "$tmp/bin/sh"

# The load order from modprobe's own resolver (built-in modules are absent).
modprobe -d "$kdir" -S "$ver" --show-depends -a virtio_pci 9pnet_virtio 9p overlay |
	awk '$1 == "insmod" { print $2 }' | while read -r path; do
		name=$(basename "$path")
		name=${name%.xz}
		name=${name%.zst}
		[ -e "$tmp/modules/$name" ] && continue
		case $path in
		*.xz) xz -dc "$path" > "$tmp/modules/$name" ;;
		*.zst) zstd -qdc "$path" > "$tmp/modules/$name" ;;
		*) cp "$path" "$tmp/modules/$name" ;;
		esac
		echo "$name" >> "$tmp/modules/order"
	done

cat > "$tmp/init" <<EOF
#!/bin/sh
# The host's root, read-only, under a writable tmpfs layer; then guest.sh.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
fail() { echo "pidcap-vm: \$*"; echo o > /proc/sysrq-trigger; sleep 30; }
for m in \$(cat /modules/order); do insmod /modules/\$m || fail "cannot load \$m"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose host /host ||
	fail "cannot mount the host's root"
mount -t tmpfs -o size=80%,mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /root ||
	fail "cannot mount the overlay"
# This kernel's own modules, where the guest's modprobe looks for them.
mkdir -p /root/lib/modules/$ver /root/vmout
mount --bind /host$kdir/lib/modules/$ver /root/lib/modules/$ver || fail "no modules"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 vmout /root/vmout ||
	fail "cannot mount the output folder"
for m in proc sys dev; do mount --move /\$m /root/\$m; done
exec switch_root /root /bin/bash $here/guest.sh
EOF
chmod +x "$tmp/init"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
