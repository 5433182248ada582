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
