// DuckDB peer of `leadscore score` for workload W1: runs w1.sql (the W1 model written as SQL by
// hand) on a leads CSV and an events file (JSON Lines, or CSV when its name ends in .csv or
// .csv.gz) and writes the same batch CSV output.
//
// usage: node w1.mjs --leads L --events E --as-of T --output F [--threads N] [--sql FILE]
// Prints one JSON line on stdout: {"seconds":..,"threads":..,"rows":..}. Exit 1 on error.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function parseArgs(argv) {
  const args = {
    threads: String(availableParallelism()),
    sql: join(dirname(fileURLToPath(import.meta.url)), 'w1.sql'),
  };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '').replace(/-/g, '_');
    if (i + 1 >= argv.length) throw new Error(`missing value for ${argv[i]}`);
    args[key] = argv[i + 1];
  }
  for (const required of ['leads', 'events', 'as_of', 'output']) {
    if (!args[required]) throw new Error(`--${required.replace('_', '-')} is required`);
  }
  return args;
}

// SQL string literal contents: single quotes doubled.
const literal = (text) => String(text).replace(/'/g, "''");

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const events = literal(args.events);
  const tables = {
    events_table: /\.csv(\.gz)?$/.test(args.events)
      ? `read_csv('${events}', header = true, all_varchar = true)`
      : `read_json('${events}', format = 'newline_delimited', columns = {event_id: 'VARCHAR', ` +
        `lead_id: 'VARCHAR', type: 'VARCHAR', ts: 'VARCHAR', url: 'VARCHAR'})`,
  };
  const sql = readFileSync(args.sql, 'utf8')
    .replace(/\{(leads|as_of|output)\}/g, (_, name) => literal(args[name]))
    .replace(/\{(events_table)\}/g, (_, name) => tables[name]);
  const started = process.hrtime.bigint();
  const instance = await DuckDBInstance.create(':memory:', {
    threads: args.threads,
    preserve_insertion_order: 'true',  // COPY writes rows in ORDER BY order
  });
  const connection = await instance.connect();
  const result = await connection.run(sql);
  const rows = Number(result.rowsChanged);
  connection.closeSync();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ seconds, threads: Number(args.threads), rows }));
}

main().catch((error) => {
  console.error(`w1.mjs: ${error.message}`);
  process.exit(1);
});
