#!/usr/bin/env bash
# Interop check between Bastion's TAXII messages and libtaxii 1.1.119 (PyPI), both ways, every
# message type of TAXII 1.1 and 1.0: XML, dictionary form (to_dict / JSON) and text (to_text).
#
#   Tests/Interop/run-libtaxii.sh [BASTION_BINARY]      (default: .build/debug/bastion; builds nothing)
#
# Creates (or reuses) a virtualenv with libtaxii==1.1.119 and lxml, then runs
# Tests/Interop/libtaxii/libtaxii_interop.py. See Tests/Interop/README.md.
#
# Environment:
#   PYTHON          interpreter for the venv (>= 3.8); default: python3
#   LIBTAXII_VENV   where the venv lives; default: .venv-libtaxii/ at the repository root
#                   (git-ignored by `.venv*/`)
set -euo pipefail

name=run-libtaxii
# shellcheck source=bastion-binary.sh
. "$(dirname "${BASH_SOURCE[0]}")/bastion-binary.sh"

python=${PYTHON:-python3}
packages=("libtaxii==1.1.119" "lxml")
venv=${LIBTAXII_VENV:-$root/.venv-libtaxii}
# shellcheck source=python-venv.sh
. "$here/python-venv.sh"

exec "$venv/bin/python" -B "$here/libtaxii/libtaxii_interop.py" "$bastion" --fixtures "$root/Tests/TAXIITests/Fixtures"
