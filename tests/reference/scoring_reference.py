"""An independent Python model of /work/shared/SCORING.md (scoring semantics, version 1).

Written from the contract and docs/model-file.md / docs/expr-language.md only, not from the C++
sources, so that random_models_test.py can compare the engine against it. It covers the subset of
the contract that the random generator produces:

- input: leads as CSV (RFC 4180, optional BOM), events as JSON Lines (nested objects flattened
  with dots), declared field conversion, bad rows, event_id dedupe;
- expressions: not parsed. A model holds each expression as a Python function of an environment
  (a dict of name -> value); the operator helpers below give them SQL-like null semantics;
- scoring: fit rules and groups, engagement rules (decay, caps, once, count/within), groups,
  clamps, score formula, grades, stages, explanation with cuts, rounding and row order.

Values are Python None (null), bool, float (number) and str (string).
"""

import csv
import json
import math
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal, ROUND_HALF_UP

# ----------------------------------------------------------------------------------------------
# Values and expression operators (SCORING.md "Expressions", docs/expr-language.md)


def vtype(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    raise TypeError(repr(v))


def _num(v):
    return v is not None and vtype(v) == "number"


def _str(v):
    return v is not None and vtype(v) == "string"


def cmp(op, a, b):
    """== != < <= > >=: null with a null operand or operands of different types."""
    if a is None or b is None:
        return None
    ta, tb = vtype(a), vtype(b)
    if ta != tb:
        return None
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if ta == "bool":
        return None  # ordering bools: null at run time
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    raise ValueError(op)


def arith(op, a, b):
    if not (_num(a) and _num(b)):
        return None
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        if b == 0:
            return None
        r = a / b
    else:
        raise ValueError(op)
    r = float(r)
    return r if math.isfinite(r) else None  # NaN or an overflow: null


def neg(a):
    return -a if _num(a) else None


def and_(a, b):
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return None


def or_(a, b):
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    return None


def not_(a):
    if a is None or not isinstance(a, bool):
        return None
    return not a


def in_list(x, items):
    """docs/expr-language.md: null when x is null; true on a match; null when no match but the
    list holds a null or a value of another type; else false."""
    if x is None:
        return None
    tx = vtype(x)
    unsure = False
    for it in items:
        if it is None or vtype(it) != tx:
            unsure = True
        elif it == x:
            return True
    return None if unsure else False


def not_in_list(x, items):
    return not_(in_list(x, items))


def between(x, lo, hi):
    if x is None or lo is None or hi is None:
        return None
    if not (vtype(x) == vtype(lo) == vtype(hi)) or vtype(x) == "bool":
        return None
    if lo > hi:
        return False
    return lo <= x <= hi


def lower(s):
    return s.lower() if _str(s) else None


def upper(s):
    return s.upper() if _str(s) else None


def trim(s):
    return s.strip(" \t\n\r\f\v") if _str(s) else None


def length(s):
    return float(len(s)) if _str(s) else None


def contains(s, sub):
    return (sub in s) if (_str(s) and _str(sub)) else None


def starts_with(s, p):
    return s.startswith(p) if (_str(s) and _str(p)) else None


def ends_with(s, p):
    return s.endswith(p) if (_str(s) and _str(p)) else None


def domain(s):
    if not _str(s) or "@" not in s:
        return None
    return s.rsplit("@", 1)[1].lower()


def exists(x):
    return x is not None


def coalesce(*args):
    for a in args:
        if a is not None:
            return a
    return None


def if_(c, a, b):
    return a if c is True else b


def abs_(x):
    return abs(x) if _num(x) else None


def min_(*args):
    if any(a is None for a in args):
        return None
    if len({vtype(a) for a in args}) != 1 or vtype(args[0]) == "bool":
        return None
    return min(args)


def max_(*args):
    if any(a is None for a in args):
        return None
    if len({vtype(a) for a in args}) != 1 or vtype(args[0]) == "bool":
        return None
    return max(args)


def holds(v):
    """A condition holds only when it is exactly true."""
    return v is True


# ----------------------------------------------------------------------------------------------
# Input (SCORING.md "Records", "Batch output"; docs/model-file.md "Input")

# A finite decimal (docs/model-file.md "Input"): sign, digits with an optional point, exponent.
_DECIMAL = re.compile(r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$")
_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:?\d{2})?)?$")
_UNIX = re.compile(r"^[0-9]+(\.[0-9]+)?$")


def parse_time(v):
    """ts / declared time: ISO-8601 (Z, +hh:mm, date only) or Unix seconds. None if it fails."""
    if v is None or isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if not isinstance(v, str):
        return None
    v = v.strip(" \t")  # a padded cell reads as its text
    if _UNIX.match(v):
        return float(v)
    m = _ISO.match(v)
    if not m:
        return None
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        if m.group(4) is None:
            dt = datetime(y, mo, d, tzinfo=timezone.utc)
        else:
            hh, mi, ss = int(m.group(4)), int(m.group(5)), int(m.group(6))
            zone = m.group(7)
            off = timedelta(0)
            if zone and zone != "Z":
                sign = -1 if zone[0] == "-" else 1
                digits = zone[1:].replace(":", "")
                off = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            dt = datetime(y, mo, d, hh, mi, ss, tzinfo=timezone(off))
    except ValueError:
        return None
    return dt.timestamp()


def convert(value, ftype):
    """A declared field's conversion; a value that does not convert becomes null."""
    if value is None:
        return None
    if ftype == "number":
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return float(value)
        s = value.strip(" \t")
        return float(s) if _DECIMAL.match(s) and math.isfinite(float(s)) else None
    if ftype == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (int, float)):
            f = float(value)
            return str(int(f)) if f.is_integer() else repr(f)
        return value
    if ftype == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return {0: False, 1: True}.get(value)  # the JSON numbers 0 and 1
        if isinstance(value, str):
            s = value.strip().lower()
            if s in ("true", "yes", "y", "t", "1"):
                return True
            if s in ("false", "no", "n", "f", "0"):
                return False
        return None
    if ftype == "time":
        return parse_time(value)
    raise ValueError(ftype)


def csv_cell(cell, name, fields):
    if cell == "":
        return None
    if name in fields:
        return convert(cell, fields[name])
    if _DECIMAL.match(cell):
        f = float(cell)
        if math.isfinite(f):
            return f
    return cell


def json_value(v, name, fields):
    if isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    if name in fields:
        return convert(v, fields[name])
    return v


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        key = prefix + k
        if isinstance(v, dict):
            out.update(flatten(v, key + "."))
        else:
            out[key] = v
    return out


def id_text(v):
    """A JSON lead_id / type / event_id: a number is used as its shortest decimal text."""
    if v is None:
        return None
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if not isinstance(v, str):
        return None  # an array or an object is no id
    return v


def csv_records(path):
    """Each CSV row of the header's width as {column: cell}, in file order."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        header = None
        for row in csv.reader(f):
            if not row:
                continue  # blank line
            if header is None:
                header = row
            elif len(row) == len(header):
                yield dict(zip(header, row))


def jsonl_records(path):
    """Each line that is a JSON object, flattened, in file order."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip() == "":
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                yield flatten(obj)


def records(path):
    """(records, value): a file's records, and how one of its values is read (CSV cells are
    inferred, JSON values keep their type). Ids and times read alike from both: id_text of a
    CSV cell is the cell, and an empty one is no id."""
    if path.endswith(".csv"):
        return csv_records(path), csv_cell
    return jsonl_records(path), json_value


def read_leads(path, fields):
    """-> (ordered dict lead_id -> attributes); a repeated lead_id keeps the first row."""
    rows, value = records(path)
    leads = {}
    for rec in rows:
        lid = id_text(rec.get("lead_id"))
        if not lid or lid in leads:
            continue
        # lead_id is among the attributes as written (a lead condition can read it); a lead
        # known only from events has none, so its lead_id reads as null.
        leads[lid] = {k: value(v, k, fields) for k, v in rec.items()}
    return leads


def read_events(path, fields):
    """-> list of events {lead_id, type, ts, props} after dedupe, in file order."""
    rows, value = records(path)
    events = []
    seen_ids = set()
    for rec in rows:
        lid = id_text(rec.get("lead_id"))
        typ = id_text(rec.get("type"))
        ts = parse_time(rec.get("ts"))
        if not lid or not typ or ts is None:
            continue
        eid = id_text(rec.get("event_id"))
        if eid:
            if eid in seen_ids:
                continue
            seen_ids.add(eid)
        # The reserved keys are properties too, as written (a condition can read them).
        props = {k: value(v, k, fields) for k, v in rec.items()}
        events.append({"lead_id": lid, "type": typ, "ts": ts, "props": props})
    return events


# ----------------------------------------------------------------------------------------------
# Scoring (SCORING.md "Computing a score at an as-of time T")
#
# A model is a dict:
#   fields: {name: type}
#   fit: {max, groups: {id: max or None} (ordered), rules: [{id, when: fn or None, points, group}]}
#   engagement: {max, decay, groups, rules: [{id, event, when: fn or None, points, max, decay,
#                once, count, within, group}]}
#     decay: ("none",) | ("half_life", seconds) | ("expire_after", seconds)
#   score: {formula: fn or None, max}
#   grades: [(id, fn)], stages: [(id, fn)]
# Each fn takes an environment dict name -> value (a missing name is null).


class Env(dict):
    def __missing__(self, key):
        return None


def decay_factor(decay, age):
    kind = decay[0]
    if kind == "none":
        return 1.0
    if kind == "half_life":
        return 2.0 ** (-age / decay[1])
    if kind == "expire_after":
        return 1.0 if age < decay[1] else 0.0
    raise ValueError(kind)


def _apply_groups(contribs, rules, groups, prefix_cut, cuts):
    """contribs: rule id -> c_r. Returns the sum of group totals and ungrouped c_r."""
    total = 0.0
    for gid, gmax in groups.items():
        g = sum(contribs[r["id"]] for r in rules if r.get("group") == gid)
        if gmax is not None and g > gmax:
            cuts.append(("cut:group." + gid, gmax - g))
            g = gmax
        total += g
    total += sum(contribs[r["id"]] for r in rules if not r.get("group"))
    return total


def _clamp(v, hi, name, cuts):
    c = min(max(v, 0.0), hi)
    if c != v:
        cuts.append((name, c - v))
    return c


def score_lead(model, attrs, events, T):
    """events: this lead's events (deduped, any ts). Returns a result dict."""
    lead_env = Env(attrs)
    fit_m, eng_m = model["fit"], model["engagement"]

    # 1. fit
    fit_c = {}
    for r in fit_m["rules"]:
        ok = r["when"] is None or holds(r["when"](lead_env))
        fit_c[r["id"]] = float(r["points"]) if ok else 0.0
    fit_cuts = []
    fit_raw = _apply_groups(fit_c, fit_m["rules"], fit_m["groups"], "fit", fit_cuts)
    fit = _clamp(fit_raw, fit_m["max"], "cut:fit", fit_cuts)

    # 2-3. engagement rules
    past = [e for e in events if e["ts"] <= T]
    eng_c = {}
    for r in eng_m["rules"]:
        matching = []
        for e in past:
            if e["type"] != r["event"]:
                continue
            if r["when"] is not None:
                env = Env(e["props"])
                for k, v in attrs.items():
                    env["lead." + k] = v
                if not holds(r["when"](env)):
                    continue
            matching.append(e)
        decay = r.get("decay") or eng_m["decay"]
        if r.get("count") is not None:
            within = r.get("within")
            n = sum(1 for e in matching if within is None or (T - e["ts"]) < within)
            c = float(r["points"]) if n >= r["count"] else 0.0
        elif r.get("once"):
            if matching:
                latest = max(e["ts"] for e in matching)
                c = r["points"] * decay_factor(decay, T - latest)
            else:
                c = 0.0
        else:
            c = 0.0
            for e in matching:
                c += r["points"] * decay_factor(decay, T - e["ts"])
            m = r.get("max")
            if m is not None:
                if r["points"] > 0:
                    c = min(c, m)
                elif r["points"] < 0:
                    c = max(c, -m)
        eng_c[r["id"]] = c
    eng_cuts = []
    eng_raw = _apply_groups(eng_c, eng_m["rules"], eng_m["groups"], "engagement", eng_cuts)
    engagement = _clamp(eng_raw, eng_m["max"], "cut:engagement", eng_cuts)

    # 5. score
    sm = model["score"]
    if sm["formula"] is None:
        raw = fit + engagement
    else:
        env = Env(attrs)
        env["fit"] = fit
        env["engagement"] = engagement
        raw = sm["formula"](env)
        if not _num(raw):
            raw = 0.0
    score_cuts = []
    score = _clamp(float(raw), sm["max"], "cut:score", score_cuts)

    # 6-7. grade and stage
    env = Env(attrs)
    env["fit"], env["engagement"], env["score"] = fit, engagement, score
    grade = ""
    for gid, fn in model["grades"]:
        if holds(fn(env)):
            grade = gid
            break
    env["grade"] = grade if grade != "" else None
    stage = ""
    for sid, fn in model["stages"]:
        if holds(fn(env)):
            stage = sid

    # explanation
    contribs = [(rid, v) for rid, v in list(fit_c.items()) + list(eng_c.items())
                if fmt(abs(v)) != "0.00"]
    contribs.sort(key=lambda kv: (-abs(kv[1]), kv[0]))
    reasons = contribs + fit_cuts + eng_cuts + score_cuts
    return {"score": score, "fit": fit, "engagement": engagement, "grade": grade,
            "stage": stage, "reasons": reasons}


def fmt(x):
    """Rounded to 2 decimals, half away from zero, on the exact binary value. A value that
    rounds to zero prints as 0.00, never -0.00 (e.g. a cut of -3.7e-12: SCORING.md is silent
    on signed zero; the engine prints 0.00)."""
    d = Decimal(float(x)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if d == 0:
        d = Decimal("0.00")
    return str(d)


def score_files(model, leads_path, events_path, T):
    """The batch: rows as lists of strings
    [lead_id, score, fit, engagement, grade, stage, reasons] in output order."""
    fields = model.get("fields", {})
    leads = read_leads(leads_path, fields)
    events = read_events(events_path, fields)
    by_lead = {}
    for e in events:
        by_lead.setdefault(e["lead_id"], []).append(e)
    ids = list(leads.keys()) + [lid for lid in by_lead if lid not in leads]
    results = []
    for lid in ids:
        r = score_lead(model, leads.get(lid, {}), by_lead.get(lid, []), T)
        results.append((lid, r))
    results.sort(key=lambda x: (-x[1]["score"], x[0]))
    rows = []
    for lid, r in results:
        reasons = ";".join("%s:%s" % (rid, fmt(v)) for rid, v in r["reasons"])
        rows.append([lid, fmt(r["score"]), fmt(r["fit"]), fmt(r["engagement"]), r["grade"],
                     r["stage"], reasons])
    return rows
