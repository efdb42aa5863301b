"""Runs `bastion bench taxii` against OpenTAXII 0.9.3 and against Bastion's TAXII server, each on
SQLite and on a throwaway PostgreSQL server with fsync on (when PostgreSQL is installed), one after
the other on the same machine, and prints the figures and the ratios store by store.

    python taxii_vs_opentaxii.py BASTION INBOX POLL CONCURRENCY

Bastion's servers answer POLL_SCALE (default 10) times as many Poll Requests as OpenTAXII, over the
same collection (INBOX blocks) and the same windows, so that each server's poll rate is timed over
a second or more rather than a fraction of one (2,000 polls take Bastion about 0.2 s).

Each server is measured ROUNDS (default 3) times, each time started afresh on an empty database
(OpenTAXII's polls slow down as its collection grows, so rounds must not add up), and the medians
are compared: on a machine whose neighbours come and go, one round can fall into a busy moment for
one server and not for the other.
"""
import glob, json, os, socket, statistics, subprocess, sys, tempfile, time

bastion, inbox, poll, concurrency = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
poll_scale = int(os.environ.get("POLL_SCALE", "10"))
rounds = max(1, int(os.environ.get("ROUNDS", "3")))
BIN = os.path.dirname(sys.executable)
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, log):
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"the server exited; log:\n{open(log).read()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")


def opentaxii(work, database=None):
    """OpenTAXII under gunicorn, on SQLite files in `work`, or on the SQLAlchemy URL `database`."""
    port = free_port()
    bindings = "[urn:taxii.mitre.org:protocol:http:1.0]"
    with open(f"{work}/server.yml", "w") as f:
        f.write(f"""---
domain: "127.0.0.1:{port}"
support_basic_auth: yes
auth_api:
  class: opentaxii.auth.sqldb.SQLDatabaseAPI
  parameters: {{db_connection: "{database or f"sqlite:///{work}/auth.db"}", create_tables: yes, secret: bench, token_ttl_secs: 3600}}
taxii1:
  save_raw_inbox_messages: no
  count_blocks_in_poll_responses: yes
  persistence_api:
    class: opentaxii.persistence.sqldb.SQLDatabaseAPI
    parameters: {{db_connection: "{database or f"sqlite:///{work}/data.db"}", create_tables: yes}}
taxii2:
logging: {{opentaxii: warning, root: warning}}
""")
    with open(f"{work}/data.yml", "w") as f:
        f.write(f"""---
services:
  - {{id: inbox, type: inbox, address: /services/inbox, description: Inbox, destination_collection_required: no, accept_all_content: yes, protocol_bindings: {bindings}}}
  - {{id: poll, type: poll, address: /services/poll, description: Poll, max_result_size: 100, max_result_count: 1000000, protocol_bindings: {bindings}}}
collections:
  - {{name: default, available: true, accept_all_content: true, type: DATA_FEED, service_ids: [inbox, poll]}}
accounts: []
""")
    env = dict(os.environ, OPENTAXII_CONFIG=f"{work}/server.yml")
    subprocess.run([f"{BIN}/opentaxii-sync-data", f"{work}/data.yml"], env=env, check=True, capture_output=True)
    log = f"{work}/gunicorn.log"
    process = subprocess.Popen(
        [f"{BIN}/gunicorn", "opentaxii.http:app", "--bind", f"127.0.0.1:{port}", "--workers", os.environ.get("GUNICORN_WORKERS", "2"),
         "--timeout", "120"], env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for(port, process, log)
    return process, f"http://127.0.0.1:{port}/services"


def bastion_server(work):
    port = free_port()
    log = f"{work}/bastion.log"
    process = subprocess.Popen([bastion, "taxii", "server", "--port", str(port), "--database", f"sqlite:{work}/bastion.sqlite"],
                               stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for(port, process, log)
    return process, f"http://127.0.0.1:{port}/services"


def postgres_url(work):
    """A throwaway PostgreSQL server (fsync on) for Bastion, or None when PostgreSQL is not installed."""
    env = dict(os.environ, POSTGRES_FSYNC="on")
    os.chmod(work, 0o755)  # run as root, the server runs as `postgres` and must reach its directory
    result = subprocess.run([f"{ROOT}/Tests/TestSupport/Scripts/start-postgres.sh", f"{work}/postgres", str(free_port())],
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        print("PostgreSQL run left out: " + result.stderr.strip())
        return None
    return result.stdout.strip()


def stop_postgres(work):
    pg_ctl = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    command = [pg_ctl, "-D", f"{work}/postgres/data", "-m", "fast", "stop"]
    if os.getuid() == 0:
        command = ["runuser", "-u", "postgres", "--"] + command
    subprocess.run(command, capture_output=True)


def opentaxii_postgres(work):
    url = postgres_url(work)
    if url is None:
        return None, None
    # SQLAlchemy names the dialect and the driver: postgresql+psycopg2://user:password@host:port/db.
    return opentaxii(work, "postgresql+psycopg2://" + url.split("://", 1)[1])


def bastion_postgres(work):
    url = postgres_url(work)
    if url is None:
        return None, None
    port = free_port()
    log = f"{work}/bastion.log"
    process = subprocess.Popen([bastion, "taxii", "server", "--port", str(port), "--database", url],
                               stdout=open(log, "w"), stderr=subprocess.STDOUT)
    wait_for(port, process, log)
    return process, f"http://127.0.0.1:{port}/services"


def bench(url, polls):
    result = subprocess.run([bastion, "bench", "taxii", "--url", url, "--inbox", inbox, "--poll", str(polls), "--concurrency", concurrency, "--json"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        print(result.stdout + result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


runs = [("OpenTAXII 0.9.3 (gunicorn, SQLite)", opentaxii), ("Bastion taxii server (SQLite)", bastion_server),
        ("OpenTAXII 0.9.3 (gunicorn, PostgreSQL)", opentaxii_postgres), ("Bastion taxii server (PostgreSQL)", bastion_postgres)]


def measure(name, start):
    """One round: the server started on an empty database, measured, stopped; None if it cannot run here."""
    work = tempfile.mkdtemp(prefix="bastion-taxii-bench-")
    try:
        process, url = start(work)
        if process is None:
            return None
        try:
            return bench(url, int(poll) * (1 if name.startswith("OpenTAXII") else poll_scale))
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        if start in (bastion_postgres, opentaxii_postgres):
            stop_postgres(work)


results = {name: [] for name, _ in runs}
for _ in range(rounds):
    for name, start in runs:
        result = measure(name, start)
        if result is not None:
            results[name].append(result)
figures = {}
for name, rs in results.items():
    if not rs:
        continue
    figures[name] = {key: statistics.median(r[key] for r in rs) for key in ("inbox_per_second", "poll_per_second")}
    figures[name] |= {key: sum(r[key] for r in rs) for key in ("inbox_errors", "poll_errors")}
    figures[name]["spread"] = " ".join(f"{r['inbox_per_second']:.0f}/{r['poll_per_second']:.0f}" for r in rs)

print(f"{inbox} inbox messages (one ~2 KB STIX block each), {poll} polls (10 blocks each; Bastion {int(poll) * poll_scale}), "
      f"{concurrency} in flight; medians of {rounds} rounds")
print(f"{'server':40} {'inbox msg/s':>12} {'poll req/s':>12}")
for name, figure in figures.items():
    print(f"{name:40} {figure['inbox_per_second']:>12.1f} {figure['poll_per_second']:>12.1f}   errors: {figure['inbox_errors']} inbox, "
          f"{figure['poll_errors']} poll; rounds (inbox/poll): {figure['spread']}")
for store in ("SQLite", "PostgreSQL"):
    o, b = figures.get(f"OpenTAXII 0.9.3 (gunicorn, {store})"), figures.get(f"Bastion taxii server ({store})")
    if o and b:
        print(f"{'ratio (' + store + ')':40} {b['inbox_per_second'] / o['inbox_per_second']:>11.1f}x {b['poll_per_second'] / o['poll_per_second']:>11.1f}x")
o, b = figures["OpenTAXII 0.9.3 (gunicorn, SQLite)"], figures.get("Bastion taxii server (PostgreSQL)")
if b:
    print(f"{'ratio (PostgreSQL / OpenTAXII SQLite)':40} {b['inbox_per_second'] / o['inbox_per_second']:>11.1f}x {b['poll_per_second'] / o['poll_per_second']:>11.1f}x")
