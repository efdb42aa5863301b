"""Runs the Bastion TAXII client commands against OpenTAXII 0.9.3 (TAXII 1.1 and 1.0 services).

Usage: python opentaxii_interop.py BASTION_BINARY

Writes an OpenTAXII configuration (SQLite in a temporary directory; discovery, collection
management, inbox and poll services, one more discovery service that requires authentication;
one collection; one account), loads it with opentaxii-sync-data, starts gunicorn on a free
127.0.0.1 port, then checks Bastion's output and exit status. Prints PASS/FAIL per check and a
summary; exits 1 if any check failed, 2 for a setup problem.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

BASTION = os.path.abspath(sys.argv[1])
BIN = os.path.dirname(sys.executable)
COLLECTION = "bastion-feed"
USER, PASSWORD = "alice", "wonderland"
results = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else " — " + detail[:600]))


def bastion(*args, timeout=60):
    return cli("taxii", *args, timeout=timeout)


def cli(*args, timeout=60):
    run = subprocess.run([BASTION, *args], capture_output=True, text=True, timeout=timeout)
    return run.returncode, run.stdout, run.stderr


def write_config(work, port):
    base = f"http://127.0.0.1:{port}"
    bindings = "[urn:taxii.mitre.org:protocol:http:1.0]"
    with open(os.path.join(work, "server.yml"), "w") as f:
        f.write(f"""---
domain: "127.0.0.1:{port}"
support_basic_auth: yes
return_server_error_details: yes
auth_api:
  class: opentaxii.auth.sqldb.SQLDatabaseAPI
  parameters:
    db_connection: sqlite:///{work}/auth.db
    create_tables: yes
    secret: bastion-interop-secret
    token_ttl_secs: 3600
taxii1:
  save_raw_inbox_messages: yes
  xml_parser_supports_huge_tree: yes
  count_blocks_in_poll_responses: yes
  unauthorized_status: UNAUTHORIZED
  hooks:
  persistence_api:
    class: opentaxii.persistence.sqldb.SQLDatabaseAPI
    parameters:
      db_connection: sqlite:///{work}/data.db
      create_tables: yes
taxii2:
logging:
  opentaxii: warning
  root: warning
""")
    with open(os.path.join(work, "data.yml"), "w") as f:
        f.write(f"""---
services:
  - id: discovery
    type: discovery
    address: /services/discovery
    description: Discovery
    advertised_services: [inbox, collection_management, poll]
    protocol_bindings: {bindings}
  - id: discovery_auth
    type: discovery
    address: /services/discovery-auth
    description: Discovery with authentication
    advertised_services: [inbox, poll]
    authentication_required: yes
    protocol_bindings: {bindings}
  - id: inbox
    type: inbox
    address: /services/inbox
    description: Inbox
    destination_collection_required: no
    accept_all_content: yes
    protocol_bindings: {bindings}
  - id: inbox_dcn
    type: inbox
    address: /services/inbox-dcn
    description: Inbox requiring a destination collection
    destination_collection_required: yes
    accept_all_content: yes
    protocol_bindings: {bindings}
  - id: collection_management
    type: collection_management
    address: /services/collection-management
    description: Collection management
    protocol_bindings: {bindings}
  - id: poll
    type: poll
    address: /services/poll
    description: Poll
    max_result_size: 2
    max_result_count: 100
    protocol_bindings: {bindings}
collections:
  - name: {COLLECTION}
    available: true
    accept_all_content: true
    type: DATA_FEED
    service_ids: [inbox, inbox_dcn, collection_management, poll]
accounts:
  - username: {USER}
    password: {PASSWORD}
    permissions:
      {COLLECTION}: modify
""")
    return base


def stix(marker):
    return (f'<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="bastion:Package-{marker}" version="1.1">'
            f'<stix:STIX_Header><stix:Title>{marker}</stix:Title></stix:STIX_Header></stix:STIX_Package>')


def main():
    work = tempfile.mkdtemp(prefix="bastion-opentaxii-")
    port = free_port()
    base = write_config(work, port)
    env = dict(os.environ, OPENTAXII_CONFIG=os.path.join(work, "server.yml"), PYTHONDONTWRITEBYTECODE="1")
    sync = subprocess.run([os.path.join(BIN, "opentaxii-sync-data"), os.path.join(work, "data.yml")], env=env, capture_output=True, text=True)
    if sync.returncode != 0:
        print("setup: opentaxii-sync-data failed:\n" + sync.stdout + sync.stderr)
        return 2
    log = open(os.path.join(work, "gunicorn.log"), "w")
    server = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "opentaxii.http:app", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--timeout", "60"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    print("setup: OpenTAXII did not start; log:\n" + open(os.path.join(work, "gunicorn.log")).read())
                    return 2
                time.sleep(0.3)
        run_checks(base, work)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
        if "--keep" not in sys.argv:
            shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print(f"opentaxii interop: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def run_checks(base, work):
    discovery, inbox, cm, poll = (base + "/services/" + p for p in ("discovery", "inbox", "collection-management", "poll"))

    for version in ("1.1", "1.0"):
        code, out, err = bastion("discovery", "--url", discovery, "--taxii-version", version)
        check(f"discovery {version}: Discovery_Response listing the inbox", code == 0 and "Discovery_Response" in out and inbox in out, out + err)
    code, out, err = bastion("collections", "--url", cm)
    check("collections 1.1: Collection_Information_Response with the collection", code == 0 and "Collection_Information_Response" in out and COLLECTION in out, out + err)
    # OpenTAXII 0.9.3 lists a feed that takes any content without a Content_Binding, which the TAXII 1.0
    # binding requires (1..n); Bastion reads it as libtaxii does (`bastion taxii validate` reports it).
    code, out, err = bastion("collections", "--url", cm, "--taxii-version", "1.0")
    check("collections 1.0: Feed_Information_Response with the feed", code == 0 and "Feed_Information_Response" in out and COLLECTION in out, out + err)
    code, out, err = bastion("discovery", "--url", discovery, "--xml-output")
    check("--xml-output prints XML", code == 0 and out.lstrip().startswith("<?xml") and "taxii_11:Discovery_Response" in out, out + err)
    code, out, err = bastion("discovery", "--url", discovery, "--json")
    ok = False
    try:
        ok = code == 0 and json.loads(out)["message_type"] == "Discovery_Response"
    except ValueError:
        pass
    check("--json prints the dictionary form", ok, out + err)

    # Inbox: the built-in STIX document, then four marked ones, then one over TAXII 1.0.
    code, out, err = bastion("inbox", "--url", base + "/services/inbox-dcn", "--dcn", COLLECTION)
    check("inbox 1.1 built-in STIX 1.1 document to a destination collection: SUCCESS", code == 0 and "SUCCESS" in out, out + err)
    for i in range(4):
        path = os.path.join(work, f"block{i}.xml")
        with open(path, "w") as f:
            f.write(stix(f"marker-{i}"))
        code, out, err = bastion("inbox", "--url", inbox, "--content-file", path)
        check(f"inbox 1.1 content file {i}: SUCCESS", code == 0 and "SUCCESS" in out, out + err)
    path10 = os.path.join(work, "block10.xml")
    with open(path10, "w") as f:
        f.write(stix("marker-10"))
    code, out, err = bastion("inbox", "--url", inbox, "--taxii-version", "1.0", "--content-file", path10)
    check("inbox 1.0: SUCCESS", code == 0 and "SUCCESS" in out, out + err)
    total = 6 if code == 0 else 5

    # Poll: one part, then all parts, then count only.
    one = os.path.join(work, "one")
    os.mkdir(one)
    code, out, err = bastion("poll", "--url", poll, "--collection", COLLECTION, "--dest-dir", one)
    files = os.listdir(one)
    check("poll 1.1 first part: 2 blocks written, More noted", code == 0 and len(files) == 2 and "more parts" in err and "More: True" in out, out + err + str(files))
    check("poll file names as libtaxii: <collection>_STIX11_t<timestamp>.xml",
          all(f.startswith(COLLECTION + "_STIX11_t") and f.endswith(".xml") for f in files), str(files))
    every = os.path.join(work, "all")
    os.mkdir(every)
    code, out, err = bastion("poll", "--url", poll, "--collection", COLLECTION, "--dest-dir", every, "--all-parts")
    contents = "".join(open(os.path.join(every, f)).read() for f in os.listdir(every))
    check(f"poll --all-parts: all {total} pushed blocks written",
          code == 0 and len(os.listdir(every)) == total and all(f"marker-{i}" in contents for i in range(4)), out + err + str(os.listdir(every)))
    code, out, err = bastion("poll", "--url", poll, "--collection", COLLECTION, "--count-only", "--dest-dir", every, "--write", "none")
    check(f"poll --count-only: Record Count {total}", code == 0 and f"Record Count: {total}" in out, out + err)

    # Fulfillment of part 2 with the result id of a first poll.
    code, out, err = bastion("poll", "--url", poll, "--collection", COLLECTION, "--json", "--write", "none")
    result_id = None
    try:
        result_id = json.loads(out.splitlines()[0]).get("result_id")
    except (ValueError, IndexError):
        pass
    check("poll --json: a result id for the parts", code == 0 and bool(result_id), out + err)
    part2 = os.path.join(work, "part2")
    os.mkdir(part2)
    code, out, err = bastion("fulfillment", "--url", poll, "--collection", COLLECTION, "--result-id", str(result_id), "--result-part-number", "2", "--dest-dir", part2)
    check("fulfillment part 2: Poll_Response part 2, 2 blocks written", code == 0 and "Result Part Num: 2" in out and len(os.listdir(part2)) == 2, out + err)

    # TAXII 1.0 poll writes its content blocks (libtaxii's poll_client_10 crashes there).
    feed = os.path.join(work, "feed")
    os.mkdir(feed)
    code, out, err = bastion("poll", "--url", poll, "--taxii-version", "1.0", "--feed", COLLECTION, "--dest-dir", feed)
    check("poll 1.0: Poll_Response, blocks written", code == 0 and "Poll_Response" in out and len(os.listdir(feed)) >= 1, out + err)

    # Basic authentication on the service that requires it.
    auth = base + "/services/discovery-auth"
    code, out, err = bastion("discovery", "--url", auth, "--username", USER, "--pass", PASSWORD)
    check("basic auth accepted: Discovery_Response", code == 0 and "Discovery_Response" in out, out + err)
    code, out, err = bastion("discovery", "--url", auth, "--username", USER, "--pass", "wrong")
    check("basic auth refused: UNAUTHORIZED, exit 1, one-line error", code == 1 and "UNAUTHORIZED" in out and err.count("error:") == 1, out + err)
    code, out, err = bastion("discovery", "--url", auth)
    check("no credentials: UNAUTHORIZED, exit 1", code == 1 and "UNAUTHORIZED" in out, out + err)
    code, out, err = bastion("discovery", "--url", auth, "--taxii-version", "1.0", "--username", USER, "--pass", PASSWORD)
    check("basic auth accepted over TAXII 1.0", code == 0 and "Discovery_Response" in out, out + err)

    # Subscriptions through the collection management service.
    code, out, err = bastion("subscribe", "--url", cm, "--collection", COLLECTION, "--json")
    subscription = None
    try:
        subscription = json.loads(out)["subscription_instances"][0]["subscription_id"]
    except (ValueError, KeyError, IndexError):
        pass
    check("subscribe: a subscription id", code == 0 and bool(subscription), out + err)
    code, out, err = bastion("subscription-status", "--url", cm, "--collection", COLLECTION, "--subscription-id", str(subscription))
    check("subscription-status: the subscription", code == 0 and str(subscription) in out, out + err)
    code, out, err = bastion("pause", "--url", cm, "--collection", COLLECTION, "--subscription-id", str(subscription))
    check("pause: the subscription PAUSED", code == 0 and "PAUSED" in out, out + err)
    code, out, err = bastion("resume", "--url", cm, "--collection", COLLECTION, "--subscription-id", str(subscription))
    check("resume: the subscription ACTIVE again", code == 0 and "ACTIVE" in out and "PAUSED" not in out, out + err)
    code, out, err = bastion("unsubscribe", "--url", cm, "--collection", COLLECTION, "--subscription-id", str(subscription))
    check("unsubscribe: UNSUBSCRIBED", code == 0 and "UNSUBSCRIBED" in out, out + err)

    # Deprecated options, and failures without tracebacks.
    host_port = base[len("http://"):]
    code, out, err = bastion("discovery", "--host", host_port.split(":")[0], "--port", host_port.split(":")[1], "--path", "/services/discovery")
    check("deprecated --host/--port/--path: warning and Discovery_Response", code == 0 and "deprecated" in err and "Discovery_Response" in out, out + err)
    code, out, err = bastion("discovery", "--url", f"http://127.0.0.1:{free_port()}/services/discovery")
    check("connection refused: exit 3, one line, no traceback", code == 3 and err.strip().count("\n") == 0 and "connection refused" in err, out + err)
    code, out, err = bastion("poll", "--url", poll, "--collection", "no-such-collection", "--write", "none")
    check("unknown collection: NOT_FOUND status, exit 1", code == 1 and "NOT_FOUND" in out, out + err)

    bridge_checks(inbox, poll, work)


def bridge_checks(inbox, poll, work):
    """`bastion bridge` polling OpenTAXII: python-stix indicators inboxed to OpenTAXII become
    denies on a Bastion Consumer (`bastion serve`, dry-run firewall, mutual TLS)."""
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "BridgeTests", "Fixtures", "stix12-indicators.xml")
    code, out, err = bastion("inbox", "--url", inbox, "--content-file", fixture)
    check("bridge: python-stix indicators inboxed to OpenTAXII", code == 0 and "SUCCESS" in out, out + err)
    serve_dir = os.path.join(work, "serve")
    os.makedirs(serve_dir)
    serve = subprocess.Popen(
        [BASTION, "serve", "--dir", serve_dir + "/pki", "--port", "0", "--metrics", "off", "--taxii-port", "off"],
        cwd=serve_dir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        banner, url = "", None
        deadline = time.time() + 30
        while url is None and time.time() < deadline:
            line = serve.stdout.readline()
            if not line:
                break
            banner += line
            match = re.search(r"Consumer on (https://127\.0\.0\.1:\d+)", line)
            if match:
                url = match.group(1)
        check("bridge: bastion serve started a Consumer", url is not None, banner)
        if url is None:
            return
        pki = serve_dir + "/pki"
        fleet = os.path.join(work, "fleet.yaml")
        with open(fleet, "w") as f:
            f.write(f"defaults: {{cert: {pki}/client.pem, key: {pki}/client-key.pem, ca: {pki}/ca.pem}}\nconsumers:\n  - {{name: serve, url: '{url}'}}\n")
        state = os.path.join(work, "bridge.sqlite")
        code, out, err = cli("bridge", "run", "--once", "--taxii-url", poll, "--collection", COLLECTION, "--consumers", fleet, "--state", state)
        denied = re.search(r"denied (\d+), removed 0, failed 0", out)
        # The fixture's nine addresses, and 198.51.100.23 of the built-in document inboxed earlier.
        check("bridge --once against OpenTAXII: every command acknowledged", code == 0 and denied is not None and denied.group(1) == "10", out + err)
        code, out, err = cli("bridge", "run", "--once", "--taxii-url", poll, "--collection", COLLECTION, "--consumers", fleet, "--state", state)
        check("bridge --once again: nothing new, no second rule", code == 0 and "denied 0, removed 0, failed 0" in out, out + err)
        code, out, err = cli("openc2", "rules", "list", "--state", pki + "/slpf.sqlite")
        check("bridge: the Consumer denies the indicators' addresses",
              code == 0 and all(f'"{a}"' in out for a in ["198.51.100.7/32", "2001:db8::5/128", "203.0.113.0/24", "192.0.2.11/32", "198.19.0.1/32"])
              and "198.51.100.99" not in out and out.count("deny") == 10, out + err)
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        serve.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
