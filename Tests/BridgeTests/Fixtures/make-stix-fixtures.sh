#!/usr/bin/env bash
# Regenerates the bridge tests' STIX 1.2 and 1.1.1 fixtures with python-stix from PyPI (one
# virtualenv per STIX version: python-stix 1.2.0.11 and 1.1.1.18 cannot share one).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
python=${PYTHON:-python3}
for pair in "stix12:stix==1.2.0.11" "stix111:stix==1.1.1.18"; do
    name=make-stix-fixtures-${pair%%:*}
    venv=$root/.venv-${pair%%:*}
    packages=("${pair#*:}")
    # shellcheck source=../../Interop/python-venv.sh
    . "$root/Tests/Interop/python-venv.sh"
    "$venv/bin/python" -B "$here/make-stix-fixtures.py"
done
