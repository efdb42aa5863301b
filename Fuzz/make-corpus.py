#!/usr/bin/env python3
"""Writes the seed corpora under Fuzz/Corpus/<target>/ from the test fixtures.

    python3 Fuzz/make-corpus.py [--bastion PATH]

Seeds are named by the SHA-1 of their content, as libFuzzer names inputs, so running it again
adds nothing twice. --bastion (a built `bastion`) adds the JSON form of every TAXII fixture for
taxii-json; without it that target keeps its seeds.
"""
import argparse, hashlib, pathlib, re, subprocess

root = pathlib.Path(__file__).resolve().parent.parent
corpus = root / "Fuzz" / "Corpus"
openc2 = root / "Tests" / "OpenC2Tests" / "Fixtures"
taxii = root / "Tests" / "TAXIITests" / "Fixtures"


def seed(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = corpus / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def files(folder, pattern):
    return sorted(p for p in folder.glob(pattern) if p.is_file())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bastion")
    args = parser.parse_args()

    json_documents = files(openc2 / "valid", "*.json") + files(openc2 / "invalid", "*.json")
    for path in json_documents:
        if path.name != "expectations.json":
            seed("openc2-json", path.read_bytes())

    # Consumer requests: method, path, Content-Type, X-Request-ID, body, split at NUL bytes.
    v10 = "application/openc2-cmd+json;version=1.0"
    v11 = "application/openc2+json;version=1.0"
    for path in files(openc2 / "valid", "*.command.json"):
        seed("consumer-request", b"\0".join([b"POST", b"/.well-known/openc2", v10.encode(), b"req-1", path.read_bytes()]))
    for path in files(openc2 / "valid", "*.message.json"):
        seed("consumer-request", b"\0".join([b"POST", b"/.well-known/openc2", v11.encode(), b"", path.read_bytes()]))
    seed("consumer-request", b"GET\0/.well-known/openc2\0\0\0")
    seed("consumer-request", b"POST\0/elsewhere\0" + v10.encode() + b"\0\0{}")

    xml_folders = ["valid", "valid10", "invalid", "invalid_default_query", "multiple", "regressions"]
    taxii_xml = [p for folder in xml_folders for p in files(taxii / folder, "*.xml")]
    for path in taxii_xml:
        seed("taxii-xml", path.read_bytes())

    # TAXII server requests: service (one byte picks a known one), X-TAXII-Content-Type (one byte:
    # 1.1 or 1.0), X-TAXII-Protocol, Authorization (one byte: the fuzz user), body; split at NUL bytes.
    for path in files(taxii / "valid", "*.xml") + files(taxii / "valid10", "*.xml"):
        text = path.read_bytes()
        version = b"\1" if b"taxii_xml_binding-1.1" not in text else b"\0"
        for service in range(4):
            seed("taxii-server-request", b"\0".join([bytes([service]), version, b"", b"\1", text]))
    seed("taxii-server-request", b"/services/elsewhere\0\0\0\0<x/>")

    if args.bastion:
        for folder, version in [("valid", "1.1"), ("valid10", "1.0")]:
            for path in files(taxii / folder, "*.xml"):
                result = subprocess.run([args.bastion, "taxii", "convert", str(path), "--to", "json", "--compact"],
                                        capture_output=True, check=True)
                seed("taxii-json", (b"\0" if version == "1.1" else b"\1") + result.stdout)

    # Default Query: the query elements of the fixtures' Poll Requests, and STIX content.
    tdq = "http://taxii.mitre.org/query/taxii_default_query-1"
    contents = [p.read_bytes() for p in files(taxii / "stix", "*.xml")]
    for path in files(taxii / "valid", "*.xml") + files(taxii / "invalid_default_query", "*.xml"):
        text = path.read_text()
        for match in re.finditer(r"<(\w+):Default_Query\b.*?</\1:Default_Query>", text, re.S):
            query = match.group(0)
            prefix = match.group(1)
            query = query.replace(f"<{prefix}:Default_Query", f'<{prefix}:Default_Query xmlns:{prefix}="{tdq}"', 1)
            for content in contents or [b""]:
                seed("default-query", query.encode() + b"\0" + content)

    for pattern, text in [
        (r"(a+)+$", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"), (r"^\d{1,3}(\.\d{1,3}){3}$", "192.0.2.1"),
        (r"[[:alpha:]]+-\w*?\b", "evil-host.example"), (r"(?<name>x|y){2,}", "xyxy"),
        (r"\x41\u0042[^\s]\S+\Z", "AB c"), (r"(?:ab|a)*?c", "abababac"), (r"(evil)\1", "evilevil"),
        (r"[\]\-a-f]+", "-]fe"), (r"a{1000}", "a"), (r"(?i)abc", "ABC"),
    ]:
        seed("linear-regex", f"{pattern}\0{text}")
    seed("linear-regex", bytes([0, 8, 1, 9, 24, 2, 26, 10, 0, 1, 0, 1, 2]))

    commands = [p.read_text() for p in files(openc2 / "valid", "*-allow-*.command.json") + files(openc2 / "valid", "*-deny-*.command.json")]
    for command in commands:
        seed("slpf-rules-file", '{"rules": [' + command + "]}")
    seed("slpf-rules-file", '{"rules": [' + ", ".join(commands[:6]) + "]}")
    seed("slpf-rules-file", '{"rules": []}')

    for settings in [
        "host: 127.0.0.1\nport: 8443\ntesting_http: true\nmax_body: 2000\nidentity: consumer.example\n",
        "cert: server.pem\nkey: server-key.pem\nclient_ca: ca.pem\nallow_peers: [producer.example, other]\n",
        "port: 1:30\nidle_timeout: 60\nrequest_timeout: 10\nmax_connections: 1024\nfirewall: dry-run\n",
        "no_client_auth: yes\nstate: .bastion/slpf.sqlite\nrules_dir: /etc/bastion/rules\nallow_peers:\n  - a\n  - b\n",
        "# empty\n",
    ]:
        seed("consumer-settings", settings)

    taxii_server = root / "Sources" / "TAXIIServer" / "TAXIIServerSettings.swift"
    example = re.search(r'public static let example = """\n(.*?)\n    """', taxii_server.read_text(), re.S)
    if example:
        seed("taxii-server-settings", "\n".join(line[4:] for line in example.group(1).splitlines()))
    for settings in [
        "collections:\n  - {name: a, accepted_content: [urn:x, 'urn:y>s1,s2'], page_size: 5}\n  - {name: b, type: DATA_SET}\ninbox_destinations: [a]\n",
        "users:\n  - {name: u, password_hash: 'scrypt$16$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', read: all, write: [default]}\n",
        "paths: {discovery: /d, collection_management: /c, inbox: /i, poll: /p}\ntls: {cert: a, key: b}\npage_size: 7\n",
    ]:
        seed("taxii-server-settings", settings)

    # The bridge: STIX content (the python-stix fixtures, and TAXII fixtures' STIX blocks), and
    # the fleet file and allow-list, split at the first NUL byte.
    for path in files(root / "Tests" / "BridgeTests" / "Fixtures", "*.xml"):
        seed("bridge-stix", path.read_bytes())
    for path in files(taxii, "**/*.xml"):
        text = path.read_text(errors="replace")
        if "STIX_Package" in text:
            seed("bridge-stix", text)
    for fleet, allow in [
        ("defaults: {cert: p.pem, key: p.key, ca: ca.pem}\nconsumers:\n  - {name: a, url: 'https://10.0.0.1:8443'}\n  - {name: b, url: 'https://b/x', ca: o.pem}\n",
         "# ours\n10.0.0.0/8\n2001:db8::/32  # lab\n\n192.0.2.1\n"),
        ("consumers:\n  - {name: q, queue: 'sqlite:q.sqlite', consumer: edge}\n", "not an address\n"),
    ]:
        seed("bridge-inputs", fleet + "\0" + allow)

    # The Producer server: method, path, media type, X-Correlation-ID, peer, body at NUL bytes.
    for fields in [
        ["GET", "/.well-known/openc2", "application/openc2-cmd+json;version=1.0", "", "edge", ""],
        ["GET", "/.well-known/openc2", "application/openc2+json;version=1.0", "", "edge", ""],
        ["POST", "/.well-known/openc2", "application/openc2-rsp+json;version=1.0", "c1", "edge", '{"status":200,"results":{"slpf":{"rule_number":1}}}'],
        ["POST", "/.well-known/openc2", "application/openc2+json;version=1.0", "c1", "edge", '{"headers":{"request_id":"c1"},"body":{"openc2":{"response":{"status":102}}}}'],
        ["POST", "/.well-known/openc2", "application/openc2-rsp+json;version=1.0", "c1", "intruder", '{"status":200}'],
    ]:
        seed("producer-server-request", "\0".join(fields))


main()
