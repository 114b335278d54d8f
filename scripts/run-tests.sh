#!/usr/bin/env bash
# Builds once and runs the whole test suite in parallel: unit tests, scoring conformance cases,
# CLI tests, the example model's cases.
# Usage: scripts/run-tests.sh [build-dir]   (LEADSCORE_SANITIZE=1 for an ASan+UBSan build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
extra=()
if [ "${LEADSCORE_SANITIZE:-0}" = "1" ]; then
  extra+=(-DLEADSCORE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo)
else
  # The benchmarks are built too (not run), so that a change that breaks them shows here.
  extra+=(-DCMAKE_BUILD_TYPE=Release -DLEADSCORE_BUILD_BENCH=ON)
fi
# The store suites also run against PostgreSQL: a throwaway cluster on loopback, unless
# LEADSCORE_TEST_POSTGRES already names a server. LEADSCORE_REQUIRE_POSTGRES=1 (CI) makes a
# cluster that cannot start a failure instead of skipped tests.
if [ -z "${LEADSCORE_TEST_POSTGRES:-}" ]; then
  if url=$(scripts/start-postgres.sh start); then
    export LEADSCORE_TEST_POSTGRES="$url"
  elif [ "${LEADSCORE_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "run-tests: PostgreSQL could not be started" >&2
    exit 1
  else
    echo "run-tests: PostgreSQL not available; its tests are skipped" >&2
  fi
fi
cmake -S . -B "$build" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$build"
cd "$build"
# A test that hangs (a pipe nobody writes, a server that never answers) fails after 15 minutes
# rather than holding the run for ctest's default 25.
ctest --output-on-failure -j "$(nproc)" --timeout 900
