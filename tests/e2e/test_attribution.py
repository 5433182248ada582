"""Attribution: every packet with the process that sent or received it,
checked against the sender's pid each payload carries."""
import os
import re
import subprocess

from lib import (check, sh, Namespaces, Pidcap, tshark_rows, check_payload_pids,
                 check_endpoint_pids, peer_pids, read_line, Peer, ROOT, PIDCAP, NETPEER)


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
        rep4 = [r for r in rows if r["icmp.type"] == "0"]
        check(len(req4) == 3 and all(r["pid"] == p1.pid and r["dir"] == "out" and
                                     r["pktap.ifname"] == ns.veth_a for r in req4),
              "IPv4 echo requests: %s" % [(r["pid"], r["dir"], r["pktap.ifname"]) for r in req4])
        # each reply once: the kernel's, sent on the far side, received by ping
        check(len(rep4) == 3 and all(r["pid"] == 0 and r["dir"] == "out" and r["peer"] == p1.pid
                                     and r["pktap.ifname"] == ns.veth_b for r in rep4),
              "the kernel's IPv4 echo replies, received by ping: %s" % [
                  (r["pid"], r["dir"], r["peer"], r["pktap.ifname"]) for r in rep4])
        req6 = [r for r in rows if r["icmpv6.type"] == "128"]
        rep6 = [r for r in rows if r["icmpv6.type"] == "129"]
        check(len(req6) == 3 and all(r["pid"] == p2.pid and r["pktap.cmdname"] == "ping" and
                                     r["dir"] == "out" for r in req6),
              "IPv6 echo requests: %s" % [(r["pid"], r["dir"]) for r in req6])
        check(len(rep6) == 3 and all(r["peer"] == p2.pid and r["pktap.ecmdname"] == "ping"
                                     for r in rep6),
              "IPv6 echo replies, received by ping: %s" % [(r["pid"], r["peer"]) for r in rep6])


def test_demo_shows_pings_requests_and_replies(tmp):
    """The README's first command: ping's 3 requests and 3 replies, with
    ping's PID and name, in tshark's columns."""
    r = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo.sh")], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, PIDCAP=PIDCAP))
    check(r.returncode == 0, "demo exit %d: %s" % (r.returncode, r.stderr))
    # (the kernels tested offer everything pidcap uses, or a way around it)
    check("warning" not in r.stderr, "a warning on this kernel: %s" % r.stderr)
    exec_line = re.search(r"exec ping\[(\d+)\] .*: ping -c 3", r.stdout)
    check(exec_line, "ping's exec event: %s" % r.stdout)
    pid = exec_line.group(1)
    lines = re.findall(r"^\s*\d+\s+\S+\s+(.*)\s+lo\s+127\.0\.0\.1 \S+ 127\.0\.0\.1\s+"
                       r"Echo \(ping\) (request|reply)", r.stdout, re.M)
    kinds = [k for _, k in lines]
    check(kinds.count("request") == 3 and kinds.count("reply") == 3 and len(lines) == 6,
          "ping's packets in the demo: %s\n%s" % (lines, r.stdout))
    # PID, Process, Peer PID, Peer process: ping sends the requests and
    # receives the replies; the kernel's sending of them is outside the
    # command's cgroup, so they are ping's received packets, with no peer.
    for ends, kind in lines:
        want = pid + " ping 0"
        check(" ".join(ends.split()) == want, "the %s's processes: %r, expected %r" % (
            kind, ends, want))


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
        # each reply once: the kernel's in the other namespace, received by ping
        rep = [r for r in rows if r["icmp.type"] == "0" and r["dst"] == ns.a4]
        check(len(req) == 3 and all(r["pid"] == pid for r in req),
              "requests: %s, pid %d" % ([r["pid"] for r in req], pid))
        check(len(rep) == 3 and all(r["dir"] == "out" and r["pid"] == 0 and r["peer"] == pid
                                    for r in rep),
              "replies: %s, pid %d" % ([(r["dir"], r["pid"], r["peer"]) for r in rep], pid))


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
    check(len(syn) == 4 and all(r["dir"] == "out" and r["peer"] for r in syn),
          "expected 2 SYNs and 2 SYN-ACKs, each once, with both ends: %s" % [
              (r["dir"], r["src"], r["tcp.srcport"], r["dst"], r["pid"], r["peer"],
               r["pktap.ifname"]) for r in syn])


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
    carrying = check_payload_pids(rows, 6)
    check(len(carrying) == 6 and all(r["peer"] for r in carrying),
          "3 requests and 3 replies, each once with both ends: %s" % [
              (r["dir"], r["pid"], r["peer"]) for r in carrying])
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
        first = cl.first + read_line(cl.proc, "tcp-wait")  # "connected"
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
        check_payload_pids(rows, 2)
        n = check_endpoint_pids(rows, port, {(ns.b4, True): {server_pid},
                                             (ns.a4, False): {client_pid}})
        check(n >= 4, "too few packets of the connection: %d" % n)
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
        check_payload_pids(rows, 2)
        check_endpoint_pids(rows, 47112, {(ns.b4, True): set(peer_pids(srv_out)["udp-echo"]),
                                          (ns.a4, False): set(pids["child"])})


def test_socket_two_processes_send_through_at_once(tmp):
    """A forked worker pool's shared UDP socket: parent and child send 2000
    datagrams each through it at the same time; each is its sender's."""
    out = os.path.join(tmp, "shared.pcapng")
    port = 47113
    with Namespaces() as ns:
        sink = Peer(ns.run(ns.b, NETPEER, "udp-sink", ns.b4, str(port), "120"))
        cap = Pidcap("-w", out, "--events", "none")
        try:
            p = sh(*ns.run(ns.a, NETPEER, "shared-udp", ns.b4, str(port), "2000"), timeout=120)
        finally:
            rc, err = cap.stop()
            sink.kill()
        check(rc == 0, "pidcap exit %d: %s" % (rc, err))
        pids = peer_pids(p.stdout)
        rows = [r for r in tshark_rows(out, "udp.dstport == %d" % port) if r["dir"] == "out"]
        senders = {r["payload_pid"] for r in rows}
        check(senders == set(pids["parent"]) | set(pids["child"]),
              "datagrams of both processes expected: %s, %s" % (senders, pids))
        wrong = [(r["frame.number"], r["payload_pid"], r["pid"]) for r in rows
                 if r["pid"] != r["payload_pid"]]
        check(len(rows) == 4000 and not wrong,
              "%d datagrams, %d with the other process: %s" % (len(rows), len(wrong), wrong[:10]))


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
        # what it received: its own requests (it is both ends) and the replies
        mine = [r for r in rows if r["peer"] == pid or (r["dir"] == "in" and r["pid"] == pid)]
        check(read == 6 and foreign == 0,
              "pid %d read %d packets (%d not its own), expected its 3 requests and 3 replies" % (
                  pid, read, foreign))
        check(len(mine) == read and all(r["icmp.ident"] == str(ident) for r in mine),
              "pid %d (id %d) read %d, shown receiving %s" % (
                  pid, ident, read, [(r["icmp.type"], r["icmp.ident"]) for r in mine]))
