#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for tests and prints its URL.
#
#   start-postgres.sh DIRECTORY PORT      stop: pg_ctl -D DIRECTORY/data -m immediate stop
#
# Uses Debian's server binaries (/usr/lib/postgresql/<version>/bin; apt-get install postgresql):
# initdb with trust authentication for the user `bastion`, listening on 127.0.0.1:PORT only, fsync
# off (test data; POSTGRES_FSYNC=on keeps it, for benchmarks). As root it runs them as the `postgres`
# user, since initdb refuses root.
set -euo pipefail
# The server must not inherit the caller's other descriptors (a test process's pipes, say): it would
# hold their write ends open for as long as it runs. Keep 0-2 and bash's own script descriptor.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] && [ "$fd" -ne 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done
dir=${1:?usage: start-postgres.sh DIRECTORY PORT}
port=${2:?usage: start-postgres.sh DIRECTORY PORT}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "start-postgres: PostgreSQL server binaries not found (on Debian/Ubuntu: apt-get install postgresql)" >&2
    exit 2
fi
as_owner=()
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
    as_owner=(runuser -u postgres --)
    chown postgres "$dir"
fi
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -A trust -U bastion --no-sync >"$dir/initdb.log" 2>&1 || {
    echo "start-postgres: initdb failed:" >&2; cat "$dir/initdb.log" >&2; exit 2; }
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=${POSTGRES_FSYNC:-off} -c max_connections=300" start >/dev/null || {
    echo "start-postgres: the server did not start:" >&2; cat "$dir/server.log" >&2; exit 2; }
echo "postgres://bastion@127.0.0.1:$port/postgres"
