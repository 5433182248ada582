"""Process events on the packets' timeline: in files, in text and JSON, read
back by -r."""
import json
import os
import re
import subprocess

from lib import check, sh, Namespaces, Pidcap, peer_pids, journal_events, PIDCAP, NETPEER


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
        r = subprocess.run([PIDCAP, "-w", out, "--failed-execs", "--", "ip", "netns", "exec", ns.a,
                            "sh", "-c", script],
                           capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    server = peer_pids(open(os.path.join(tmp, "srv.out")).read())["tcp-server"][0]
    client = peer_pids(open(os.path.join(tmp, "cl.out")).read())["tcp-client"][0]
    events = journal_events(out)
    check(events, "no events in the file")
    check(all(e["syslog_id"] == "pidcap" and e["message"] and e.get("EVENT") for e in events),
          "an event without its identity: %s" % [e for e in events if not e.get("EVENT")][:1])
    later = [(a, b) for a, b in zip(events, events[1:]) if b["time"] < a["time"]]
    check(not later, "events out of time order: %s" %
          ["%s %s before %s %s" % (a["time"], a["message"], b["time"], b["message"])
           for a, b in later[:2]])

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


def test_process_records_kept_when_packets_fill_the_buffer(tmp):
    """Packets that fill the kernel buffer while pidcap cannot read (stopped)
    are dropped and counted; the execs and exits of the same moment are not
    lost with them: they have a buffer of their own."""
    out = os.path.join(tmp, "full.pcapng")
    script = """
        kill -STOP $PPID
        {peer} udp-flood 127.0.0.1 47140 1 > {tmp}/flood.out
        i=0
        while [ $i -lt 30 ]; do /bin/true; i=$((i + 1)); done
        kill -CONT $PPID""".format(peer=NETPEER, tmp=tmp)
    r = subprocess.run([PIDCAP, "-B", "64", "-w", out, "--", "sh", "-c", script],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "exit %d: %s" % (r.returncode, r.stderr))
    dropped = re.search(r"^(\d+) packets dropped by kernel$", r.stderr, re.M)
    check(dropped and int(dropped.group(1)) > 0,
          "the flood did not fill the 64 KiB buffer: %s" % r.stderr)
    check(re.search(r"^0 events dropped by kernel$", r.stderr, re.M), r.stderr)
    events = journal_events(out)
    trues = [e["pid"] for e in events if e["EVENT"] == "exec" and e["exe"] == "/bin/true"]
    check(len(trues) == 30, "%d execs of /bin/true, not 30" % len(trues))
    exits = {e["pid"] for e in events if e["EVENT"] == "exit"}
    check(set(trues) <= exits, "execs without their exit: %s" % (set(trues) - exits))


def raw_tracepoints():
    """The tracepoints BPF links are attached to, each as often as it is."""
    links = json.loads(sh("bpftool", "-j", "link", "list").stdout.strip() or "[]")
    return sorted(l.get("tp_name", "") for l in links if l.get("type") == "raw_tracepoint")


def test_no_system_call_hook_unless_failed_execs(tmp):
    """A capture hooks no system call where the kernel has the socket
    tracepoints (6.3): such a hook would slow every process on the machine.
    --failed-execs hooks them, and says so in its help; a failed exec is
    recorded only then."""
    with open("/sys/kernel/btf/vmlinux", "rb") as f:
        socket_tracepoints = b"\0btf_trace_sock_send_length\0" in f.read()
    before = raw_tracepoints()
    for args in ([], ["--failed-execs"]):
        out = os.path.join(tmp, "hooks%d.pcapng" % len(args))
        cap = Pidcap("-w", out, *args)
        try:
            during = raw_tracepoints()
            sh("sh", "-c", "/nonexistent-pidcap-hooks 2>/dev/null; true")
        finally:
            rc, err = cap.stop()
        check(rc == 0, "pidcap %s exit %d: %s" % (args, rc, err))
        added = list(during)
        for name in before:
            if name in added:
                added.remove(name)
        hooked = {"sys_enter", "sys_exit"} & set(added)
        if args:
            check(hooked == {"sys_enter", "sys_exit"}, "--failed-execs: hooks %s" % added)
        elif socket_tracepoints:
            check(not hooked and {"sock_send_length", "sock_recv_length"} <= set(added),
                  "a default capture hooks %s" % added)
        failed = [e for e in journal_events(out)
                  if e.get("EVENT") == "exec" and e.get("exe") == "/nonexistent-pidcap-hooks"]
        check(len(failed) == (1 if args else 0), "%s: failed execs %s" % (args, failed))
    check("--failed-execs" in sh(PIDCAP, "--help").stdout, "--help does not name --failed-execs")
