# Sourced by the interop scripts (bash): sets `root` (the repository) and `bastion` (an absolute
# path to the executable under test, from the script's first argument, default
# .build/debug/bastion, relative paths taken from the working directory or else the repository),
# or exits 2 when it is not an executable. `name` must hold the calling script's name.
here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
root=$(cd "$here/../.." && pwd)

bastion=${1:-.build/debug/bastion}
case $bastion in
    /*) ;;
    *) if [ -e "$bastion" ]; then bastion="$PWD/$bastion"; else bastion="$root/$bastion"; fi ;;
esac
if [ ! -x "$bastion" ] || [ -d "$bastion" ]; then
    echo "$name: $bastion is not an executable; build it first (swift build --product bastion)" >&2
    exit 2
fi
