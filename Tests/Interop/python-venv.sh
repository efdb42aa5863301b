# Sourced by the interop scripts (bash): makes sure the virtualenv `$venv` exists with `packages`
# (pip requirement strings) installed for the interpreter `$python`, creating or rebuilding it
# when the Python version or the package list changed (a stamp file in the venv remembers them).
# Exits 2 on a setup problem. `name` must hold the calling script's name.
if ! command -v "$python" >/dev/null 2>&1; then
    echo "$name: $python not found (set PYTHON=...)" >&2
    exit 2
fi
stamp="$venv/.$name-packages"
wanted="$("$python" -c 'import sys; print(sys.version.split()[0])') ${packages[*]}"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    if [ -e "$venv" ] && [ ! -f "$venv/pyvenv.cfg" ]; then
        echo "$name: $venv exists and is not a virtualenv; refusing to replace it" >&2
        exit 2
    fi
    rm -rf "$venv"
    echo "$name: creating $venv with $python"
    if ! "$python" -m venv "$venv"; then
        echo "$name: '$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)" >&2
        exit 2
    fi
    "$venv/bin/python" -m pip --disable-pip-version-check --quiet install "${packages[@]}"
    printf '%s\n' "$wanted" >"$stamp"
fi
export PYTHONDONTWRITEBYTECODE=1
