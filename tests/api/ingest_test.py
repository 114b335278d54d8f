#!/usr/bin/env python3
"""`leadscore ingest`, from outside: killed mid-file it resumes, a second run writes nothing,
bad rows are reported with file:line and skipped, and the service then scores every lead as
`leadscore score` does on the same files (leads from CSV, events from JSON Lines).
Usage: ingest_test.py --binary build/leadscore --model M [--db sqlite|postgres]
"""
import argparse
import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

from live_server import SKIP, ScratchStore, Server, request



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="leadscore-ingest-")
    store = ScratchStore(args.db, work, "ingest")
    if store.target is None:
        return SKIP
    db = store.target

    data = os.path.join(work, "data")
    subprocess.run([args.binary, "generate", "--out", data, "--leads", "300", "--months", "2",
                    "--seed", "21"], check=True, stderr=subprocess.DEVNULL)
    events = os.path.join(data, "events.jsonl")
    with open(events) as f:
        lines = f.readlines()
    # Two bad rows: both tools must skip them.
    lines.insert(100, '{"lead_id": "L0000001", "type": "page_view", "ts": "yesterday"}\n')
    lines.insert(200, "not json\n")
    with open(events, "w") as f:
        f.writelines(lines)
    leads = os.path.join(data, "leads.csv")

    ingest = [args.binary, "ingest", "--db", db, "--leads", leads, "--events", events,
              "--batch", "50"]
    # Killed part-way, then run again: it resumes.
    proc = subprocess.Popen(ingest, stderr=subprocess.PIPE, text=True)
    time.sleep(0.03)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    second = subprocess.run(ingest, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    # The resumed run reads exactly the records the killed one did not commit.
    m = re.search(re.escape(events) + r": (\d+) records read, .*?(?:, (\d+) done by an earlier run)?\n",
                  second.stderr + "\n")
    assert m, second.stderr
    read_now, done_before = int(m.group(1)), int(m.group(2) or 0)
    assert read_now + done_before == len(lines), (read_now, done_before, len(lines))
    print(f"killed after {done_before} of {len(lines)} event records were committed")
    third = subprocess.run(ingest, capture_output=True, text=True)
    assert third.returncode == 0, third.stderr
    assert "0 stored" in third.stderr and "done by an earlier run" in third.stderr, third.stderr
    print(second.stderr.strip().splitlines()[-3:])

    # A fresh store shows the bad rows' reports.
    fresh = os.path.join(work, "fresh.db") if args.db == "sqlite" else None
    if fresh:
        out = subprocess.run([args.binary, "ingest", "--db", fresh, "--events", events],
                             capture_output=True, text=True)
        assert f"{events}:101: field `ts`" in out.stderr, out.stderr
        assert f"{events}:201" in out.stderr, out.stderr
        assert "2 rejected" in out.stderr, out.stderr
        # A compressed copy cut short: the whole lines before the cut are stored, the cut is
        # reported at its line.
        whole = os.path.join(work, "events.jsonl.gz")
        with gzip.open(whole, "wb") as f:
            f.write("".join(lines).encode())
        cut = os.path.join(work, "cut.jsonl.gz")
        with open(whole, "rb") as f, open(cut, "wb") as g:
            g.write(f.read()[:-40])
        out = subprocess.run([args.binary, "ingest", "--db", os.path.join(work, "cut.db"),
                              "--events", cut], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        m = re.search(re.escape(cut) + r":(\d+): the input ends early", out.stderr)
        assert m, out.stderr
        kept = int(m.group(1)) - 1  # whole lines before the cut
        assert len(lines) - 100 < kept < len(lines), (kept, len(lines))
        assert f"{kept + 1} records read" in out.stderr and "3 rejected" in out.stderr, out.stderr
        # A stray CSV quote takes lines into one cell, as `score` and Python's csv read it, and
        # says so.
        stray = os.path.join(work, "stray.csv")
        with open(stray, "w") as f:
            f.write('lead_id,industry\nA,"IT\nB,Retail\nC,"x"\nD,IT\n')
        out = subprocess.run([args.binary, "ingest", "--db", os.path.join(work, "stray.db"),
                              "--leads", stray], capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        assert (f"{stray}:2: field `industry`: a quoted cell runs over lines 2-4 and has text "
                "after its closing quote (a stray quote?): lines 3-4 were read into it"
                in out.stderr), out.stderr
        assert (f"{stray}: 2 records read, 2 stored, 0 duplicates, 0 rejected, 1 read with a "
                "warning" in out.stderr), out.stderr

    token = subprocess.run([args.binary, "token", "create", "--db", db, "--scope", "read"],
                           check=True, capture_output=True, text=True).stdout.strip()
    server = Server(args.binary, db, args.model, work)
    server.start()
    as_of = "2026-01-01T00:00:00Z"
    out = os.path.join(work, "batch.jsonl")
    subprocess.run([args.binary, "score", "--model", args.model, "--leads", leads, "--events",
                    events, "--as-of", as_of, "--format", "jsonl", "--output", out],
                   check=True, stderr=subprocess.DEVNULL)
    differing = 0
    events_stored = 0
    with open(out) as f:
        rows = [json.loads(line) for line in f]
    for row in rows:
        _, live = request(server.port, token, "GET", f"/v1/leads/{row['lead_id']}?as_of={as_of}")
        events_stored += live["event_count"]
        for field in ("score", "fit", "engagement", "grade", "stage"):
            if live[field] != row[field]:
                differing += 1
                print(f"{row['lead_id']} {field}: live {live[field]} batch {row[field]}")
                break
    server.stop()
    distinct = len({json.loads(l)["event_id"] for l in lines if l.startswith('{"event_id"')})
    print(f"{len(rows)} leads compared with batch, {differing} differing; "
          f"{events_stored} events stored for {distinct} distinct event ids")
    store.drop()
    return 1 if differing or events_stored != distinct else 0


if __name__ == "__main__":
    sys.exit(main())
