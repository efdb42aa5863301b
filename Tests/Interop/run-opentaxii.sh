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

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

bastion=${1:-.build/debug/bastion}
shift || true
case $bastion in
    /*) ;;
    *) if [ -e "$bastion" ]; then bastion="$PWD/$bastion"; else bastion="$root/$bastion"; fi ;;
esac
if [ ! -x "$bastion" ] || [ -d "$bastion" ]; then
    echo "run-opentaxii: $bastion is not an executable; build it first (swift build --product bastion)" >&2
    exit 2
fi

python=${PYTHON:-python3}
packages=("opentaxii==0.9.3" "gunicorn")
venv=${OPENTAXII_VENV:-$root/.venv-opentaxii}
stamp="$venv/.opentaxii-interop"
wanted="$("$python" -c 'import sys; print(sys.version.split()[0])') ${packages[*]}"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        echo "run-opentaxii: $venv exists and is not a virtualenv; refusing to replace it" >&2
        exit 2
    fi
    rm -rf "$venv"
    echo "run-opentaxii: creating $venv with $python"
    if ! "$python" -m venv "$venv"; then
        echo "run-opentaxii: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 2
    fi
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install "${packages[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi

export PYTHONDONTWRITEBYTECODE=1
exec "$venv/bin/python" -B "$here/opentaxii/opentaxii_interop.py" "$bastion" "$@"
