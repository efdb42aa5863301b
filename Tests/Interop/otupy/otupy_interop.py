#!/usr/bin/env python3
"""Interop check between Bastion and otupy 1.1.46, the OpenC2 Python reference, over plain HTTP.

    python otupy_interop.py BASTION_BINARY [--trace] [--verbose] [--deadline SECONDS]

Part A: a Bastion Consumer (`bastion openc2 consumer --testing-http`) driven by otupy's Producer
        (otupy.Producer + otupy.transfers.http.HTTPTransfer + its encoders).
Part B: otupy Consumers (otupy.Consumer + HTTPTransfer, once with its default werkzeug server and
        once with gunicorn) driven by `bastion openc2 features` / `bastion openc2 send`.

Prints one PASS/FAIL line per check (KNOWN lines are documented otupy limitations, asserted
precisely so that any change shows up), a summary, and exits 0 only when nothing failed.
Every wait is bounded; every process started here is stopped on the way out.

Internal mode, used by Part B: `otupy_interop.py --serve-otupy-consumer PORT werkzeug|gunicorn`.
"""

import argparse
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types

PATH = "/.well-known/openc2"
STARTUP_TIMEOUT = 30.0   # seconds for a server to accept connections
STOP_TIMEOUT = 15.0      # seconds for a server to exit after SIGTERM
CLI_TIMEOUT = 40.0       # seconds for one bastion CLI invocation (its own --timeout is lower)
CLI_REPLY_TIMEOUT = "8"  # bastion's --timeout for one reply

# What the minimal actuator written below (with otupy's classes) reports for `query features`.
INTEROP_FEATURES = {
    "versions": ["1.0"],
    "profiles": ["slpf"],
    "pairs": {"query": ["features"], "deny": ["ipv4_net"]},
    "rate_limit": 30,
}


# --------------------------------------------------------------------------------------------
# Loading otupy with only its light dependencies
# --------------------------------------------------------------------------------------------

def load_otupy():
    """Import otupy and the SLPF profile without the heavy optional dependencies.

    `otupy/profiles/__init__.py` imports every profile (xbom needs cyclonedx-python-lib) and
    `otupy/actuators/__init__.py` imports every actuator (kubernetes, openstacksdk, docker, ...).
    None of those are in the light dependency set, so register the two package objects without
    running their __init__; their submodules (profiles.slpf, actuators.slpf...) then import
    normally and are otupy's own, unmodified code.
    """
    import otupy
    base = os.path.dirname(otupy.__file__)
    for sub in ("profiles", "actuators"):
        name = "otupy." + sub
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [os.path.join(base, sub)]
            package.__package__ = name
            sys.modules[name] = package
            setattr(otupy, sub, package)
    import otupy.profiles.slpf as slpf
    return otupy, slpf


def make_interop_actuator(oc2):
    """A minimal SLPF actuator built from otupy's classes: answers `query features` from
    INTEROP_FEATURES (rate_limit included, which otupy's mockup does not do) and 501 otherwise."""

    @oc2.actuator_implementation("bastion-interop")
    class InteropActuator:
        def run(self, cmd):
            if cmd.action != oc2.Actions.query or not isinstance(cmd.target.getObj(), oc2.Features):
                return oc2.Response(status=oc2.StatusCode.NOTIMPLEMENTED,
                                    status_text="Command not implemented")
            results = {}
            for feature in cmd.target.getObj():
                if feature == oc2.Feature.versions:
                    results["versions"] = oc2.ArrayOf(oc2.Version)(
                        [oc2.Version(v) for v in INTEROP_FEATURES["versions"]])
                elif feature == oc2.Feature.profiles:
                    results["profiles"] = oc2.ArrayOf(oc2.Nsid)(
                        [oc2.Nsid(p) for p in INTEROP_FEATURES["profiles"]])
                elif feature == oc2.Feature.pairs:
                    pairs = oc2.ActionTargets()
                    for action, targets in INTEROP_FEATURES["pairs"].items():
                        pairs[oc2.Actions[action]] = [oc2.TargetEnum[t] for t in targets]
                    results["pairs"] = pairs
                elif feature == oc2.Feature.rate_limit:
                    results["rate_limit"] = INTEROP_FEATURES["rate_limit"]
            if not results:
                return oc2.Response(status=oc2.StatusCode.OK, status_text="OK")
            return oc2.Response(status=oc2.StatusCode.OK, status_text="OK",
                                results=oc2.Results(results))

    return InteropActuator


def serve_otupy_consumer(port, http_server):
    """Child process: an otupy Consumer on 127.0.0.1:port with two SLPF actuators.

    ('slpf', 'mockup')  -> otupy's own MockupSlpfActuator (the first one, so a command whose
                           actuator is {"slpf": {}} goes to it)
    ('slpf', 'interop') -> the minimal actuator above ({"slpf": {"asset_id": "interop"}})
    """
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    oc2, slpf = load_otupy()
    from otupy.encoders.json import JSONEncoder
    from otupy.transfers.http import HTTPTransfer
    from otupy.actuators.slpf.mockup_slpf_actuator import MockupSlpfActuator
    actuators = {
        (slpf.Profile.nsid, "mockup"): MockupSlpfActuator(),
        (slpf.Profile.nsid, "interop"): make_interop_actuator(oc2)(),
    }
    transfer = HTTPTransfer("127.0.0.1", port, http_server=http_server)
    consumer = oc2.Consumer("otupy-consumer", actuators, JSONEncoder(), transfer)
    consumer.run()  # blocks until the process is signalled


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------

class Report:
    def __init__(self):
        self.passed = 0
        self.failed = []
        self.known = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}" + (f" — {detail}" if detail else ""), flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL {name}" + (f" — {detail}" if detail else ""), flush=True)
        return ok

    def known_issue(self, name, ok, detail):
        """A documented otupy limitation: the observed behaviour is asserted exactly."""
        if ok:
            self.known += 1
            print(f"KNOWN {name} — {detail}", flush=True)
        else:
            self.failed.append(name)
            print(f"FAIL {name} (behaviour changed, update Tests/Interop/README.md) — {detail}",
                  flush=True)
        return ok

    def fail(self, name, detail):
        return self.check(name, False, detail)


def section(title):
    print(f"\n== {title}", flush=True)


# --------------------------------------------------------------------------------------------
# Processes, ports, raw HTTP tracing
# --------------------------------------------------------------------------------------------

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=STARTUP_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


class Server:
    """A child process in its own session, so that its whole process group (werkzeug's
    reloader child, gunicorn's workers) can be signalled and none is left behind."""

    def __init__(self, argv, log_path, env=None):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env, start_new_session=True)

    def _signal_group(self, sig):
        try:
            os.killpg(self.proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def terminate(self, timeout=STOP_TIMEOUT, whole_group=True):
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit status (None if it had to be killed)."""
        if self.proc.poll() is None:
            if whole_group:
                self._signal_group(signal.SIGTERM)
            else:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(timeout=5)
                self.close()
                return None
        self._signal_group(signal.SIGKILL)  # leftovers of the group, if any
        self.close()
        return self.proc.returncode

    def close(self):
        if not self.log.closed:
            self.log.close()

    def tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def _read_http_message(sock, is_response, request_method=None):
    """Read one HTTP/1.1 message (head + body) from sock; returns the raw bytes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            k, v = line.split(b":", 1)
            headers[k.strip().lower()] = v.strip()
    if is_response:
        status = int(lines[0].split()[1])
        if 100 <= status < 200 or status in (204, 304) or request_method == b"HEAD":
            if b"content-length" not in headers:
                # An interim or body-less status: whatever else arrives belongs to the next response
                # (or the peer closes). Read what comes until close or a short quiet time.
                sock.settimeout(2)
                try:
                    while True:
                        chunk = sock.recv(65536)
                        if not chunk:
                            break
                        body += chunk
                except socket.timeout:
                    pass
                return head + b"\r\n\r\n" + body
    if b"content-length" in headers:
        n = int(headers[b"content-length"])
        while len(body) < n:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while not body.endswith(b"0\r\n\r\n"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    elif is_response:
        while True:  # delimited by close
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return head + b"\r\n\r\n" + body


class TraceProxy:
    """A tiny forwarding proxy that records raw HTTP exchanges (one request per connection)."""

    def __init__(self, upstream_port):
        self.upstream_port = upstream_port
        self.exchanges = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopping = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopping:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn):
        request = response = b""
        try:
            conn.settimeout(15)
            request = _read_http_message(conn, is_response=False)
            if not request:
                return
            method = request.split(b" ", 1)[0]
            with socket.create_connection(("127.0.0.1", self.upstream_port), timeout=15) as up:
                up.sendall(request)
                response = _read_http_message(up, is_response=True, request_method=method)
            conn.sendall(response)
        except OSError as e:
            response += f"\n[proxy: {e}]".encode()
        finally:
            with self.lock:
                self.exchanges.append((request, response))
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def take(self):
        with self.lock:
            taken, self.exchanges = self.exchanges, []
        return taken

    def stop(self):
        self.stopping = True
        self.sock.close()
        self.thread.join(timeout=2)


def show_exchanges(exchanges, indent="    "):
    for request, response in exchanges:
        for label, raw in (("request", request), ("response", response)):
            print(f"{indent}--- raw {label} ---")
            text = raw.decode("utf-8", "backslashreplace")
            for line in text.replace("\r\n", "\n").split("\n"):
                print(f"{indent}{line}")
    sys.stdout.flush()


def run_cli(argv, timeout=CLI_TIMEOUT):
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout}s"


def parse_json(text):
    try:
        return json.loads(text)
    except ValueError:
        return None


def pairs_normalized(pairs):
    return {k: sorted(v) for k, v in (pairs or {}).items()}


# --------------------------------------------------------------------------------------------
# Part A: otupy Producer -> Bastion Consumer
# --------------------------------------------------------------------------------------------

def part_a(report, bastion, workdir, trace, cleanup):
    section("A: otupy Producer -> Bastion Consumer (bastion openc2 consumer --testing-http)")
    oc2, slpf = load_otupy()
    from otupy.encoders import JSONEncoder, YAMLEncoder, XMLEncoder, CBOREncoder
    from otupy.transfers.http import HTTPTransfer
    F = oc2.Feature

    port = free_port()
    server = Server([bastion, "openc2", "consumer", "--testing-http", "--host", "127.0.0.1",
                     "--port", str(port)], os.path.join(workdir, "bastion-consumer.log"))
    cleanup.append(server.terminate)
    if not report.check("A bastion consumer starts", wait_for_port(port, server.proc),
                        f"port {port}"):
        print(server.tail())
        server.terminate()
        return

    proxy = None
    target_port = port
    if trace:
        proxy = TraceProxy(port)
        cleanup.append(proxy.stop)
        target_port = proxy.port

    def producer(encoder=JSONEncoder):
        return oc2.Producer("interop-producer", encoder(), HTTPTransfer("127.0.0.1", target_port))

    def todict(reply):
        return oc2.Encoder.todict(reply.content)

    def traced():
        if proxy:
            show_exchanges(proxy.take())

    # A1: query features, several feature sets, plain and with otupy's SLPF actuator specifier/args.
    cases = [
        ("[]", oc2.Command(oc2.Actions.query, oc2.Features()), []),
        ("[versions]", oc2.Command(oc2.Actions.query, oc2.Features([F.versions])), ["versions"]),
        ("[profiles]", oc2.Command(oc2.Actions.query, oc2.Features([F.profiles])), ["profiles"]),
        ("[pairs]", oc2.Command(oc2.Actions.query, oc2.Features([F.pairs])), ["pairs"]),
        ("[versions,profiles,pairs]",
         oc2.Command(oc2.Actions.query, oc2.Features([F.versions, F.profiles, F.pairs])),
         ["versions", "profiles", "pairs"]),
        ("[versions,profiles,pairs,rate_limit]",
         oc2.Command(oc2.Actions.query,
                     oc2.Features([F.versions, F.profiles, F.pairs, F.rate_limit])),
         ["versions", "profiles", "pairs"]),
        ("[versions,profiles] actuator slpf{hostname,named_group,asset_id} + slpf args complete",
         oc2.Command(oc2.Actions.query, oc2.Features([F.versions, F.profiles]),
                     args=slpf.Args({"response_requested": oc2.ResponseType.complete}),
                     actuator=slpf.Specifiers({"hostname": "firewall", "named_group": "firewalls",
                                               "asset_id": "iptables"})),
         ["versions", "profiles"]),
        ("[versions,profiles,pairs] actuator slpf{} + args complete",
         oc2.Command(oc2.Actions.query, oc2.Features([F.versions, F.profiles, F.pairs]),
                     args=oc2.Args({"response_requested": oc2.ResponseType.complete}),
                     actuator=slpf.Specifiers({})),
         ["versions", "profiles", "pairs"]),
    ]
    for label, cmd, asked in cases:
        name = f"A query features {label}"
        try:
            reply = producer().sendcmd(cmd)
        except Exception as e:  # noqa: BLE001 - report whatever otupy raised
            report.fail(name, f"otupy raised {type(e).__name__}: {e}")
            traced()
            continue
        traced()
        if reply is None:
            report.fail(name, "otupy got no reply (connection failed)")
            continue
        body = todict(reply)
        results = body.get("results", {})
        problems = []
        if reply.status != oc2.StatusCode.OK or body.get("status") != 200:
            problems.append(f"status {reply.status} / {body.get('status')}")
        if "versions" in asked and "1.0" not in results.get("versions", []):
            problems.append("versions lacks 1.0")
        if "profiles" in asked and "slpf" not in results.get("profiles", []):
            problems.append("profiles lacks slpf")
        if "pairs" in asked and "features" not in results.get("pairs", {}).get("query", []):
            problems.append("pairs lacks query/features")
        unasked = set(results) - set(asked) - {"rate_limit"}
        if unasked:
            problems.append(f"unasked results {sorted(unasked)}")
        if not asked and results:
            problems.append("results present for an empty feature list")
        if reply.encoding is not JSONEncoder:
            problems.append(f"reply decoded with {reply.encoding}")
        report.check(name, not problems, "; ".join(problems) or json.dumps(body, sort_keys=True))

    # A2: v1.1 correlation: the reply carries the request's request_id (HTTPTransfer.send directly,
    # which is what Producer.sendcmd calls, so the request id is known here).
    transfer = HTTPTransfer("127.0.0.1", target_port)
    msg = oc2.Message(oc2.Command(oc2.Actions.query, oc2.Features([F.versions])))
    msg.from_ = "interop-producer"
    try:
        reply = transfer.send(msg, JSONEncoder())
        traced()
        report.check("A reply request_id == request's (v1.1 correlation)",
                     reply is not None and reply.request_id == msg.request_id,
                     f"sent {msg.request_id}, got {getattr(reply, 'request_id', None)}")
    except Exception as e:  # noqa: BLE001
        report.fail("A reply request_id == request's (v1.1 correlation)", f"{type(e).__name__}: {e}")

    # A3: otupy's Date header is local time with an empty %Z ("Mon, 23 Nov 2026 11:50:33 "):
    # make it wrong by 14 hours and check Bastion still answers.
    old_tz = os.environ.get("TZ")
    os.environ["TZ"] = "XXX-14"
    time.tzset()
    try:
        reply = producer().sendcmd(oc2.Command(oc2.Actions.query, oc2.Features([F.versions])))
        traced()
        report.check("A otupy's zone-less local-time Date header (TZ=UTC+14) is accepted",
                     reply is not None and reply.status == oc2.StatusCode.OK,
                     f"status {getattr(reply, 'status', None)}")
    except Exception as e:  # noqa: BLE001
        report.fail("A otupy's zone-less local-time Date header (TZ=UTC+14) is accepted",
                    f"{type(e).__name__}: {e}")
    finally:
        if old_tz is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old_tz
        time.tzset()

    # A4: a command Bastion cannot do -> 501, parsed by otupy.
    try:
        reply = producer().sendcmd(oc2.Command(oc2.Actions.deny, oc2.IPv4Net("198.51.100.0/24")))
        traced()
        body = todict(reply) if reply else {}
        report.check("A deny ipv4_net (unsupported) -> 501 parsed by otupy",
                     reply is not None and reply.status == oc2.StatusCode.NOTIMPLEMENTED
                     and body.get("status") == 501, json.dumps(body, sort_keys=True))
    except Exception as e:  # noqa: BLE001
        report.fail("A deny ipv4_net (unsupported) -> 501 parsed by otupy", f"{type(e).__name__}: {e}")

    # A5: response_requested ack -> HTTP 200 with {"status": 102} (the ack Bastion answers), parsed by otupy.
    try:
        reply = producer().sendcmd(oc2.Command(
            oc2.Actions.query, oc2.Features([F.versions]),
            args=oc2.Args({"response_requested": oc2.ResponseType.ack})))
        traced()
        report.check("A response_requested=ack -> status 102 parsed by otupy",
                     reply is not None and reply.status == oc2.StatusCode.PROCESSING,
                     json.dumps(todict(reply) if reply else None, sort_keys=True))
    except Exception as e:  # noqa: BLE001
        report.fail("A response_requested=ack -> status 102 parsed by otupy", f"{type(e).__name__}: {e}")

    # A6: response_requested none -> Bastion answers HTTP 200 with an empty body and no
    # Content-Type (answered in the request's wire format); otupy 1.1.46's HTTPTransfer.send then reads
    # response.headers["Content-Type"] unguarded and raises KeyError (only ValueError is caught).
    name = "A response_requested=none (otupy cannot read an empty 200)"
    try:
        reply = producer().sendcmd(oc2.Command(
            oc2.Actions.query, oc2.Features([F.versions]),
            args=oc2.Args({"response_requested": oc2.ResponseType.none})))
        traced()
        report.check(name, True, f"otupy now copes: {reply}")
    except KeyError as e:
        traced()
        report.known_issue(name, str(e).strip("'\"").lower() == "content-type",
                           f"otupy raised KeyError({e}) on Bastion's 200 with empty body")
    except Exception as e:  # noqa: BLE001
        report.fail(name, f"{type(e).__name__}: {e}")

    # A7: otupy's other encoders. The HTTPS transfer specifications define JSON only, and Bastion
    # answers 400 with a JSON Response naming what it accepts; otupy must parse that refusal.
    for enc in (YAMLEncoder, XMLEncoder, CBOREncoder):
        name = f"A {enc.getName()} encoding: refused cleanly, otupy parses the refusal"
        try:
            reply = producer(enc).sendcmd(oc2.Command(oc2.Actions.query, oc2.Features([F.versions])))
            traced()
            body = todict(reply) if reply else {}
            if reply is not None and reply.status == oc2.StatusCode.OK:
                report.check(f"A {enc.getName()} encoding accepted",
                             "1.0" in body.get("results", {}).get("versions", []),
                             json.dumps(body, sort_keys=True))
            else:
                report.check(name, reply is not None and body.get("status") == 400
                             and "unsupported media type" in body.get("status_text", ""),
                             json.dumps(body, sort_keys=True))
        except Exception as e:  # noqa: BLE001
            report.fail(name, f"{type(e).__name__}: {e}")

    # A8: graceful stop.
    if proxy:
        proxy.stop()
    still_running = server.proc.poll() is None
    code = server.terminate(whole_group=False)
    ok = still_running and code == 0
    report.check("A bastion consumer exits 0 on SIGTERM", ok, f"exit status {code}")
    log = server.tail(400)
    report.check("A bastion consumer logged the correlated command",
                 msg.request_id in log, f"request_id={msg.request_id}")
    if not ok:
        print(server.tail())


# --------------------------------------------------------------------------------------------
# Part B: Bastion Producer -> otupy Consumer
# --------------------------------------------------------------------------------------------

def part_b(report, bastion, workdir, trace, cleanup, http_server):
    section(f"B: Bastion Producer -> otupy Consumer (HTTPTransfer, http_server={http_server})")
    oc2, slpf = load_otupy()
    tag = f"B[{http_server}]"

    port = free_port()
    home = os.path.join(workdir, f"home-{http_server}")  # gunicorn writes $HOME/.gunicorn
    os.makedirs(home, exist_ok=True)
    env = dict(os.environ, HOME=home, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
    server = Server([sys.executable, "-B", os.path.abspath(__file__), "--serve-otupy-consumer",
                     str(port), http_server],
                    os.path.join(workdir, f"otupy-consumer-{http_server}.log"), env=env)
    cleanup.append(server.terminate)
    if not report.check(f"{tag} otupy consumer starts", wait_for_port(port, server.proc),
                        f"port {port}"):
        print(server.tail())
        server.terminate()
        return

    proxy = TraceProxy(port)  # always there; its exchanges are printed for the KNOWN cases
    cleanup.append(proxy.stop)
    direct_url = f"http://127.0.0.1:{port}"
    proxy_url = f"http://127.0.0.1:{proxy.port}"
    url = proxy_url if trace else direct_url

    def bastion_cli(*args, via=None, show=None):
        via = via or url
        proxy.take()
        rc, out, err = run_cli([bastion, "openc2", *args[:1], "--to", via, *args[1:],
                                "--timeout", CLI_REPLY_TIMEOUT])
        exchanges = proxy.take()
        if trace or show:
            show_exchanges(exchanges)
        return rc, out, err

    def write_command(name, command):
        path = os.path.join(workdir, f"{name}.json")
        with open(path, "w") as f:
            json.dump(command, f)
        return path

    mockup_expected = {
        "versions": ["1.0"],
        "profiles": ["slpf"],
        "pairs": pairs_normalized(oc2.Encoder.todict(slpf.AllowedCommandTarget)),
    }

    # B1: `bastion openc2 features` sends `query features` without an actuator; otupy's
    # Consumer.dispatch refuses any command without a profile.
    rc, out, err = bastion_cli("features", "--json")
    body = parse_json(out)
    report.known_issue(f"{tag} bastion openc2 features --json",
                       rc == 4 and body == {"status": 400, "status_text": "Missing profile"},
                       f"exit {rc}, {out.strip() or err.strip()} (otupy requires an actuator "
                       "specifier in every command)")

    # B2: the same query with {"slpf": {}} reaches otupy's MockupSlpfActuator.
    query_mockup = write_command("query-mockup", {
        "action": "query", "target": {"features": ["versions", "profiles", "pairs"]},
        "actuator": {"slpf": {}}})
    rc, out, err = bastion_cli("send", "--file", query_mockup, "--json")
    body = parse_json(out) or {}
    results = dict(body.get("results", {}))
    extension = results.pop("slpf", None)  # otupy's slpf.Results adds an empty "slpf": {}
    if "pairs" in results:
        results["pairs"] = pairs_normalized(results["pairs"])
    report.check(f"{tag} send query features (actuator slpf) -> otupy MockupSlpfActuator",
                 rc == 0 and body.get("status") == 200 and results == mockup_expected
                 and extension in (None, {}),
                 f"exit {rc}, {out.strip() or err.strip()}")

    # B3: all four features (rate_limit included) from the actuator written with otupy's classes.
    query_interop = {"action": "query",
                     "target": {"features": ["versions", "profiles", "pairs", "rate_limit"]},
                     "actuator": {"slpf": {"asset_id": "interop"}}}
    query_interop_file = write_command("query-interop", query_interop)
    rc, out, err = bastion_cli("send", "--file", query_interop_file, "--json")
    body = parse_json(out) or {}
    results = dict(body.get("results", {}))
    if "pairs" in results:
        results["pairs"] = pairs_normalized(results["pairs"])
    expected = dict(INTEROP_FEATURES, pairs=pairs_normalized(INTEROP_FEATURES["pairs"]))
    report.check(f"{tag} send query features [all four] -> interop actuator",
                 rc == 0 and body.get("status") == 200 and results == expected,
                 f"exit {rc}, {out.strip() or err.strip()}")

    # B4: the human-readable output of the same exchange.
    rc, out, err = bastion_cli("send", "--file", query_interop_file)
    report.check(f"{tag} send (text output) -> 200 OK", rc == 0 and out.startswith("200 OK"),
                 f"exit {rc}, first line: {(out.splitlines() or [err.strip()])[0]}")

    # B5: HTTPS transfer v1.0 (bare command, application/openc2-cmd+json). otupy 1.1.46 only
    # knows the v1.1 envelope: it answers 400 inside a v1.1 envelope carrying a request_id of its
    # own, which Bastion cannot correlate -> no valid reply (exit 3). Raw exchange printed.
    print(f"    ({tag} --wire v1.0: raw exchange through a recording proxy)")
    rc, out, err = bastion_cli("send", "--file", query_interop_file, "--wire", "v1.0", "--json",
                               via=proxy_url, show=True)
    report.known_issue(f"{tag} send --wire v1.0 (otupy does not accept the v1.0 bare command)",
                       rc == 3 and "request_id" in err,
                       f"exit {rc}, {err.strip() or out.strip()}")
    rc, out, err = bastion_cli("features", "--wire", "v1.0", "--json")
    report.known_issue(f"{tag} features --wire v1.0",
                       rc == 3 and "request_id" in err, f"exit {rc}, {err.strip() or out.strip()}")

    # B6: commands otupy's actuator does not support.
    deny = write_command("deny", {"action": "deny", "target": {"ipv4_net": "198.51.100.0/24"},
                                  "actuator": {"slpf": {}}})
    rc, out, err = bastion_cli("send", "--file", deny, "--json")
    body = parse_json(out)
    report.check(f"{tag} send deny ipv4_net (actuator slpf) -> 501, exit 5",
                 rc == 5 and body == {"status": 501, "status_text": "Command not implemented"},
                 f"exit {rc}, {out.strip() or err.strip()}")
    rc, out, err = bastion_cli("send", "deny", "ipv4_net", "198.51.100.0/24", "--json")
    body = parse_json(out)
    report.check(f"{tag} send deny ipv4_net (no actuator) -> 400 Missing profile, exit 4",
                 rc == 4 and body == {"status": 400, "status_text": "Missing profile"},
                 f"exit {rc}, {out.strip() or err.strip()}")
    rate_limit = write_command("rate-limit-mockup", {
        "action": "query", "target": {"features": ["rate_limit"]}, "actuator": {"slpf": {}}})
    rc, out, err = bastion_cli("send", "--file", rate_limit, "--json")
    body = parse_json(out) or {}
    report.check(f"{tag} query features [rate_limit] at otupy's mockup -> 501, exit 5",
                 rc == 5 and body.get("status") == 501, f"exit {rc}, {out.strip() or err.strip()}")

    # B7: response_requested ack: otupy's Consumer answers with a final "HTTP/1.1 102 PROCESSING"
    # (no body, Connection: close); an HTTP client sees an interim status and then a closed
    # connection, so Bastion reports no valid reply (exit 3) instead of hanging.
    ack = write_command("ack", dict(query_interop, args={"response_requested": "ack"}))
    print(f"    ({tag} response_requested=ack: raw exchange through a recording proxy)")
    rc, out, err = bastion_cli("send", "--file", ack, "--json", via=proxy_url, show=True)
    report.known_issue(f"{tag} response_requested=ack (otupy sends a bare HTTP 102)",
                       rc == 3, f"exit {rc}, {err.strip() or out.strip()}")

    proxy.stop()
    code = server.terminate()
    report.check(f"{tag} otupy consumer stopped", code is not None, f"exit status {code}")


# --------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bastion", nargs="?", help="path to the bastion binary")
    parser.add_argument("--trace", action="store_true",
                        help="route every exchange through a recording proxy and print it raw")
    parser.add_argument("--verbose", action="store_true", help="show otupy's own log messages")
    parser.add_argument("--deadline", type=float, default=300,
                        help="seconds after which the whole run is aborted (default 300)")
    parser.add_argument("--keep-logs", action="store_true",
                        help="keep the server logs (their directory is printed)")
    parser.add_argument("--serve-otupy-consumer", nargs=2, metavar=("PORT", "SERVER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.serve_otupy_consumer:
        port, http_server = args.serve_otupy_consumer
        serve_otupy_consumer(int(port), http_server)
        return 0

    if not args.bastion:
        parser.error("the path to the bastion binary is required")
    bastion = os.path.abspath(args.bastion)
    if not (os.path.isfile(bastion) and os.access(bastion, os.X_OK)):
        print(f"FAIL setup — {bastion} is not an executable file", flush=True)
        return 2

    logging.basicConfig(level=logging.INFO if args.verbose else logging.CRITICAL, stream=sys.stderr)
    try:
        import otupy.core  # noqa: F401
        from importlib.metadata import version
        print(f"otupy {version('otupy')} from {os.path.dirname(sys.modules['otupy'].__file__)}")
    except Exception as e:  # noqa: BLE001
        print(f"FAIL setup — cannot import otupy: {e}", flush=True)
        return 2
    print(f"bastion {bastion}", flush=True)

    def on_deadline(signum, frame):
        raise TimeoutError(f"deadline of {args.deadline:.0f}s reached")

    signal.signal(signal.SIGALRM, on_deadline)
    signal.setitimer(signal.ITIMER_REAL, args.deadline)

    def on_term(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, on_term)

    report = Report()
    workdir = tempfile.mkdtemp(prefix="bastion-otupy-")
    cleanup = []
    started = time.monotonic()
    try:
        part_a(report, bastion, workdir, args.trace, cleanup)
        for http_server in ("werkzeug", "gunicorn"):
            part_b(report, bastion, workdir, args.trace, cleanup, http_server)
    except (TimeoutError, KeyboardInterrupt) as e:
        report.fail("run", f"aborted: {e}")
    except Exception as e:  # noqa: BLE001
        import traceback
        traceback.print_exc()
        report.fail("run", f"unexpected {type(e).__name__}: {e}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        for stop in reversed(cleanup):
            try:
                stop()
            except Exception:  # noqa: BLE001
                pass
        if args.keep_logs or report.failed:
            print(f"\nlogs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    elapsed = time.monotonic() - started
    print(f"\n{report.passed} passed, {report.known} known otupy limitations, "
          f"{len(report.failed)} failed in {elapsed:.1f}s")
    if report.failed:
        print("FAILED: " + ", ".join(report.failed))
        return 1
    print("PASS otupy interop")
    return 0


if __name__ == "__main__":
    sys.exit(main())
