#!/usr/bin/env bash
# Boots an unpacked Debian kernel in QEMU on this machine's root filesystem and
# runs JOB (a shell script) as root inside, in the project's folder.
#   boot.sh KERNEL_DIR JOB OUTDIR
# OUTDIR is /vmout inside: console.log (the job's output), status (its exit
# status), serial.log (the whole console). The host's / is shared read-only
# over virtio 9p with a tmpfs layer on top, so nothing the guest does reaches
# the host but OUTDIR. No network card: the tests make their own networks.
# Environment: VM_MEM (default 3G), VM_CPUS (2), VM_TIMEOUT seconds (1800),
# VM_APPEND (more kernel parameters, e.g. loglevel=7 to see backtraces).
# Software emulation (TCG) always: KVM on these machines is PVM, which cannot
# run a stock kernel (it stops after "Probing EDD").
set -euo pipefail
here=$(dirname "$(readlink -f "$0")")
src=$(readlink -f "$here/../..")
kdir=$(readlink -f "$1")
job=$2
out=$(readlink -f "$3")
ver=$(ls "$kdir/lib/modules")
mkdir -p "$out"
rm -f "$out/console.log" "$out/status" "$out/serial.log"
cp "$job" "$out/job.sh"

# (made anew each time, a second's work: it names this checkout's guest.sh)
initrd=$out/initramfs.cpio.gz
bash "$here/initramfs.sh" "$kdir" "$initrd"
# The host's file capabilities, which 9p does not carry (guest.sh sets them).
getcap -r /usr/bin /usr/sbin /bin /sbin 2>/dev/null | sort -u > "$out/file-caps" || true

# A kernel under multi-threaded emulation now and then dies while patching its
# own code at boot, before the job starts (seen: "Oops: int3" in
# sched_clock_cpu on 6.12): that boot is not a result, and is made once more.
for attempt in 1 2; do
	rm -f "$out/console.log" "$out/status"
	set +e
	timeout --foreground "${VM_TIMEOUT:-1800}" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu max -m "${VM_MEM:-3G}" -smp "${VM_CPUS:-2}" \
		-nographic -no-reboot -nic none \
		-kernel "$kdir/boot/vmlinuz-$ver" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 loglevel=4 pidcap.src=$src ${VM_APPEND:-}" \
		-fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=host,mount_tag=host \
		-fsdev local,id=vmout,path="$out",security_model=none \
		-device virtio-9p-pci,fsdev=vmout,mount_tag=vmout \
		< /dev/null > "$out/serial.log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 124 ] && [ ! -e "$out/console.log" ] && [ "$attempt" = 1 ] &&
		grep -q 'Kernel panic' "$out/serial.log"; then
		cp "$out/serial.log" "$out/serial-panic.log"
		echo "vm: $ver panicked while booting, before the job (see $out/serial-panic.log): booting again" >&2
		continue
	fi
	break
done
if [ $rc -eq 124 ]; then
	echo "vm: $ver did not finish within ${VM_TIMEOUT:-1800} s (see $out/serial.log)" >&2
	exit 1
fi
[ -s "$out/status" ] || { echo "vm: $ver ended without the job's status (see $out/serial.log)" >&2; exit 1; }
exit "$(cat "$out/status")"
