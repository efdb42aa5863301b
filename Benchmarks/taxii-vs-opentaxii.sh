#!/usr/bin/env bash
# Bastion's TAXII server beside OpenTAXII 0.9.3 (PyPI, under gunicorn) in one run, each on SQLite and
# on PostgreSQL: `bastion bench taxii` against each, inbox messages/s and poll requests/s, and the
# ratios store by store.
#
#   Benchmarks/taxii-vs-opentaxii.sh BASTION [INBOX=2000] [POLL=2000] [CONCURRENCY=8]
#     BASTION  a release build (swift build -c release --product bastion)
#
# Environment: PYTHON (default python3), OPENTAXII_VENV (default .venv-opentaxii-bench/ at the
# repository root: OpenTAXII with gunicorn and psycopg2 for PostgreSQL), GUNICORN_WORKERS (default
# 2, one per core here), POLL_SCALE (default 10: Bastion answers that many times the Poll Requests,
# so its rate is timed over seconds), ROUNDS (default 3: each server is measured that many times,
# started afresh each time, in turns with the others, and the medians compared). Without
# PostgreSQL installed, the PostgreSQL runs are left out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
name=taxii-vs-opentaxii
bastion=$(realpath "${1:?usage: taxii-vs-opentaxii.sh BASTION [INBOX] [POLL] [CONCURRENCY]}")
python=${PYTHON:-python3}
packages=("opentaxii==0.9.3" "gunicorn" "psycopg2-binary")
venv=${OPENTAXII_VENV:-$root/.venv-opentaxii-bench}
# shellcheck source=../Tests/Interop/python-venv.sh
. "$root/Tests/Interop/python-venv.sh"
exec "$venv/bin/python" -B "$here/taxii/taxii_vs_opentaxii.py" "$bastion" "${2:-2000}" "${3:-2000}" "${4:-8}"
