// Cross-check of two batch-score CSV outputs (leadscore against the DuckDB peer): every lead
// must carry the same score, fit, engagement (to the cent, as printed), grade and stage.
//
// usage: node compare.mjs A.csv B.csv [--show N]
// Prints one JSON line on stdout ({"rows_a", "rows_b", "differing", "only_a", "only_b",
// "order_differences"}) and the first N (default 5) differences on stderr. Exit 0 when every
// row agrees, 1 when some differ, 2 on a usage or read error. A different order of rows whose
// printed scores are equal is not a difference (the sort key is the unrounded score).
import { readFileSync } from 'node:fs';

// One CSV record per line (batch output has no embedded newlines), RFC 4180 quoting.
function splitCsv(line) {
  const cells = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; ++i) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cell += '"'; ++i; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { cells.push(cell); cell = ''; }
    else cell += c;
  }
  cells.push(cell);
  return cells;
}

const COLUMNS = ['lead_id', 'score', 'fit', 'engagement', 'grade', 'stage'];

function load(path) {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = splitCsv(lines[0].replace(/\r$/, ''));
  const index = COLUMNS.map((name) => header.indexOf(name));
  if (index.some((i) => i < 0)) throw new Error(`${path}: header lacks one of ${COLUMNS}`);
  const rows = [];
  for (let i = 1; i < lines.length; ++i) {
    const cells = splitCsv(lines[i].replace(/\r$/, ''));
    rows.push(index.map((j) => cells[j] ?? ''));
  }
  return rows;
}

function main() {
  const args = process.argv.slice(2);
  const showAt = args.indexOf('--show');
  const show = showAt >= 0 ? Number(args.splice(showAt, 2)[1]) : 5;
  if (args.length !== 2) {
    console.error('usage: node compare.mjs A.csv B.csv [--show N]');
    return 2;
  }
  const [pathA, pathB] = args;
  const a = load(pathA);
  const b = load(pathB);
  const byLead = new Map(b.map((row) => [row[0], row]));
  const seen = new Set();
  const shown = [];
  let differing = 0;
  let onlyA = 0;
  for (const row of a) {
    const other = byLead.get(row[0]);
    seen.add(row[0]);
    if (!other) {
      ++onlyA;
      if (shown.length < show) shown.push(`only in ${pathA}: ${row.join(',')}`);
      continue;
    }
    if (row.some((value, i) => value !== other[i])) {
      ++differing;
      if (shown.length < show) shown.push(`${pathA}: ${row.join(',')}\n  ${pathB}: ${other.join(',')}`);
    }
  }
  let onlyB = 0;
  for (const row of b) {
    if (seen.has(row[0])) continue;
    ++onlyB;
    if (shown.length < show) shown.push(`only in ${pathB}: ${row.join(',')}`);
  }
  let orderDifferences = 0;
  for (let i = 0; i < Math.min(a.length, b.length); ++i) {
    if (a[i][0] !== b[i][0] && a[i][1] !== b[i][1]) ++orderDifferences;
  }
  for (const line of shown) console.error(line);
  console.log(JSON.stringify({
    rows_a: a.length, rows_b: b.length, differing, only_a: onlyA, only_b: onlyB,
    order_differences: orderDifferences,
  }));
  return differing + onlyA + onlyB + orderDifferences === 0 ? 0 : 1;
}

try {
  process.exitCode = main();
} catch (error) {
  console.error(`compare.mjs: ${error.message}`);
  process.exitCode = 2;
}
