"""The live service as a test sees it from outside: a `leadscore serve` process and its API."""
import json
import random
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, token, method, path, body=None, timeout=30):
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status, json.loads(resp.read() or b"null")


def infer(cell):
    """SCORING.md: an undeclared CSV cell is a number when the whole cell is a finite decimal."""
    if cell == "":
        return None
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", cell):
        value = float(cell)
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return cell


class Server:
    def __init__(self, binary, db, model, workdir):
        self.binary, self.db, self.model, self.workdir = binary, db, model, workdir
        self.port = free_port()
        self.proc = None

    def start(self):
        log = open(os.path.join(self.workdir, "serve.log"), "a")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--db", self.db, "--model", self.model, "--listen",
             f"127.0.0.1:{self.port}", "--sweep-interval", "1h"],
            stdout=log, stderr=log)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/health", timeout=1):
                    return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.proc.poll() is not None:
                    sys.exit(f"server exited with {self.proc.returncode}; see serve.log")
                time.sleep(0.05)
        sys.exit("server did not answer /health within 20 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=30)
        if code != 0:
            sys.exit(f"server exited with {code} on SIGTERM")


def post_while_killed(server, token, path, body, delay):
    """POSTs `body` from a thread and kills the server with SIGKILL `delay` seconds later.
    Returns the answer's status, or None when the connection died with the server."""
    outcome = {}

    def send():
        try:
            outcome["status"], _ = request(server.port, token, "POST", path, body)
        except Exception as e:  # the connection dies with the server
            outcome["error"] = repr(e)

    t = threading.Thread(target=send)
    t.start()
    time.sleep(delay)
    server.kill9()
    t.join()
    return outcome.get("status")


SKIP = 77  # ctest's SKIP_RETURN_CODE for these scripts


class ScratchStore:
    """A store for one test: a SQLite file in `workdir`, or a fresh schema on the PostgreSQL
    server of $LEADSCORE_TEST_POSTGRES (dropped by drop()). `target` is what --db takes, or
    None when PostgreSQL is asked for and not configured."""

    def __init__(self, kind, workdir, name):
        self.schema = None
        self.target = None
        if kind == "sqlite":
            self.target = os.path.join(workdir, "live.db")
            return
        base = os.environ.get("LEADSCORE_TEST_POSTGRES")
        if not base:
            print("skipped: set LEADSCORE_TEST_POSTGRES (scripts/start-postgres.sh start)")
            return

        self.schema = f"{name}_{os.getpid()}_{random.randrange(10**6)}"
        subprocess.run(["psql", base, "-qc", f"CREATE SCHEMA {self.schema}"], check=True)
        self.target = base + ("&" if "?" in base else "?") + \
            f"options=-csearch_path%3D{self.schema}"

    def drop(self):
        if self.schema:
            subprocess.run(["psql", os.environ["LEADSCORE_TEST_POSTGRES"], "-qc",
                            f"SET client_min_messages = warning; DROP SCHEMA {self.schema} CASCADE"],
                           check=False)
