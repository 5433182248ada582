"""What is selected: -Q, -c, -s, -i, --uid, expressions judged by tcpdump,
and every bad input refused with one line."""
import os
import re
import signal
import subprocess
import time

from lib import (Failure, check, sh, Namespaces, Pidcap, tshark_rows, wait_until, Peer,
                 attached_programs, ROOT, PIDCAP, NETPEER)


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
    # (received by ping: the kernel's replies, whose sending is outside the
    # command's cgroup: ping's received packets)
    check(len(rows) == 2 and all(r["dir"] == "in" and r["pktap.cmdname"] == "ping" and
                                 not r["peer"] for r in rows),
          "-Q in: %s" % [(r["pid"], r["dir"], r["peer"]) for r in rows])
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


def test_file_expression_applies_to_the_whole_frame_as_tcpdump(tmp):
    """-r compiles the expression for the file's link type and runs it on the
    whole frame, as tcpdump -r does: link-layer words and lengths match what
    tcpdump's do, and what libpcap refuses for that link type is refused with
    libpcap's words, nothing written. tcpdump 4.99 is the judge."""
    inputs = os.path.join(ROOT, "tests", "golden", "inputs")
    ethernet = os.path.join(inputs, "ethernet-arp.pcap")  # EN10MB
    cooked = os.path.join(inputs, "mixed-darwin.pcapng")  # LINUX_SLL2
    cases = [(ethernet, e) for e in (
        "ether multicast", "ether broadcast", "ether host 6a:16:db:b4:21:66",
        "ether src be:12:5e:8d:59:7f", "ether[12:2] = 0x86dd", "less 80", "greater 100",
        "len > 90", "arp", "ip broadcast", "icmp6", "inbound", "vlan and ip", "ip and and")]
    cases += [(cooked, e) for e in ("inbound", "outbound", "udp", "less 60", "vlan",
                                    "ether host 6a:16:db:b4:21:66")]

    def run(tool, path, expr):
        r = subprocess.run([tool, "-n", "-r", path, expr], capture_output=True, text=True,
                           timeout=60)
        errors = [line.split(": ", 1)[1] for line in r.stderr.splitlines()
                  if line.startswith(os.path.basename(tool) + ": ")]
        return r.returncode, len(r.stdout.splitlines()), errors

    selected = refused = 0
    for path, expr in cases:
        t_rc, t_lines, t_err = run("tcpdump", path, expr)
        p_rc, p_lines, p_err = run(PIDCAP, path, expr)
        where = "%s '%s'" % (os.path.basename(path), expr)
        check((p_rc == 0) == (t_rc == 0), "%s: pidcap exit %d, tcpdump %d (%s)" % (
            where, p_rc, t_rc, p_err or t_err))
        check(p_lines == t_lines, "%s: pidcap printed %d packets, tcpdump %d" % (
            where, p_lines, t_lines))
        if t_rc:
            check(p_err == t_err, "%s: pidcap said %s, tcpdump %s" % (where, p_err, t_err))
            refused += 1
        elif t_lines:
            selected += 1
    # (the cases are chosen to have both kinds, and packets selected)
    check(refused == 4 and selected >= 12, "%d refused, %d selecting" % (refused, selected))
    # A refused expression leaves no file behind.
    out = os.path.join(tmp, "refused.pcapng")
    r = subprocess.run([PIDCAP, "-r", ethernet, "-w", out, "inbound"], capture_output=True,
                       text=True, timeout=60)
    check(r.returncode != 0 and len(r.stderr.splitlines()) == 1 and not os.path.exists(out),
          "-w with a refused expression: exit %d, %r, file left: %s" % (
              r.returncode, r.stderr, os.path.exists(out)))


def test_bad_input_one_line_nonzero_nothing_left(tmp):
    target = os.path.join(tmp, "bad.pcapng")
    link = os.path.join(tmp, "link.pcapng")
    os.symlink(os.path.join(tmp, "elsewhere"), link)
    damaged = os.path.join(tmp, "damaged.pcapng")
    with open(os.path.join(ROOT, "tests/golden/inputs/mixed-pktap.pcapng"), "rb") as f:
        open(damaged, "wb").write(f.read()[:1000])
    cases = [
        (["--no-such-option"], "unknown option"),
        (["-K"], "unknown option '-K'"),
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
