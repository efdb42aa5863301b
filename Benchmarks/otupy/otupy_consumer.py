#!/usr/bin/env python3
"""An otupy 1.1.46 Consumer for `bastion bench consumer` (see Benchmarks/HTTPS.md).

    .venv-interop/bin/python -B Benchmarks/otupy/otupy_consumer.py --port 8445 [--server gunicorn|werkzeug]
        [--https] [--log-level INFO]

Runs `otupy.Consumer` with otupy's own SLPF mockup actuator (`MockupSlpfActuator`, which answers
`query features` for versions, profiles and pairs) over otupy's `HTTPTransfer` on 127.0.0.1, plain
HTTP: otupy's HTTPS transfer uses werkzeug's ad-hoc certificate and no client authentication, so
there is no HTTPS configuration comparable with Bastion's mutual TLS. otupy requires an actuator
in every command: drive it with `bastion bench consumer --actuator slpf`.

The HTTP server is otupy's choice, as `HTTPTransfer(http_server=...)` makes it:
  werkzeug  `app.run(debug=True, ...)`: Flask's development server, threaded, HTTP/1.0 (a
            connection per request), debugger and reloader on (the reloader runs the server in a
            child process). otupy's default.
  gunicorn  gunicorn's sync workers, 2 of them (hard-coded in otupy), HTTP/1.1 but a connection
            per request (sync workers do not keep connections alive).

With --https it uses otupy's `HTTPSTransfer` instead: werkzeug (the only server otupy runs with TLS)
with `ssl_context="adhoc"`, a self-signed RSA certificate made at start-up, no client certificate
requested. Drive it with `bastion bench consumer --insecure` (nothing to verify against).

Start it in a session of its own (`setsid`) and stop the whole process group, so that werkzeug's
reloader child or gunicorn's workers go too. Needs the venv that Tests/Interop/run-otupy.sh makes
(otupy installed with --no-deps plus its light dependencies).
"""

import argparse
import logging
import os
import sys
import types


def load_otupy():
    """Import otupy and its SLPF profile without the heavy optional dependencies that
    `otupy/profiles/__init__.py` and `otupy/actuators/__init__.py` import (see
    Tests/Interop/README.md, quirk 1): register the two package objects without running their
    __init__; the submodules then import normally and are otupy's own code."""
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--server", choices=("gunicorn", "werkzeug"), default="gunicorn",
                        help="otupy's HTTP server (default gunicorn, the faster of the two here)")
    parser.add_argument("--https", action="store_true",
                        help="otupy's HTTPSTransfer: werkzeug with an ad-hoc self-signed certificate")
    parser.add_argument("--log-level", default="INFO",
                        help="Python logging level (default INFO: werkzeug logs each request, "
                             "as Bastion logs each command)")
    args = parser.parse_args()

    logging.basicConfig(level=getattr(logging, args.log_level.upper()), stream=sys.stderr)
    oc2, slpf = load_otupy()
    from otupy.encoders.json import JSONEncoder
    from otupy.transfers.http import HTTPTransfer, HTTPSTransfer
    from otupy.actuators.slpf.mockup_slpf_actuator import MockupSlpfActuator

    actuators = {(slpf.Profile.nsid, "mockup"): MockupSlpfActuator()}
    if args.https:
        transfer = HTTPSTransfer("127.0.0.1", args.port)  # werkzeug, ssl_context="adhoc"
    else:
        transfer = HTTPTransfer("127.0.0.1", args.port, http_server=args.server)
    consumer = oc2.Consumer("otupy-consumer", actuators, JSONEncoder(), transfer)
    consumer.run()  # blocks until the process is signalled


if __name__ == "__main__":
    main()
