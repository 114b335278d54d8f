#!/usr/bin/env bash
# Load on the live service with wrk, on loopback: batched ingest (1,000 events a request),
# single-event requests, and reads of a lead's score; SQLite, then PostgreSQL when it can be
# started (scripts/start-postgres.sh). Prints wrk's figures; bench/README.md keeps them.
# Usage: bench/http_load.sh [--seconds N] [--connections C] [--batch-connections B]
#                           [--rate R] [--binary PATH]
#   C connections for single events and reads (default 16), B for batched ingest (default 32:
#   a loader keeps requests in flight while a group commits); PATH: the leadscore binary
#   (default build/leadscore, which must exist), for runs of two builds side by side.
#   R: single events and reads offered at about R requests a second (each connection waits a
#   random C/R seconds on average before a request) instead of as fast as the server answers,
#   for the latency at that load rather than at saturation.
set -euo pipefail
seconds=10
connections=16
batch_connections=32
binary=
rate=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --batch-connections) batch_connections=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --binary) binary=$(realpath "$2"); shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--connections C] [--batch-connections B] [--rate R]" \
         "[--binary PATH]" >&2
       exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."
delay_ms=0
pacing=""
if [ "$rate" != 0 ]; then
  delay_ms=$(awk -v c="$connections" -v r="$rate" 'BEGIN {print c * 1000 / r}')
  pacing=", offered at about $rate a second"
fi
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
binary=${binary:-$PWD/build/leadscore}
model=$PWD/examples/saas/model.yaml
work=$(mktemp -d /tmp/leadscore-http-XXXXXX)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
port=18777

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
run() {  # run NAME DB
  local name=$1 db=$2
  local token
  token=$("$binary" token create --db "$db" --scope write 2>/dev/null)
  "$binary" serve --db "$db" --model "$model" --listen 127.0.0.1:$port --sweep-interval 1h \
    2>"$work/serve-$name.log" &
  server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
  local events metric
  metric() {
    curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:$port/metrics 2>/dev/null |
      awk -v name="$1" '$1 == name {print $2}'
  }
  # Each phase's event ids are its own (RUN): a repeated id would be counted as a duplicate,
  # not stored. The events stored are printed after each phase.
  echo "== $name: batched ingest, 1,000 events a request, $batch_connections connections"
  RUN=batch TOKEN=$token EVENTS=1000 LEADS=100000 wrk -t2 -c"$batch_connections" \
    -d"${seconds}s" --latency -s bench/http/events.lua http://127.0.0.1:$port |
    grep -E "Requests/sec|50%|99%"
  # Requests still in flight when wrk stopped are committed after it: wait for the count to settle.
  events=$(metric leadscore_events_ingested_total)
  while sleep 0.5 && [ "$(metric leadscore_events_ingested_total)" != "$events" ]; do
    events=$(metric leadscore_events_ingested_total)
  done
  echo "events stored: $events"
  echo "== $name: single-event requests$pacing"
  DELAY_MS=$delay_ms RUN=single TOKEN=$token EVENTS=1 LEADS=100000 wrk -t2 -c"$connections" -d"${seconds}s" \
    --latency -s bench/http/events.lua http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%"
  echo "events stored: $(($(metric leadscore_events_ingested_total) - events))"
  events=$(metric leadscore_events_ingested_total)
  # Reads are measured once the rescorer has caught up with the writes above and no full pass
  # (the one at start) runs beside them.
  for _ in $(seq 600); do
    [ "$(metric leadscore_rescore_pending_leads)" = "0" ] &&
      [ "$(metric leadscore_rescore_running)" = "0" ] && break
    sleep 0.5
  done
  echo "== $name: GET /v1/leads/{id} of 100,000 leads holding $events events$pacing"
  DELAY_MS=$delay_ms TOKEN=$token LEADS=100000 wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    -s bench/http/read.lua http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%"
  kill -TERM $server; wait $server || true
}
run sqlite "$work/bench.db"
if url=$(scripts/start-postgres.sh start 2>/dev/null); then
  schema=bench_$$
  psql "$url" -qc "CREATE SCHEMA $schema"
  run postgres "$url?options=-csearch_path%3D$schema"
  psql "$url" -qc "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE"
fi
