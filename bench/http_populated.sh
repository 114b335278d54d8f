#!/usr/bin/env bash
# Single-event requests, and reads beside them, on a store that already holds data: every
# event then makes a lead with a history be rescored, which a fresh store (bench/http_load.sh)
# does not show. Serves a copy of STORE (a SQLite file filled by `leadscore ingest`, left as
# it was), waits for the start-up pass and the cache warm-up, then runs reads alone at each
# count of connections in READS (none unless asked), PHASES phases of single events (each with
# its own event ids) and one of reads beside single events. Prints wrk's figures, the events
# stored, the server's CPU per event and each thread's share.
# Usage: bench/http_populated.sh --store FILE [--binary PATH] [--phases N] [--seconds N]
#                                [--connections C] [--leads N] [--reads "1 16 32"] [--rate R]
# --rate R: the single events offered at about R a second (each connection waits a random
# C/R seconds on average before a request) instead of as fast as the server answers.
# A store to use: leadscore generate --out D --leads 100000 --months 6 --seed 42 \
#   --as-of 2026-01-01T00:00:00Z && leadscore ingest --db S.db --leads D/leads.csv \
#   --events D/events.jsonl
set -euo pipefail
store= binary= phases=2 seconds=10 connections=16 leads=100000 reads= rate=0
usage="usage: $0 --store FILE [--binary PATH] [--phases N] [--seconds N] [--connections C] [--leads N] [--reads \"C ...\"] [--rate R]"
while [ $# -gt 0 ]; do
  case "$1" in
    --store) store=$(realpath "$2"); shift 2 ;;
    --binary) binary=$(realpath "$2"); shift 2 ;;
    --phases) phases=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --leads) leads=$2; shift 2 ;;
    --reads) reads=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[ -n "$store" ] || { echo "$usage" >&2; exit 2; }
delay_ms=0 pacing=
if [ "$rate" != 0 ]; then
  delay_ms=$(awk -v c="$connections" -v r="$rate" 'BEGIN {print c * 1000 / r}')
  pacing=", offered at about $rate a second"
fi
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
binary=${binary:-$PWD/build/leadscore}
work=$(mktemp -d /tmp/leadscore-populated-XXXXXX)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; rm -rf "$work"' EXIT
port=18779

cp "$store" "$work/store.db"
token=$("$binary" token create --db "$work/store.db" --scope write 2>/dev/null)
"$binary" serve --db "$work/store.db" --model examples/saas/model.yaml \
  --listen 127.0.0.1:$port --sweep-interval 1h 2>"$work/serve.log" &
server=$!
metric() {
  curl -sf -H "Authorization: Bearer $token" http://127.0.0.1:$port/metrics 2>/dev/null |
    awk -v name="$1" '$1 == name {print $2}'
}
idle() {  # the rescorer has caught up and no full pass runs
  for _ in $(seq 1200); do
    [ "$(metric leadscore_rescore_pending_leads)" = "0" ] &&
      [ "$(metric leadscore_rescore_running)" = "0" ] && return
    sleep 0.5
  done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
thread_ticks() {  # name ticks, summed over threads of one name
  for t in /proc/$server/task/*; do echo "$(cat "$t/comm") $(awk '{print $14 + $15}' "$t/stat")"; done |
    awk '{sum[$1] += $2} END {for (k in sum) print k, sum[k]}' | sort
}
for _ in $(seq 600); do curl -sf http://127.0.0.1:$port/health >/dev/null && break; sleep 0.1; done
idle
# The warm-up parses every lead's events in the background after the start-up pass.
for _ in $(seq 180); do grep -q "ahead of their reads" "$work/serve.log" && break; sleep 1; done
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
grep -E "rescored|ahead of their reads" "$work/serve.log" | sed 's/^/server: /'

for read_connections in $reads; do
  echo "== GET /v1/leads/{id} alone, $read_connections connections, ${seconds} s"
  TOKEN=$token LEADS=$leads wrk -t$((read_connections < 2 ? 1 : 2)) -c"$read_connections" \
    -d"${seconds}s" --latency -s bench/http/read.lua http://127.0.0.1:$port |
    grep -E "Requests/sec|^ +(50|99)%"
done

for phase in $(seq "$phases"); do
  e0=$(metric leadscore_events_ingested_total)
  c0=$(cpu_ticks)
  thread_ticks >"$work/threads0"
  echo "== phase $phase: single-event requests, $connections connections$pacing, ${seconds} s"
  DELAY_MS=$delay_ms RUN=p$phase TOKEN=$token EVENTS=1 LEADS=$leads wrk -t2 -c"$connections" -d"${seconds}s" \
    --latency -s bench/http/events.lua http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%"
  idle
  e1=$(metric leadscore_events_ingested_total)
  c1=$(cpu_ticks)
  thread_ticks >"$work/threads1"
  echo "events stored: $((e1 - e0)); server CPU per event: $(((c1 - c0) * 10000 / (e1 - e0))) us"
  join "$work/threads0" "$work/threads1" |
    awk -v n=$((e1 - e0)) '{printf "  %s %.0f us", $1, ($3 - $2) * 10000 / n} END {print ""}'
done

echo "== GET /v1/leads/{id}, 1 connection, beside single events ($connections connections$pacing)"
DELAY_MS=$delay_ms RUN=mixed TOKEN=$token EVENTS=1 LEADS=$leads wrk -t1 -c"$connections" -d"$((seconds + 2))s" \
  --latency -s bench/http/events.lua http://127.0.0.1:$port >"$work/mixed-events.txt" &
events_wrk=$!
sleep 1
TOKEN=$token LEADS=$leads wrk -t1 -c1 -d"${seconds}s" --latency -s bench/http/read.lua \
  http://127.0.0.1:$port | grep -E "Requests/sec|50%|99%"
wait $events_wrk
echo "the single events beside them:"
grep -E "Requests/sec|99%" "$work/mixed-events.txt"
kill -TERM $server
wait $server || true
server=
