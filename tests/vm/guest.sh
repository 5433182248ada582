#!/bin/bash
# PID 1 of the test VM, on the host's root (read-only 9p under a tmpfs layer).
# Mounts what a booted Debian system has, restores what the 9p share loses,
# runs /vmout/job.sh in the project's folder (its output to the console and to
# /vmout/console.log, its exit status to /vmout/status), then powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=vt100 SHELL=/bin/bash
src=$(sed -n 's/.*pidcap\.src=\([^ ]*\).*/\1/p' /proc/cmdline)

mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
mount -t tmpfs tmpfs /dev/shm
# The project may live under /tmp on the host (a clone in mktemp -d): the
# guest's own /tmp would hide it, so it is reached through /project.
mkdir -p /project
mount --bind "$src" /project && src=/project
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=1777 tmpfs /var/tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /run/lock /run/netns
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
echo /sbin/modprobe > /proc/sys/kernel/modprobe
hostname pidcap-vm
ip link set lo up

# What systemd sets on a booted Debian (sysctl.d/50-default.conf): any group
# may open ICMP datagram sockets (unprivileged ping).
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
# File capabilities do not cross the 9p share: the host listed its own
# (ping's cap_net_raw among them); set them again on the writable layer.
if [ -s /vmout/file-caps ]; then
	while read -r path caps; do
		setcap "$caps" "$path" || echo "pidcap-vm: cannot set $caps on $path"
	done < /vmout/file-caps
fi

echo "pidcap-vm: $(uname -r) up after $(cut -d' ' -f1 /proc/uptime) s"
if cd "$src"; then
	setsid bash /vmout/job.sh < /dev/null 2>&1 | tee /vmout/console.log
	echo "${PIPESTATUS[0]}" > /vmout/status
else
	echo "pidcap-vm: no project folder '$src'" | tee /vmout/console.log
	echo 1 > /vmout/status
fi
echo "pidcap-vm: job exit $(cat /vmout/status) after $(cut -d' ' -f1 /proc/uptime) s"
sync
echo o > /proc/sysrq-trigger
sleep 30
