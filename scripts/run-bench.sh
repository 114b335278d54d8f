#!/usr/bin/env bash
# Batch-scoring benchmark W1 (bench/README.md): `leadscore score` against its DuckDB peer and
# against the read ceiling (`wc -l` of the same files) and the parse floor (bench/parse_floor:
# the files read and parsed as `score` does, nothing else), at 10k, 100k and 1M leads, in one
# run, alternating the four so that they share the machine's state. Records the machine, checks that
# leadscore and DuckDB agree to the cent on every lead, prints a markdown report, and with
# --write puts it into bench/README.md between the bench:results markers.
#
# With --cold the page cache is dropped before every run of every contender (root, or sudo), so
# that each reads the files from the disk: the time to read a file just exported rather than one
# read a moment ago. The figures it prints are not written into bench/README.md's table, which
# holds the warm ones.
#
# usage: scripts/run-bench.sh [--runs N] [--sizes "10000 100000 1000000"] [--data-dir DIR]
#                             [--events-format jsonl|csv] [--skip-build] [--write | --cold]
# env:   LEADSCORE_BENCH_DIR (data cache, default /tmp/leadscore-bench),
#        LEADSCORE_BUILD_DIR (Release build, default <repo>/build-release)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=3
SIZES="10000 100000 1000000"
DATA_DIR=${LEADSCORE_BENCH_DIR:-/tmp/leadscore-bench}
BUILD_DIR=${LEADSCORE_BUILD_DIR:-$ROOT/build-release}
MODEL=$ROOT/bench/w1-model.yaml
AS_OF=2026-01-01T00:00:00Z
MONTHS=6
SEED=42
EVENTS_FORMAT=jsonl
WRITE=0
COLD=0
SKIP_BUILD=0

die() { echo "run-bench: $*" >&2; exit 1; }
log() { echo "run-bench: $*" >&2; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --sizes) SIZES=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --events-format) EVENTS_FORMAT=$2; shift 2 ;;
    --skip-build) SKIP_BUILD=1; shift ;;
    --write) WRITE=1; shift ;;
    --cold) COLD=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
[[ $WRITE -eq 1 && $COLD -eq 1 ]] && die "--cold figures are not written into bench/README.md's table"
CACHE="warm page cache"
if [[ $COLD -eq 1 ]]; then
  CACHE="cold page cache (dropped before every run)"
  drop_caches() {
    sync
    if [[ $(id -u) -eq 0 ]]; then echo 3 > /proc/sys/vm/drop_caches
    else echo 3 | sudo tee /proc/sys/vm/drop_caches > /dev/null; fi
  }
  drop_caches || die "--cold needs to write /proc/sys/vm/drop_caches (root or sudo)"
fi
case $EVENTS_FORMAT in
  jsonl) EVENTS_NAME="JSON Lines"; DATA_SUFFIX="" ;;
  csv) EVENTS_NAME=CSV; DATA_SUFFIX=-csv ;;
  *) die "--events-format must be jsonl or csv" ;;
esac

# --- tools -------------------------------------------------------------------------------------
install_package() {  # Debian package name
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  log "installing $1"
  $sudo apt-get install -y -qq "$1" >&2 || { $sudo apt-get update -qq >&2 && $sudo apt-get install -y -qq "$1" >&2; }
}
[[ -x /usr/bin/time ]] || install_package time
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed (Debian package: time)"
command -v node >/dev/null || install_package nodejs
command -v npm >/dev/null || install_package npm
command -v node >/dev/null || die "node is needed for the DuckDB peer (Debian package: nodejs)"

if [[ ! -d $ROOT/bench/duckdb/node_modules/@duckdb/node-api ]]; then
  log "installing the DuckDB peer (npm ci in bench/duckdb)"
  (cd "$ROOT/bench/duckdb" && { npm ci --no-audit --no-fund >&2 || npm install --no-audit --no-fund >&2; })
fi

BIN=$BUILD_DIR/leadscore
if [[ $SKIP_BUILD -eq 0 ]]; then
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S "$ROOT" -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
      -DLEADSCORE_BUILD_TESTS=OFF >&2
  fi
  cmake -S "$ROOT" -B "$BUILD_DIR" -DLEADSCORE_BUILD_BENCH=ON >&2  # for bench/parse_floor
  grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD_DIR/CMakeCache.txt" ||
    die "$BUILD_DIR is not a Release build; set LEADSCORE_BUILD_DIR or remove it"
  log "building leadscore and bench/parse_floor (Release) in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target leadscore parse_floor -j"$(nproc)" >&2
fi
[[ -x $BIN ]] || die "no leadscore binary at $BIN"
FLOOR=$BUILD_DIR/bench/parse_floor
[[ -x $FLOOR ]] || die "no parse_floor binary at $FLOOR (build with -DLEADSCORE_BUILD_BENCH=ON)"

# --- machine -----------------------------------------------------------------------------------
machine() {
  local cxx dirty="" duckdb
  cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
  git -C "$ROOT" diff --quiet HEAD 2>/dev/null || dirty=" (with uncommitted changes)"
  duckdb=$(node -p "require('$ROOT/bench/duckdb/node_modules/@duckdb/node-api/package.json').version")
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "- memory: $(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "- kernel: $(uname -sr)"
  # leadscore asks for huge pages (src/cli/jemalloc_options.cc); the kernel's setting decides.
  local thp=/sys/kernel/mm/transparent_hugepage/enabled
  if [[ -r $thp ]]; then
    echo "- transparent huge pages: $(sed 's/.*\[\(.*\)\].*/\1/' "$thp")"
  fi
  echo "- compiler: $("${cxx:-c++}" --version | head -1), Release"
  echo "- leadscore: git $(git -C "$ROOT" rev-parse --short HEAD)$dirty"
  echo "- DuckDB: @duckdb/node-api $duckdb on Node $(node --version), $(nproc) threads"
  echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# --- data --------------------------------------------------------------------------------------
# Makes (once) $DATA_DIR/w1-N (w1-N-csv with CSV events): leads.csv, events.jsonl (events.csv),
# outcomes.csv and COMPLETE, which records the command, its time and the number of event lines.
# Delete the directory to regenerate.
dataset() {
  local n=$1 dir=$DATA_DIR/w1-$1$DATA_SUFFIX t0 t1 header=0
  if [[ ! -f $dir/COMPLETE ]]; then
    rm -rf "$dir"
    log "generating $n leads into $dir"
    t0=$(date +%s.%N)
    "$BIN" generate --out "$dir" --leads "$n" --months "$MONTHS" --seed "$SEED" \
      --as-of "$AS_OF" --events-format "$EVENTS_FORMAT" >&2
    [[ $EVENTS_FORMAT == csv ]] && header=1
    t1=$(date +%s.%N)
    {
      echo "command leadscore generate --leads $n --months $MONTHS --seed $SEED --as-of $AS_OF" \
        "--events-format $EVENTS_FORMAT"
      echo "seconds $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')"
      echo "event_lines $(( $(wc -l < "$dir/events.$EVENTS_FORMAT") - header ))"
    } > "$dir/COMPLETE"
  fi
}
field() { awk -v k="$2" '$1 == k {print $2}' "$1"; }

# --- measuring ---------------------------------------------------------------------------------
# measure KEY CMD...: runs CMD, appends "seconds peak_rss_kb" to $WORK/KEY.times; a failed run
# appends "fail" and keeps its stderr in $WORK/KEY.err.
measure() {
  local key=$1 t0 t1
  shift
  [[ $COLD -eq 0 ]] || drop_caches
  t0=$(date +%s.%N)
  if /usr/bin/time -f %M -o "$WORK/rss" "$@" > /dev/null 2> "$WORK/$key.err"; then
    t1=$(date +%s.%N)
    echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.4f", b - a}') $(tail -1 "$WORK/rss")" \
      >> "$WORK/$key.times"
    log "$key: $(tail -1 "$WORK/$key.times" | awk '{printf "%.2f s, peak %.0f MB", $1, $2 / 1024}')"
  else
    echo "fail" >> "$WORK/$key.times"
    log "$key failed: $(tail -3 "$WORK/$key.err" | tr '\n' ' ')"
  fi
}
median_of() {  # FILE COLUMN -> median, or "fail" when any run failed
  if grep -q fail "$1"; then echo fail; return; fi
  awk -v c="$2" '{print $c}' "$1" | sort -g |
    awk '{v[NR] = $1} END {print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
fmt_seconds() { [[ $1 == fail ]] && echo "failed" || awk -v s="$1" 'BEGIN {printf (s < 1 ? "%.3f s" : "%.2f s"), s}'; }
fmt_rate() { [[ $2 == fail ]] && echo "–" || awk -v n="$1" -v s="$2" 'BEGIN {printf "%.1f M/s", n / s / 1e6}'; }
fmt_mb() { [[ $1 == fail ]] && echo "–" || awk -v k="$1" 'BEGIN {printf "%.0f MB", k / 1024}'; }
fmt_ratio() { [[ $1 == fail || $2 == fail ]] && echo "–" || awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", b / a}'; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MACHINE=$(machine)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)  # other work on the machine skews the figures
ROWS=""
CHECKS=""
for n in $SIZES; do
  dataset "$n"
  dir=$DATA_DIR/w1-$n$DATA_SUFFIX
  out=$dir/out
  mkdir -p "$out"
  leads=$dir/leads.csv events=$dir/events.$EVENTS_FORMAT
  # Every contender starts from a warm page cache (or, with --cold, an empty one).
  [[ $COLD -eq 1 ]] || cat "$leads" "$events" > /dev/null
  for ((run = 1; run <= RUNS; ++run)); do
    log "$n leads: run $run/$RUNS"
    measure "read-$n" wc -l "$leads" "$events"
    measure "parse-$n" "$FLOOR" --model "$MODEL" --leads "$leads" --events "$events" \
      --threads "$(nproc)"
    measure "leadscore-$n" "$BIN" score --model "$MODEL" --leads "$leads" --events "$events" \
      --as-of "$AS_OF" --output "$out/leadscore.csv" --format csv
    measure "duckdb-$n" node "$ROOT/bench/duckdb/w1.mjs" --leads "$leads" --events "$events" \
      --as-of "$AS_OF" --output "$out/duckdb.csv" --threads "$(nproc)"
  done

  event_lines=$(field "$dir/COMPLETE" event_lines)
  bytes=$(( $(stat -c %s "$leads") + $(stat -c %s "$events") ))
  read_s=$(median_of "$WORK/read-$n.times" 1)
  parse_s=$(median_of "$WORK/parse-$n.times" 1)
  ls_s=$(median_of "$WORK/leadscore-$n.times" 1)
  ls_rss=$(median_of "$WORK/leadscore-$n.times" 2)
  db_s=$(median_of "$WORK/duckdb-$n.times" 1)
  db_rss=$(median_of "$WORK/duckdb-$n.times" 2)

  if [[ $ls_s != fail && $db_s != fail ]]; then
    set +e
    summary=$(node "$ROOT/bench/compare.mjs" "$out/leadscore.csv" "$out/duckdb.csv" --show 5 \
      2> "$WORK/diff-$n")
    set -e
    differing=$(echo "$summary" | node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
      process.stdout.write(String(s.differing + s.only_a + s.only_b))')
    CHECKS+="- $n leads: $summary"$'\n'
    if [[ -s $WORK/diff-$n ]]; then
      CHECKS+=$(sed 's/^/      /' "$WORK/diff-$n")$'\n'
    fi
  else
    differing="not compared"
  fi
  ROWS+="| $n | $event_lines | $(awk -v b="$bytes" 'BEGIN {printf "%.0f MB", b / 1e6}') "
  ROWS+="| $(fmt_seconds "$read_s") | $(fmt_seconds "$parse_s") | $(fmt_ratio "$read_s" "$parse_s") "
  ROWS+="| $(fmt_seconds "$ls_s") | $(fmt_ratio "$read_s" "$ls_s") | $(fmt_seconds "$db_s") "
  ROWS+="| $(fmt_ratio "$ls_s" "$db_s") | $(fmt_rate "$event_lines" "$ls_s") "
  ROWS+="| $(fmt_rate "$event_lines" "$db_s") | $(fmt_mb "$ls_rss") | $(fmt_mb "$db_rss") "
  ROWS+="| $differing |"$'\n'
done

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
REPORT=$(cat <<MD
Measured by \`scripts/run-bench.sh --runs $RUNS --events-format $EVENTS_FORMAT$([[ $COLD -eq 0 ]] || echo " --cold")\`: median of $RUNS
alternating runs per size, W1 model (\`bench/w1-model.yaml\`), as-of $AS_OF, data from
\`leadscore generate --months $MONTHS --seed $SEED\` ($EVENTS_NAME events), $CACHE.

$MACHINE
- load average (1, 5, 15 min) at start: $LOAD_START; at end: $LOAD_END

| leads | event lines | input | read ceiling (\`wc -l\`) | parse floor | parse / read | \`leadscore score\` | leadscore / read | DuckDB peer | DuckDB / leadscore | leadscore events/s | DuckDB events/s | leadscore peak RSS | DuckDB peak RSS | rows differing |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
$ROWS
Cross-check (leadscore against DuckDB, every lead to the cent; \`bench/compare.mjs\`):

$CHECKS
MD
)
echo "$REPORT"

if [[ $WRITE -eq 1 ]]; then
  readme=$ROOT/bench/README.md
  grep -q '<!-- bench:results:begin -->' "$readme" || die "$readme lacks the bench:results markers"
  printf '%s\n' "$REPORT" > "$WORK/report.md"
  awk -v report="$WORK/report.md" '
    /<!-- bench:results:begin -->/ {print; while ((getline line < report) > 0) print line; skip = 1; next}
    /<!-- bench:results:end -->/ {skip = 0}
    !skip {print}' "$readme" > "$WORK/README.md"
  cp "$WORK/README.md" "$readme"
  log "wrote the figures into $readme"
fi
