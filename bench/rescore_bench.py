#!/usr/bin/env python3
"""Rescoring after a model change: how long until every stored lead is rescored.

Generates N leads (leadscore generate), loads them and their events into a fresh store through
the HTTP API, then PUTs a changed model (the MQL threshold moved) and times the background pass
until GET /v1/model reports it done. Prints leads, events, seconds and leads per second.
Usage: bench/rescore_bench.py [--leads N] [--months M] [--db sqlite|URL]
"""
import argparse
import csv
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "build", "leadscore")
MODEL = os.path.join(ROOT, "examples", "saas", "model.yaml")


def call(port, token, method, path, body=None, content_type="application/x-ndjson"):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                 data=body.encode() if body else None)
    req.add_header("Authorization", f"Bearer {token}")
    req.add_header("Content-Type", content_type)
    with urllib.request.urlopen(req, timeout=600) as resp:
        return json.loads(resp.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--leads", type=int, default=20000)
    ap.add_argument("--months", type=int, default=2)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="leadscore-rescore-")
    db = os.path.join(work, "bench.db") if args.db == "sqlite" else args.db
    subprocess.run([BINARY, "generate", "--out", work, "--leads", str(args.leads), "--months",
                    str(args.months), "--seed", "5"], check=True, stderr=subprocess.DEVNULL)
    token = subprocess.run([BINARY, "token", "create", "--db", db, "--scope", "admin"],
                           check=True, capture_output=True, text=True).stdout.strip()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([BINARY, "serve", "--db", db, "--model", MODEL, "--listen",
                               f"127.0.0.1:{port}", "--sweep-interval", "24h"],
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        with open(os.path.join(work, "leads.csv"), newline="") as f:
            leads = [{k: v for k, v in row.items() if v} for row in csv.DictReader(f)]
        for i in range(0, len(leads), 1000):
            call(port, token, "POST", "/v1/leads",
                 "\n".join(json.dumps(x) for x in leads[i:i + 1000]))
        with open(os.path.join(work, "events.jsonl")) as f:
            lines = f.readlines()
        start = time.time()
        for i in range(0, len(lines), 1000):
            call(port, token, "POST", "/v1/events", "".join(lines[i:i + 1000]))
        ingest = time.time() - start
        # Let the rescoring of the ingest finish before the measured pass.
        while call(port, token, "GET", "/v1/model")["rescoring"]["running"]:
            time.sleep(0.2)
        time.sleep(2)
        with open(MODEL) as f:
            changed = re.sub(r"score >= 65", "score >= 60", f.read())
        passes = call(port, token, "GET", "/v1/model")["rescoring"]["passes"]
        start = time.time()
        call(port, token, "PUT", "/v1/model", changed, "application/yaml")
        while True:
            progress = call(port, token, "GET", "/v1/model")["rescoring"]
            if progress["passes"] > passes and not progress["running"]:
                break
            time.sleep(0.05)
        seconds = time.time() - start
        print(f"{len(leads)} leads, {len(lines)} events (ingested in {ingest:.1f} s, "
              f"{len(lines) / ingest:,.0f}/s); rescoring every lead after a model change: "
              f"{seconds:.2f} s, {len(leads) / seconds:,.0f} leads/s")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
