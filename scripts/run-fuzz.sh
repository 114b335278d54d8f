#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time on its seed corpus.
# A crash fails the run and leaves the crashing input in the build dir: make it a regression test.
# Usage: scripts/run-fuzz.sh [build-dir] [seconds-per-target]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-fuzz}
seconds=${2:-30}
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DLEADSCORE_BUILD_FUZZ=ON -DLEADSCORE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target fuzz_targets
for target in expr model csv jsonl record_input; do
  corpus=$(mktemp -d)
  cp -r "fuzz/corpus/$target/." "$corpus/" 2>/dev/null || true
  echo "fuzz: $target for ${seconds}s"
  (cd "$build" && "./fuzz/${target}_fuzz" -max_total_time="$seconds" -print_final_stats=0 \
     -rss_limit_mb=2048 "$corpus" 2>"${target}_fuzz.log") || {
    tail -n 40 "$build/${target}_fuzz.log"
    echo "fuzz: $target found a crash (see $build/${target}_fuzz.log and crash-* files)"
    exit 1
  }
  rm -rf "$corpus"
done
echo "fuzz: no crashes"
