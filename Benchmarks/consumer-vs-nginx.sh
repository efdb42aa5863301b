#!/usr/bin/env bash
# The Consumer's HTTPS serving speed beside nginx's, in one run: wrk (with the OpenC2 request
# script) against `bastion openc2 consumer` in server-auth HTTPS mode and against nginx returning
# a fixed 200 OpenC2 body, kept alive and with a new TLS connection per request; prints each
# figure and the Consumer's share of nginx's.
#
# usage: Benchmarks/consumer-vs-nginx.sh BASTION BENCH_DIR [SECONDS=10] [CONNECTIONS=64]
#   BASTION    a release build of bastion (swift build -c release --product bastion)
#   BENCH_DIR  the folder with bench-consumer.sh, wrk-openc2.lua and nginx-ceiling.sh
#   needs wrk and nginx (apt-get install -y wrk nginx-light)
# env: CONSUMER_ARGS extra options for the Consumer (e.g. "--metrics 127.0.0.1:9464")
set -euo pipefail
BASTION=$(realpath "${1:?usage: consumer-vs-nginx.sh BASTION BENCH_DIR [SECONDS] [CONNECTIONS]}")
BENCH=$(realpath "${2:?the folder with bench-consumer.sh}")
SECS=${3:-10}
CONNS=${4:-64}
WORK=$(mktemp -d)
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

"$BASTION" certs init "$WORK/pki" >/dev/null
# wrk opens every connection from 127.0.0.1: lift the per-address limit above CONNECTIONS.
setsid "$BASTION" openc2 consumer --port 18543 --cert "$WORK/pki/server.pem" --key "$WORK/pki/server-key.pem" \
    --no-client-auth --max-connections-per-address 4096 ${CONSUMER_ARGS:-} >"$WORK/consumer.log" 2>&1 &
PIDS+=($!)
setsid "$BENCH/nginx-ceiling.sh" "$WORK/pki/server.pem" "$WORK/pki/server-key.pem" 18380 18443 >"$WORK/nginx.log" 2>&1 &
PIDS+=($!)
sleep 3

rps() { sed -n 's/.*rps=\([0-9.]*\).*/\1/p' <<<"$1"; }
for mode in keep-alive new-connection; do
    close=0; [ "$mode" = new-connection ] && close=1
    consumer=$(OC2_CLOSE=$close "$BENCH/bench-consumer.sh" https://127.0.0.1:18543 "$SECS" "$CONNS" | tail -1)
    nginx=$(OC2_CLOSE=$close "$BENCH/bench-consumer.sh" https://127.0.0.1:18443 "$SECS" "$CONNS" | tail -1)
    echo "$mode consumer: $consumer"
    echo "$mode nginx:    $nginx"
    awk -v a="$(rps "$consumer")" -v b="$(rps "$nginx")" -v m="$mode" \
        'BEGIN { printf "%s: Consumer %.0f req/s, nginx %.0f req/s, ratio %.0f %%\n", m, a, b, (b > 0 ? 100 * a / b : 0) }'
done
