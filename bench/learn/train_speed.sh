#!/usr/bin/env bash
# Training speed on a generated table of ROWS rows and 50 features (bench/learn/make_table.py),
# leadscore beside scikit-learn and XGBoost on the same file, in the same run.
#
#   bench/learn/train_speed.sh [ROWS]        (default 1000000; needs build/leadscore)
#
# leadscore's times are whole commands (reading the CSV, tuning, training, writing the model);
# the peers' are their fit calls alone, after the table is in memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-1000000}
table=${TMPDIR:-/tmp}/leadscore-train-${rows}.csv
[ -f "$table" ] || /usr/bin/python3 bench/learn/make_table.py --rows "$rows" --out "$table"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for kind in scorecard trees; do
  out=${TMPDIR:-/tmp}/leadscore-train-${rows}.${kind}
  /usr/bin/time -f "leadscore train --kind ${kind}: %e s wall, %M KB peak" \
    build/leadscore train --table "$table" --label converted --positive 1 --kind "$kind" \
    --out "$out" | head -2
done
/usr/bin/python3 bench/learn/peer_train_speed.py "$table"
