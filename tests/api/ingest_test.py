#!/usr/bin/env python3
"""`leadscore ingest`, from outside: killed mid-file it resumes, a second run writes nothing,
bad rows are reported with file:line and skipped, and the service then scores every lead as
`leadscore score` does on the same files (leads from CSV, events from JSON Lines). Within one
file the first row of a lead counts, as in batch, and a later run updates the lead.
Usage: ingest_test.py --binary build/leadscore --model M [--db sqlite|postgres]
"""
import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from live_server import SKIP, ScratchStore, Server, request

def sqlite_meta(db, key_prefix):
    with sqlite3.connect(db) as c:
        return c.execute("SELECT key, value FROM meta WHERE key LIKE ?",
                         (key_prefix + "%",)).fetchone()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def batch_scores(binary, model, leads, events, as_of):
    """`leadscore score --explain` of the files: (rows by lead_id, stderr)."""
    cmd = [binary, "score", "--model", model, "--leads", leads, "--as-of", as_of,
           "--format", "jsonl", "--explain"] + (["--events", events] if events else [])
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return {row["lead_id"]: row for row in map(json.loads, out.stdout.splitlines())}, out.stderr


@contextlib.contextmanager
def serving(binary, db, model, work):
    """`leadscore serve` on `db` and a write token for it, stopped on leaving."""
    token = subprocess.run([binary, "token", "create", "--db", db, "--scope", "write"],
                           check=True, capture_output=True, text=True).stdout.strip()
    server = Server(binary, db, model, work)
    server.start()
    try:
        yield server, token
    finally:
        server.stop()


def assert_live_equals(server, token, expected, as_of):
    """Every lead's GET /v1/leads/{id}?as_of= equals its batch row, reasons' rules included."""
    for lead_id, row in expected.items():
        got = request(server.port, token, "GET", f"/v1/leads/{lead_id}?as_of={as_of}")[1]
        for field in ("score", "fit", "engagement", "grade", "stage"):
            assert got[field] == row[field], (lead_id, field, got, row)
        assert sorted(r["rule"] for r in got["reasons"]) == \
            sorted(r["rule"] for r in row["reasons"]), (lead_id, got, row)


def ingest(binary, db, *args, stdin=None):
    """`leadscore ingest --db DB ARGS...`, which must succeed: its completed process."""
    out = subprocess.run([binary, "ingest", "--db", db, *args], input=stdin, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    return out


def assert_stored_scores_equal(server, token, expected):
    """The start-up pass scores the store as a batch run does: within 20 s, the scores that
    GET /v1/leads lists (at most 10 leads) are the batch rows' scores."""
    deadline, listed = time.time() + 20, {}
    while time.time() < deadline:
        listed = {r["lead_id"]: r["score"] for r in
                  request(server.port, token, "GET", "/v1/leads?limit=10")[1]["leads"]}
        if listed == {k: row["score"] for k, row in expected.items()}:
            break
        time.sleep(0.1)
    assert listed == {k: row["score"] for k, row in expected.items()}, (listed, expected)


def duplicate_leads(binary, model, work):
    """A second row for a lead_id read earlier in the same file is reported and skipped, as
    `leadscore score` does: the first row is stored, in whichever transaction (--batch 1) or
    run (a resumed one) the later row comes; a later run updates the lead. CSV id cells are
    ids as written: 1.0 and 1 are two leads, two event ids."""
    db = os.path.join(work, "dupes.db")
    leads = os.path.join(work, "dupes.csv")
    with open(leads, "w") as f:
        f.write("lead_id,company_size,industry\nA,20,IT\nB,500,\nA,5,\n1.0,20,\n1,5,\n")
    events = os.path.join(work, "dupes_events.csv")
    with open(events, "w") as f:
        f.write("lead_id,type,ts,event_id\nA,demo_booked,2025-12-01,1.0\n"
                "B,demo_booked,2025-12-02,1\nB,quote_request,2025-12-03,1\n")
    out = ingest(binary, db, "--leads", leads, "--events", events, "--batch", "1")
    report = f'{leads}:4: field `lead_id`: lead_id "A" already read at line 2; row skipped'
    assert report in out.stderr, out.stderr
    assert f"{leads}: 5 records read, 4 stored, 1 duplicate, 0 rejected" in out.stderr, out.stderr
    assert f"{events}: 3 records read, 2 stored, 1 duplicate, 0 rejected" in out.stderr, out.stderr
    as_of = "2026-01-01T00:00:00Z"
    batch_out = os.path.join(work, "dupes_batch.jsonl")
    batch = subprocess.run([binary, "score", "--model", model, "--leads", leads, "--events",
                            events, "--as-of", as_of, "--format", "jsonl", "--output",
                            batch_out], capture_output=True, text=True)
    assert batch.returncode == 0, batch.stderr
    assert report in batch.stderr, batch.stderr  # worded alike
    with open(batch_out) as f:
        expected = {row["lead_id"]: row for row in map(json.loads, f)}
    assert sorted(expected) == ["1", "1.0", "A", "B"], expected

    token = subprocess.run([binary, "token", "create", "--db", db, "--scope", "read"],
                           check=True, capture_output=True, text=True).stdout.strip()

    def live(lead_id):
        server = Server(binary, db, model, work)
        server.start()
        try:
            return request(server.port, token, "GET", f"/v1/leads/{lead_id}?as_of={as_of}")[1]
        finally:
            server.stop()

    def lead_row(lead_id):
        with sqlite3.connect(db) as c:
            return json.loads(c.execute("SELECT attributes FROM leads WHERE lead_id = ?",
                                        (lead_id,)).fetchone()[0])

    for lead_id, row in expected.items():
        got = live(lead_id)
        for field in ("score", "fit", "engagement", "grade", "stage"):
            assert got[field] == row[field], (lead_id, field, got, row)
    assert lead_row("A") == {"lead_id": "A", "company_size": 20, "industry": "IT"}, lead_row("A")

    # A run that resumes after the first two records still knows line 2 read lead A: its
    # line 4 is skipped, not stored over it.
    key, value = sqlite_meta(db, "ingest:leads:")
    stamp = value.rsplit(":", 1)[0]
    with sqlite3.connect(db) as c:
        c.execute("UPDATE meta SET value = ? WHERE key = ?", (stamp + ":2", key))
    out = ingest(binary, db, "--leads", leads, "--batch", "1")
    assert report in out.stderr, out.stderr
    assert (f"{leads}: 3 records read, 2 stored, 1 duplicate, 0 rejected, 2 done by an earlier "
            "run" in out.stderr), out.stderr
    assert lead_row("A") == {"lead_id": "A", "company_size": 20, "industry": "IT"}, lead_row("A")

    # A later run updates the lead: the attributes it gives are merged into the stored ones.
    update = os.path.join(work, "dupes_update.csv")
    with open(update, "w") as f:
        f.write("lead_id,company_size\nA,5\n")
    out = ingest(binary, db, "--leads", update)
    assert f"{update}: 1 record read, 1 stored, 0 duplicates, 0 rejected" in out.stderr, out.stderr
    assert lead_row("A") == {"lead_id": "A", "company_size": 5, "industry": "IT"}, lead_row("A")
    got = live("A")
    assert got["fit"] == 15 and got["attributes"]["company_size"] == 5, got
    print("duplicate lead rows: first row stored and reported as batch does; a later run updates")


def csv_cells_as_batch_reads_them(binary, work):
    """A CSV cell that reads as a number is stored as one (1.50 -> 1.5) and its text kept
    beside, so the service reads the cell as `leadscore score` reads the file: a declared
    string keeps "01500" and "1.50", a declared bool does not read "1.0", an undeclared "007"
    and "+5" are numbers; in a lead's row and an event's alike. A later JSON update of a lead's
    field drops the text."""
    db = os.path.join(work, "cells.db")
    model = write(os.path.join(work, "cells.yaml"), """version: 1
name: cells
fields: {zip: string, active: bool, size: number, code: string}
engagement:
  rules:
    - {id: long, event: page_view, when: duration > 30, points: 30}
    - {id: code, event: page_view, when: 'code == "1.50"', points: 40}
fit:
  rules:
    - {id: zip_zero, when: 'starts_with(zip, "0")', points: 10}
    - {id: zip_text, when: 'zip == "1.50"', points: 20}
    - {id: active, when: active == true, points: 30}
    - {id: size, when: size == 1.5, points: 1}
    - {id: ref, when: ref == 7, points: 2}
    - {id: bonus, when: bonus > 4, points: 4}
""")
    leads = write(os.path.join(work, "cells.csv"),
                  "lead_id,zip,active,size,ref,bonus\nA,01500,1.0,1.50,007,+5\nB,1.50,1,2,7,3\n")
    events = write(os.path.join(work, "cells_events.csv"),
                   "lead_id,type,ts,duration,code\nA,page_view,2025-12-01,045,1.50\n"
                   "B,page_view,2025-12-01,+20,1.5\n")
    ingest(binary, db, "--leads", leads, "--events", events)
    as_of = "2026-01-01T00:00:00Z"
    expected, _ = batch_scores(binary, model, leads, events, as_of)
    assert expected["A"]["fit"] == 17 and expected["B"]["fit"] == 52, expected
    assert expected["A"]["engagement"] == 70 and expected["B"]["engagement"] == 0, expected
    with serving(binary, db, model, work) as (server, token):
        assert_live_equals(server, token, expected, as_of)
        assert_stored_scores_equal(server, token, expected)
        # The API lists numbers as numbers, and codes with leading zeros as text.
        got = request(server.port, token, "GET", f"/v1/leads/A?as_of={as_of}")[1]
        assert got["attributes"]["size"] == 1.5 and got["attributes"]["zip"] == "01500", got
        status, _ = request(server.port, token, "POST", "/v1/leads",
                            json.dumps({"lead_id": "B", "zip": "02000"}))
        assert status == 200, status
        got = request(server.port, token, "GET", f"/v1/leads/B?as_of={as_of}")[1]
        assert got["fit"] == 42, got  # zip_zero, active, ref; no longer zip_text
        events_of_a = request(server.port, token, "GET", "/v1/leads/A/events")[1]["events"]
        assert events_of_a[0]["event"]["duration"] == "045", events_of_a  # as stored
    with sqlite3.connect(db) as c:
        texts = json.loads(c.execute("SELECT cell_texts FROM leads WHERE lead_id = 'B'")
                           .fetchone()[0])
    assert texts == {"active": "1", "size": "2", "ref": "7", "bonus": "3"}, texts
    print("CSV cells: read live as batch reads the file; a JSON update drops a cell's text")


def csv_event_ids_as_batch_reads_them(binary, work):
    """An event's lead_id, type and event_id from a CSV file name the lead, the type and the
    event by their text (the types 7 and 007 are two, the ids 10 and 10.0 two events), and
    conditions read them as numbers, as `leadscore score` reads the file: live, through the
    start-up pass, and through a lead read again after a new event."""
    db = os.path.join(work, "event_ids.db")
    model = write(os.path.join(work, "event_ids.yaml"), """version: 1
name: event_ids
engagement:
  rules:
    - {id: big_id, event: "7", when: 'event_id > 5', points: 10}
    - {id: typed, event: "7", when: 'type == 7', points: 3}
    - {id: zero_type, event: "007", when: 'type == 7', points: 20}
    - {id: lead_num, event: "7", when: 'lead_id > 100', points: 40}
    - {id: any007, event: "007", points: 2}
""")
    events = write(os.path.join(work, "event_ids.csv"),
                   "lead_id,type,ts,event_id\nA,7,2025-12-01,10\nA,7,2025-12-02,10.0\n"
                   "A,7,2025-12-03,10\nA,007,2025-12-04,3\n0150,7,2025-12-05,x9\n"
                   "B,7,2025-12-06,\n")
    ingest(binary, db, "--events", events)
    as_of = "2026-01-01T00:00:00Z"
    empty_leads = write(os.path.join(work, "event_ids_leads.csv"), "lead_id\n")
    expected, _ = batch_scores(binary, model, empty_leads, events, as_of)
    # Worked by hand: A has the events 10 and 10.0 (10 again is a duplicate) of type 7, and one
    # of type 007; the lead 0150 reads as 150.
    assert {k: r["score"] for k, r in expected.items()} == {"A": 48, "0150": 43, "B": 3}, expected
    with serving(binary, db, model, work) as (server, token):
        assert_live_equals(server, token, expected, as_of)
        assert_stored_scores_equal(server, token, expected)
        # The API's events keep the ids as the file wrote them.
        events_of_a = request(server.port, token, "GET", "/v1/leads/A/events")[1]["events"]
        assert [e["event"]["event_id"] for e in events_of_a] == ["10", "10.0", "3"], events_of_a
        # A new event: the lead's stored ones are read again alike. The JSON text "007" is a
        # text to conditions, so only any007 counts it.
        status, _ = request(server.port, token, "POST", "/v1/events", json.dumps(
            {"lead_id": "A", "type": "007", "ts": "2025-12-07", "event_id": "n1"}))
        assert status in (200, 202), status
        got = request(server.port, token, "GET", f"/v1/leads/A?as_of={as_of}")[1]
        assert got["score"] == 50, got
    print("CSV event ids: named by their text, read as numbers by conditions, as batch does")


def numbers_out_of_range(binary, model, work):
    """A JSON Lines lead with a number out of a double's range is stored with the field null
    and reported, as `leadscore score` keeps the row and reports the field: not rejected. The
    other lines of a file are read as batch reads them too: the API's `attributes` wrapper is
    not unwrapped, a line led by a byte-order mark or nested too deep is skipped."""
    db = os.path.join(work, "range.db")
    leads = write(os.path.join(work, "range.jsonl"),
                  '{"lead_id": "A", "company_size": 1e999, "industry": "IT"}\n'
                  '{"lead_id": "B", "company_size": 50, "industry": "IT"}\n'
                  # A file's line is read as batch reads it: `attributes.company_size` here ...
                  '{"lead_id": "C", "attributes": {"company_size": 50}}\n'
                  # ... and batch skips a line led by a byte-order mark, or nested too deep.
                  '\ufeff{"lead_id": "D", "industry": "IT"}\n'
                  '{"lead_id": "E", "x": ' + "[" * 200 + "]" * 200 + '}\n'
                  # A lead_id out of range is not "missing": the row is skipped saying why.
                  '{"lead_id": -1e999, "industry": "IT"}\n')
    out = ingest(binary, db, "--leads", leads)
    warning = f"{leads}:1: field `company_size`: the number 1e999 is out of range; using null"
    assert warning in out.stderr, out.stderr
    assert f"{leads}: 6 records read, 3 stored, 0 duplicates, 3 rejected, 1 read with a warning" \
        in out.stderr, out.stderr
    as_of = "2026-01-01T00:00:00Z"
    expected, stderr = batch_scores(binary, model, leads, None, as_of)
    assert warning in stderr, stderr
    assert sorted(expected) == ["A", "B", "C"], expected
    # The skipped lines are reported in batch's words, not as a bare "invalid JSON".
    for line in (4, 5, 6):
        said = [s for s in stderr.splitlines() if s.startswith(f"{leads}:{line}: ")]
        assert len(said) == 1 and said[0] in out.stderr.splitlines(), (said, out.stderr)
    assert f"{leads}:4: invalid JSON: the line starts with a byte-order mark" in out.stderr
    assert f"{leads}:5: invalid JSON: nested deeper than 128 levels; row skipped" in out.stderr
    assert f"{leads}:6: field `lead_id`: the number -1e999 is out of range; row skipped" \
        in out.stderr, out.stderr
    with sqlite3.connect(db) as c:
        stored = sorted(r[0] for r in c.execute("SELECT lead_id FROM leads"))
    assert stored == ["A", "B", "C"], stored
    with serving(binary, db, model, work) as (server, token):
        assert_live_equals(server, token, expected, as_of)
    print("JSON Lines leads: a number out of range is null; wrapper, BOM and depth as batch")


def flat_and_nested_keys(binary, work):
    """A lead line that gives a field flat and nested (`"utm.source"` and `"utm": {"source"}`)
    keeps the later of them, in batch, after `leadscore ingest` and through POST /v1/leads:
    the service keeps a record's keys in the order they came."""
    db = os.path.join(work, "order.db")
    model = write(os.path.join(work, "order.yaml"), """version: 1
name: order
fit:
  rules:
    - {id: ads, when: 'utm.source == "ads"', points: 10}
""")
    leads = write(os.path.join(work, "order.jsonl"),
                  '{"lead_id": "A", "utm.source": "web", "utm": {"source": "ads"}}\n'
                  '{"lead_id": "B", "utm": {"source": "ads"}, "utm.source": "web"}\n')
    ingest(binary, db, "--leads", leads)
    as_of = "2026-01-01T00:00:00Z"
    expected, _ = batch_scores(binary, model, leads, None, as_of)
    assert expected["A"]["fit"] == 10 and expected["B"]["fit"] == 0, expected
    with serving(binary, db, model, work) as (server, token):
        assert_live_equals(server, token, expected, as_of)
        with open(leads) as f:
            body = f.read().replace('"A"', '"C"').replace('"B"', '"D"')
        status, _ = request(server.port, token, "POST", "/v1/leads", body)
        assert status == 200, status
        posted = {"C": expected["A"], "D": expected["B"]}
        assert_live_equals(server, token, {k: dict(v, lead_id=k) for k, v in posted.items()},
                           as_of)
    print("a field given flat and nested: the later counts, in batch, ingest and the API")


def missing_directory(binary, work):
    """A database in a directory that does not exist: SQLite says only that it cannot open it."""
    db = os.path.join(work, "no-such-dir", "store.db")
    out = subprocess.run([binary, "ingest", "--db", db, "--leads",
                          write(os.path.join(work, "nd-leads.csv"), "lead_id\nA\n")],
                         capture_output=True, text=True)
    assert out.returncode == 1, out
    assert (f"cannot open SQLite database {db}: unable to open database file (the directory "
            f"{os.path.dirname(db)} does not exist)" in out.stderr), out.stderr


def unreadable_input(binary, work):
    """A file that cannot be read (missing, a directory, a symlink loop) is said before the store
    is opened: a run that stored nothing leaves no new store behind."""
    os.mkdir(os.path.join(work, "a-directory"))
    loop = os.path.join(work, "loop.csv")
    os.symlink(loop, loop)
    leads = write(os.path.join(work, "ui-leads.csv"), "lead_id\nA\n")
    # Without an extension too: what is wrong with the path comes before what its name says.
    for bad, why in [(os.path.join(work, "no-such.csv"), "No such file or directory"),
                     (os.path.join(work, "no-such"), "No such file or directory"),
                     (os.path.join(work, "a-directory"), "is a directory"),
                     (loop, "Too many levels of symbolic links")]:
        db = os.path.join(work, "unreadable.db")
        out = subprocess.run([binary, "ingest", "--db", db, "--leads", leads, "--events", bad],
                             capture_output=True, text=True)
        assert out.returncode != 0, out
        assert bad in out.stderr and why in out.stderr, out.stderr
        assert not os.path.exists(db), f"{bad}: a store was left behind"


def read_only_directory(binary, work):
    """A writable database file in a directory the user cannot write: SQLite cannot make its
    -wal and -shm files there, and the error says that, not only "readonly database". Run as
    the user nobody (root writes anywhere), so only when the test runs as root."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("read-only directory: skipped (needs root and setpriv)")
        return
    ro = os.path.join(work, "ro")
    os.mkdir(ro)
    leads = write(os.path.join(work, "ro-leads.csv"), "lead_id\nA\n")
    db = os.path.join(ro, "store.db")
    ingest(binary, db, "--leads", leads)
    os.chmod(db, 0o666)
    os.chmod(ro, 0o555)
    os.chmod(work, 0o755)
    try:
        out = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                              binary, "ingest", "--db", db, "--leads", leads],
                             capture_output=True, text=True)
    finally:
        os.chmod(ro, 0o755)
    assert out.returncode == 1, out
    assert (f"attempt to write a readonly database (its directory {ro} is not writable, and "
            "SQLite keeps its -wal and -shm files beside it)" in out.stderr), out.stderr


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

    ingest_both = [args.binary, "ingest", "--db", db, "--leads", leads, "--events", events,
                   "--batch", "50"]
    # Killed part-way, then run again: it resumes.
    proc = subprocess.Popen(ingest_both, stderr=subprocess.PIPE, text=True)
    time.sleep(0.03)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    second = subprocess.run(ingest_both, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    # The resumed run reads exactly the records the killed one did not commit.
    m = re.search(re.escape(events) + r": (\d+) records read, .*?(?:, (\d+) done by an earlier run)?\n",
                  second.stderr + "\n")
    assert m, second.stderr
    read_now, done_before = int(m.group(1)), int(m.group(2) or 0)
    assert read_now + done_before == len(lines), (read_now, done_before, len(lines))
    print(f"killed after {done_before} of {len(lines)} event records were committed")
    third = subprocess.run(ingest_both, capture_output=True, text=True)
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
        # Cut just after its last line (the 8-byte trailer gone), it lost no record: every line
        # is read, and the cut is reported, on each run, but not counted as a rejected record.
        trailer = os.path.join(work, "trailer.jsonl.gz")
        with open(whole, "rb") as f, open(trailer, "wb") as g:
            g.write(f.read()[:-8])
        summaries = [f"{trailer}: {len(lines)} records read, ", ", 2 rejected\n",  # first run
                     f"{trailer}: 0 records read, ", f"{len(lines)} done by an earlier run\n"]
        for run in range(2):
            out = ingest(args.binary, os.path.join(work, "trailer.db"), "--events", trailer)
            assert (f"{trailer}:{len(lines) + 1}: the input ends early (truncated gzip stream): "
                    "every line before this one was read\n" in out.stderr), out.stderr
            for summary in summaries[2 * run:2 * run + 2]:
                assert summary in out.stderr, (summary, out.stderr)
        # A damaged file (its data check fails, at the end of the stream) is refused before
        # any batch of it is stored: its bytes cannot be trusted. Read from a pipe, it cannot be
        # checked first, and the run says what it stored.
        damaged = os.path.join(work, "damaged.jsonl.gz")
        with open(whole, "rb") as f:
            data = bytearray(f.read())
        data[-8] ^= 0xFF  # the CRC-32 of the data
        with open(damaged, "wb") as g:
            g.write(data)
        damaged_db = os.path.join(work, "damaged.db")
        out = subprocess.run([args.binary, "ingest", "--db", damaged_db, "--events", damaged,
                              "--batch", "50"], capture_output=True, text=True)
        assert out.returncode != 0, out.stderr
        assert (f"{damaged}: damaged gzip stream (incorrect data check); `gzip -t` checks a "
                "file; nothing of it was stored" in out.stderr), out.stderr
        with sqlite3.connect(damaged_db) as c:
            assert c.execute("SELECT count(*) FROM events").fetchone()[0] == 0
        # Over one 4 MiB block, so that batches are stored before the stream's end.
        many = "".join('{"lead_id":"P%d","type":"page_view","ts":"2025-12-01T00:00:00Z",'
                       '"url":"https://example.com/pricing/%s"}\n' % (i, "x" * 100)
                       for i in range(40000)).encode()
        piped = bytearray(gzip.compress(many))
        piped[-8] ^= 0xFF
        out = subprocess.run([args.binary, "ingest", "--db", damaged_db, "--events", "-",
                              "--batch", "50"], input=bytes(piped), capture_output=True)
        assert out.returncode != 0, out.stderr
        m = re.search(rb"damaged gzip stream \(incorrect data check\); `gzip -t` checks a file; "
                      rb"the (\d+) records before it were stored", out.stderr)
        assert m, out.stderr
        assert 0 < int(m.group(1)) < 40000, out.stderr
        with sqlite3.connect(damaged_db) as c:
            assert c.execute("SELECT count(*) FROM events").fetchone()[0] == int(m.group(1))
        # A stray CSV quote takes lines into one cell, as `score` and Python's csv read it, and
        # says so.
        stray = os.path.join(work, "stray.csv")
        with open(stray, "w") as f:
            f.write('lead_id,industry\nA,"IT\nB,Retail\nC,"x"\nD,IT\n')
        out = ingest(args.binary, os.path.join(work, "stray.db"), "--leads", stray)
        assert (f"{stray}:2: field `industry`: a quoted cell runs over lines 2-4 and has text "
                "after its closing quote (a stray quote?): lines 3-4 were read into it"
                in out.stderr), out.stderr
        assert (f"{stray}: 2 records read, 2 stored, 0 duplicates, 0 rejected, 1 read with a "
                "warning" in out.stderr), out.stderr
        # Standard input is read whole on every run: no run resumes it, whatever an earlier
        # one read (its bytes may be new).
        for run in range(2):
            out = ingest(args.binary, os.path.join(work, "stdin.db"), "--events", "-",
                         stdin="".join(lines[:50]))
            assert "stdin: 50 records read, " in out.stderr, out.stderr
            assert "done by an earlier run" not in out.stderr, out.stderr
        # Another file at the same path with the same size and modification time (`cp -p`,
        # `rsync -t`, an export with a fixed time) is not taken for the one a run read before.
        same = os.path.join(work, "same.csv")
        same_db = os.path.join(work, "same.db")
        for run, ids in enumerate([("A1", "B1"), ("A2", "B2")]):
            write(same, "lead_id,industry\n%s,IT\n%s,IT\n" % ids)
            os.utime(same, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
            out = ingest(args.binary, same_db, "--leads", same)
            assert f"{same}: 2 records read, 2 stored" in out.stderr, (run, out.stderr)
        with sqlite3.connect(same_db) as c:
            stored = sorted(r[0] for r in c.execute("SELECT lead_id FROM leads"))
        assert stored == ["A1", "A2", "B1", "B2"], stored
        out = ingest(args.binary, same_db, "--leads", same)  # unchanged: nothing new
        assert f"{same}: 0 records read, " in out.stderr and "2 done by an earlier run" in \
            out.stderr, out.stderr
        missing_directory(args.binary, work)
        unreadable_input(args.binary, work)
        read_only_directory(args.binary, work)
        # A column named twice: the last is read, as `score` reads it, and the header is reported.
        twice = os.path.join(work, "twice.csv")
        with open(twice, "w") as f:
            f.write("lead_id,industry,industry\nA,IT,Retail\n")
        out = ingest(args.binary, os.path.join(work, "twice.db"), "--leads", twice)
        assert (f"{twice}:1: field `industry`: columns 2 and 3 both have this name; column 3 is "
                "read and column 2 ignored\n" in out.stderr), out.stderr
        duplicate_leads(args.binary, args.model, work)
        csv_cells_as_batch_reads_them(args.binary, work)
        csv_event_ids_as_batch_reads_them(args.binary, work)
        numbers_out_of_range(args.binary, args.model, work)
        flat_and_nested_keys(args.binary, work)

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
