"""Inside Wireshark (tshark as its stand-in): extcap, the profile,
installation, capabilities instead of root."""
import os
import re
import shutil
import stat
import subprocess

from lib import (check, sh, tshark_rows, wait_until, Peer, attached_packet_programs,
                 attached_programs, journal_events, wireshark_config, ROOT, PIDCAP, NETPEER)


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
