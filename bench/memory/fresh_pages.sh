#!/usr/bin/env bash
# Times a first touch of fresh memory on 4 KiB pages and on 2 MiB transparent huge pages,
# alternating, with a pause between runs (as between a user's runs: on a VM with free page
# reporting, memory freed a few seconds ago has gone back to the host).
# Usage: bench/memory/fresh_pages.sh [MIB] [RUNS] [PAUSE_SECONDS]   (default 1000 3 5)
set -euo pipefail
mib=${1:-1000}
runs=${2:-3}
pause=${3:-5}
here=$(cd "$(dirname "$0")" && pwd)
binary=$(mktemp -d)/fresh_pages
trap 'rm -rf "$(dirname "$binary")"' EXIT
c++ -O2 -std=c++20 -o "$binary" "$here/fresh_pages.cc"
echo "kernel $(uname -r); THP: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo unknown)"
grep -o 'page_reporting[^ ]*' /proc/cmdline || echo "no page_reporting option on the kernel command line"
for ((i = 1; i <= runs; i++)); do
  sleep "$pause"
  "$binary" "$mib"
  sleep "$pause"
  "$binary" "$mib" huge
done
