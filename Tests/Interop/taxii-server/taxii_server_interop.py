"""Bastion's TAXII server used by libtaxii's scripts and cabby's CLI (see run-taxii-server.sh).

    python taxii_server_interop.py BASTION --venv VENV

Starts `bastion taxii server` twice — plain HTTP with a user (HTTP Basic) and a page size of 2,
and HTTPS requiring client certificates from a development CA — runs each client against them,
and checks what the clients print and write. Exit status 0 when every check passes.
"""
import argparse, os, pathlib, re, subprocess, sys, tempfile

failures = []


def check(what, condition, detail=""):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)
        if detail:
            print("     " + detail.replace("\n", "\n     ")[:3000])


# requests lets REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE override the CA a client passes (cabby's
# --ca-cert): the clients run without them.
client_environment = {k: v for k, v in os.environ.items() if k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")}


def run(args, timeout=60):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=client_environment)
    return result.returncode, result.stdout + result.stderr


def start_server(bastion, arguments):
    process = subprocess.Popen([bastion, "taxii", "server", "--port", "0"] + arguments,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    match = re.search(r"(https?)://127\.0\.0\.1:(\d+)", line)
    if not match:
        process.kill()
        sys.exit(f"the server printed no URL: {line!r}")
    return process, f"{match.group(1)}://127.0.0.1:{match.group(2)}/services"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bastion")
    parser.add_argument("--venv", required=True)
    args = parser.parse_args()
    bin_ = pathlib.Path(args.venv) / "bin"
    work = pathlib.Path(tempfile.mkdtemp(prefix="bastion-taxii-server-interop-"))
    pki = work / "pki"
    subprocess.run([args.bastion, "certs", "init", str(pki)], check=True, capture_output=True)

    http, http_url = start_server(args.bastion, ["--database", f"sqlite:{work}/http.sqlite", "--user", "alice:wonderland", "--page-size", "2",
                                                 "--advertise-query"])
    https, https_url = start_server(args.bastion, ["--database", f"sqlite:{work}/https.sqlite",
                                                   "--cert", str(pki / "server.pem"), "--key", str(pki / "server-key.pem"),
                                                   "--client-ca", str(pki / "ca.pem")])
    try:
        libtaxii(bin_, http_url, https_url, pki, work)
        cabby(bin_, http_url, https_url, pki, work)
    finally:
        for process in (http, https):
            process.terminate()
            process.wait(timeout=20)
    check("both servers stopped cleanly on SIGTERM", http.returncode == 0 and https.returncode == 0, f"{http.returncode} {https.returncode}")
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


def libtaxii(bin_, http_url, https_url, pki, work):
    user = ["--username", "alice", "--pass", "wonderland"]
    code, out = run([bin_ / "discovery_client", "-u", f"{http_url}/discovery"])
    check("libtaxii discovery_client: four services, the Default Query support advertised", code == 0 and all(f"Service Type: {t}" in out for t in
          ["DISCOVERY", "COLLECTION_MANAGEMENT", "INBOX", "POLL"]) and "urn:taxii.mitre.org:query:default:1.0" in out, out)
    code, out = run([bin_ / "collection_information_client", "-u", f"{http_url}/collection-management"] + user)
    check("libtaxii collection_information_client: collection default", code == 0 and "Collection Name: default" in out, out)
    code, out = run([bin_ / "inbox_client", "-u", f"{http_url}/inbox"])
    check("libtaxii inbox_client without credentials: UNAUTHORIZED", "UNAUTHORIZED" in out, out)
    for index in range(3):
        code, out = run([bin_ / "inbox_client", "-u", f"{http_url}/inbox"] + user)
        check(f"libtaxii inbox_client #{index + 1}: SUCCESS", code == 0 and "SUCCESS" in out, out)
    polled = work / "libtaxii-poll"
    polled.mkdir()
    code, out = run([bin_ / "poll_client", "-u", f"{http_url}/poll", "--collection", "default", "--dest-dir", str(polled)] + user)
    files = list(polled.iterdir())
    check("libtaxii poll_client: the first part (2 blocks), More and a Result ID", code == 0 and len(files) == 2 and "More: True" in out, f"{files}\n{out}")
    result = re.search(r"Result ID: (\S+)", out)
    if result:
        fulfilled = work / "libtaxii-fulfillment"
        fulfilled.mkdir()
        code, out = run([bin_ / "fulfillment_client", "-u", f"{http_url}/poll", "--collection", "default",
                         "--result-id", result.group(1), "--result-part-number", "2", "--dest-dir", str(fulfilled)] + user)
        check("libtaxii fulfillment_client: part 2 holds the third block", code == 0 and len(list(fulfilled.iterdir())) == 1, out)
    code, out = run([bin_ / "query_client", "-u", f"{http_url}/poll", "--collection", "default", "--target", "**/@version",
                     "--rel", "equals", "--value", "1.1.1", "--match-type", "case_sensitive_string", "--write", "none"] + user)
    check("libtaxii query_client: a Default Query is evaluated (3 matches)", code == 0 and re.search(r"Record Count: 3", out) is not None, out)
    code, out = run([bin_ / "query_client", "-u", f"{http_url}/poll", "--collection", "default", "--target", "**/@version",
                     "--rel", "equals", "--value", "9.9", "--match-type", "case_sensitive_string", "--write", "none"] + user)
    check("libtaxii query_client: a query nothing matches", code == 0 and re.search(r"Record Count: 0", out) is not None, out)
    code, out = run([bin_ / "discovery_client_10", "-u", f"{http_url}/discovery"])
    check("libtaxii discovery_client_10: a TAXII 1.0 answer", code == 0 and "FEED_MANAGEMENT" in out, out)
    polled10 = work / "libtaxii-poll10"
    polled10.mkdir()
    code, out = run([bin_ / "poll_client_10", "-u", f"{http_url}/poll", "--feed", "default", "--dest-dir", str(polled10)] + user)
    # libtaxii 1.1.119's poll_client_10 prints the response, then fails writing its blocks: it
    # reads `collection_name` of a TAXII 1.0 Poll Response, which has a feed name instead.
    check("libtaxii poll_client_10: a TAXII 1.0 Poll Response with blocks", "Feed Name: default" in out and "Content Block" in out, out)

    tls = ["--cert", str(pki / "client.pem"), "--key", str(pki / "client-key.pem"), "--verify-server", str(pki / "ca.pem")]
    code, out = run([bin_ / "discovery_client", "-u", f"{https_url}/discovery"] + tls)
    check("libtaxii discovery_client over HTTPS with a client certificate", code == 0 and "protocol:https:1.0" in out, out)
    code, out = run([bin_ / "inbox_client", "-u", f"{https_url}/inbox"] + tls)
    check("libtaxii inbox_client over HTTPS", code == 0 and "SUCCESS" in out, out)
    code, out = run([bin_ / "poll_client", "-u", f"{https_url}/poll", "--collection", "default", "--write", "none"] + tls)
    check("libtaxii poll_client over HTTPS", code == 0 and "Content Block" in out, out)
    code, out = run([bin_ / "discovery_client", "-u", f"{https_url}/discovery", "--verify-server", str(pki / "ca.pem")])
    check("libtaxii without a client certificate: refused by the HTTPS server", code != 0 or "Discovery_Response" not in out.replace(" ", "_"), out)


def cabby(bin_, http_url, https_url, pki, work):
    user = ["--username", "alice", "--password", "wonderland"]
    code, out = run([bin_ / "taxii-discovery", "--path", f"{https_url}/discovery", "--cert", str(pki / "client.pem"),
                     "--key", str(pki / "client-key.pem"), "--ca-cert", str(pki / "ca.pem")])
    check("cabby taxii-discovery (no Default Query advertised): the poll service", code == 0 and "/services/poll" in out, out)
    code, out = run([bin_ / "taxii-collections", "--path", f"{http_url}/collection-management"] + user)
    check("cabby taxii-collections: collection default", code == 0 and "default" in out, out)
    content = work / "cabby.xml"
    content.write_text('<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="example:package-cabby" version="1.1.1"/>')
    code, out = run([bin_ / "taxii-push", "--path", f"{http_url}/inbox", "-f", str(content), "--dest", "default"] + user)
    check("cabby taxii-push: accepted", code == 0 and "FAILURE" not in out and "UNAUTHORIZED" not in out, out)
    code, out = run([bin_ / "taxii-poll", "--path", f"{http_url}/poll", "-c", "default"] + user)
    check("cabby taxii-poll: follows every part and prints the pushed package", code == 0 and "package-cabby" in out, out)
    code, out = run([bin_ / "taxii-poll", "--path", f"{http_url}/poll", "-c", "default", "--count-only"] + user)
    check("cabby taxii-poll --count-only: 4 blocks", code == 0 and "4" in out, out)
    code, out = run([bin_ / "taxii-subscription", "--path", f"{http_url}/collection-management", "-c", "default", "-a", "subscribe"] + user)
    subscription = re.search(r"Subscription ID: (\S+)", out)
    check("cabby taxii-subscription subscribe: an ACTIVE subscription", code == 0 and "ACTIVE" in out and subscription is not None, out)
    if subscription:
        code, out = run([bin_ / "taxii-poll", "--path", f"{http_url}/poll", "-c", "default", "-s", subscription.group(1)] + user)
        check("cabby taxii-poll under the subscription", code == 0 and "package-cabby" in out, out)
        code, out = run([bin_ / "taxii-subscription", "--path", f"{http_url}/collection-management", "-c", "default", "-a", "pause",
                         "-s", subscription.group(1)] + user)
        check("cabby taxii-subscription pause: PAUSED", code == 0 and "PAUSED" in out, out)
    tls = ["--cert", str(pki / "client.pem"), "--key", str(pki / "client-key.pem"), "--ca-cert", str(pki / "ca.pem")]
    code, out = run([bin_ / "taxii-poll", "--path", f"{https_url}/poll", "-c", "default"] + tls)
    check("cabby taxii-poll over HTTPS with a client certificate", code == 0 and "STIX_Package" in out, out)


main()
