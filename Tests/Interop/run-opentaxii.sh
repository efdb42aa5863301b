#!/usr/bin/env bash
# Interop check of the Bastion TAXII client commands against OpenTAXII 0.9.3 (PyPI), a TAXII 1.1
# and 1.0 server, started on 127.0.0.1 with SQLite.
#
#   Tests/Interop/run-opentaxii.sh [BASTION_BINARY]      (default: .build/debug/bastion; builds nothing)
#
# Creates (or reuses) a virtualenv with opentaxii==0.9.3 and gunicorn, then runs
# Tests/Interop/opentaxii/opentaxii_interop.py. Exit status 0 only if every check passed.
#
# Environment:
#   PYTHON           interpreter for the venv; default: python3
#   OPENTAXII_VENV   where the venv lives; default: .venv-opentaxii/ at the repository root
set -euo pipefail

name=run-opentaxii
# shellcheck source=bastion-binary.sh
. "$(dirname "${BASH_SOURCE[0]}")/bastion-binary.sh"
shift || true

python=${PYTHON:-python3}
packages=("opentaxii==0.9.3" "gunicorn")
venv=${OPENTAXII_VENV:-$root/.venv-opentaxii}
# shellcheck source=python-venv.sh
. "$here/python-venv.sh"

exec "$venv/bin/python" -B "$here/opentaxii/opentaxii_interop.py" "$bastion" "$@"
