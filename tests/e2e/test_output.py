"""Outputs: streams and their readers, files and rotation, statistics, the
status line, text lines, and nothing left attached however pidcap ends."""
import os
import re
import signal
import stat
import struct
import subprocess

from lib import (Failure, check, sh, Pidcap, tshark_rows, peer_pids, wait_until, Peer,
                 attached_programs, journal_events, PIDCAP, NETPEER)


def test_stdout_stream_read_live_by_tshark(tmp):
    cap = subprocess.Popen([PIDCAP, "-w", "-", "--comm", "ping", "--events", "none"],
                           stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    ts = subprocess.Popen(["tshark", "-i", "-", "-c", "4", "-T", "fields", "-e", "pktap.pid",
                           "-e", "pktap.cmdname", "-e", "pktap.ecmdname"], stdin=cap.stdout,
                          stdout=subprocess.PIPE,
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
    # (the requests ping's, the replies the kernel's, received by ping)
    check(len(lines) == 4 and all("ping" in l[1:] for l in lines),
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


def test_reading_a_file_into_a_closed_pipe_ends_quietly(tmp):
    """`pidcap -r f | head -1`: a reader that leaves is the end of the job, not
    an error (tcpdump -r f -w - | head ends so, status 0)."""
    path = os.path.join(tmp, "many.pcap")
    udp = struct.pack(">BBHHHBBH4s4sHHHH", 0x45, 0, 29, 1, 0, 64, 17, 0, bytes([10, 0, 0, 1]),
                      bytes([10, 0, 0, 2]), 40000, 53, 9, 0) + b"x"
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # raw IP
        for i in range(20000):
            f.write(struct.pack("<IIII", i, 0, len(udp), len(udp)) + udp)
    for args in (["-n"], ["--json"], ["-w", "-"]):
        cap = subprocess.Popen([PIDCAP, "-r", path] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
        first = cap.stdout.read(64)
        cap.stdout.close()
        try:
            err = cap.stderr.read().decode(errors="replace")
            rc = cap.wait(30)
        finally:
            if cap.poll() is None:
                cap.kill()
                cap.wait()
        check(first and rc == 0 and not err,
              "pidcap -r %s into a closed pipe: exit %d: %r" % (" ".join(args), rc, err))


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
    # (one file, the newest, may hold only the last events: ping's exit;
    # file times are too coarse to tell which one is newest)
    events_only = 0
    for f in files:
        path = os.path.join(tmp, f)
        rows = tshark_rows(path)  # each file stands on its own
        # (ping's requests; the kernel's replies, received by ping)
        check(all("ping" in (row["pktap.cmdname"], row["pktap.ecmdname"]) for row in rows),
              "%s: %s" % (f, rows))
        if not rows:
            events_only += 1
            check(journal_events(path), "%s holds neither packets nor events" % f)
        check(os.path.getsize(path) < 2048 + 1024, "%s is %d bytes" % (f, os.path.getsize(path)))
        check(stat.S_IMODE(os.stat(path).st_mode) == 0o600, "%s mode" % f)
        total += len(rows)
    check(events_only <= 1, "%d files without packets" % events_only)
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


def test_text_lines_name_the_process(tmp):
    r = subprocess.run([PIDCAP, "-c", "2", "--", "ping", "-q", "-c", "1", "127.0.0.1"],
                       capture_output=True, text=True, timeout=60)
    lines = [l for l in r.stdout.splitlines() if re.match(r"\d\d:", l)]
    check(r.returncode == 0 and len(lines) == 2, "exit %d, lines %s, %s" % (r.returncode, lines, r.stderr))
    check(re.match(r"\d\d:\d\d:\d\d\.\d{6} lo Out ping\[\d+\] IP 127\.0\.0\.1 > 127\.0\.0\.1: "
                   r"ICMP echo request, id \d+, seq 1, length 64$", lines[0]), lines[0])
    # the kernel's reply, received by ping (its sending is outside the
    # command's cgroup): one line, ping's
    check(re.match(r".* lo In ping\[\d+\] IP 127\.0\.0\.1 > 127\.0\.0\.1: "
                   r"ICMP echo reply", lines[1]), lines[1])
