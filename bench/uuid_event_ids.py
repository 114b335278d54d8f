#!/usr/bin/env python3
"""Rewrites a JSON Lines events file with each event_id replaced by a UUID-shaped id (the MD5 of
the old id, so that re-sent duplicates stay duplicates and the scores do not change).

W1's generated ids are numbered (e1, e2, ...), which leadscore dedupes in a bitmap; real event
ids are often UUIDs, which go to the fingerprint table instead. bench/README.md measures both.

usage: bench/uuid_event_ids.py IN.jsonl OUT.jsonl
"""
import hashlib
import sys

KEY = '"event_id":"'


def main(src, dst):
    with open(src, encoding="utf-8") as inp, open(dst, "w", encoding="utf-8") as out:
        for line in inp:
            i = line.find(KEY)
            if i >= 0:
                start = i + len(KEY)
                end = line.index('"', start)
                h = hashlib.md5(line[start:end].encode()).hexdigest()
                uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
                line = line[:start] + uuid + line[end:]
            out.write(line)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
