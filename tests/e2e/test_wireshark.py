"""Inside Wireshark (tshark as its stand-in): extcap, the profile,
installation, capabilities instead of root."""
import os
import re
import shutil
import stat
import subprocess

from lib import (check, sh, wait_until, Peer, attached_packet_programs,
                 attached_programs, journal_events, wireshark_config, ROOT, PIDCAP, NETPEER)

# The processes the capture dialog offers: value lines of its first option.
CHOICE = re.compile(r"value \{arg=0\}\{value=(\d+)\}\{display=(.*)\}\{enabled=true\}$")


def dialog_processes(*args):
    """pid -> the text the capture dialog shows for it, as pidcap answers
    --extcap-config (or, with args, another call such as the reload)."""
    r = subprocess.run([PIDCAP, "--extcap-config", "--extcap-interface", "pidcap"] + list(args),
                       capture_output=True, timeout=60)
    check(r.returncode == 0 and not r.stderr, "config %s: %d %r" % (args, r.returncode, r.stderr))
    text = r.stdout.decode("utf-8")  # (Wireshark drops a line that is not UTF-8)
    found = {}
    for line in text.splitlines():
        m = CHOICE.match(line)
        if m:
            found[int(m.group(1))] = m.group(2)
    return found, text


def without_cmdline():
    """The processes with an empty command line: kernel threads (and zombies)."""
    for d in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                if d.isdigit() and not f.read(1):
                    yield int(d)
        except OSError:
            pass  # (not a process, or gone)


def test_extcap_listed_and_capturing_one_process(tmp):
    conf, env = wireshark_config(tmp)
    listed = sh("tshark", "-D", env=env).stdout
    check(re.search(r"\d+\. pidcap \(pidcap: packets and events by process\)", listed),
          "tshark -D: %s" % listed)
    out = os.path.join(tmp, "extcap.pcapng")
    target = subprocess.Popen(["sh", "-c", "read x; ping -c 2 -i 0.2 127.0.0.1 >/dev/null"],
                              stdin=subprocess.PIPE, text=True)
    # Picked too, it makes no packet: two ticked processes reach pidcap as one
    # comma-separated value, as Wireshark passes a multicheck.
    sleeper = subprocess.Popen(["sleep", str(1000000 + os.getpid())])  # (a unique argv)
    other = None
    ts = None
    try:
        offered, _ = dialog_processes()
        picked = [pid for pid, shown in offered.items()
                  if shown in ("sh[%d]: sh -c read x; ping -c 2 -i 0.2 127.0.0.1 >/dev/null"
                               % target.pid,
                               "sleep[%d]: sleep %d" % (sleeper.pid, 1000000 + os.getpid()))]
        check(sorted(picked) == sorted([target.pid, sleeper.pid]), "offered: %s" % offered)
        # -c: tshark stops once it has the 8 frames the target makes: a fork and
        # an exec (sh starts ping), 2 echo requests and 2 replies, 2 exits.
        ts = subprocess.Popen(["tshark", "-i", "pidcap", "-c", "8", "-w", out,
                               "-o", "extcap.pidcap.pid:%s" % ",".join(map(str, picked)),
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
        sleeper.kill()
        sleeper.wait()
        if other:
            other.kill()
        if ts and ts.poll() is None:
            ts.kill()
            ts.wait()
    check(ts.returncode == 0 and "Error" not in err, "tshark: %d %s" % (ts.returncode, err))
    # The target's ping at one end of each packet: the sender of its echo
    # requests, the receiver of the replies (the kernel sends those: PID 0, and
    # the local receiver in PKTAP's effective process).
    ends = [l.split("\t") for l in sh("tshark", "-r", out, "-Y", "not systemd_journal", "-T",
                                       "fields", "-e", "pktap.pid", "-e", "pktap.cmdname",
                                       "-e", "pktap.epid", "-e", "pktap.ecmdname").stdout.splitlines()]
    pings = {int(e[0]) for e in ends if e[1] == "ping"}
    check(len(ends) == 4 and len(pings) == 1 and
          all(("%d" % min(pings), "ping") in ((e[0], e[1]), (e[2], e[3])) for e in ends),
          "the target's ping only: %s" % ends)
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
                    "--snapshot-length", "--tls"], "config: %s" % calls)
    check(r.stdout.startswith("arg {number=0}{call=--pid}{display=Processes}{type=multicheck}"),
          "the processes: %s" % r.stdout.splitlines()[0])
    # Each option the dialog offers is one pidcap takes.
    for call in calls:
        check(call in sh(PIDCAP, "--help").stdout, "%s not in --help" % call)


def test_extcap_dialog_offers_the_running_processes(tmp):
    marker = "pidcap-dialog-%d" % os.getpid()
    sleeper = subprocess.Popen(["sleep", str(2000000 + os.getpid())])  # (a unique argv)
    # A name of its own (prctl PR_SET_NAME) and arguments Wireshark's parser
    # would choke on: braces end a field, a newline a line, bytes that are
    # not UTF-8 the whole line.
    named = subprocess.Popen(["python3", "-c", "import ctypes, sys; "
                              "ctypes.CDLL(None).prctl(15, b'dialog-py', 0, 0, 0); "
                              "print(flush=True); sys.stdin.read()",
                              marker, "{a}b", "two\nlines", b"\xff\xc3\xa9"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    churn = None
    try:
        named.stdout.readline()  # named now
        want = {sleeper.pid: "sleep[%d]: sleep %d" % (sleeper.pid, 2000000 + os.getpid()),
                named.pid: "dialog-py[%d]: python3 -c import ctypes, sys; ctypes.CDLL(None)"
                           ".prctl(15, b'dialog-py', 0, 0, 0); print(flush=True); "
                           "sys.stdin.read() %s (a)b two lines ?\u00e9" % (named.pid, marker)}
        kernel_threads = set(without_cmdline())
        offered, text = dialog_processes()
        check(all(offered.get(pid) == shown for pid, shown in want.items()),
              "offered: %s" % {pid: offered.get(pid) for pid in want})
        # The list comes by name, then PID; the asking pidcap itself is not in it.
        order = [(re.match(r"(.*)\[(\d+)\]:", shown).group(1), pid)
                 for pid, shown in offered.items()]
        check(order == sorted(order), "not by name then PID: %s" % order[:10])
        check(all(" --extcap-config" not in shown for shown in offered.values()),
              "pidcap lists itself")
        # Kernel threads (no command line) are not offered.
        check(kernel_threads and not kernel_threads & set(offered),
              "kernel threads offered: %s" % sorted(kernel_threads & set(offered)))
        # The dialog's refresh: the same list, and only it.
        reloaded, text = dialog_processes("--extcap-reload-option", "pid")
        check(all(reloaded.get(pid) == shown for pid, shown in want.items()) and
              all(l.startswith("value {arg=0}") for l in text.splitlines()),
              "reloaded: %s" % text[:300])
        r = sh(PIDCAP, "--extcap-config", "--extcap-interface", "pidcap",
               "--extcap-reload-option", "comm")
        check(r.stdout == "", "an option without choices: %r" % r.stdout)
        # Processes that end while /proc is read are no error.
        churn = subprocess.Popen(["sh", "-c", "while :; do /bin/true & /bin/true & wait; done"])
        for _ in range(20):
            dialog_processes()
    finally:
        for p in (sleeper, named, churn):
            if p:
                p.kill()
                p.wait()
    # Once ended, a process is no longer offered.
    offered, _ = dialog_processes()
    check(sleeper.pid not in offered and named.pid not in offered, "still offered after exit")


def test_wireshark_profile_shows_pid_and_process_for_packets_and_events(tmp):
    conf, env = wireshark_config(tmp)
    profile = os.path.join(conf, "profiles", "pidcap")
    shutil.copytree(os.path.join(ROOT, "wireshark", "profile"), profile)
    out = os.path.join(tmp, "profile.pcapng")
    r = subprocess.run([PIDCAP, "-w", out, "--", "sh", "-c", "ping -c 1 127.0.0.1 >/dev/null"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, r.stderr)
    r = sh("tshark", "-C", "pidcap", "-r", out, "-T", "fields", "-e", "_ws.col.PID",
           "-e", "_ws.col.Process", "-e", "_ws.col.Peer PID", "-e", "_ws.col.Peer process",
           "-e", "frame.protocols", env=env)
    cols = [c.split("\t") for c in r.stdout.splitlines()]
    packets = [c for c in cols if "pktap" in c[4]]
    events = [c for c in cols if "systemd_journal" in c[4]]
    check(len(packets) == 2 and len(events) >= 4, "rows: %s" % cols)
    # ping sent the request and received the reply: the sender's columns or
    # the receiver's (Peer) name it.
    pings = {c[0] for c in packets if c[1] == "ping"} | {c[2] for c in packets if c[3] == "ping"}
    check(len(pings) == 1 and all("ping" in (c[1], c[3]) for c in packets),
          "packet columns: %s" % packets)
    check(all(re.match(r"\d+$", c[0]) and c[1] in ("sh", "ping") and c[2:4] == ["", ""]
              for c in events), "event columns: %s" % events)
    # ${proc:PID}: what the process sent, received or did.
    ping = pings.pop()
    by_macro = sh("tshark", "-C", "pidcap", "-r", out, "-Y", "${proc:%s}" % ping, "-T", "fields",
                  "-e", "frame.number", env=env).stdout.split()
    spelled = sh("tshark", "-r", out, "-Y", "pktap.pid == %s || pktap.epid == %s || "
                 "systemd_journal.pid == %s" % (ping, ping, ping), "-T", "fields",
                 "-e", "frame.number", env=env).stdout.split()
    check(by_macro == spelled and len(by_macro) >= 4, "macro %s, spelled %s" % (by_macro, spelled))
    # Every colorfilter compiles in this Wireshark (one that does not is
    # dropped with a warning), and the profile loads without a word on stderr.
    for line in open(os.path.join(profile, "colorfilters")):
        if line.startswith("@"):
            name, expr = line.split("@")[1:3]
            r = subprocess.run(["tshark", "-r", out, "-Y", expr], capture_output=True, text=True,
                               timeout=60)
            check(r.returncode == 0, "colorfilter %s (%s): %s" % (name, expr, r.stderr))
    r = sh("tshark", "--color", "-C", "pidcap", "-r", out, "-Y", "${proc:%s}" % ping, env=env)
    said = [l for l in r.stderr.splitlines() if not l.startswith("Running as user")]
    check(not said, "tshark with the profile: %s" % said)


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
        "usr/share/wireshark/profiles/pidcap/dfilter_macros",
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
