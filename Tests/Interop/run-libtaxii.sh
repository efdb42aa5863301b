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
if ! command -v "$python" >/dev/null 2>&1; then
    echo "run-libtaxii: $python not found (set PYTHON=...)" >&2
    exit 2
fi

packages=("libtaxii==1.1.119" "lxml")
venv=${LIBTAXII_VENV:-$root/.venv-libtaxii}
stamp="$venv/.libtaxii-interop"
wanted="$("$python" -c 'import sys; print(sys.version.split()[0])') ${packages[*]}"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        echo "run-libtaxii: $venv exists and is not a virtualenv; refusing to replace it" >&2
        exit 2
    fi
    rm -rf "$venv"
    echo "run-libtaxii: creating $venv with $python"
    if ! "$python" -m venv "$venv"; then
        echo "run-libtaxii: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 2
    fi
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install "${packages[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi

export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -B "$here/libtaxii/libtaxii_interop.py" "$bastion" --fixtures "$root/Tests/TAXIITests/Fixtures"
