"""Processes: a command and its children, --pid with and without -f,
--cgroup, another user."""
import json
import os
import re
import subprocess

from lib import (Failure, check, sh, Pidcap, tshark_rows, check_payload_pids, peer_pids, Peer,
                 cgroup2_mount, PIDCAP, NETPEER, TAG)


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


def test_command_output_stays_out_of_the_printed_capture(tmp):
    """Without -w FILE, standard output is the capture: the command's own
    output goes to standard error, so every line is one whole JSON object."""
    r = subprocess.run([PIDCAP, "--json", "--events", "none", "--", "ping", "-c", "3", "-i", "0.2",
                        "127.0.0.1"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    try:
        objects = [json.loads(line) for line in r.stdout.splitlines()]
    except ValueError as e:
        raise Failure("a line that is not JSON (%s): %s" % (e, r.stdout[-2000:]))
    check(len(objects) == 6 and
          all("ping" in (o.get("comm"), o.get("peer_comm")) for o in objects),
          "ping's 3 requests and 3 replies expected: %s" % objects)
    check("3 packets transmitted" in r.stderr, "ping's own output is not on stderr: %s" % r.stderr)


def test_command_runs_in_a_cgroup_of_its_own_removed_at_the_end(tmp):
    """-- CMD: the command and its children run in a cgroup beside pidcap's,
    where alone the packet programs run; at the end it is gone, and what the
    command left running is back in pidcap's cgroup."""
    out = os.path.join(tmp, "cg.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--", "sh", "-c",
                        "cat /proc/self/cgroup; sleep 60 >/dev/null 2>&1 & echo left=$!; "
                        "ping -c 1 127.0.0.1 >&2"],
                       capture_output=True, text=True, timeout=60)
    left = [int(l.split("=")[1]) for l in r.stdout.splitlines() if l.startswith("left=")]
    try:
        check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
        inside = [l[3:] for l in r.stdout.splitlines() if l.startswith("0::")]
        check(len(inside) == 1 and re.search(r"/pidcap-\d+$", inside[0]),
              "the command's cgroup: %s" % r.stdout)
        check(not os.path.exists(cgroup2_mount() + inside[0]), "%s is left" % inside[0])
        with open("/proc/%d/cgroup" % left[0]) as f:
            now = [l[3:].strip() for l in f if l.startswith("0::")]
        check(now == [os.path.dirname(inside[0]) or "/"],
              "what the command left runs in %s, not beside pidcap" % now)
        rows = tshark_rows(out, "icmp")
        check(len(rows) == 2, "ping's request and reply: %s" % rows)
    finally:
        for pid in left:
            os.kill(pid, 9)


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
    # (each once: the child's datagrams as its own, the answers as the echo's,
    # received by the child)
    sent = [r for r in rows if r["pid"] == child and r["dir"] == "out"]
    answers = [r for r in rows if r["peer"] == child and r["dir"] == "out"]
    check(len(rows) == 4 and len(sent) == 2 and len(answers) == 2,
          "-f: the child's 2 datagrams and 2 answers only: %s" % [
              (r["pid"], r["dir"], r["peer"]) for r in rows])
    rows, child = results["plain"]
    check(rows == [], "without -f the child is not selected: %d packets" % len(rows))


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
