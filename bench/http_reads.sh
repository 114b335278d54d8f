#!/usr/bin/env bash
# Reads of one lead (GET /v1/leads/{id}) alone, on a store that already holds data, at several
# numbers of connections: the read target's latency as it grows with concurrency. Serves a copy
# of STORE (left as it was), waits for the start-up pass and the cache warm-up, then runs wrk
# with bench/http/read.lua for each count of connections.
# Usage: bench/http_reads.sh --store FILE [--binary PATH] [--connections "1 16 32"]
#                            [--seconds N] [--leads N]
# A store to use: see bench/http_populated.sh.
set -euo pipefail
store= binary= seconds=6 connection_counts="1 16 32" leads=100000
usage="usage: $0 --store FILE [--binary PATH] [--connections \"C ...\"] [--seconds N] [--leads N]"
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store=$(realpath "$2"); shift 2 ;;
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --connections) connection_counts=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --leads) leads=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[ -n "$store" ] || { echo "$usage" >&2; exit 2; }
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
binary=${binary:-$PWD/build/leadscore}
work=$(mktemp -d /tmp/leadscore-reads-XXXXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=18778

cp "$store" "$work/store.db"
token=$("$binary" token create --db "$work/store.db" --scope read 2>/dev/null)
"$binary" serve --db "$work/store.db" --model examples/saas/model.yaml \
  --listen 127.0.0.1:$port --sweep-interval 1h 2>"$work/serve.log" &
server=$!
metric() {
  curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:$port/metrics 2>/dev/null |
    awk -v name="$1" '$1 == name {print $2}'
}
for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
for _ in $(seq 1200); do
  [ "$(metric leadscore_rescore_pending_leads)" = "0" ] &&
    [ "$(metric leadscore_rescore_running)" = "0" ] && break
  sleep 0.5
done
# The warm-up parses every lead's events in the background after the start-up pass.
for _ in $(seq 180); do grep -q "ahead of their reads" "$work/serve.log" && break; sleep 1; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for connections in $connection_counts; do
  threads=$((connections < 2 ? 1 : 2))
  echo "== GET /v1/leads/{id}, $connections connections, ${seconds} s"
  TOKEN=$token LEADS=$leads wrk -t$threads -c"$connections" -d"${seconds}s" --latency \
    -s bench/http/read.lua http://127.0.0.1:$port | grep -E "Requests/sec|^ +(50|99)%"
done
kill -TERM $server
wait $server || true
server=
