#!/usr/bin/env bash
# The main job on example data: install, build, generate a year of leads and events, score them
# with the SaaS example model, and print the top leads with their reasons.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build

out=out/example
mkdir -p "$out"
./build/leadscore generate --out "$out" --leads 2400 --months 12 --seed 42
./build/leadscore check examples/saas/model.yaml >/dev/null
./build/leadscore test examples/saas/model.yaml
./build/leadscore score --model examples/saas/model.yaml \
  --leads "$out/leads.csv" --events "$out/events.jsonl" \
  --as-of 2026-01-01 --explain --output "$out/scores.csv" --accounts "$out/accounts.csv"

echo
echo "Top 10 leads as of 2026-01-01 (all in $out/scores.csv):"
head -n 11 "$out/scores.csv" | awk -F, '{
  printf "%-10s %7s %7s %10s %-5s %-5s %s\n", $1, $2, $3, $4, $5, $6, substr($7, 1, 90) }'
echo
top=$(sed -n 2p "$out/scores.csv" | cut -d, -f1)
./build/leadscore explain --model examples/saas/model.yaml \
  --leads "$out/leads.csv" --events "$out/events.jsonl" --as-of 2026-01-01 --lead "$top"
