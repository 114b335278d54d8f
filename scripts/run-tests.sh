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
  extra+=(-DCMAKE_BUILD_TYPE=Release)
fi
cmake -S . -B "$build" -G Ninja "${extra[@]}" >/dev/null
cmake --build "$build"
cd "$build"
ctest --output-on-failure -j "$(nproc)"
