"""pidcap top: counts known in advance, selections, the screen."""
import json
import os
import subprocess
import sys
import time

from lib import Failure, check, sh, read_line, cgroup2_mount, PIDCAP, NETPEER, TAG


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


# A process with a known load: it spins or sleeps, holds size bytes it wrote
# (resident, not just reserved), and sends a datagram every 0.1 s so that it
# has a row in every interval.
LOADED = """
import socket, sys, time
spin, size = sys.argv[1] == "spin", int(sys.argv[2])
ballast = b"x" * size
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("ready", flush=True)
due = 0
while True:
    now = time.monotonic()
    if now >= due:
        s.sendto(b"pidcap top", ("127.0.0.1", 47153))
        due = now + 0.1
    if not spin:
        time.sleep(0.05)
"""
MIB = 1 << 20


def top_once(*args, seconds=2):
    """One interval of pidcap top with these arguments: its output."""
    top = subprocess.Popen([PIDCAP, "top", "-d", str(seconds), "-n", "1"] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        check("counting" in top.stderr.readline(), "top did not start")
        out, err = top.communicate(timeout=60)
        check(top.returncode == 0, "top failed (%s): %s" % (top.returncode, err))
        return out
    finally:
        if top.poll() is None:
            top.kill()
            top.wait()


def table_rows(out):
    """The rows of -b's table: {pid: columns}, in their order, and the header."""
    lines = out.splitlines()
    at = [i for i, l in enumerate(lines) if l.split()[:1] == ["PID"]]
    check(len(at) == 1, "no header in: %s" % out)
    rows = [l.split() for l in lines[at[0] + 1:] if l.strip()]
    return lines[at[0]], [(int(r[0]), r) for r in rows]


def test_top_cpu_and_memory_of_known_processes(tmp):
    """A spinner near one CPU, idle senders near none; 64 MiB written is
    resident; sorted by CPU and by memory, as JSON and as the table."""
    procs = []
    try:
        for how, size in (("spin", 0), ("sleep", 0), ("sleep", 64 * MIB)):
            procs.append(subprocess.Popen(["python3", "-c", LOADED, how, str(size)],
                                          stdout=subprocess.PIPE, text=True))
            check("ready" in read_line(procs[-1], "the %s process" % how), "it did not start")
        spinner, idle, big = [p.pid for p in procs]
        pids = "--pid=%d,%d,%d" % (spinner, idle, big)

        # The spinner shares two CPUs with whatever else runs: the interval
        # is measured again until it got most of one (the rest holds anyway).
        deadline = time.time() + 120
        while True:
            rows = [json.loads(l) for l in top_once("--json", pids, "-o", "cpu").splitlines()]
            by_pid = {r["pid"]: r for r in rows}
            check(sorted(by_pid) == sorted([spinner, idle, big]), "rows: %s" % rows)
            if by_pid[spinner]["cpu_percent"] > 50 or time.time() > deadline:
                break
        check(by_pid[spinner]["cpu_percent"] > 50, "the spinner: %s" % by_pid[spinner])
        check(by_pid[spinner]["cpu_percent"] <= 110, "more than one CPU: %s" % by_pid[spinner])
        for pid in (idle, big):
            check(0 <= by_pid[pid]["cpu_percent"] < 10, "an idle sender: %s" % by_pid[pid])
        check(by_pid[big]["rss_bytes"] >= 64 * MIB, "64 MiB written: %s" % by_pid[big])
        for pid in (spinner, idle):
            check(0 < by_pid[pid]["rss_bytes"] < 64 * MIB, "a small one: %s" % by_pid[pid])
        check(rows[0]["pid"] == spinner and
              all(a["cpu_percent"] >= b["cpu_percent"] for a, b in zip(rows, rows[1:])),
              "sorted by CPU: %s" % [(r["pid"], r["cpu_percent"]) for r in rows])

        rows = [json.loads(l) for l in top_once("--json", pids, "--sort=memory").splitlines()]
        check(len(rows) == 3 and rows[0]["pid"] == big and
              all(a["rss_bytes"] >= b["rss_bytes"] for a, b in zip(rows, rows[1:])),
              "sorted by memory: %s" % [(r["pid"], r["rss_bytes"]) for r in rows])

        out = top_once("-b", pids, "-o", "memory")
        header, table = table_rows(out)
        check("sorted by memory" in out and header.split()[3:5] == ["%CPU", "RSS"] and
              len(header) <= 80, "the table: %s" % out)
        check([pid for pid, _ in table][0] == big and len(table) == 3, "its order: %s" % out)
        rss = dict((pid, r[4]) for pid, r in table)
        check(rss[big].endswith("M") and float(rss[big][:-1]) >= 64, "its RSS: %s" % out)
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_top_a_process_gone_has_no_cpu_or_memory(tmp):
    """Counted in the interval but gone before it ended: null in JSON, - in the table."""
    script = ("import socket, sys\n"
              "print('ready', flush=True)\n"
              "sys.stdin.readline()\n"
              "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
              "for _ in range(20):\n"
              "    s.sendto(b'x' * 10, ('127.0.0.1', 47154))\n")
    for mode in ("--json", "-b"):
        prog = subprocess.Popen(["python3", "-c", script], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        top = None
        try:
            check("ready" in read_line(prog, "the short process"), "it did not start")
            top = subprocess.Popen([PIDCAP, "top", mode, "-d", "3", "-n", "1", "--pid",
                                    str(prog.pid)], stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            check("counting" in top.stderr.readline(), "top did not start")
            prog.stdin.write("go\n")
            prog.stdin.flush()
            check(prog.wait(60) == 0, "the short process failed")
            out, _ = top.communicate(timeout=60)
        finally:
            prog.kill()
            prog.wait()
            if top and top.poll() is None:
                top.kill()
                top.wait()
        if mode == "--json":
            rows = [json.loads(l) for l in out.splitlines()]
            check(len(rows) == 1 and rows[0]["tx_packets"] == 20 and
                  rows[0]["cpu_percent"] is None and rows[0]["rss_bytes"] is None,
                  "rows: %s" % rows)
        else:
            _, table = table_rows(out)
            check(len(table) == 1 and table[0][0] == prog.pid and table[0][1][3:5] == ["-", "-"],
                  "the table: %s" % out)


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

        s = wait_for(" %CPU   RSS ")
        check("sort: bytes" in s and all(len(l) <= 80 for l in s.splitlines()), s)
        check(any(l.rstrip().endswith(" SYS/s SYSCALLS") for l in s.splitlines()),
              "the header is cut: %s" % s)
        for key, title in (("C", "CPU"), ("M", "memory"), ("s", "system calls")):
            sh("tmux", "send-keys", "-t", session, key)
            wait_for("sort: " + title)
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
