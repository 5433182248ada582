#!/usr/bin/env python3
"""End-to-end tests: the real pidcap, the real kernel, real packets, real readers.

Traffic goes only to loopback or to addresses inside network namespaces these
tests create (and always remove). Every payload netpeer sends starts with
"pid=N", the true sender, so each packet's recorded process is checked against
the truth carried in the packet itself. tshark, tcpdump and capinfos judge the
files. Prints "ok - NAME" / "not ok - NAME: why" and "N passed, N failed".
"""
import os
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
              "exec_result", "tcp_state")

FIELDS = ["frame.number", "pktap.pid", "pktap.cmdname", "frame.packet_flags_direction",
          "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "tcp.payload", "udp.payload", "icmp.type",
          "icmpv6.type", "frame.comment", "pktap.ifname", "tcp.flags.syn", "icmp.ident"]


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
    """Two network namespaces joined by a veth pair, IPv4 and IPv6."""

    def __init__(self):
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
    the source for outgoing packets, the destination for incoming ones."""
    seen = 0
    for r in rows:
        if str(port) not in r["ports"]:
            continue
        local = r["src"] if r["dir"] == "out" else r["dst"]
        local_port = (r["tcp.srcport"] or r["udp.srcport"]) if r["dir"] == "out" else (
            r["tcp.dstport"] or r["udp.dstport"])
        key = (local, local_port == str(port))
        want = addr_pids.get(key)
        check(want is not None, "frame %s: no expectation for %s" % (r["frame.number"], key))
        check(r["pid"] in want, "frame %s (%s %s:%s) recorded as pid %s, expected one of %s" % (
            r["frame.number"], r["dir"], local, local_port, r["pid"], sorted(want)))
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


def read_line(proc, what, seconds=60):
    """The next line a process writes on stdout, waiting for it."""
    import select
    ready, _, _ = select.select([proc.stdout], [], [], seconds)
    line = proc.stdout.readline() if ready else ""
    check(line, "%s: no line (exit %s)" % (what, proc.poll()))
    return line


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
        rest, _ = self.proc.communicate(timeout=timeout)
        return self.first + rest

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

def test_ping_both_ways_across_namespaces(tmp):
    out = os.path.join(tmp, "ping.pcapng")
    with Namespaces() as ns:
        cap = Pidcap("-w", out)
        try:
            p1 = subprocess.Popen(ns.run(ns.a, "ping", "-c", "3", "-i", "0.2", ns.b4),
                                  stdout=subprocess.DEVNULL)
            p1.wait(60)
            p2 = subprocess.Popen(ns.run(ns.b, "ping", "-6", "-c", "3", "-i", "0.2", ns.a6),
                                  stdout=subprocess.DEVNULL)
            p2.wait(60)
        finally:
            rc, err = cap.stop()
        check(p1.returncode == 0 and p2.returncode == 0, "ping failed")
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        rows = tshark_rows(out, "icmp.type == 8 or icmp.type == 0 or "
                                "icmpv6.type == 128 or icmpv6.type == 129")
        req4 = [r for r in rows if r["icmp.type"] == "8"]
        rep4_out = [r for r in rows if r["icmp.type"] == "0" and r["dir"] == "out"]
        rep4_in = [r for r in rows if r["icmp.type"] == "0" and r["dir"] == "in"]
        check(len(req4) == 3 and all(r["pid"] == p1.pid and r["dir"] == "out" and
                                     r["pktap.ifname"] == ns.veth_a for r in req4),
              "IPv4 echo requests: %s" % [(r["pid"], r["dir"], r["pktap.ifname"]) for r in req4])
        check(len(rep4_out) == 3 and all(r["pid"] == 0 and r["pktap.ifname"] == ns.veth_b
                                         for r in rep4_out),
              "the kernel's IPv4 echo replies: %s" % [(r["pid"], r["pktap.ifname"]) for r in rep4_out])
        check(len(rep4_in) == 3 and all(r["pid"] == p1.pid for r in rep4_in),
              "IPv4 echo replies received by ping: %s" % [r["pid"] for r in rep4_in])
        req6 = [r for r in rows if r["icmpv6.type"] == "128" and r["dir"] == "out"]
        rep6_in = [r for r in rows if r["icmpv6.type"] == "129" and r["dir"] == "in"]
        check(len(req6) == 3 and all(r["pid"] == p2.pid and r["pktap.cmdname"] == "ping"
                                     for r in req6), "IPv6 echo requests: %s" % [r["pid"] for r in req6])
        check(len(rep6_in) == 3 and all(r["pid"] == p2.pid for r in rep6_in),
              "IPv6 echo replies received: %s" % [r["pid"] for r in rep6_in])


def test_demo_shows_pings_requests_and_replies(tmp):
    """The README's first command: ping's 3 requests and 3 replies, with
    ping's PID and name, in tshark's columns."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo.sh")], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, PIDCAP=PIDCAP))
    check(r.returncode == 0, "demo exit %d: %s" % (r.returncode, r.stderr))
    # (the kernels tested offer everything pidcap uses, or a way around it)
    check("warning" not in r.stderr, "a warning on this kernel: %s" % r.stderr)
    rows = re.findall(r"^\s*\d+\s+\S+\s+(\d+)\s+(\S+)\s+lo\s+127\.0\.0\.1 \S+ 127\.0\.0\.1\s+"
                      r"Echo \(ping\) (request|reply)", r.stdout, re.M)
    kinds = [k for _, _, k in rows]
    check(kinds.count("request") == 3 and kinds.count("reply") == 3 and len(rows) == 6,
          "ping's packets in the demo: %s\n%s" % (rows, r.stdout))
    pids = {(pid, name) for pid, name, _ in rows}
    check(len(pids) == 1 and list(pids)[0][1] == "ping" and list(pids)[0][0] != "0",
          "the packets' process: %s" % pids)
    exec_line = re.search(r"exec ping\[(\d+)\] .*: ping -c 3", r.stdout)
    check(exec_line and exec_line.group(1) == list(pids)[0][0], "ping's exec event: %s" % r.stdout)


def test_ping_through_an_icmp_datagram_socket(tmp):
    """Unprivileged ping: an ICMP datagram socket, allowed by ping_group_range
    in the test's own namespace."""
    out = os.path.join(tmp, "dgram.pcapng")
    with Namespaces() as ns:
        sh("ip", "netns", "exec", ns.a, "sysctl", "-qw", "net.ipv4.ping_group_range=0 2147483647")
        cap = Pidcap("-w", out)
        try:
            p = sh(*ns.run(ns.a, NETPEER, "icmp-dgram", ns.b4), timeout=60)
        finally:
            rc, err = cap.stop()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        pid = peer_pids(p.stdout)["icmp-dgram"][0]
        rows = tshark_rows(out, "icmp")
        req = [r for r in rows if r["icmp.type"] == "8" and r["dir"] == "out" and r["src"] == ns.a4]
        rep = [r for r in rows if r["icmp.type"] == "0" and r["dir"] == "in" and r["dst"] == ns.a4]
        check(len(req) == 3 and all(r["pid"] == pid for r in req),
              "requests: %s, pid %d" % ([r["pid"] for r in req], pid))
        check(len(rep) == 3 and all(r["pid"] == pid for r in rep),
              "replies: %s, pid %d" % ([r["pid"] for r in rep], pid))


def tcp_exchange(ns, tmp, name, server_addr, client_addr, port):
    out = os.path.join(tmp, name + ".pcapng")
    cap = Pidcap("-w", out)
    try:
        srv = Peer(ns.run(ns.b, NETPEER, "tcp-server", server_addr, str(port), "2"))
        cl = [sh(*ns.run(ns.a, NETPEER, "tcp-client", server_addr, str(port)), timeout=60)
              for _ in range(2)]
        srv_out = srv.output()
    finally:
        rc, err = cap.stop()
    check(rc == 0, "pidcap exit %d: %s" % (rc, err))
    server_pid = peer_pids(srv_out)["tcp-server"][0]
    client_pids = {peer_pids(c.stdout)["tcp-client"][0] for c in cl}
    rows = tshark_rows(out)
    check_payload_pids(rows, 4)
    check_endpoint_pids(rows, port, {(server_addr, True): {server_pid},
                                     (client_addr, False): client_pids})
    syn = [r for r in rows if r["tcp.flags.syn"] == "1" and str(port) in r["ports"]]
    check(len(syn) == 8, "expected 2 SYNs and 2 SYN-ACKs, each seen out and in: %s" % [
        (r["dir"], r["src"], r["tcp.srcport"], r["dst"], r["pid"], r["pktap.ifname"]) for r in syn])


def test_tcp_server_and_accepted_sockets_ipv4(tmp):
    with Namespaces() as ns:
        tcp_exchange(ns, tmp, "tcp4", ns.b4, ns.a4, 47101)


def test_tcp_server_and_accepted_sockets_ipv6(tmp):
    with Namespaces() as ns:
        tcp_exchange(ns, tmp, "tcp6", ns.b6, ns.a6, 47102)


def udp_exchange(ns, tmp, name, server_addr, client_addr, port):
    out = os.path.join(tmp, name + ".pcapng")
    cap = Pidcap("-w", out)
    try:
        srv = Peer(ns.run(ns.b, NETPEER, "udp-echo", server_addr, str(port), "3"))
        cl = sh(*ns.run(ns.a, NETPEER, "udp-send", server_addr, str(port), "3"), timeout=60)
        srv_out = srv.output()
    finally:
        rc, err = cap.stop()
    check(rc == 0, "pidcap exit %d: %s" % (rc, err))
    server_pid = peer_pids(srv_out)["udp-echo"][0]
    client_pid = peer_pids(cl.stdout)["udp-send"][0]
    rows = tshark_rows(out)
    carrying = check_payload_pids(rows, 12)
    check(len(carrying) == 12, "3 requests and 3 replies, each out and in: %d" % len(carrying))
    check_endpoint_pids(rows, port, {(server_addr, True): {server_pid},
                                     (client_addr, False): {client_pid}})


def test_udp_ipv4(tmp):
    with Namespaces() as ns:
        udp_exchange(ns, tmp, "udp4", ns.b4, ns.a4, 47103)


def test_udp_ipv6(tmp):
    with Namespaces() as ns:
        udp_exchange(ns, tmp, "udp6", ns.b6, ns.a6, 47104)


def test_connection_opened_before_pidcap_started(tmp):
    out = os.path.join(tmp, "before.pcapng")
    go = os.path.join(tmp, "go")
    port = 47105
    with Namespaces() as ns:
        srv = Peer(ns.run(ns.b, NETPEER, "tcp-server", ns.b4, str(port), "1"))
        cl = Peer(ns.run(ns.a, NETPEER, "tcp-wait", ns.b4, str(port), go))
        first = cl.first + read_line(cl.proc, "tcp-wait")
        check("connected" in first, "the client did not connect: %r" % first)
        cap = Pidcap("-w", out)
        try:
            open(go, "w").close()
            cl.output()
            srv_out = srv.output()
        finally:
            rc, err = cap.stop()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        server_pid = peer_pids(srv_out)["tcp-server"][0]
        client_pid = peer_pids(first)["tcp-wait"][0]
        rows = tshark_rows(out)
        check_payload_pids(rows, 4)
        n = check_endpoint_pids(rows, port, {(ns.b4, True): {server_pid},
                                             (ns.a4, False): {client_pid}})
        check(n >= 8, "too few packets of the connection: %d" % n)
        check(not any(r["pid"] == 0 for r in rows if str(port) in r["ports"]),
              "a packet of the connection has no process")


def test_socket_handed_to_child_after_fork(tmp):
    out = os.path.join(tmp, "fork.pcapng")
    with Namespaces() as ns:
        cap = Pidcap("-w", out)
        try:
            usrv = Peer(ns.run(ns.b, NETPEER, "udp-echo", ns.b4, "47106", "1"))
            tsrv = Peer(ns.run(ns.b, NETPEER, "tcp-server", ns.b4, "47107", "1"))
            u = sh(*ns.run(ns.a, NETPEER, "fork-udp", ns.b4, "47106"), timeout=60)
            t = sh(*ns.run(ns.a, NETPEER, "fork-tcp", ns.b4, "47107"), timeout=60)
            usrv.output()
            tsrv.output()
        finally:
            rc, err = cap.stop()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        rows = tshark_rows(out)
        check_payload_pids(rows, 4)
        up, tp = peer_pids(u.stdout), peer_pids(t.stdout)
        # The UDP socket is only ever used by the child.
        mine = [r for r in rows if "47106" in r["ports"] and r["src"] == ns.a4 and r["dir"] == "out"]
        check(mine and all(r["pid"] == up["child"][0] for r in mine),
              "UDP sent through an inherited socket: %s, child %s" % (
                  [r["pid"] for r in mine], up["child"]))
        # The TCP handshake is the parent's; the data the child's.
        syn = [r for r in rows if "47107" in r["ports"] and r["tcp.flags.syn"] == "1"
               and r["src"] == ns.a4 and r["dir"] == "out"]
        check(syn and syn[0]["pid"] == tp["parent"][0],
              "the SYN belongs to the parent %s: %s" % (tp["parent"], [r["pid"] for r in syn]))
        data = [r for r in rows if "47107" in r["ports"] and r["payload"] and r["src"] == ns.a4
                and r["dir"] == "out"]
        check(data and all(r["pid"] == tp["child"][0] for r in data),
              "TCP data from the child %s: %s" % (tp["child"], [r["pid"] for r in data]))


def test_socket_passed_over_unix_socket(tmp):
    out = os.path.join(tmp, "passfd.pcapng")
    with Namespaces() as ns:
        cap = Pidcap("-w", out)
        try:
            srv = Peer(ns.run(ns.b, NETPEER, "udp-echo", ns.b4, "47112", "1"))
            p = sh(*ns.run(ns.a, NETPEER, "pass-fd", ns.b4, "47112"), timeout=60)
            srv_out = srv.output()
        finally:
            rc, err = cap.stop()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        pids = peer_pids(p.stdout)
        rows = tshark_rows(out)
        check_payload_pids(rows, 4)
        check_endpoint_pids(rows, 47112, {(ns.b4, True): set(peer_pids(srv_out)["udp-echo"]),
                                          (ns.a4, False): set(pids["child"])})


def test_command_with_short_lived_children_and_a_bystander(tmp):
    out = os.path.join(tmp, "cmd.pcapng")
    port, other_port = 47108, 47109
    sink = Peer([NETPEER, "udp-sink", "127.0.0.1", str(port), "60"])
    other_sink = Peer([NETPEER, "udp-sink", "127.0.0.1", str(other_port), "60"])
    try:
        bystander = subprocess.Popen([NETPEER, "udp-flood", "127.0.0.1", str(other_port), "2"],
                                     stdout=subprocess.PIPE, text=True)
        r = subprocess.run([PIDCAP, "-w", out, "--", NETPEER, "spawn-short", "127.0.0.1",
                            str(port), "20"], capture_output=True, text=True, timeout=120)
        bystander.communicate(timeout=60)
    finally:
        sink.kill()
        other_sink.kill()
    check(r.returncode == 0, "pidcap exit %d: %s" % (r.returncode, r.stderr))
    pids = peer_pids(r.stdout)
    shorts = set(pids.get("short", []))
    check(len(shorts) == 20, "20 short-lived children expected: %s" % pids)
    rows = tshark_rows(out)
    check(rows and all(r["pid"] in shorts | set(pids["spawner"]) for r in rows),
          "packets of other processes: %s" % sorted({r["pid"] for r in rows} - shorts))
    carrying = check_payload_pids(rows, 20)
    check({r["pid"] for r in carrying} == shorts, "not every short-lived child was captured")
    check(all("spawn-short" in r["frame.comment"] for r in carrying),
          "command line missing: %s" % carrying[0]["frame.comment"])


def test_command_exit_status_is_pidcaps(tmp):
    out = os.path.join(tmp, "status.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--", "sh", "-c", "exit 3"], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 3, "exit %d: %s" % (r.returncode, r.stderr))
    os.unlink(out)
    r = subprocess.run([PIDCAP, "-w", out, "--", "/nonexistent/cmd"], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode == 127 and r.stderr.startswith("pidcap: cannot run") and
          len(r.stderr.splitlines()) == 1, "exit %d: %r" % (r.returncode, r.stderr))
    check(not os.path.exists(out), "a command that cannot run left a file")


def test_run_as_another_user(tmp):
    out = os.path.join(tmp, "runas.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--run-as", "nobody", "--", "sh", "-c",
                        "test $(id -u) = $(id -u nobody) && ping -c 1 127.0.0.1 >/dev/null"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    rows = tshark_rows(out, "icmp.type == 8")
    check(len(rows) == 1 and "uid=65534" in rows[0]["frame.comment"],
          "ping as nobody: %s" % [x["frame.comment"] for x in rows])


def test_pid_with_follow_forks(tmp):
    out_f = os.path.join(tmp, "follow.pcapng")
    out_nf = os.path.join(tmp, "nofollow.pcapng")
    port = 47110
    script = "read x; %s udp-send 127.0.0.1 %d 2" % (NETPEER, port)
    results = {}
    for name, out, extra in (("follow", out_f, ["-f"]), ("plain", out_nf, [])):
        echo = Peer([NETPEER, "udp-echo", "127.0.0.1", str(port), "2"])
        parent = subprocess.Popen(["sh", "-c", script], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            cap = Pidcap("-w", out, "--pid", str(parent.pid), *extra)
            try:
                parent.stdin.write("go\n")
                parent.stdin.flush()
                child_out, _ = parent.communicate(timeout=60)
                echo.output()
            finally:
                rc, err = cap.stop()
        finally:
            parent.kill()
            echo.kill()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        results[name] = (tshark_rows(out), peer_pids(child_out)["udp-send"][0])
    rows, child = results["follow"]
    check(len(rows) == 4 and all(r["pid"] == child for r in rows),
          "-f: the child's 2 datagrams and 2 answers only: %s" % [(r["pid"], r["dir"]) for r in rows])
    rows, child = results["plain"]
    check(rows == [], "without -f the child is not selected: %d packets" % len(rows))


def test_stdout_stream_read_live_by_tshark(tmp):
    cap = subprocess.Popen([PIDCAP, "-w", "-", "--comm", "ping", "--events", "none"],
                           stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    ts = subprocess.Popen(["tshark", "-i", "-", "-c", "4", "-T", "fields", "-e", "pktap.pid",
                           "-e", "pktap.cmdname"], stdin=cap.stdout, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True)
    cap.stdout.close()
    try:
        # (what pidcap writes before tshark reads waits in the pipe)
        line = cap.stderr.readline()
        check("capturing" in line, "pidcap did not start: %r" % line)
        ping = subprocess.run(["ping", "-c", "2", "-i", "0.3", "127.0.0.1"],
                              stdout=subprocess.DEVNULL)
        out, _ = ts.communicate(timeout=60)
    finally:
        cap.send_signal(signal.SIGINT)
        try:
            cap.wait(30)
        except subprocess.TimeoutExpired:
            cap.kill()
        ts.kill()
    lines = [l.split("\t") for l in out.splitlines() if l]
    check(ping.returncode == 0, "ping failed")
    check(len(lines) == 4 and all(l[1] == "ping" for l in lines),
          "tshark read live: %s" % lines)


def test_a_reader_that_goes_away_ends_the_capture(tmp):
    """A stream whose reader exits (Wireshark killed, `| head`): pidcap ends by
    itself, quietly, even with nothing to write, and leaves nothing attached."""
    r, w = os.pipe()
    cap = subprocess.Popen([PIDCAP, "-w", "-", "--comm", "no-such-comm"], stdout=w,
                           stderr=subprocess.PIPE, text=True)
    os.close(w)
    try:
        line = cap.stderr.readline()
        check("capturing" in line, "pidcap did not start: %r" % line)
        os.close(r)
        err = cap.communicate(timeout=60)[1]
    finally:
        if cap.poll() is None:
            cap.kill()
            cap.wait()
    check(cap.returncode == 0 and "pipe" not in err.lower() and "cannot" not in err,
          "exit %d: %r" % (cap.returncode, err))
    check(attached_programs() == [], "left attached: %s" % attached_programs())


def test_kill_9_leaves_nothing_attached(tmp):
    check(attached_programs() == [], "programs attached before the test: %s" % attached_programs())
    before_links = sh("bpftool", "link", "show").stdout
    cap = Pidcap("-w", os.path.join(tmp, "k.pcapng"))
    during = attached_programs(settle=0)
    cap.proc.kill()
    cap.proc.wait()
    check(len(during) >= 5, "pidcap's programs were not seen while it ran: %s" % during)
    check(attached_programs() == [], "still attached after kill -9: %s" % attached_programs())
    # (the kernel may release links a moment after the process is gone)
    try:
        wait_until(lambda: sh("bpftool", "link", "show").stdout == before_links, "links", 10)
    except Failure:
        raise Failure("links left behind")
    cg = sh("bpftool", "cgroup", "tree").stdout
    check(not any(n in cg for n in ("packet_ingress", "packet_egress", "socket_release")),
          "cgroup programs left behind:\n" + cg)


def test_sigterm_gives_complete_file_and_statistics(tmp):
    out = os.path.join(tmp, "term.pcapng")
    cap = Pidcap("-w", out, "--comm", "ping")
    subprocess.run(["ping", "-c", "2", "-i", "0.2", "127.0.0.1"], stdout=subprocess.DEVNULL)
    cap.proc.send_signal(signal.SIGUSR1)
    wait_until(lambda: "packets dropped by kernel\n" in "".join(cap.err_lines),
               "the statistics SIGUSR1 asks for")
    rc, err = cap.stop(signal.SIGTERM)
    check(rc == 0, "exit %d" % rc)
    check(err.count("packets captured") == 2, "SIGUSR1 and the end each print statistics:\n" + err)
    finals = re.findall(r"(\d+) packets captured\n(\d+) packets received by filter\n"
                        r"(\d+) packets dropped by kernel\n", err)
    check(len(finals) == 2 and finals[-1] == ("4", "4", "0"), "final statistics: %r" % err)
    info = sh("capinfos", "-c", "-M", out).stdout
    check(re.search(r"Number of packets:\s+4\b", info), "capinfos: %s" % info)
    check(stat.S_IMODE(os.stat(out).st_mode) == 0o600, "mode %o" % stat.S_IMODE(os.stat(out).st_mode))


def test_darwin_format_works_with_tcpdump_filters(tmp):
    out = os.path.join(tmp, "darwin.pcapng")
    port = 47111
    echo = Peer([NETPEER, "udp-echo", "127.0.0.1", str(port), "3"])
    r = subprocess.run([PIDCAP, "-w", out, "--format", "darwin", "--", NETPEER, "udp-send",
                        "127.0.0.1", str(port), "3"], capture_output=True, text=True, timeout=60)
    echo.output()
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    td = sh("tcpdump", "-r", out, "-nn", "udp port %d" % port)
    check(len(td.stdout.splitlines()) == 6, "tcpdump selected: %s" % td.stdout)
    pid = peer_pids(r.stdout)["udp-send"][0]
    comments = sh("tshark", "-r", out, "-T", "fields", "-e", "frame.comment").stdout.split("\n")
    check(all(("pid=%d " % pid) in c for c in comments if c),
          "comments: %s" % comments[:2])


def test_rotation_by_size_and_count(tmp):
    base = os.path.join(tmp, "f.pcapng")
    r = subprocess.run([PIDCAP, "-w", base, "-C", "2k", "-W", "3", "--", "ping", "-q", "-c", "20",
                        "-i", "0.05", "127.0.0.1"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    files = sorted(os.listdir(tmp))
    check(files == ["f.pcapng0", "f.pcapng1", "f.pcapng2"], "files: %s" % files)
    total = 0
    for f in files:
        path = os.path.join(tmp, f)
        rows = tshark_rows(path)  # each file stands on its own
        check(rows and all(row["pktap.cmdname"] == "ping" for row in rows), "%s: %s" % (f, rows))
        check(os.path.getsize(path) < 2048 + 1024, "%s is %d bytes" % (f, os.path.getsize(path)))
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s mode" % f)
        total += len(rows)
    check(total < 40, "the oldest file was not overwritten: %d packets kept" % total)


def test_rotation_by_time_as_another_user(tmp):
    os.chmod(tmp, 0o777)
    pattern = os.path.join(tmp, "g-%H%M%S.pcapng")
    # (pinging before the start and until the end: every file's second has packets,
    # however slowly the capture starts)
    ping = subprocess.Popen(["ping", "-q", "-i", "0.2", "127.0.0.1"], stdout=subprocess.DEVNULL)
    try:
        cap = Pidcap("-w", pattern, "-G", "1", "-W", "2", "-Z", "nobody", "--comm", "ping")
        try:
            cap.proc.wait(60)  # -G 1 -W 2: done after the second file
        except subprocess.TimeoutExpired:
            pass
        rc, err = cap.stop()
    finally:
        ping.kill()
        ping.wait()
    check(rc == 0, "exit %d: %s" % (rc, err))
    files = sorted(f for f in os.listdir(tmp) if f.startswith("g-"))
    check(len(files) == 2, "files: %s" % files)
    for f in files:
        st = os.stat(os.path.join(tmp, f))
        check(st.st_uid == 65534, "%s belongs to uid %d" % (f, st.st_uid))
        check(tshark_rows(os.path.join(tmp, f)), "%s is empty" % f)


def test_status_line_on_a_terminal(tmp):
    """Writing a file with stderr on a terminal: a live status line."""
    out = os.path.join(tmp, "status.pcapng")
    log = os.path.join(tmp, "typescript")
    term = subprocess.Popen(["script", "-q", "-f", "-c", "%s -w %s --comm ping" % (PIDCAP, out), log],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

    def screen():
        return open(log, errors="replace").read() if os.path.exists(log) else ""

    def statuses():
        return re.findall(r"(\d+) packets captured, (\d+) dropped, (\d+) packets/s, ([\d.]+) MB written",
                          screen())
    try:
        wait_until(lambda: "capturing" in screen(), "pidcap's first line on the terminal")
        subprocess.run(["ping", "-c", "8", "-i", "0.3", "127.0.0.1"], stdout=subprocess.DEVNULL)
        wait_until(lambda: any(st[0] == "16" for st in statuses()), "a status line counting 16")
    finally:
        subprocess.run(["pkill", "-INT", "-f", "%s -w %s" % (PIDCAP, out)])
        term.wait(30)
    text = screen()
    status = statuses()
    check(len(status) >= 2, "status lines: %r" % text[-400:])
    check(status[-1][0] == "16" and status[-1][1] == "0", "last status: %s" % (status[-1],))


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


def test_events_in_the_file_with_every_field(tmp):
    out = os.path.join(tmp, "events.pcapng")
    with Namespaces() as ns:
        # (the waits are shell built-ins: no process of their own in the events)
        script = """
            ip netns exec {b} {peer} tcp-server {b4} 47130 1 > {tmp}/srv.out &
            until [ -s {tmp}/srv.out ]; do :; done
            {peer} tcp-client {b4} 47130 > {tmp}/cl.out
            sh -c 'exit 7'
            sleep 10 &
            while read c < /proc/$!/comm && [ "$c" != sleep ]; do :; done
            kill -KILL $!
            /nonexistent-pidcap-test arg1 'two words' 2>/dev/null
            wait
            exit 0""".format(b=ns.b, peer=NETPEER, b4=ns.b4, tmp=tmp)
        r = subprocess.run([PIDCAP, "-w", out, "--", "ip", "netns", "exec", ns.a, "sh", "-c", script],
                           capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    server = peer_pids(open(os.path.join(tmp, "srv.out")).read())["tcp-server"][0]
    client = peer_pids(open(os.path.join(tmp, "cl.out")).read())["tcp-client"][0]
    events = journal_events(out)
    check(events, "no events in the file")
    check(all(e["syslog_id"] == "pidcap" and e["message"] and e.get("EVENT") for e in events),
          "an event without its identity: %s" % [e for e in events if not e.get("EVENT")][:1])
    times = [e["time"] for e in events]
    check(times == sorted(times), "events out of time order")

    def one(pred, what):
        found = [e for e in events if pred(e)]
        check(len(found) == 1, "%s: %d events: %s" % (what, len(found), found[:3]))
        return found[0]

    e = one(lambda e: e["EVENT"] == "exec" and e["cmdline"] == "sh -c exit 7", "exec of sh -c 'exit 7'")
    check(e["exe"] == "/usr/bin/sh" and e["uid"] == "0" and e["EXEC_RESULT"] == "0" and
          int(e["PPID"]) > 0, "exec fields: %s" % e)
    x = one(lambda x: x["EVENT"] == "exit" and x["pid"] == e["pid"], "exit of that sh")
    check(x["EXIT_CODE"] == "7" and int(x["LIFETIME_US"]) > 0 and "code 7" in x["message"],
          "exit fields: %s" % x)
    k = one(lambda k: k["EVENT"] == "exit" and k.get("EXIT_SIGNAL") == "SIGKILL", "the killed sleep")
    check(k["comm"] == "sleep" and k["CORE_DUMPED"] == "0" and "killed by SIGKILL" in k["message"],
          "signal death: %s" % k)
    # (ip netns exec searches PATH with execvp: its failed tries are real events too)
    f = one(lambda f: f["EVENT"] == "exec" and f["exe"] == "/nonexistent-pidcap-test",
            "the failed exec")
    check(f["EXEC_RESULT"] == "ENOENT" and
          f["cmdline"] == "/nonexistent-pidcap-test arg1 two words", "failed exec: %s" % f)
    forks = [e for e in events if e["EVENT"] == "fork"]
    check(any(int(e["CHILD_PID"]) == k["pid"] for e in forks), "no fork event for the sleep")
    c = one(lambda c: c["EVENT"] == "connect", "connect")
    check(c["pid"] == client and c["TCP_SRC"] == ns.a4 and c["TCP_DST"] == ns.b4 and
          c["TCP_DPORT"] == "47130", "connect: %s" % c)
    a = one(lambda a: a["EVENT"] == "accept", "accept")
    check(a["pid"] == server and a["TCP_SRC"] == ns.b4 and a["TCP_SPORT"] == "47130" and
          a["TCP_DPORT"] == c["TCP_SPORT"], "accept: %s" % a)
    closes = {e["pid"]: e for e in events if e["EVENT"] == "close"}
    check(set(closes) == {client, server}, "close events: %s" % list(closes))
    sent, got = len("pid=%d request" % client), len("pid=%d reply" % server)
    check(closes[client]["BYTES_SENT"] == str(sent) and closes[client]["BYTES_RECEIVED"] == str(got),
          "client close: %s" % closes[client])
    check(closes[server]["BYTES_SENT"] == str(got) and closes[server]["BYTES_RECEIVED"] == str(sent),
          "server close: %s" % closes[server])
    # One filter shows a process's whole story: its packets and its events.
    story = sh("tshark", "-r", out, "-Y", "pktap.pid == %d || systemd_journal.pid == %d" %
               (client, client), "-T", "fields", "-e", "frame.protocols").stdout.splitlines()
    check(any("pktap" in p for p in story) and sum("systemd_journal" in p for p in story) >= 3,
          "the client's story: %s" % story)


def test_events_in_text_and_json(tmp):
    r = subprocess.run([PIDCAP, "--no-packets", "--events", "exec,exit", "--", "sh", "-c", "exit 3"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 3, "exit %d: %s" % (r.returncode, r.stderr))
    lines = r.stdout.splitlines()
    check(len(lines) == 2 and re.match(r"\d\d:\d\d:\d\d\.\d{6} exec sh\[\d+\] ppid \d+ uid 0 "
                                         r"/usr/bin/sh: sh -c exit 3$", lines[0]) and
          re.match(r".* exit sh\[\d+\] code 3 after [\d.]+ [mu]?s$", lines[1]), "text: %s" % lines)
    check("1 events dropped" not in r.stderr and "2 events captured" in r.stderr, r.stderr)
    r = subprocess.run([PIDCAP, "--no-packets", "--events", "exit", "--json", "--", "sh", "-c", "exit 4"],
                       capture_output=True, text=True, timeout=60)
    import json
    objs = [json.loads(l) for l in r.stdout.splitlines()]
    check(len(objs) == 1 and objs[0]["event"] == "exit" and objs[0]["exit_code"] == "4" and
          objs[0]["comm"] == "sh", "json: %s" % objs)


def test_events_read_back_from_a_file(tmp):
    """pidcap -r shows the events of a file between its packets, as the live
    capture did; the process filters select them; -r -w keeps them."""
    import json
    out, copy = os.path.join(tmp, "ev.pcapng"), os.path.join(tmp, "copy.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--", "sh", "-c", "ping -c 1 127.0.0.1 >/dev/null; exit 5"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 5, "exit %d: %s" % (r.returncode, r.stderr))
    live = journal_events(out)
    ping = [e for e in live if e["EVENT"] == "exec" and e["comm"] == "ping"][0]["pid"]
    text = sh(PIDCAP, "-r", out).stdout.splitlines()
    kinds = [re.sub(r"^\S+ (\w+) .*", r"\1", l) for l in text]
    check(text and kinds[0] == "exec" and "exit" in kinds and
          any(" ICMP echo request" in l for l in text), "text: %s" % text)
    # an event of each kind the file holds, in the file's order
    check(len([l for l in text if " ICMP " not in l]) == len(live),
          "%d events printed, %d in the file: %s" % (
              len([l for l in text if " ICMP " not in l]), len(live), text))
    mine = sh(PIDCAP, "-r", out, "--pid", str(ping)).stdout.splitlines()
    check(mine and all("[%d]" % ping in l for l in mine) and
          any(l.split()[1] == "exit" for l in mine), "--pid: %s" % mine)
    objs = [json.loads(l) for l in sh(PIDCAP, "-r", out, "--json", "--events", "exit").stdout.splitlines()]
    exits = [o for o in objs if "event" in o]
    check(len(exits) == 2 and {o["exit_code"] for o in exits} == {"0", "5"} and
          len(objs) > len(exits), "json: %s" % objs)
    check(sh(PIDCAP, "-r", out, "--events", "none").stdout.count(" exec ") == 0,
          "--events none still shows events")
    sh(PIDCAP, "-r", out, "-w", copy)
    kept = journal_events(copy)
    check([(e["EVENT"], e["pid"], e["message"]) for e in kept] ==
          [(e["EVENT"], e["pid"], e["message"]) for e in live], "-r -w: %s" % kept)


def test_arguments_cut_are_said_to_be_cut(tmp):
    long_arg = "x" * 5000
    r = subprocess.run([PIDCAP, "--no-packets", "--events", "exec", "--args-size", "1024", "--",
                        "sh", "-c", "true", long_arg], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    line = r.stdout.splitlines()[0]
    check(line.endswith("... (arguments cut)") and len(line) < 1200, "cut: %s" % line[-80:])
    r = subprocess.run([PIDCAP, "--no-packets", "--events", "exec", "--", "sh", "-c", "true", long_arg],
                       capture_output=True, text=True, timeout=60)
    check(long_arg in r.stdout and "cut" not in r.stdout, "the default keeps 5000 bytes")


def wireshark_config(tmp):
    """A Wireshark configuration folder whose extcap folder holds pidcap (as root,
    Wireshark reads WIRESHARK_CONFIG_DIR/extcap, not WIRESHARK_EXTCAP_DIR)."""
    conf = os.path.join(tmp, "wireshark")
    os.makedirs(os.path.join(conf, "extcap"))
    os.symlink(PIDCAP, os.path.join(conf, "extcap", "pidcap"))
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=conf)
    return conf, env


def test_extcap_listed_and_capturing_one_process(tmp):
    conf, env = wireshark_config(tmp)
    listed = sh("tshark", "-D", env=env).stdout
    check(re.search(r"\d+\. pidcap \(pidcap: packets and events by process\)", listed),
          "tshark -D: %s" % listed)
    out = os.path.join(tmp, "extcap.pcapng")
    target = subprocess.Popen(["sh", "-c", "read x; ping -c 2 -i 0.2 127.0.0.1 >/dev/null"],
                              stdin=subprocess.PIPE, text=True)
    other = None
    ts = None
    try:
        # -c: tshark stops once it has the 8 frames the target makes: a fork and
        # an exec (sh starts ping), 2 echo requests and 2 replies, 2 exits.
        ts = subprocess.Popen(["tshark", "-i", "pidcap", "-c", "8", "-w", out,
                               "-o", "extcap.pidcap.pid:%d" % target.pid,
                               "-o", "extcap.pidcap.followforks:true"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: {"packet_ingress", "packet_egress"} <= set(attached_packet_programs()),
                   "pidcap started by tshark to attach its packet programs")
        # A bystander's TCP exchange (ICMP would reach the target ping's raw socket
        # and truly be received by it).
        other = Peer([NETPEER, "tcp-server", "127.0.0.1", "47140", "1"])
        sh(NETPEER, "tcp-client", "127.0.0.1", "47140", timeout=60)
        target.stdin.write("go\n")
        target.stdin.close()
        target.wait(60)
        _, err = ts.communicate(timeout=60)
    finally:
        target.kill()
        if other:
            other.kill()
        if ts and ts.poll() is None:
            ts.kill()
            ts.wait()
    check(ts.returncode == 0 and "Error" not in err, "tshark: %d %s" % (ts.returncode, err))
    rows = tshark_rows(out)
    pings = {r["pid"] for r in rows}
    check(len(rows) == 4 and len(pings) == 1 and all(r["pktap.cmdname"] == "ping" for r in rows),
          "the target's ping only: %s" % [(r["pid"], r["dir"], r["icmp.type"], r["icmp.ident"]) for r in rows])
    events = journal_events(out)
    kinds = sorted({e["EVENT"] for e in events})
    check(kinds == ["exec", "exit", "fork"] and all(e["pid"] in pings | {target.pid} for e in events),
          "events: %s" % [(e["EVENT"], e["pid"]) for e in events])
    check(any(e["EVENT"] == "exec" and e["cmdline"] == "ping -c 2 -i 0.2 127.0.0.1" for e in events),
          "the ping's exec with its arguments")
    check(attached_programs() == [], "left attached after the extcap capture")


def test_extcap_refuses_a_bad_capture_filter(tmp):
    conf, env = wireshark_config(tmp)
    r = subprocess.run([PIDCAP, "--extcap-capture-filter", "tcp port", "--extcap-interface", "pidcap"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "syntax error" in r.stdout, "validation: %r" % r.stdout)
    r = subprocess.run([PIDCAP, "--extcap-capture-filter", "tcp port 80", "--extcap-interface", "pidcap"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and r.stdout == "", "a good filter: %r" % r.stdout)
    r = subprocess.run(["tshark", "-i", "pidcap", "-a", "duration:2", "-f", "tcp port", "-w",
                        os.path.join(tmp, "x.pcapng")], env=env, capture_output=True, text=True,
                       timeout=60)
    check("can't parse filter expression: syntax error" in r.stderr, "tshark: %s" % r.stderr)


def test_extcap_dialog_and_dlt(tmp):
    r = sh(PIDCAP, "--extcap-dlts", "--extcap-interface", "pidcap")
    check(r.stdout.strip() == "dlt {number=258}{name=PKTAP}{display=Packets with their process (PKTAP)}",
          r.stdout)
    r = sh(PIDCAP, "--extcap-config", "--extcap-interface", "pidcap")
    calls = re.findall(r"\{call=(--[a-z-]+)\}", r.stdout)
    check(calls == ["--pid", "--comm", "--uid", "--follow-forks", "--events", "--no-packets",
                    "--snapshot-length"], "config: %s" % calls)
    # Each option the dialog offers is one pidcap takes.
    for call in calls:
        check(call in sh(PIDCAP, "--help").stdout, "%s not in --help" % call)


def test_wireshark_profile_shows_pid_and_process_for_packets_and_events(tmp):
    conf, env = wireshark_config(tmp)
    shutil.copytree(os.path.join(ROOT, "wireshark", "profile"), os.path.join(conf, "profiles", "pidcap"))
    out = os.path.join(tmp, "profile.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--", "sh", "-c", "ping -c 1 127.0.0.1 >/dev/null"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    cols = sh("tshark", "-C", "pidcap", "-r", out, "-T", "fields", "-e", "_ws.col.PID",
              "-e", "_ws.col.Process", "-e", "frame.protocols", env=env).stdout.splitlines()
    packets = [c for c in cols if "pktap" in c]
    events = [c for c in cols if "systemd_journal" in c]
    check(len(packets) == 2 and len(events) >= 4, "rows: %s" % cols)
    check(all(re.match(r"\d+\tping\t", c) for c in packets), "packet columns: %s" % packets)
    check(all(re.match(r"\d+\t(sh|ping)\t", c) for c in events), "event columns: %s" % events)


def test_install_and_uninstall_leave_nothing_behind(tmp):
    dest = os.path.join(tmp, "dest")
    r = subprocess.run(["make", "-s", "-C", ROOT, "install", "DESTDIR=" + dest], capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == 0, r.stderr)
    installed = sorted(os.path.relpath(os.path.join(d, f), dest)
                       for d, _, fs in os.walk(dest) for f in fs)
    check(installed == sorted([
        "usr/lib/%s/wireshark/extcap/pidcap" % sh("gcc", "-print-multiarch").stdout.strip(),
        "usr/local/bin/pidcap", "usr/local/share/bash-completion/completions/pidcap",
        "usr/local/share/man/man8/pidcap.8", "usr/share/wireshark/profiles/pidcap/colorfilters",
        "usr/share/wireshark/profiles/pidcap/preferences"]), "installed: %s" % installed)
    r = subprocess.run(["make", "-s", "-C", ROOT, "uninstall", "DESTDIR=" + dest], capture_output=True,
                       text=True, timeout=120)
    left = [os.path.join(d, f) for d, _, fs in os.walk(dest) for f in fs]
    check(r.returncode == 0 and not left, "left behind: %s" % left)


def test_capabilities_instead_of_root(tmp):
    """As nobody with only the capabilities set-capabilities.sh grants."""
    binary = os.path.join(tmp, "pidcap")
    shutil.copy(PIDCAP, binary)
    os.chmod(tmp, 0o755)
    caps = "+bpf,+perfmon,+net_admin"
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=" + caps, "--ambient-caps=" + caps, binary, "-c", "2", "--",
                        "ping", "-q", "-c", "1", "127.0.0.1"], capture_output=True, text=True,
                       timeout=60)
    lines = [l for l in r.stdout.splitlines() if " ping[" in l]
    check(r.returncode == 0 and len(lines) == 2, "as nobody with capabilities: %d %s %s" % (
        r.returncode, lines, r.stderr))
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=+bpf,+perfmon", "--ambient-caps=+bpf,+perfmon", binary],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode != 0 and "CAP_NET_ADMIN" in r.stderr and "wireshark" in r.stderr,
          "missing one: %r" % r.stderr)


def test_set_capabilities_lets_the_wireshark_group_capture(tmp):
    """The real file capabilities, as make install sets them, on a copy."""
    had_group = subprocess.run(["getent", "group", "wireshark"], capture_output=True).returncode == 0
    binary = os.path.join(tmp, "pidcap")
    shutil.copy(PIDCAP, binary)
    os.chmod(tmp, 0o755)
    try:
        sh("bash", os.path.join(ROOT, "scripts", "set-capabilities.sh"), binary)
        st = os.stat(binary)
        gid = int(sh("getent", "group", "wireshark").stdout.split(":")[2])
        check(st.st_uid == 0 and st.st_gid == gid and stat.S_IMODE(st.st_mode) == 0o750,
              "owner %d:%d mode %o" % (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)))
        caps = sh("getcap", binary).stdout
        check(re.search(r"cap_net_admin,cap_perfmon,cap_bpf[=+]ep|cap_bpf,cap_perfmon,cap_net_admin[=+]ep",
                        caps.replace(" ", "")) or all(c in caps for c in ("cap_bpf", "cap_perfmon",
                                                                           "cap_net_admin")),
              "getcap: %s" % caps)
        # runuser drops root's capabilities as a login would (setpriv keeps them
        # until exec, and they would open the file by themselves).
        r = subprocess.run(["runuser", "-u", "nobody", "-g", "wireshark", "--", binary,
                            "-c", "2", "--", "ping", "-q", "-c", "1", "127.0.0.1"],
                           capture_output=True, text=True, timeout=60)
        lines = [l for l in r.stdout.splitlines() if " ping[" in l]
        check(r.returncode == 0 and len(lines) == 2, "nobody in group wireshark: %d %s %s" % (
            r.returncode, lines, r.stderr))
        r = subprocess.run(["runuser", "-u", "nobody", "--", binary, "--version"],
                           capture_output=True, text=True, timeout=60)
        check(r.returncode != 0 and "Permission denied" in r.stderr,
              "someone outside the group could run it: %r" % r.stderr)
    finally:
        if not had_group:
            subprocess.run(["groupdel", "wireshark"], capture_output=True)


def test_top_counts_known_system_calls_and_bytes(tmp):
    import json
    sink = subprocess.Popen([NETPEER, "udp-sink", "127.0.0.1", "47150", "8"], stdout=subprocess.PIPE,
                            text=True)
    prog = subprocess.Popen([NETPEER, "syscalls", "127.0.0.1", "47150", "500"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    pid = int(prog.stdout.readline().split("=")[1])
    # (the spellings a capture takes: --pid=P, --uid=USER)
    top = subprocess.Popen([PIDCAP, "top", "--json", "-d", "3", "-n", "1", "--pid=%d" % pid,
                            "--uid=root"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = top.stderr.readline()
        check("counting" in line, "top did not start: %r" % line)
        prog.stdin.write("go\n")
        prog.stdin.flush()
        out, err = top.communicate(timeout=60)
    finally:
        prog.kill()
        sink.kill()
        top.kill()
    rows = [json.loads(l) for l in out.splitlines()]
    check(len(rows) == 1 and rows[0]["pid"] == pid and rows[0]["comm"] == "netpeer",
          "rows: %s" % rows)
    r = rows[0]
    check(sorted(r["top_syscalls"][:2]) == [["getppid", 500], ["sendto", 500]],
          "top system calls: %s" % r["top_syscalls"])
    check(r["tx_packets"] == 500 and r["tx_bytes"] == 500 * 128, "sent: %s" % r)
    check(r["syscalls"] >= 1000, "system calls: %s" % r["syscalls"])


def test_top_json_survives_a_quote_in_a_name(tmp):
    """Process names are the user's to choose: one with a quote is escaped."""
    import json
    script = ("import ctypes, socket, sys\n"
              "ctypes.CDLL(None).prctl(15, b'a\"b', 0, 0, 0)  # PR_SET_NAME\n"
              "print('ready', flush=True)\n"
              "sys.stdin.readline()\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "for _ in range(50):\n"
              "    s.sendto(b'x' * 10, ('127.0.0.1', 47152))\n"
              "sys.stdin.readline()\n")
    prog = subprocess.Popen(["python3", "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    top = None
    try:
        check("ready" in read_line(prog, "the renamed process"), "it did not start")
        top = subprocess.Popen([PIDCAP, "top", "--json", "-d", "3", "-n", "1", "--pid",
                                str(prog.pid)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        check("counting" in top.stderr.readline(), "top did not start")
        prog.stdin.write("go\n")
        prog.stdin.flush()
        out, _ = top.communicate(timeout=60)
    finally:
        prog.kill()
        prog.wait()
        if top and top.poll() is None:
            top.kill()
    rows = [json.loads(l) for l in out.splitlines()]
    check(len(rows) == 1 and rows[0]["comm"] == 'a"b' and rows[0]["tx_packets"] == 50,
          "rows: %s" % rows)


def test_top_cgroup_selects_its_processes(tmp):
    import json
    name = TAG + "topcg"
    path = os.path.join(cgroup2_mount(), name)
    os.mkdir(path)
    prog = None
    try:
        prog = subprocess.Popen(["sh", "-c", "echo $$ > %s/cgroup.procs && exec %s syscalls 127.0.0.1 47151 300"
                                 % (path, NETPEER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True)
        pid = int(prog.stdout.readline().split("=")[1])
        top = subprocess.Popen([PIDCAP, "top", "--json", "-d", "3", "-n", "1", "--cgroup=" + name],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check("counting" in top.stderr.readline(), "top did not start")
        prog.stdin.write("go\n")
        prog.stdin.flush()
        out, _ = top.communicate(timeout=60)
        rows = [json.loads(l) for l in out.splitlines()]
        # Only what runs in the cgroup: the program (and, in a sanitizer build,
        # the helper task LeakSanitizer clones from it at exit).
        check(pid in [r["pid"] for r in rows] and all(r["comm"] == "netpeer" for r in rows),
              "rows: %s" % [(r["pid"], r["comm"]) for r in rows])
        mine = [r for r in rows if r["pid"] == pid][0]
        check(["getppid", 300] in mine["top_syscalls"] and mine["tx_packets"] == 300,
              "counts: %s" % mine)
    finally:
        if prog:
            prog.kill()
            prog.wait()
        os.rmdir(path)


def test_top_screen_sorts_filters_and_quits(tmp):
    session = TAG + "top"
    try:
        sh("tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24",
           "%s top -d 1" % PIDCAP)

        def screen():
            return sh("tmux", "capture-pane", "-p", "-t", session).stdout

        def wait_for(text, seconds=10):
            deadline = time.time() + seconds
            while time.time() < deadline:
                s = screen()
                if text in s:
                    return s
                time.sleep(0.2)
            raise Failure("'%s' not on the screen:\n%s" % (text, screen()))

        s = wait_for("TOP SYSCALLS")
        check("sort: bytes" in s and all(len(l) <= 80 for l in s.splitlines()), s)
        sh("tmux", "send-keys", "-t", session, "s")
        wait_for("sort: system calls")
        sh("tmux", "send-keys", "-t", session, "/")
        wait_for("filter by name")
        sh("tmux", "send-keys", "-t", session, "pidcap", "Enter")
        wait_for("filter: pidcap")
        s = wait_for(" pidcap ")  # its own row, once drawn
        rows = [l for l in s.splitlines()[3:] if l.strip() and not l.startswith("b p s")]
        check(rows and all(" pidcap " in l for l in rows), "filtered rows: %s" % s)
        sh("tmux", "send-keys", "-t", session, "q")
        deadline = time.time() + 10
        while time.time() < deadline and subprocess.run(["tmux", "has-session", "-t", session],
                                                         capture_output=True).returncode == 0:
            time.sleep(0.2)
        check(subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode
              != 0, "q did not quit")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_text_lines_name_the_process(tmp):
    r = subprocess.run([PIDCAP, "-c", "2", "--", "ping", "-q", "-c", "1", "127.0.0.1"],
                       capture_output=True, text=True, timeout=60)
    lines = [l for l in r.stdout.splitlines() if re.match(r"\d\d:", l)]
    check(r.returncode == 0 and len(lines) == 2, "exit %d, lines %s, %s" % (r.returncode, lines, r.stderr))
    check(re.match(r"\d\d:\d\d:\d\d\.\d{6} lo Out ping\[\d+\] IP 127\.0\.0\.1 > 127\.0\.0\.1: "
                   r"ICMP echo request, id \d+, seq 1, length 64$", lines[0]), lines[0])
    check(re.match(r".* lo In ping\[\d+\] IP 127\.0\.0\.1 > 127\.0\.0\.1: ICMP echo reply", lines[1]),
          lines[1])


def test_filters_direction_interface_user_count(tmp):
    def capture(*args):
        out = os.path.join(tmp, "f.pcapng")
        r = subprocess.run([PIDCAP, "-w", out] + list(args) + ["--", "ping", "-c", "2", "-i",
                           "0.2", "127.0.0.1"], capture_output=True, text=True, timeout=60)
        check(r.returncode == 0, "%s: exit %d: %s" % (args, r.returncode, r.stderr))
        return tshark_rows(out)

    rows = capture("-Q", "out")
    check(len(rows) == 2 and all(r["dir"] == "out" for r in rows), "-Q out: %s" % len(rows))
    rows = capture("-Q", "in")
    check(len(rows) == 2 and all(r["dir"] == "in" for r in rows), "-Q in: %s" % len(rows))
    rows = capture("-c", "3")
    check(len(rows) == 3, "-c 3: %d" % len(rows))
    out = os.path.join(tmp, "f.pcapng")
    capture("-s", "40")
    lens = sh("tshark", "-r", out, "-Y", "pktap", "-T", "fields", "-e", "frame.cap_len", "-e",
              "frame.len").stdout.split()
    # 108 bytes of PKTAP header before the 84-byte IP packet of a ping
    check(lens and lens[0::2] == ["148"] * 4 and lens[1::2] == ["192"] * 4, "-s 40: %s" % lens)
    rows = capture("-i", "lo")
    check(len(rows) == 4, "-i lo: %d" % len(rows))
    with Namespaces() as ns:
        rows = capture("-i", "lo", "--uid", "0")
        check(len(rows) == 4, "--uid 0: %d" % len(rows))
        rows = capture("--uid", "nobody")
        check(len(rows) == 0, "--uid nobody: %d" % len(rows))


def test_expression_selects_what_tcpdump_selects(tmp):
    """The same expression, on the same traffic, selects the same packets in
    pidcap (in the kernel, -Q out: each packet once, by its sender) and in
    tcpdump -i lo."""
    expr = "(udp port 47120 or icmp) or (tcp[tcpflags] & tcp-syn != 0 and port 47122)"
    t_out, p_out = os.path.join(tmp, "t.pcap"), os.path.join(tmp, "p.pcapng")
    # (-U --immediate-mode: each packet reaches the file as it is seen)
    td = subprocess.Popen(["tcpdump", "-i", "lo", "-n", "-U", "--immediate-mode", "-w", t_out, expr],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def tcpdump_count():
        r = subprocess.run(["capinfos", "-c", "-M", t_out], capture_output=True, text=True)
        m = re.search(r"Number of packets:\s+(\d+)", r.stdout)
        return int(m.group(1)) if m else 0
    try:
        deadline = time.time() + 60
        while time.time() < deadline and "listening" not in (td.stderr.readline() or ""):
            pass
        cap = Pidcap("-Q", "out", "-w", p_out, *expr.split())
        try:
            srv = Peer([NETPEER, "tcp-server", "127.0.0.1", "47122", "1"])
            sh(NETPEER, "tcp-client", "127.0.0.1", "47122", timeout=60)
            srv.output()
            for port in (47120, 47121):
                sh(NETPEER, "spawn-short", "127.0.0.1", str(port), "5", timeout=60)
            sh("ping", "-c", "2", "-i", "0.2", "127.0.0.1")
            try:
                wait_until(lambda: tcpdump_count() >= 21, "tcpdump's packets", 30)
            except Failure:
                pass  # the comparison below says what differs
        finally:
            rc, err = cap.stop()
    finally:
        td.send_signal(signal.SIGINT)
        td.wait(60)
    check(rc == 0, "pidcap exit %d: %s" % (rc, err))
    fields = ["-e", "ip.src", "-e", "ip.dst", "-e", "tcp.srcport", "-e", "tcp.dstport",
              "-e", "udp.srcport", "-e", "udp.dstport", "-e", "icmp.type", "-e", "tcp.flags"]
    theirs = sorted(sh("tshark", "-r", t_out, "-T", "fields", *fields).stdout.splitlines())
    ours = sorted(sh("tshark", "-r", p_out, "-Y", "pktap", "-T", "fields", *fields).stdout.splitlines())
    # 5 datagrams, 2 echo requests and 2 replies, SYN and SYN-ACK, and the
    # kernel's 10 "port unreachable" (no one listens on the UDP ports)
    check(len(theirs) == 21, "tcpdump selected %d packets: %s" % (len(theirs), theirs))
    check(ours == theirs, "pidcap selected %d packets, tcpdump %d: %s" % (
        len(ours), len(theirs), sorted(set(ours) ^ set(theirs))))


def cgroup2_mount():
    for line in open("/proc/mounts"):
        dev, mnt, fstype = line.split()[:3]
        if fstype == "cgroup2":
            return mnt
    raise Failure("no cgroup2 mount")


def test_raw_sockets_show_only_what_their_filter_keeps(tmp):
    """The kernel hands a raw ICMP socket every ICMP packet; its socket filter
    then keeps what it wants. A packet is shown as received only if the
    filter kept it: two raw sockets, each keeping only its own echo id, each
    read exactly what pidcap says they received."""
    out = os.path.join(tmp, "raw.pcapng")
    cap = Pidcap("-w", out, "-Q", "in")
    peers = []
    try:
        # Both sockets are open, with their filters, before either sends, and
        # stay open until both have read their own packets.
        peers = [Peer([NETPEER, "icmp-filtered", "127.0.0.1", str(ident)], stdin=subprocess.PIPE)
                 for ident in (4242, 4343)]
        for p in peers:
            p.proc.stdin.write("go\n")
            p.proc.stdin.flush()
        reads = [read_line(p.proc, "icmp-filtered") for p in peers]
        outs = [r + p.output() for p, r in zip(peers, reads)]  # (closes stdin)
    finally:
        for p in peers:
            p.kill()
        rc, err = cap.stop()
    check(rc == 0 and all(p.proc.returncode == 0 for p in peers), "exit %d: %s" % (rc, err))
    rows = tshark_rows(out, "icmp")
    for ident, text in zip((4242, 4343), outs):
        got = peer_pids(text)
        pid = got["icmp-filtered"][0]
        read, foreign = map(int, re.search(r"read=(\d+) foreign=(\d+)", text).groups())
        mine = [r for r in rows if r["pid"] == pid]
        check(read == 6 and foreign == 0,
              "pid %d read %d packets (%d not its own), expected its 3 requests and 3 replies" % (
                  pid, read, foreign))
        check(len(mine) == read and all(r["icmp.ident"] == str(ident) for r in mine),
              "pid %d (id %d) read %d, shown receiving %s" % (
                  pid, ident, read, [(r["icmp.type"], r["icmp.ident"]) for r in mine]))


def test_cgroup_selects_only_its_processes(tmp):
    out = os.path.join(tmp, "cg.pcapng")
    name = TAG + "cg"
    path = os.path.join(cgroup2_mount(), name)
    os.mkdir(path)
    try:
        cap = Pidcap("-w", out, "--cgroup", name)
        try:
            inside = subprocess.Popen(["sh", "-c", "echo $$ > %s/cgroup.procs && exec ping -c 2 -i 0.2 127.0.0.1"
                                       % path], stdout=subprocess.DEVNULL)
            outside = subprocess.Popen(["ping", "-c", "2", "-i", "0.2", "127.0.0.2"],
                                       stdout=subprocess.DEVNULL)
            inside.wait(60)
            outside.wait(60)
        finally:
            rc, err = cap.stop()
        check(rc == 0 and inside.returncode == 0, "exit %d: %s" % (rc, err))
        rows = tshark_rows(out)
        check(all(r["pid"] == inside.pid for r in rows),
              "only the cgroup's ping: %s" % [(r["pid"], r["dst"]) for r in rows])
        # A raw socket may truly receive the other ping's reply (from 127.0.0.2)
        # before it has installed its filter; its own exchange must be there
        # whole. (Its echo id is its pid only on a raw socket: where any group
        # may open ICMP datagram sockets, ping uses one and the kernel picks it.)
        own = [r for r in rows if r["src"] == "127.0.0.1" and r["dst"] == "127.0.0.1"]
        check(len(own) == 4, "the cgroup's ping's 4 packets: %d" % len(own))
    finally:
        os.rmdir(path)


def test_bad_input_one_line_nonzero_nothing_left(tmp):
    target = os.path.join(tmp, "bad.pcapng")
    link = os.path.join(tmp, "link.pcapng")
    os.symlink(os.path.join(tmp, "elsewhere"), link)
    damaged = os.path.join(tmp, "damaged.pcapng")
    with open(os.path.join(ROOT, "tests/golden/inputs/mixed-pktap.pcapng"), "rb") as f:
        open(damaged, "wb").write(f.read()[:1000])
    cases = [
        (["--no-such-option"], "unknown option"),
        (["-S"], "unknown option '-S'"),
        (["-Q", "sideways"], "invalid direction"),
        (["-c", "0"], "invalid packet count"),
        (["-w", target, "--pid", "999999999"], "no process with pid"),
        (["-w", target, "--uid", "no-such-user-pidcap"], "unknown user"),
        (["-w", target, "--cgroup", "no/such/cgroup"], "cannot open cgroup"),
        (["-w", target, "-i", "nosuchif0"], "no interface"),
        (["-w", "/proc/pidcap-cannot-write/x.pcapng"], "cannot write"),
        (["-w", link], "symbolic link"),
        (["-w", target, "--format", "pcap"], "unknown format"),
        (["-w", target, "--run-as", "nobody"], "needs a command"),
        (["-w", target, "--run-as", "no-such-user-pidcap", "--", "true"], "unknown user"),
        (["-w", target, "tcp", "port"], "syntax error"),
        (["-r", os.path.join(tmp, "missing.pcapng")], "cannot read"),
        (["-r", damaged], "offset"),
        (["-r", link], "cannot read"),
        (["-w", target, "ether", "host", "01:02:03:04:05:06"], "ethernet addresses supported only"),
    ]
    for args, words in cases:
        r = subprocess.run([PIDCAP] + args, capture_output=True, text=True, timeout=60)
        lines = r.stderr.splitlines()
        check(r.returncode != 0, "%s: exit 0" % args)
        check(len(lines) == 1 and words in lines[0] and lines[0].startswith("pidcap: "),
              "%s: stderr %r" % (args, r.stderr))
        check(not os.path.exists(target), "%s left %s" % (args, target))
        check(not os.path.exists(os.path.join(tmp, "elsewhere")), "followed the link")
        check(attached_programs() == [], "%s left programs attached" % args)
    # A damaged file: what could be read is written whole, and the error says where.
    r = subprocess.run([PIDCAP, "-r", damaged, "-w", target], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode != 0 and len(r.stderr.splitlines()) == 1 and "offset" in r.stderr,
          "damaged: exit %d %r" % (r.returncode, r.stderr))
    info = sh("capinfos", "-c", target).stdout
    check(re.search(r"Number of packets:\s+[1-9]", info), "the readable part: %s" % info)
    # Without privileges: as nobody, with no capabilities.
    r = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                        "--inh-caps=-all", PIDCAP, "-c", "1"], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode != 0 and len(r.stderr.splitlines()) == 1 and "CAP_BPF" in r.stderr,
          "unprivileged: exit %d %r" % (r.returncode, r.stderr))


def main():
    if os.geteuid() != 0:
        print("skipped: end-to-end tests need root")
        return 77
    for tool in (PIDCAP, NETPEER):
        if not os.access(tool, os.X_OK):
            print("not ok - setup: %s is not built" % tool)
            print("0 passed, 1 failed")
            return 1
    only = sys.argv[1:]
    tests = [(n, f) for n, f in list(globals().items())
             if n.startswith("test_") and callable(f) and (not only or any(o in n for o in only))]
    passed = failed = 0
    for name, fn in tests:
        tmp = tempfile.mkdtemp(prefix="pidcap-e2e-")
        t0 = time.time()
        try:
            fn(tmp)
            passed += 1
            print("ok - %s (%.1fs)" % (name, time.time() - t0), flush=True)
        except Failure as e:
            failed += 1
            print("not ok - %s: %s" % (name, e), flush=True)
        except Exception:
            failed += 1
            print("not ok - %s: %s" % (name, traceback.format_exc().strip().replace("\n", "\n# ")),
                  flush=True)
        finally:
            subprocess.run(["rm", "-rf", tmp])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
