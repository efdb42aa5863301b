#!/usr/bin/env bash
# Interop check between Bastion and otupy 1.1.46 (PyPI), the OpenC2 Python reference, over plain HTTP.
#
#   Tests/Interop/run-otupy.sh [BASTION_BINARY]      (default: .build/debug/bastion; builds nothing)
#
# Creates (or reuses) a virtualenv, installs otupy the only way it installs without its heavy
# dependencies (`pip install --no-deps otupy==1.1.46` plus the light ones), then runs
# Tests/Interop/otupy/otupy_interop.py. See Tests/Interop/README.md.
#
# Environment:
#   PYTHON              interpreter for the venv (>= 3.11); default: the newest python3.1x found
#   OTUPY_VENV          where the venv lives; default: .venv-interop/ at the repository root
#                       (git-ignored by `.venv*/`)
#   OTUPY_INTEROP_ARGS  extra arguments for otupy_interop.py, e.g. "--trace" or "--keep-logs"
set -euo pipefail

name=run-otupy
# shellcheck source=bastion-binary.sh
. "$(dirname "${BASH_SOURCE[0]}")/bastion-binary.sh"

# otupy itself, without its dependency list (which pulls kubernetes, openstacksdk, azure, docker,
# grpcio, ...), and the light dependencies its HTTP transfer, encoders and SLPF profile need.
# Versions follow otupy 1.1.46's own Requires-Dist where it pins one; pyopenssl and
# cryptography are not in its list but werkzeug's ad-hoc TLS (HTTPSTransfer) needs them.
otupy_spec="otupy==1.1.46"
deps=(
    "aenum>=3.1.15" "flask>=3.1.0" "requests>=2.32.3" "werkzeug>=3.0.2" "pyyaml==6.0.3"
    "cbor2==5.6.5" "xmltodict==0.14.2" "email-validator>=2.2.0" "fqdn>=1.5.1" "idna>=3.10"
    "macaddress>=2.0.2" "mediatype>=0.1.6" "rfc3987>=1.3.8" "paho-mqtt==2.1.0" "pyopenssl"
    "cryptography" "gunicorn==25.1.0"
)

python=
for candidate in ${PYTHON:-} python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
        "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        python=$(command -v "$candidate")
        break
    fi
done
if [ -z "$python" ]; then
    echo "run-otupy: otupy 1.1.46 needs Python >= 3.11; none found (set PYTHON=...)" >&2
    exit 2
fi

venv=${OTUPY_VENV:-$root/.venv-interop}
stamp="$venv/.otupy-interop"
wanted="$("$python" -c 'import sys; print(sys.version.split()[0])') $otupy_spec ${deps[*]}"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        echo "run-otupy: $venv exists and is not a virtualenv; refusing to replace it" >&2
        exit 2
    fi
    rm -rf "$venv"
    echo "run-otupy: creating $venv with $python"
    if ! "$python" -m venv "$venv"; then
        echo "run-otupy: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 2
    fi
    pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
    "${pip[@]}" install "${deps[@]}"
    "${pip[@]}" install --no-deps "$otupy_spec"
    printf '%s\n' "$wanted" >"$stamp"
fi

export PYTHONDONTWRITEBYTECODE=1
# shellcheck disable=SC2086  # OTUPY_INTEROP_ARGS is a list of flags
exec "$venv/bin/python" -B "$here/otupy/otupy_interop.py" "$bastion" ${OTUPY_INTEROP_ARGS:-}
