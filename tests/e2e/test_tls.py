"""--tls: the keys of real TLS connections (OpenSSL 3 through curl and Python,
GnuTLS through wget, Go's crypto/tls in a Go program) in the file, placed so that tshark decrypts the captured packets, which keep
their process. The server runs in a network namespace the test makes; the
secrets pidcap wrote are compared with the ones curl writes to SSLKEYLOGFILE
for the same connection."""
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import threading

from lib import (check, sh, Namespaces, Pidcap, Peer, journal_events, wait_until,
                 wireshark_config, attached_programs, read_line, BUILD, PIDCAP)

SERVER = r"""
import http.server, ssl, sys
addr, cert, key, version = sys.argv[1:5]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello over tls " + self.path.encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
srv = http.server.HTTPServer((addr, 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if version == "1.2":
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
"""


def certificate(tmp):
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
       "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=pidcap-test")
    return cert, key


def start_server(ns, tmp, version):
    script = os.path.join(tmp, "server.py")
    with open(script, "w") as f:
        f.write(SERVER)
    cert, key = certificate(tmp)
    server = Peer(ns.run(ns.b, "python3", script, ns.b4, cert, key, version))
    return server, int(server.first)


def secrets_in(path):
    """The key log lines of a pcapng file's Decryption Secrets Blocks, in order,
    and how many packets came before the first one."""
    data = open(path, "rb").read()
    lines, packets_before, seen_packets, first = [], 0, 0, True
    i = 0
    while i + 12 <= len(data):
        kind, length = struct.unpack_from("<II", data, i)
        check(length >= 12, "a block of length %d at %d" % (length, i))
        if kind == 6:
            seen_packets += 1
        if kind == 0xA:
            stype, slen = struct.unpack_from("<II", data, i + 8)
            check(stype == 0x544C534B, "a DSB of type %#x" % stype)
            lines += data[i + 16:i + 16 + slen].decode().splitlines()
            if first:
                packets_before, first = seen_packets, False
        i += length
    return lines, packets_before


def key_lines(path):
    with open(path) as f:
        return sorted(line.strip() for line in f if line.strip() and not line.startswith("#"))


def http_rows(path):
    out = sh("tshark", "-r", path, "-Y", "http", "-T", "fields", "-E", "separator=\t",
             "-e", "pktap.pid", "-e", "pktap.epid", "-e", "http.request.uri",
             "-e", "http.response.code").stdout
    return [line.split("\t") for line in out.splitlines()]


PYTHON_CLIENT = ("import ssl, sys, urllib.request; "
                 "print(urllib.request.urlopen(sys.argv[1], "
                 "context=ssl._create_unverified_context()).read().decode())")
CLIENTS = {
    "curl": ["curl", "-sk"],  # OpenSSL 3
    "wget": ["wget", "-q", "--no-check-certificate", "-O", "-"],  # GnuTLS
    "python3": ["python3", "-c", PYTHON_CLIENT],  # OpenSSL 3, through SSL_read_ex
}


SYSTEM_LIBS = "/usr/lib/x86_64-linux-gnu"


def go_client(build):
    """The Go client (tests/e2e/go), as built by make: plain, stripped, pie or
    pie-stripped."""
    return os.path.join(BUILD, "go-tlsclient-" + build)


def client_capture(tmp, version, client="curl", go_build=None):
    """A client in namespace a, under pidcap --tls, fetching from the server
    in b; it writes its own key log too (SSLKEYLOGFILE), to compare."""
    out = os.path.join(tmp, "tls.pcapng")
    keylog = os.path.join(tmp, client + ".keys")
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, version)
        path = "/hello-" + version
        if go_build:
            argv = [go_client(go_build)] + (["-tls12"] if version == "1.2" else []) + [
                "%s:%d" % (ns.b4, port), path]
        else:
            argv = CLIENTS[client] + ["https://%s:%d%s" % (ns.b4, port, path)]
        try:
            r = subprocess.run(
                [PIDCAP, "--tls", "-w", out, "--"] +
                ns.run(ns.a, "env", "SSLKEYLOGFILE=" + keylog, *argv),
                capture_output=True, text=True, timeout=120)
        finally:
            server.kill()
    check(r.returncode == 0, "pidcap exit %d: %s" % (r.returncode, r.stderr))
    check("hello over tls /hello-" + version in r.stdout, "%s got: %r" % (client, r.stdout))
    comm = os.path.basename(argv[0])[:15]
    pids = [e["pid"] for e in journal_events(out) if e["comm"] == comm and e["pid"]]
    check(pids, "no exec of %s in the file" % client)
    return out, keylog, r.stderr, pids[0]


def check_decrypted(out, keylog, stderr, client, version):
    rows = http_rows(out)
    requests = [r for r in rows if len(r) > 2 and r[2] == "/hello-" + version]
    if len(requests) != 1:
        # (what it takes to tell why: the secrets against the client's own,
        # pidcap's counts, and the packets as tshark sees them)
        ours = secrets_in(out)
        frames = sh("tshark", "-r", out, "-Y", "tcp", "-T", "fields", "-e", "frame.number",
                    "-e", "pktap.pid", "-e", "tcp.seq", "-e", "tcp.len", "-e",
                    "_ws.col.Info").stdout
        check(False, "tshark does not decrypt the client's request: %s\nour secrets (%d packets "
              "before the first): %s\nthe client's: %s\npidcap: %s\npackets:\n%s"
              % (rows, ours[1], sorted(x.split()[0] for x in ours[0]),
                 sorted(x.split()[0] for x in key_lines(keylog)), stderr, frames))
    check(requests[0][0] == str(client),
          "the request is not the client's (%d): %s" % (client, requests))
    responses = [r for r in rows if len(r) > 3 and r[3] == "200"]
    check(len(responses) == 1 and str(client) in responses[0][:2],
          "tshark does not decrypt the response the client received: %s" % rows)
    ours, before = secrets_in(out)
    check(sorted(ours) == key_lines(keylog),
          "the secrets differ from the client's SSLKEYLOGFILE:\n%s\n%s"
          % (ours, key_lines(keylog)))
    check("1 TLS connections seen, 1 with their keys, 0 not decryptable in the file" in stderr,
          "the summary: %s" % stderr)
    return before


def test_tls13_keys_decrypt_curl(tmp):
    out, keylog, stderr, curl = client_capture(tmp, "1.3")
    check_decrypted(out, keylog, stderr, curl, "1.3")
    labels = {line.split()[0] for line in secrets_in(out)[0]}
    check({"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
           "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"} <= labels,
          "TLS 1.3 secrets missing: %s" % labels)


def test_tls12_keys_decrypt_curl(tmp):
    out, keylog, stderr, curl = client_capture(tmp, "1.2")
    check_decrypted(out, keylog, stderr, curl, "1.2")
    check({line.split()[0] for line in secrets_in(out)[0]} == {"CLIENT_RANDOM"},
          "TLS 1.2 gives CLIENT_RANDOM lines: %s" % secrets_in(out)[0])


def test_tls_keys_decrypt_wget_gnutls(tmp):
    for version in ("1.3", "1.2"):
        sub = os.path.join(tmp, version)
        os.mkdir(sub)
        out, keylog, stderr, wget = client_capture(sub, version, "wget")
        check_decrypted(out, keylog, stderr, wget, version)


def test_tls_keys_decrypt_python_urllib(tmp):
    out, keylog, stderr, python = client_capture(tmp, "1.3", "python3")
    check_decrypted(out, keylog, stderr, python, "1.3")


def test_tls_keys_decrypt_go_crypto_tls(tmp):
    """Go links its TLS into the program: found by name in a stripped build
    (Go's function table) and in a position-independent one."""
    for version, build in (("1.3", "stripped"), ("1.2", "pie-stripped"), ("1.3", "pie")):
        sub = os.path.join(tmp, version + build)
        os.mkdir(sub)
        out, keylog, stderr, go = client_capture(sub, version, "go", go_build=build)
        check_decrypted(out, keylog, stderr, go, version)


def test_tls_go_programs_running_and_started_later(tmp):
    """Go programs not started by pidcap: one already running when the
    capture starts (found by its /proc/PID/exe), and one started later
    under --comm (stopped at exec until hooked, then let go)."""
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        try:
            early = subprocess.Popen(ns.run(ns.a, go_client("plain"), "-wait",
                                            "%s:%d" % (ns.b4, port), "/running"),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            check(early.stdout.readline().strip() == "waiting", "the Go client did not start")
            running = os.path.join(tmp, "running.pcapng")
            cap = Pidcap("--tls", "-w", running, "--pid", str(early.pid), "--events", "none")
            early.stdin.write("\n")
            early.stdin.flush()
            body = early.stdout.read()
            early.wait(60)
            rc, err = cap.stop()
            check(rc == 0 and "hello over tls /running" in body,
                  "pidcap exit %d: %s; the client got %r" % (rc, err, body))
            check("1 with their keys" in err, "the summary: %s" % err)
            later = os.path.join(tmp, "later.pcapng")
            cap = Pidcap("--tls", "-w", later, "--comm", "go-tlsclient-pi")
            r = sh(*ns.run(ns.a, go_client("pie-stripped"), "%s:%d" % (ns.b4, port), "/later"))
            rc, err = cap.stop()
        finally:
            server.kill()
    check(rc == 0 and "hello over tls /later" in r.stdout,
          "pidcap exit %d: %s; the client got %r" % (rc, err, r.stdout))
    for path, uri, pid in ((running, "/running", early.pid), (later, "/later", None)):
        requests = [r for r in http_rows(path) if len(r) > 2 and r[2] == uri]
        check(len(requests) == 1, "tshark does not decrypt %s: %s" % (uri, http_rows(path)))
        check(pid is None or requests[0][0] == str(pid),
              "%s is not the client's (%s): %s" % (uri, pid, requests))


def test_tls_new_program_not_kept_waiting_by_a_full_output(tmp):
    """pidcap --tls -w - for every process, its reader not reading: pidcap
    blocks writing, and a program started then (stopped at exec to be
    looked at) still runs at once."""
    program = os.path.join(tmp, "fresh-true")
    shutil.copy("/bin/true", program)  # (a file pidcap has never looked at)
    cap = Pidcap("--tls", "-w", "-", "--events", "none", stdout=subprocess.PIPE)
    try:
        with Namespaces() as ns:
            flood = subprocess.Popen(ns.run(ns.a, "ping", "-f", "-s", "1400", ns.b4),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                wait_until(lambda: "pipe_write" in open("/proc/%d/wchan" % cap.proc.pid).read(),
                           "pidcap to block on its full output")
            finally:
                flood.kill()
                flood.wait()
        r = subprocess.run([program], timeout=60)
        check(r.returncode == 0, "the new program exit %d" % r.returncode)
    finally:
        # (binary: pcapng, though Pidcap's pipes are text)
        drain = threading.Thread(target=cap.proc.stdout.buffer.read, daemon=True)
        drain.start()
        rc, err = cap.stop()
    # (stopped while its reader drains a full pipe: it may say the output is cut)
    check(rc in (0, 1) and "Traceback" not in err, "pidcap exit %d: %s" % (rc, err))


def own_libs(tmp, name):
    """Copies of the system's libssl (with its libcrypto) and libgnutls: files
    no process had when the capture started, laid out as installed (the
    real file named by its full version, the name the loader opens a
    symbolic link to it)."""
    libs = os.path.join(tmp, name)
    os.makedirs(libs)
    for lib in ("libssl.so.3", "libcrypto.so.3", "libgnutls.so.30"):
        real = os.path.realpath(os.path.join(SYSTEM_LIBS, lib))
        versioned = os.path.basename(real)
        if versioned == lib:  # (Debian's libssl.so.3 is no link: make it one, as Fedora's)
            versioned += ".0.0"
        shutil.copy(real, os.path.join(libs, versioned))
        os.symlink(versioned, os.path.join(libs, lib))
    return libs


def start_s_server(ns, tmp, version):
    """openssl s_server -www (it answers any GET with a status page) in
    namespace b, TLS 1.2 or 1.3 only, ready once it says ACCEPT."""
    cert, key = certificate(tmp)
    server = Peer(ns.run(ns.b, "openssl", "s_server", "-accept", "4433", "-cert", cert, "-key",
                         key, "-www", "-tls" + version.replace(".", "_")))
    line = server.first
    while line.strip() != "ACCEPT":
        line = read_line(server.proc, "openssl s_server")
    return server


def test_tls_openssl_s_server_and_s_client(tmp):
    """openssl s_server, TLS 1.2 and 1.3: openssl s_client's request
    decrypts with the keys pidcap took from s_client (the ones s_client
    writes to -keylogfile), and curl's with the keys it took from s_server
    (--pid of the server)."""
    for version in ("1.2", "1.3"):
        sub = os.path.join(tmp, version)
        os.mkdir(sub)
        client_out, server_out = (os.path.join(sub, n) for n in ("client.pcapng",
                                                                 "server.pcapng"))
        keylog = os.path.join(sub, "s_client.keys")
        uri = "/s-client-" + version
        with Namespaces() as ns:
            server = start_s_server(ns, sub, version)
            try:
                client = subprocess.run(
                    [PIDCAP, "--tls", "-w", client_out, "--"] + ns.run(
                        ns.a, "sh", "-c",
                        'printf "GET %s HTTP/1.0\\r\\n\\r\\n" | '
                        'exec openssl s_client -connect %s:4433 -quiet -ign_eof -keylogfile %s'
                        % (uri, ns.b4, keylog)),
                    capture_output=True, text=True, timeout=120)
                cap = Pidcap("--tls", "-w", server_out, "--pid", str(server.proc.pid),
                             "--events", "none")
                curl = sh(*ns.run(ns.a, "curl", "-sk", "https://%s:4433/to-s-server" % ns.b4),
                          timeout=60)
                rc, err = cap.stop()
            finally:
                server.kill()
        check(client.returncode == 0 and "HTTP/1.0 200 ok" in client.stdout,
              "%s: pidcap exit %d: %s; s_client got %r" % (version, client.returncode,
                                                           client.stderr, client.stdout))
        s_client = [e["pid"] for e in journal_events(client_out)
                    if e["comm"] == "openssl" and e["pid"]]
        requests = [x for x in http_rows(client_out) if len(x) > 2 and x[2] == uri]
        check(s_client and len(requests) == 1 and requests[0][0] == str(s_client[0]),
              "%s: s_client's request (%s) not decrypted: %s" % (version, s_client,
                                                                 http_rows(client_out)))
        check(sorted(secrets_in(client_out)[0]) == key_lines(keylog),
              "%s: the secrets differ from s_client's -keylogfile" % version)
        check(rc == 0 and "s_server" in curl.stdout, "%s: pidcap exit %d: %s; curl got %r"
              % (version, rc, err, curl.stdout[:200]))
        requests = [x for x in http_rows(server_out) if len(x) > 2 and x[2] == "/to-s-server"]
        # (the request is curl's packet, s_server its local receiver: pid, epid)
        check(len(requests) == 1 and str(server.proc.pid) in requests[0][:2],
              "%s: not decrypted with s_server's keys (%d): %s"
              % (version, server.proc.pid, http_rows(server_out)))


def test_tls_library_files_opened_during_the_capture(tmp):
    """Copies of libssl and libgnutls that no process had when the capture
    started, found as they are opened: by curl's and wget's loader at their
    start (LD_LIBRARY_PATH), and by Python's import of ssl (dlopen)."""
    for client in ("curl", "python3", "wget"):
        sub = os.path.join(tmp, client)
        libs = own_libs(sub, "lib")
        out = os.path.join(sub, "tls.pcapng")
        with Namespaces() as ns:
            server, port = start_server(ns, sub, "1.3")
            try:
                r = subprocess.run(
                    [PIDCAP, "--tls", "-w", out, "--"] +
                    ns.run(ns.a, "env", "LD_LIBRARY_PATH=" + libs, *CLIENTS[client],
                           "https://%s:%d/own-%s" % (ns.b4, port, client)),
                    capture_output=True, text=True, timeout=120)
            finally:
                server.kill()
        check(r.returncode == 0 and "hello over tls /own-" + client in r.stdout,
              "%s: pidcap exit %d: %s; got %r" % (client, r.returncode, r.stderr, r.stdout))
        check("1 with their keys" in r.stderr, "%s: the summary: %s" % (client, r.stderr))
        requests = [x for x in http_rows(out) if len(x) > 2 and x[2] == "/own-" + client]
        check(len(requests) == 1, "%s: not decrypted: %s" % (client, http_rows(out)))


def test_tls_library_files_opened_during_a_capture_of_every_process(tmp):
    """pidcap --tls for every process (its own calibration children open
    libssl too, and must not wait for it): a copy in LD_LIBRARY_PATH, and
    one that only a mount namespace has, bind-mounted over the system's
    (as a container's own libssl), are each hooked as they are opened, and
    their connections decrypt with the clients' PIDs."""
    out = os.path.join(tmp, "every.pcapng")
    own = own_libs(tmp, "lib")
    theirs = own_libs(tmp, "container")
    system_ssl = os.path.join(SYSTEM_LIBS, "libssl.so.3")
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        cap = Pidcap("--tls", "-w", out, "--events", "none")
        try:
            url = "https://%s:%d/" % (ns.b4, port)
            clients = {
                "/ld-library-path": ns.run(ns.a, "env", "LD_LIBRARY_PATH=" + own, "curl", "-sk",
                                           url + "ld-library-path"),
                "/container": ns.run(ns.a, "unshare", "-m", "sh", "-c",
                                     'mount --bind "$0/libssl.so.3" "$1" && exec curl -sk "$2"',
                                     theirs, system_ssl, url + "container"),
            }
            pids, bodies, probes = {}, {}, []
            for path, argv in clients.items():
                client = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
                pids[path] = client.pid
                bodies[path] = client.communicate(timeout=60)[0]
            probes = uprobes_of(cap.proc.pid)
        finally:
            rc, err = cap.stop()
            server.kill()
    check(rc == 0, "pidcap exit %d: %s" % (rc, err))
    check("no keys from" not in err, "a library not hooked: %s" % err)
    for path in clients:
        check("hello over tls " + path in bodies[path], "%s: curl got %r" % (path, bodies[path]))
        requests = [x for x in http_rows(out) if len(x) > 2 and x[2] == path]
        check(len(requests) == 1 and requests[0][0] == str(pids[path]),
              "%s: not decrypted on curl's packets (%d): %s" % (path, pids[path],
                                                                http_rows(out)))
    files = {f for f, _ in probes}
    check(os.path.realpath(os.path.join(own, "libssl.so.3")) in files,
          "the LD_LIBRARY_PATH copy: %s" % files)
    check(any(re.match(r"/proc/\d+/root%s$" % re.escape(system_ssl), f) for f in files),
          "the copy in the mount namespace, through its root: %s" % files)


def state_of(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(") ", 1)[1].split()[0]


def test_tls_stopped_process_let_go_when_pidcap_is_killed(tmp):
    """pidcap killed with SIGKILL while a new program waits for it, stopped
    at exec: its guard continues that program, says so, and ends."""
    program = os.path.join(tmp, "fresh-true")
    shutil.copy("/bin/true", program)  # (a file pidcap has never looked at)
    cap = Pidcap("--tls", "-w", os.path.join(tmp, "killed.pcapng"), "--events", "none")
    waiting = None
    try:
        os.kill(cap.proc.pid, signal.SIGSTOP)  # (it cannot look at the program now)
        wait_until(lambda: state_of(cap.proc.pid) == "T", "pidcap to stop")
        waiting = subprocess.Popen([program])
        wait_until(lambda: state_of(waiting.pid) == "T", "the new program to be stopped at exec")
        os.kill(cap.proc.pid, signal.SIGKILL)
        rc, _ = cap.stop()
        try:
            code = waiting.wait(60)
        except subprocess.TimeoutExpired:
            code = "none: still %s" % state_of(waiting.pid)
        check(code == 0, "the program's exit: %s" % code)
        cap.reader.join(60)  # (the guard has pidcap's stderr until it ends)
        err = "".join(cap.err_lines)
    finally:
        cap.kill()
        if waiting and waiting.poll() is None:
            waiting.kill()
            os.kill(waiting.pid, signal.SIGCONT)
    check(rc == -signal.SIGKILL, "pidcap exit %d: %s" % (rc, err))
    # (other programs that started on the machine while pidcap was stopped
    # were held too, and are counted with ours)
    m = re.search(r"(\d+) processes it had stopped for --tls continued after it ended", err)
    check(m and int(m.group(1)) >= 1, "the guard's line: %s" % err)
    wait_until(lambda: not sh("pgrep", "-x", "pidcap-guard", check_rc=False).stdout,
               "the guard to end")


def test_tls_server_side_keys(tmp):
    """The server selected (--pid), not the client: its own secrets decrypt."""
    out = os.path.join(tmp, "server.pcapng")
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        try:
            cap = Pidcap("--tls", "-w", out, "--pid", str(server.proc.pid), "--events", "none")
            # (ip netns exec runs python3 in the same process: its pid is the server's)
            r = sh(*ns.run(ns.a, "curl", "-sk", "https://%s:%d/server-side" % (ns.b4, port)))
            rc, err = cap.stop()
        finally:
            server.kill()
    check(rc == 0, "pidcap exit %d: %s" % (rc, err))
    check("server-side" in r.stdout, "curl got %r" % r.stdout)
    rows = http_rows(out)
    check([r for r in rows if len(r) > 2 and r[2] == "/server-side"],
          "tshark does not decrypt with the server's keys: %s" % rows)
    check(all(str(server.proc.pid) in r[:2] for r in rows),
          "packets not the server's (%d): %s" % (server.proc.pid, rows))


def test_tls_live_pipe_to_tshark(tmp):
    """-w - | tshark -i -: the keys come before the packets in the stream too."""
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        try:
            pidcap = subprocess.Popen(
                [PIDCAP, "--tls", "-w", "-", "--"] +
                ns.run(ns.a, "curl", "-sk", "https://%s:%d/live" % (ns.b4, port)),
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            tshark = subprocess.run(
                ["tshark", "-i", "-", "-Y", "http.request", "-T", "fields", "-e", "pktap.pid",
                 "-e", "http.request.uri"], stdin=pidcap.stdout, capture_output=True,
                text=True, timeout=120)
            pidcap.stdout.close()
            pidcap.wait(60)
        finally:
            server.kill()
    err = pidcap.stderr.read().decode()
    check(pidcap.returncode == 0, "pidcap exit %d: %s" % (pidcap.returncode, err))
    # (the command's own output must not go into the capture on stdout)
    check("hello over tls /live" in err, "curl's output is not on stderr: %r" % err)
    check("/live" in tshark.stdout, "tshark -i - does not decrypt: %r %r" % (tshark.stdout,
                                                                          tshark.stderr))


def uprobes_of(pid):
    """The uprobes bpftool sees a process hold: (file, offset)."""
    out = sh("bpftool", "perf", "show").stdout
    return re.findall(r"pid %d .*uprobe\s+filename (\S+)\s+offset (\d+)" % pid, out)


def test_tls_in_wireshark_through_extcap(tmp):
    """Wireshark's capture dialog ticks "Decrypt TLS": tshark -i pidcap shows
    the server's requests decrypted, live."""
    conf, env = wireshark_config(tmp)
    out = os.path.join(tmp, "extcap-tls.pcapng")
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        ts = None
        try:
            ts = subprocess.Popen(["tshark", "-i", "pidcap", "-w", out,
                                   "-o", "extcap.pidcap.tls:true",
                                   "-o", "extcap.pidcap.pid:%d" % server.proc.pid], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

            def hooked():
                pids = sh("pgrep", "-f", "extcap-interface pidcap", check_rc=False).stdout.split()
                return any(uprobes_of(int(p)) for p in pids)
            wait_until(hooked, "pidcap started by tshark to hook the TLS libraries")
            r = sh(*ns.run(ns.a, "curl", "-sk", "https://%s:%d/extcap" % (ns.b4, port)))
            check("/extcap" in r.stdout, "curl got %r" % r.stdout)
            wait_until(lambda: os.path.exists(out) and "/extcap" in sh(
                "tshark", "-r", out, "-Y", "http.request", "-T", "fields", "-e",
                "http.request.uri", check_rc=False).stdout, "the decrypted request in the file")
            ts.send_signal(signal.SIGINT)
            _, err = ts.communicate(timeout=60)
        finally:
            server.kill()
            if ts and ts.poll() is None:
                ts.kill()
                ts.wait()
    rows = [l.split("\t") for l in sh("tshark", "-r", out, "-Y", "http.request", "-T", "fields",
                                       "-e", "pktap.pid", "-e", "pktap.epid").stdout.splitlines()]
    check(rows and all(str(server.proc.pid) in r for r in rows), "not the server's: %s" % rows)
    check(attached_programs() == [], "left attached after the extcap capture")


def data_capture(tmp, client, args=(), mode="--tls=data"):
    """--tls=data around a client in namespace a fetching /data-CLIENT from
    the server in b: pidcap's result, the server's port and the path."""
    path = "/data-" + client
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        try:
            r = subprocess.run(
                [PIDCAP, mode, *args, "--"] +
                ns.run(ns.a, *CLIENTS[client], "https://%s:%d%s" % (ns.b4, port, path)),
                capture_output=True, text=True, timeout=120)
        finally:
            server.kill()
    check(r.returncode == 0, "pidcap exit %d: %s" % (r.returncode, r.stderr))
    return r, ns, port, path


def test_tls_data_printed_for_openssl_and_gnutls(tmp):
    """--tls=data prints what curl, Python (SSL_write_ex/SSL_read_ex) and
    wget (GnuTLS) wrote and read, in the clear, on the right connection and
    with the client's PID."""
    for client, library, mode in (("curl", "OpenSSL", "--tls=data"),
                                  ("python3", "OpenSSL", "--tls=data"),
                                  ("wget", "GnuTLS", "--tls")):  # (no -w: --tls prints it too)
        sub = os.path.join(tmp, client)
        os.mkdir(sub)
        r, ns, port, path = data_capture(sub, client, ("--events", "exec"), mode)
        out = r.stdout
        execs = re.findall(r"exec %s\[(\d+)\]" % client, out)
        check(execs, "%s: no exec line: %s" % (client, out[-2000:]))
        write = re.search(r"TLS %s\[(\d+)\] %s\.(\d+) > %s\.%d: write (\d+) bytes \(%s\)\n"
                          r"GET %s HTTP/1.1\n" % (client, re.escape(ns.a4), re.escape(ns.b4),
                                                   port, library, path), out)
        check(write and write.group(1) == execs[-1],
              "%s: no write of its request by pid %s: %s" % (client, execs, out[-3000:]))
        sport = write.group(2)
        writes = re.findall(r"TLS %s\[%s\] [^\n]*: write " % (client, execs[-1]), out)
        check(len(writes) == 1, "%s: its one request taken %d times" % (client, len(writes)))
        reads = re.findall(r"TLS %s\[%s\] %s\.%d > %s\.%s: read (\d+) bytes \(%s\)\n"
                           % (client, execs[-1], re.escape(ns.b4), port, re.escape(ns.a4),
                              sport, library), out)
        check(reads, "%s: no read on its connection: %s" % (client, out[-3000:]))
        check(re.search(r"read \d+ bytes \(%s\)\n(HTTP/1.0 200 OK\n(.*\n)*)?hello over tls %s"
                        % (library, path), out),
              "%s: the response is not printed: %s" % (client, out[-3000:]))
        check("0 without a known socket" in r.stderr and " 0 lost" in r.stderr,
              "%s: the summary: %s" % (client, r.stderr))


def test_tls_data_in_the_file_and_as_json(tmp):
    """-w: the plaintext as exported PDUs beside the packets, which tshark
    shows as the client's HTTP, with its PID and the connection's ports;
    --json: one object per call."""
    out = os.path.join(tmp, "data.pcapng")
    r, ns, port, path = data_capture(tmp, "curl", ("-w", out))
    curl = [e["pid"] for e in journal_events(out) if e["comm"] == "curl" and e["pid"]]
    rows = [l.split("\t") for l in sh(
        "tshark", "-r", out, "-Y", "exported_pdu && http", "-T", "fields", "-E",
        "separator=\t", "-e", "pktap.pid", "-e", "exported_pdu.ipv4_dst", "-e",
        "exported_pdu.dst_port", "-e", "exported_pdu.src_port", "-e", "http.request.uri", "-e",
        "http.response.code").stdout.splitlines()]
    requests = [x for x in rows if x[4] == path]
    responses = [x for x in rows if x[5] == "200"]
    check(len(requests) == 1 and requests[0][:3] == [str(curl[0]), ns.b4, str(port)],
          "the request as curl's (%s) exported PDU to the server: %s" % (curl, rows))
    check(len(responses) == 1 and responses[0][0] == str(curl[0]) and
          responses[0][3] == str(port), "the response curl read: %s" % rows)
    check("1 TLS connections seen, 1 with their keys" in r.stderr, "summary: %s" % r.stderr)
    # -r prints them as the live capture does; -r -w keeps them.
    text = sh(PIDCAP, "-r", out).stdout
    check(re.search(r"TLS curl\[%d\] %s\.\d+ > %s\.%d: write \d+ bytes \(OpenSSL\)\nGET %s "
                    % (curl[0], re.escape(ns.a4), re.escape(ns.b4), port, path), text),
          "pidcap -r does not print the request: %s" % text[-2000:])
    again = os.path.join(tmp, "again.pcapng")
    sh(PIDCAP, "-r", out, "-w", again)
    rows_again = [l.split("\t") for l in sh(
        "tshark", "-r", again, "-Y", "exported_pdu && http", "-T", "fields", "-E",
        "separator=\t", "-e", "pktap.pid", "-e", "exported_pdu.ipv4_dst", "-e",
        "exported_pdu.dst_port", "-e", "exported_pdu.src_port", "-e", "http.request.uri", "-e",
        "http.response.code").stdout.splitlines()]
    check(rows_again == rows, "-r -w changed them: %s, %s" % (rows, rows_again))
    r, ns, port, path = data_capture(tmp, "python3", ("--json", "--events", "none"))
    objects = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    calls = [o for o in objects if "tls" in o]
    check(any(o["tls"] == "write" and o["dport"] == port and "GET %s" % path in o["text"]
              for o in calls), "no JSON object of the request: %s" % calls)
    check(any(o["tls"] == "read" and o["sport"] == port and "hello over tls" in o["text"]
              for o in calls), "no JSON object of the response: %s" % calls)


def test_tls_bad_input(tmp):
    for args, words in ((["--tls", "-r", os.path.join(tmp, "x.pcapng"), "-w", "y"], "-r"),
                        (["--tls", "--no-packets", "-w", "y"], "--no-packets"),
                        (["--tls=keys", "-w", "y"], "--tls=data"),
                        (["--tls=data", "--format", "darwin", "-w", "y"], "pktap")):
        r = subprocess.run([PIDCAP] + args, capture_output=True, text=True, timeout=60)
        lines = r.stderr.strip().splitlines()
        check(r.returncode != 0 and len(lines) == 1 and words in lines[0],
              "%s: exit %d, %r" % (args, r.returncode, r.stderr))


def test_tls_in_a_pid_namespace_of_its_own(tmp):
    """pidcap inside a PID namespace of its own could not continue what it
    stops: one warning says what is not hooked, and curl's keys still come
    from the library hooked at the start."""
    out = os.path.join(tmp, "pidns.pcapng")
    with Namespaces() as ns:
        server, port = start_server(ns, tmp, "1.3")
        cap = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", PIDCAP, "--tls",
                                "-w", out, "--events", "none"],
                               stderr=subprocess.PIPE, text=True)
        lines = []
        try:
            while not lines or "capturing" not in lines[-1]:
                lines.append(cap.stderr.readline())
                check(lines[-1], "pidcap did not start: %s" % "".join(lines))
            curl = sh(*ns.run(ns.a, "curl", "-sk", "https://%s:%d/pidns" % (ns.b4, port)),
                      timeout=60)
            # (to pidcap itself, unshare's child: unshare passes no signal on)
            with open("/proc/%d/task/%d/children" % (cap.pid, cap.pid)) as f:
                os.kill(int(f.read().split()[0]), signal.SIGINT)
            err = "".join(lines) + cap.communicate(timeout=60)[1]
        finally:
            if cap.poll() is None:
                cap.kill()  # (--kill-child: pidcap goes with it)
                cap.wait()
            server.kill()
    warnings = [x for x in err.splitlines() if "warning" in x]
    check(cap.returncode == 0 and len(warnings) == 1 and "PID namespace" in warnings[0],
          "exit %d: %s" % (cap.returncode, err))
    check("/pidns" in curl.stdout, "curl got %r" % curl.stdout)
    check([x for x in http_rows(out) if len(x) > 2 and x[2] == "/pidns"],
          "not decrypted: %s" % http_rows(out))
