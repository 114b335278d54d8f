#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL 15 cluster for the tests and benchmarks.
#
# Usage: scripts/start-postgres.sh start [DIR]   initdb's DIR when new, starts the server, waits
#                                                until it accepts connections, prints its URL
#        scripts/start-postgres.sh stop [DIR]    stops it (the data stays; rm -rf DIR discards it)
# DIR defaults to /tmp/leadscore-pg; PGPORT picks the port (default 54329).
#
# The server listens on 127.0.0.1 only (no Unix socket) with trust authentication and fsync on, so
# a benchmark measures durable commits. Only the URL goes to stdout, so a test run can do
#   export LEADSCORE_TEST_POSTGRES=$(scripts/start-postgres.sh start)
# Run as root, the cluster belongs to the `postgres` OS user (initdb refuses root); otherwise to
# the current user.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop [DIR]   (PGPORT overrides the port, default 54329)" >&2
  exit 2
}

action=${1:-}
[ "$action" = start ] || [ "$action" = stop ] || usage
dir=$(realpath -m "${2:-/tmp/leadscore-pg}")
port=${PGPORT:-54329}
database=leadscore_test
bin=/usr/lib/postgresql/15/bin

log() { echo "start-postgres: $*" >&2; }

if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ] || [ ! -x "$bin/pg_isready" ]; then
  log "PostgreSQL 15 is not installed ($bin/initdb missing); install the Debian package" \
    "'postgresql' (scripts/install-deps.sh does)"
  exit 1
fi

as_owner=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || { log "no 'postgres' OS user to run the server as"; exit 1; }
  as_owner=(runuser -u postgres --)
fi
cd /  # the server's user may not be able to read the caller's directory

running() { [ -f "$dir/postmaster.pid" ] && "${as_owner[@]}" "$bin/pg_ctl" status -D "$dir" >/dev/null 2>&1; }

if [ "$action" = stop ]; then
  if running; then
    "${as_owner[@]}" "$bin/pg_ctl" stop -D "$dir" -m fast -w >/dev/null
    log "stopped the server in $dir"
  else
    log "no server running in $dir"
  fi
  exit 0
fi

if ! running; then
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    if [ -n "$(ls -A "$dir")" ]; then
      log "$dir exists, is not empty and is not a PostgreSQL cluster; pick another DIR"
      exit 1
    fi
    [ ${#as_owner[@]} -eq 0 ] || chown postgres:postgres "$dir"
    chmod 700 "$dir"
    log "creating a cluster in $dir"
    if ! output=$("${as_owner[@]}" "$bin/initdb" -D "$dir" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C 2>&1); then
      echo "$output" >&2
      exit 1
    fi
    # Trust, but over loopback TCP only.
    "${as_owner[@]}" tee "$dir/pg_hba.conf" >/dev/null <<'HBA'
# TYPE  DATABASE  USER  ADDRESS       METHOD
host    all       all   127.0.0.1/32  trust
HBA
    "${as_owner[@]}" tee -a "$dir/postgresql.conf" >/dev/null <<'CONF'

# scripts/start-postgres.sh: a throwaway cluster for tests and benchmarks.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
fsync = on
synchronous_commit = on
max_connections = 200
CONF
  fi
  log "starting the server in $dir on 127.0.0.1:$port"
  if ! "${as_owner[@]}" "$bin/pg_ctl" start -D "$dir" -o "-p $port" -l "$dir/server.log" -w \
    -t 60 >/dev/null; then
    log "the server did not start; the end of $dir/server.log:"
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
  fi
fi

# A server already running keeps the port it was started with: line 4 of postmaster.pid.
port=$(sed -n 4p "$dir/postmaster.pid")
for _ in $(seq 1 60); do
  "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres && break
  sleep 0.5
done
"$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -d postgres || {
  log "the server in $dir does not accept connections on 127.0.0.1:$port"
  exit 1
}

psql=("$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'")" ]; then
  "${psql[@]}" -c "CREATE DATABASE $database" >/dev/null
fi

echo "postgresql://postgres@127.0.0.1:$port/$database"
