#!/usr/bin/env bash
# Boots an unpacked Debian kernel in QEMU on this machine's root filesystem and
# runs JOB (a shell script) as root inside, in the project's folder.
#   boot.sh KERNEL_DIR JOB OUTDIR
# OUTDIR is /vmout inside: console.log (the job's output), status (its exit
# status), serial.log (the whole console). The host's / is shared read-only
# over virtio 9p with a tmpfs layer on top, so nothing the guest does reaches
# the host but OUTDIR. No network card: the tests make their own networks.
# Environment: VM_MEM (default 3G), VM_CPUS (2), VM_TIMEOUT seconds (3600),
# VM_APPEND (more kernel parameters, e.g. loglevel=7 for every message; 5, the
# default here, shows faults with their backtraces), VM_ACCEL (default
# tcg,thread=single).
# Software emulation (TCG) always: KVM on these machines is PVM, which cannot
# run a stock kernel (it stops after "Probing EDD"). One host thread runs all
# vCPUs in turn: with a thread per vCPU (thread=multi) the guest kernel now
# and then faulted while patching its own code ("Oops: int3" on a stale
# breakpoint byte; twice in one 6.12 run of stop 20's CI). In turn, no vCPU
# ever runs code another one is rewriting.
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

# The kernel's first fault reports, so that a CI log alone says why a guest died.
last_words() {
	grep -E -A12 -m3 'Oops|BUG:|Kernel panic|soft lockup|general protection' "$1" |
		head -40 | sed 's/^/vm:   /' >&2 || true
}

# A kernel under multi-threaded emulation (VM_ACCEL=tcg,thread=multi) now and
# then faults while patching its own code (seen: "Oops: int3" in
# sched_clock_cpu on 6.12 at boot), and once two vCPUs locked up. Any oops or
# soft lockup is made a panic (so it ends the guest at once, not after
# VM_TIMEOUT), its report is kept and printed, and the whole job runs once more
# in a new boot; a second fault is a failure. $out/faults lists the reports of
# faulted boots.
rm -f "$out"/serial-fault-*.log "$out/faults"
for attempt in 1 2; do
	rm -f "$out/console.log" "$out/status"
	set +e
	timeout --foreground "${VM_TIMEOUT:-3600}" qemu-system-x86_64 \
		-accel "${VM_ACCEL:-tcg,thread=single}" -cpu max -m "${VM_MEM:-3G}" -smp "${VM_CPUS:-2}" \
		-nographic -no-reboot -nic none \
		-kernel "$kdir/boot/vmlinuz-$ver" -initrd "$initrd" \
		-append "console=ttyS0 panic=-1 oops=panic softlockup_panic=1 loglevel=5 softlockup_all_cpu_backtrace=1 pidcap.src=$src ${VM_APPEND:-}" \
		-fsdev local,id=host,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=host,mount_tag=host \
		-fsdev local,id=vmout,path="$out",security_model=none \
		-device virtio-9p-pci,fsdev=vmout,mount_tag=vmout \
		< /dev/null > "$out/serial.log" 2>&1
	rc=$?
	set -e
	if [ $rc -ne 124 ] && [ ! -s "$out/status" ] && [ "$attempt" = 1 ] &&
		grep -q 'Kernel panic' "$out/serial.log"; then
		log=$out/serial-fault-$attempt.log
		cp "$out/serial.log" "$log"
		echo "$log" >> "$out/faults"
		echo "vm: $ver's kernel faulted (see $log); its last words:" >&2
		last_words "$log"
		echo "vm: booting $ver again for the whole job" >&2
		continue
	fi
	break
done
if [ $rc -eq 124 ]; then
	echo "vm: $ver did not finish within ${VM_TIMEOUT:-3600} s (see $out/serial.log)" >&2
	last_words "$out/serial.log"
	exit 1
fi
if [ ! -s "$out/status" ]; then
	echo "vm: $ver ended without the job's status (see $out/serial.log)" >&2
	last_words "$out/serial.log"
	exit 1
fi
exit "$(cat "$out/status")"
