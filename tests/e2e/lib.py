#!/usr/bin/env python3
"""What the end-to-end tests share: the real pidcap, the real kernel, real
packets, real readers.

Traffic goes only to loopback or to addresses inside network namespaces these
tests create (and always remove). Every payload netpeer sends starts with
"pid=N", the true sender, so each packet's recorded process is checked against
the truth carried in the packet itself. tshark, tcpdump and capinfos judge the
files. run.py runs the test_*.py files.
"""
import os
import queue
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("PIDCAP_BUILD", "build"))
PIDCAP = os.path.join(BUILD, "pidcap")
NETPEER = os.path.join(BUILD, "netpeer")
TAG = "pc%d" % os.getpid()  # names of everything this run creates
PROG_NAMES = ("packet_ingress", "packet_egress", "socket_syscall_", "socket_release",
              "process_exec", "process_fork", "process_exit", "packet_discarded", "pidcap_filter",
              "exec_result", "tcp_state", "openssl_keylog")

FIELDS = ["frame.number", "pktap.pid", "pktap.cmdname", "frame.packet_flags_direction",
          "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "tcp.payload", "udp.payload", "icmp.type",
          "icmpv6.type", "frame.comment", "pktap.ifname", "tcp.flags.syn", "icmp.ident",
          "pktap.epid", "pktap.ecmdname"]



class Failure(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Failure(why)


def sh(*args, check_rc=True, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check_rc and r.returncode != 0:
        raise Failure("%s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r


class Namespaces:
    """Two network namespaces joined by a veth pair, IPv4 and IPv6, each end
    knowing the other's link address before a test begins: the first packet
    to a neighbour not yet resolved waits in the kernel, in a new namespace a
    second for IPv6 (resolve=False leaves that, for the test of it)."""

    def __init__(self, resolve=True):
        self.resolve = resolve
        self.a, self.b = TAG + "a", TAG + "b"
        self.a4, self.b4 = "10.231.7.1", "10.231.7.2"
        self.a6, self.b6 = "fd00:231:7::1", "fd00:231:7::2"
        self.veth_a, self.veth_b = TAG + "va", TAG + "vb"

    def __enter__(self):
        try:
            sh("ip", "netns", "add", self.a)
            sh("ip", "netns", "add", self.b)
            sh("ip", "link", "add", self.veth_a, "netns", self.a, "type", "veth",
               "peer", "name", self.veth_b, "netns", self.b)
            for ns, dev, v4, v6 in ((self.a, self.veth_a, self.a4, self.a6),
                                    (self.b, self.veth_b, self.b4, self.b6)):
                sh("ip", "-n", ns, "addr", "add", v4 + "/24", "dev", dev)
                sh("ip", "-n", ns, "addr", "add", v6 + "/64", "dev", dev, "nodad")
                sh("ip", "-n", ns, "link", "set", dev, "up")
                sh("ip", "-n", ns, "link", "set", "lo", "up")
            if self.resolve:
                for addr in (self.b4, self.b6):
                    wait_until(lambda: subprocess.run(
                        self.run(self.a, "ping", "-c", "1", "-W", "1", addr),
                        capture_output=True).returncode == 0, "a neighbour at " + addr)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for ns in (self.a, self.b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)

    def run(self, ns, *args, **kw):
        return ["ip", "netns", "exec", ns] + list(args)


class Pidcap:
    """pidcap running in the background, ready once it says it is capturing."""

    def __init__(self, *args, stdout=subprocess.DEVNULL, cwd=None):
        self.proc = subprocess.Popen([PIDCAP] + list(args), stdout=stdout, stderr=subprocess.PIPE,
                                     text=True, cwd=cwd)
        self.err_lines = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.ready.wait(60):
            self.proc.kill()
            raise Failure("pidcap did not start: %s" % "".join(self.err_lines))
        if self.proc.poll() is not None:
            raise Failure("pidcap exited at start: %s" % "".join(self.err_lines))

    def _read(self):
        for line in self.proc.stderr:
            self.err_lines.append(line)
            if "capturing" in line:
                self.ready.set()
        self.ready.set()

    def stop(self, sig=signal.SIGINT, timeout=60):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("pidcap did not stop on %s" % sig)
        self.reader.join(5)
        return self.proc.returncode, "".join(self.err_lines)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def tshark_rows(path, display_filter=None):
    """The packets of a file (not its events), one dict each."""
    args = ["tshark", "-r", path, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
    for f in FIELDS:
        args += ["-e", f]
    only_packets = "not systemd_journal"
    args += ["-Y", "(%s) and %s" % (display_filter, only_packets) if display_filter else only_packets]
    out = sh(*args).stdout
    rows = []
    for line in out.splitlines():
        vals = line.split("\t")
        row = dict(zip(FIELDS, vals + [""] * (len(FIELDS) - len(vals))))
        payload = row["tcp.payload"] or row["udp.payload"]
        row["payload"] = bytes.fromhex(payload.replace(":", "")) if payload else b""
        m = re.match(rb"pid=(\d+) ", row["payload"])
        row["payload_pid"] = int(m.group(1)) if m else None
        row["pid"] = int(row["pktap.pid"]) if row["pktap.pid"] else None
        # A packet one local process sent and another received is one record,
        # the sender's, naming the receiver as its peer.
        row["peer"] = int(row["pktap.epid"]) if row["pktap.epid"] not in ("", "0") else None
        flags = row["frame.packet_flags_direction"]
        row["dir"] = {1: "in", 2: "out"}.get(int(flags, 0) & 3 if flags else 0, "?")
        row["src"] = row["ip.src"] or row["ipv6.src"]
        row["dst"] = row["ip.dst"] or row["ipv6.dst"]
        row["ports"] = {p for p in (row["tcp.srcport"], row["tcp.dstport"], row["udp.srcport"],
                                    row["udp.dstport"]) if p}
        rows.append(row)
    return rows


def check_payload_pids(rows, at_least):
    """Every packet that carries its sender's pid carries the sender as its process."""
    carrying = [r for r in rows if r["payload_pid"] is not None]
    check(len(carrying) >= at_least,
          "expected at least %d packets carrying a pid, got %d" % (at_least, len(carrying)))
    for r in carrying:
        # An outgoing packet belongs to its sender; an incoming one to whoever
        # receives it, which the caller checks by port.
        if r["dir"] == "out":
            check(r["pid"] == r["payload_pid"],
                  "frame %s sent by pid %d recorded as pid %s (%s)" % (
                      r["frame.number"], r["payload_pid"], r["pid"], r["pktap.cmdname"]))
    return carrying


def check_endpoint_pids(rows, port, addr_pids):
    """Every packet to or from port belongs to the process at its local end:
    the source for outgoing packets, the destination for incoming ones, and
    both for a packet between two local processes (its receiver the peer)."""
    seen = 0
    for r in rows:
        if str(port) not in r["ports"]:
            continue
        sport = r["tcp.srcport"] or r["udp.srcport"]
        dport = r["tcp.dstport"] or r["udp.dstport"]
        ends = []
        if r["dir"] == "out":
            ends.append(((r["src"], sport == str(port)), r["pid"]))
            if r["peer"] is not None:
                ends.append(((r["dst"], dport == str(port)), r["peer"]))
        else:
            ends.append(((r["dst"], dport == str(port)), r["pid"]))
        for key, pid in ends:
            want = addr_pids.get(key)
            check(want is not None, "frame %s: no expectation for %s" % (r["frame.number"], key))
            check(pid in want, "frame %s (%s %s:%s) recorded as pid %s, expected one of %s" % (
                r["frame.number"], r["dir"], key[0], port if key[1] else "-", pid, sorted(want)))
        seen += 1
    check(seen > 0, "no packet on port %d" % port)
    return seen


def peer_pids(text):
    pids = {}
    for line in text.splitlines():
        m = re.match(r"([a-z-]+)=(\d+)$", line.strip())
        if m:
            pids.setdefault(m.group(1), []).append(int(m.group(2)))
    return pids


def wait_until(pred, what, seconds=60):
    """Waits for pred() to hold: readiness, never a fixed time. The bound is
    generous (kernels under emulation run ten times slower)."""
    deadline = time.time() + seconds
    while True:
        value = pred()
        if value:
            return value
        if time.time() > deadline:
            raise Failure("timed out waiting for %s" % what)
        time.sleep(0.05)


class LineReader:
    """A process's stdout, line by line, from a thread: a line is never lost
    in Python's buffer between a wait on the pipe and the read (select() on a
    buffered pipe misses lines already read into the buffer)."""

    def __init__(self, stream):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for line in iter(stream.readline, ""):
            self.lines.put(line)
        self.lines.put(None)

    def next(self, seconds):
        try:
            return self.lines.get(timeout=seconds)
        except queue.Empty:
            return ""

    def rest(self, seconds):
        """Everything else, once the stream has ended."""
        self.thread.join(seconds)
        out = []
        while not self.lines.empty():
            line = self.lines.get()
            if line is not None:
                out.append(line)
        return "".join(out)


_readers = {}


def read_line(proc, what, seconds=60):
    """The next line a process writes on stdout, waiting for it. (Its stdout
    is read by a thread from then on: use Peer.output() or rest_of(), not
    communicate(), for the rest.)"""
    reader = _readers.setdefault(proc, LineReader(proc.stdout))
    line = reader.next(seconds)
    check(line, "%s: no line (exit %s)" % (what, proc.poll()))
    return line


def rest_of(proc, seconds=60):
    """What a process read with read_line() wrote after, once it has ended."""
    if proc.stdin:
        proc.stdin.close()
    proc.wait(seconds)
    return _readers.pop(proc).rest(seconds)


class Peer:
    """A netpeer (or any program) in the background, ready once it printed its
    first line (a server prints it once it is bound)."""

    def __init__(self, args, stdin=None):
        self.proc = subprocess.Popen(args, stdin=stdin, stdout=subprocess.PIPE, text=True)
        try:
            self.first = read_line(self.proc, " ".join(args[-4:]))
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise

    def output(self, timeout=60):
        """Everything it printed, once it has ended (its stdin closed)."""
        return self.first + rest_of(self.proc, timeout)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


def attached_packet_programs():
    """The names of the programs attached to the root cgroup, where pidcap
    attaches its packet programs last: it is capturing once they are there."""
    import json
    out = sh("bpftool", "-j", "cgroup", "show", cgroup2_mount()).stdout
    return [p.get("name", "") for p in json.loads(out.strip() or "[]")]


def attached_programs(settle=5.0):
    """pidcap's programs still loaded. The kernel frees a detached tracing
    program only after an RCU grace period, so allow it a moment."""
    deadline = time.time() + settle
    while True:
        out = sh("bpftool", "prog", "show").stdout
        names = [n for n in re.findall(r"name (\S+)", out) if n.startswith(PROG_NAMES)]
        if not names or time.time() > deadline:
            return names
        time.sleep(0.1)


# ------------------------------------------------------------------- tests


def journal_events(path):
    """The events of a file, as tshark decodes its systemd Journal Export Blocks."""
    out = sh("tshark", "-r", path, "-Y", "systemd_journal", "-T", "fields", "-E", "separator=\t",
             "-E", "occurrence=a", "-E", "aggregator=\x1f", "-e", "frame.time_epoch",
             "-e", "systemd_journal.pid", "-e", "systemd_journal.comm", "-e", "systemd_journal.exe",
             "-e", "systemd_journal.cmdline", "-e", "systemd_journal.uid",
             "-e", "systemd_journal.syslog_id", "-e", "systemd_journal.message",
             "-e", "systemd_journal.field.name", "-e", "systemd_journal.field.value").stdout
    events = []
    for line in out.splitlines():
        v = line.split("\t")
        v += [""] * (10 - len(v))
        e = dict(zip(v[8].split("\x1f"), v[9].split("\x1f"))) if v[8] else {}
        e.update(time=float(v[0]), pid=int(v[1] or 0), comm=v[2], exe=v[3], cmdline=v[4],
                 uid=v[5], syslog_id=v[6], message=v[7])
        events.append(e)
    return events


def wireshark_config(tmp):
    """A Wireshark configuration folder whose extcap folder holds pidcap (as root,
    Wireshark reads WIRESHARK_CONFIG_DIR/extcap, not WIRESHARK_EXTCAP_DIR)."""
    conf = os.path.join(tmp, "wireshark")
    os.makedirs(os.path.join(conf, "extcap"))
    os.symlink(PIDCAP, os.path.join(conf, "extcap", "pidcap"))
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=conf)
    return conf, env


def cgroup2_mount():
    for line in open("/proc/mounts"):
        dev, mnt, fstype = line.split()[:3]
        if fstype == "cgroup2":
            return mnt
    raise Failure("no cgroup2 mount")
