#!/usr/bin/env python3
"""Durability and batch equivalence of the live service, from the outside.

Starts `leadscore serve` on a store, sends leads, then events in batches from one client, and
kills the server with SIGKILL while a batch is in flight. It restarts the server and checks:
  1. every event acknowledged with a 2xx is stored, and none twice;
  2. after the client resends what was not acknowledged (event_ids make that idempotent),
     every lead's live score (GET /v1/leads/{id}?as_of=T) equals `leadscore score --as-of T`
     on the same records, field by field.
Usage: kill9_test.py --binary build/leadscore --model M [--db sqlite|postgres] [--leads N]
Exits 77 (skipped) for postgres when LEADSCORE_TEST_POSTGRES is not set.
"""
import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile

from live_server import SKIP, ScratchStore, Server, infer, post_while_killed, request



def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--leads", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    work = tempfile.mkdtemp(prefix="leadscore-kill9-")
    store = ScratchStore(args.db, work, "kill9")
    if store.target is None:
        return SKIP
    db = store.target

    data = os.path.join(work, "data")
    subprocess.run([args.binary, "generate", "--out", data, "--leads", str(args.leads),
                    "--months", "2", "--seed", str(args.seed)], check=True,
                   stderr=subprocess.DEVNULL)
    # The leads as JSON Lines, typed as a CSV reader types them, so that the service and the
    # batch run read identical records.
    leads = []
    with open(os.path.join(data, "leads.csv"), newline="") as f:
        for row in csv.DictReader(f):
            leads.append({k: infer(v) for k, v in row.items() if infer(v) is not None})
    with open(os.path.join(data, "leads.jsonl"), "w") as f:
        for lead in leads:
            f.write(json.dumps(lead) + "\n")
    with open(os.path.join(data, "events.jsonl")) as f:
        event_lines = [line for line in f if line.strip()]

    token = subprocess.run([args.binary, "token", "create", "--db", db, "--scope", "write"],
                           check=True, capture_output=True, text=True).stdout.strip()
    server = Server(args.binary, db, args.model, work)
    server.start()
    for i in range(0, len(leads), 100):
        status, _ = request(server.port, token, "POST", "/v1/leads",
                            "\n".join(json.dumps(x) for x in leads[i:i + 100]))
        assert status == 200

    batches = [event_lines[i:i + 500] for i in range(0, len(event_lines), 500)]
    kill_at = rng.randrange(len(batches) // 3, 2 * len(batches) // 3)
    acked = []  # indexes of acknowledged batches
    for b, lines in enumerate(batches):
        if b < kill_at:
            status, report = request(server.port, token, "POST", "/v1/events", "".join(lines))
            assert status == 200, report
            acked.append(b)
            continue
        # The batch in flight when the server dies: sent from a thread, SIGKILL shortly after.
        if post_while_killed(server, token, "/v1/events", "".join(lines),
                             rng.uniform(0.0, 0.004)) == 200:
            acked.append(b)
        break
    print(f"killed at batch {kill_at} of {len(batches)}; {len(acked)} acknowledged")

    server.start()
    acked_ids = set()
    for b in acked:
        for line in batches[b]:
            acked_ids.add(json.loads(line)["event_id"])
    stored = {}
    # Every acknowledged event is there, none twice (read with a read-capable token).
    read_token = subprocess.run([args.binary, "token", "create", "--db", db, "--scope", "read"],
                                check=True, capture_output=True, text=True).stdout.strip()
    lead_ids = sorted({json.loads(line)["lead_id"] for line in event_lines} |
                      {x["lead_id"] for x in leads})
    for lead in lead_ids:
        _, body = request(server.port, read_token, "GET", f"/v1/leads/{lead}/events")
        for e in body["events"]:
            eid = e["event"].get("event_id")
            stored[eid] = stored.get(eid, 0) + 1
    missing = acked_ids - set(stored)
    twice = [k for k, n in stored.items() if n > 1]
    assert not missing, f"{len(missing)} acknowledged events lost, e.g. {sorted(missing)[:5]}"
    assert not twice, f"events stored twice: {twice[:5]}"

    # The client resends what was not acknowledged; event_ids make that idempotent.
    for b in range(len(batches)):
        if b not in acked:
            status, _ = request(server.port, token, "POST", "/v1/events", "".join(batches[b]))
            assert status == 200

    as_of = "2026-01-01T00:00:00Z"
    out = os.path.join(work, "batch.jsonl")
    subprocess.run([args.binary, "score", "--model", args.model, "--leads",
                    os.path.join(data, "leads.jsonl"), "--events",
                    os.path.join(data, "events.jsonl"), "--as-of", as_of, "--format", "jsonl",
                    "--output", out], check=True, stderr=subprocess.DEVNULL)
    differing = 0
    with open(out) as f:
        rows = [json.loads(line) for line in f]
    for row in rows:
        _, live = request(server.port, read_token, "GET",
                          f"/v1/leads/{row['lead_id']}?as_of={as_of}")
        for field in ("score", "fit", "engagement", "grade", "stage"):
            if live[field] != row[field]:
                differing += 1
                print(f"{row['lead_id']} {field}: live {live[field]} batch {row[field]}")
                break
    server.stop()
    print(f"{len(rows)} leads compared with batch, {differing} differing; "
          f"{len(acked_ids)} acknowledged events all stored once")
    store.drop()
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
