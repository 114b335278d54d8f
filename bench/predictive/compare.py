#!/usr/bin/python3
"""Predictive accuracy of leadscore beside peers, on real public datasets and identical folds.

For each dataset in /work/shared/datasets/ (see DATASETS below and each folder's README.md) this
script draws one stratified K-fold split (scikit-learn StratifiedKFold, shuffled with the seed),
writes it to a folds file (CSV `row,fold`: 0-based data row of the table, fold 0..K-1), and
measures, on exactly those folds (train on K-1 folds, predict the held-out one):

  sklearn_logreg  scikit-learn logistic regression with default settings: numeric columns
                  median-imputed and standardised, other columns one-hot with a "missing" level;
  xgb_default     xgboost.XGBClassifier() with default parameters;
  xgb_grid        XGBoost (histogram trees) tuned on a small grid (max_depth 3/5/7 x
                  learning_rate 0.05/0.1) with early stopping on a validation split carved out
                  of the training fold;
  leadscore_*     every model that `leadscore evaluate --table T --label L --positive P
                  [--drop ...] [--missing ...] --folds-file FOLDS --format json` reports.

A column is numeric when every non-missing cell is a finite number; empty cells and the dataset's
placeholders (e.g. `Select`, `unknown`) are missing. Olist has no label column: its table (one row
per MQL, converted = the MQL is in the closed deals) is derived into a temporary directory.

Metrics are the mean over folds of AUC, PR-AUC (average precision), log loss and Brier score,
plus the wall-clock seconds for all folds. A Markdown table per dataset and a summary (best peer
AUC against each leadscore model) go to stdout, progress to stderr, and with --json the same
figures (per fold too) to a file.

Run it with Debian's Python (/usr/bin/python3: numpy, scipy, scikit-learn, xgboost; no pandas):

  bench/predictive/compare.py [--datasets x_education,bank] [--folds 5] [--seed 42]
                              [--binary build/leadscore] [--json out.json] [--peers-only] [--quick]

Results are deterministic for a given seed (timings aside).
"""
import os

THREADS = 2  # the benchmark machine has 2 cores

# BLAS thread pools are sized when numpy is imported, so this has to come first.
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Callable, Optional, Tuple  # noqa: E402

import numpy as np  # noqa: E402
import xgboost  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import (average_precision_score, brier_score_loss, log_loss,  # noqa: E402
                             roc_auc_score)
from sklearn.model_selection import StratifiedKFold, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = "/work/shared/datasets"
METRICS = ("auc", "pr_auc", "log_loss", "brier")


# --- datasets -------------------------------------------------------------------------------

def build_olist(workdir):
    """Writes the Olist MQL table with a `converted` label and returns its path.

    One row per MQL, in the MQL file's order: origin, landing_page_id, first_contact_month
    (YYYY-MM) and converted = 1 when the mql_id is in the closed-deals table. The id and the raw
    date are left out.
    """
    folder = os.path.join(DATA, "olist_marketing_funnel")
    with open(os.path.join(folder, "olist_closed_deals_dataset.csv"), newline="",
              encoding="utf-8-sig") as f:
        won = {row["mql_id"] for row in csv.DictReader(f)}
    path = os.path.join(workdir, "olist_mql_converted.csv")
    with open(os.path.join(folder, "olist_marketing_qualified_leads_dataset.csv"), newline="",
              encoding="utf-8-sig") as f, open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["origin", "landing_page_id", "first_contact_month", "converted"])
        for row in csv.DictReader(f):
            writer.writerow([row["origin"], row["landing_page_id"],
                             row["first_contact_date"][:7], int(row["mql_id"] in won)])
    return path


@dataclass(frozen=True)
class DatasetSpec:
    """One benchmark table: where it is (or how to derive it) and how leadscore must read it."""
    name: str
    label: str
    positive: str
    drop: Tuple[str, ...] = ()
    missing: Tuple[str, ...] = ()
    path: str = ""
    build: Optional[Callable[[str], str]] = None

    def table(self, workdir):
        return self.build(workdir) if self.build else self.path


DATASETS = (
    DatasetSpec("x_education", "Converted", "1",
                drop=("Prospect ID", "Lead Number", "Tags", "Lead Quality", "Last Activity",
                      "Last Notable Activity"),
                missing=("Select",),
                path=f"{DATA}/x_education_leads/Leads.csv"),
    DatasetSpec("bank", "y", "yes", drop=("duration",), missing=("unknown",),
                path=f"{DATA}/uci_bank_marketing/bank-additional-full.csv"),
    DatasetSpec("shoppers", "Revenue", "TRUE",
                path=f"{DATA}/uci_online_shoppers/online_shoppers_intention.csv"),
    DatasetSpec("hillstrom", "conversion", "1", drop=("visit", "spend"),
                path=f"{DATA}/hillstrom_email/Kevin_Hillstrom_MineThatData_E-MailAnalytics_"
                     "DataMiningChallenge_2008.03.20.csv"),
    DatasetSpec("salvirt", "Status", "Won", missing=("Unknown",),
                path=f"{DATA}/b2b_sales_salvirt/Salvirt_B2B_ML_dataset_HF.csv"),
    DatasetSpec("olist", "converted", "1", missing=("unknown",), build=build_olist),
)


# --- reading --------------------------------------------------------------------------------

@dataclass
class Features:
    """A table split into label and features; missing cells are NaN (numeric) or None."""
    y: np.ndarray            # 0/1 per data row
    numeric_names: list
    numeric: np.ndarray      # float64, rows x numeric columns
    categorical_names: list
    categorical: np.ndarray  # object (str or None), rows x categorical columns


def read_csv(path):
    """Returns (header, rows). `;` or `,` is chosen from the header line; BOM and CRLF are fine."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        header_line = f.readline()
        delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
        f.seek(0)
        rows = list(csv.reader(f, delimiter=delimiter))
    header, data = rows[0], rows[1:]
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise ValueError(f"{path}:{number}: {len(row)} fields, header has {len(header)}")
    return header, data


def as_float(cell):
    """The cell as a finite float, else None (so hex ids like `4010e566...` stay text)."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def load_features(path, spec):
    header, rows = read_csv(path)
    for column in (spec.label, *spec.drop):
        if column not in header:
            raise ValueError(f"{path}: no column {column!r}")
    label = header.index(spec.label)
    y = np.array([row[label] == spec.positive for row in rows], dtype=int)
    missing = {"", *spec.missing}
    numeric_names, numeric, categorical_names, categorical = [], [], [], []
    for j, name in enumerate(header):
        if name == spec.label or name in spec.drop:
            continue
        cells = [None if row[j] in missing else row[j] for row in rows]
        values = [None if c is None else as_float(c) for c in cells]
        if all(v is not None for v, c in zip(values, cells) if c is not None):
            numeric_names.append(name)
            numeric.append([np.nan if v is None else v for v in values])
        else:
            categorical_names.append(name)
            categorical.append(cells)
    n = len(rows)
    return Features(
        y=y,
        numeric_names=numeric_names,
        numeric=np.array(numeric, dtype=float).T.reshape(n, len(numeric_names)),
        categorical_names=categorical_names,
        categorical=np.array(categorical, dtype=object).T.reshape(n, len(categorical_names)))


# --- folds ----------------------------------------------------------------------------------

def make_folds(y, k, seed):
    """Fold number (0..k-1) of every row: the held-out fold it belongs to."""
    folds = np.empty(len(y), dtype=int)
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    for fold, (_, test) in enumerate(splitter.split(np.zeros(len(y)), y)):
        folds[test] = fold
    return folds


def write_folds(path, folds):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["row", "fold"])
        writer.writerows(enumerate(folds.tolist()))


# --- peers ----------------------------------------------------------------------------------

def fit_predict_logreg(data, train, test, seed):
    """Default-settings logistic regression, the pipeline an analyst writes first."""
    n_num = data.numeric.shape[1]
    n_cat = data.categorical.shape[1]
    parts = []
    if n_num:
        parts.append(("numeric", Pipeline([("impute", SimpleImputer(strategy="median")),
                                           ("scale", StandardScaler())]),
                      list(range(n_num))))
    if n_cat:
        parts.append(("categorical",
                      Pipeline([("impute", SimpleImputer(missing_values=None, strategy="constant",
                                                         fill_value="missing")),
                                ("onehot", OneHotEncoder(handle_unknown="ignore"))]),
                      list(range(n_num, n_num + n_cat))))
    model = Pipeline([("encode", ColumnTransformer(parts)),
                      ("logreg", LogisticRegression(max_iter=1000))])
    x = np.hstack([data.numeric.astype(object), data.categorical])
    model.fit(x[train], data.y[train])
    return model.predict_proba(x[test])[:, 1], {}


class XgbEncoder:
    """Numeric columns raw (NaN = missing), categorical columns one-hot, learned on a training fold.

    A missing or unseen level is all zeros. The matrix is dense on purpose: xgboost reads the
    absent entries of a sparse matrix as missing, not as 0.
    """

    def __init__(self, data, train):
        self.levels = []
        for column in data.categorical[train].T:
            seen = sorted({v for v in column if v is not None})
            self.levels.append({v: i for i, v in enumerate(seen)})

    def transform(self, data, rows):
        numeric = data.numeric[rows].astype(np.float32)
        onehot = np.zeros((len(numeric), sum(map(len, self.levels))), dtype=np.float32)
        offset = 0
        for column, levels in zip(data.categorical[rows].T, self.levels):
            for i, value in enumerate(column):
                if value in levels:
                    onehot[i, offset + levels[value]] = 1
            offset += len(levels)
        return np.hstack([numeric, onehot])


def xgb(seed, **params):
    return xgboost.XGBClassifier(n_jobs=THREADS, random_state=seed, **params)


def fit_predict_xgb_default(data, train, test, seed):
    encoder = XgbEncoder(data, train)
    model = xgb(seed).fit(encoder.transform(data, train), data.y[train])
    return model.predict_proba(encoder.transform(data, test))[:, 1], {}


GRID = [{"max_depth": depth, "learning_rate": rate} for depth in (3, 5, 7) for rate in (0.05, 0.1)]


def fit_predict_xgb_grid(data, train, test, seed):
    """Picks the grid point with the best validation AUC, then refits it on the whole fold.

    The validation set is 20 % of the training fold (stratified); each grid point trains up to
    2000 rounds and stops after 50 rounds without a better validation log loss. The refit uses
    the best round count found for the chosen point. Trees are grown with tree_method="hist":
    on the 2-core machine the default exact greedy method took 10-30 s per 100 rounds on the
    one-hot tables of olist, bank and x_education (hist: about 1 s), so the 6-point grid with
    up to 2000 rounds would take hours.
    """
    encoder = XgbEncoder(data, train)
    x, y = encoder.transform(data, train), data.y[train]
    x_fit, x_val, y_fit, y_val = train_test_split(x, y, test_size=0.2, stratify=y,
                                                  random_state=seed)
    best = None
    for params in GRID:
        model = xgb(seed, tree_method="hist", n_estimators=2000, early_stopping_rounds=50,
                    eval_metric="logloss", **params)
        model.fit(x_fit, y_fit, eval_set=[(x_val, y_val)], verbose=False)
        # With early stopping, predict_proba uses the best iteration only.
        auc = roc_auc_score(y_val, model.predict_proba(x_val)[:, 1])
        if best is None or auc > best["validation_auc"]:
            best = {**params, "n_estimators": model.best_iteration + 1, "validation_auc": auc}
    refit = {k: best[k] for k in ("max_depth", "learning_rate", "n_estimators")}
    model = xgb(seed, tree_method="hist", **refit).fit(x, y)
    return model.predict_proba(encoder.transform(data, test))[:, 1], best


PEERS = {
    "sklearn_logreg": fit_predict_logreg,
    "xgb_default": fit_predict_xgb_default,
    "xgb_grid": fit_predict_xgb_grid,
}
QUICK_PEERS = ("sklearn_logreg", "xgb_default")


def fold_metrics(y, p):
    p = np.asarray(p, dtype=float)
    return {"auc": roc_auc_score(y, p), "pr_auc": average_precision_score(y, p),
            "log_loss": log_loss(y, p), "brier": brier_score_loss(y, p)}


def run_peer(name, dataset, data, folds, seed):
    """Cross-validates one peer on the given folds; returns its row of the results."""
    k = folds.max() + 1
    per_fold = []
    start = time.perf_counter()
    for fold in range(k):
        train, test = np.flatnonzero(folds != fold), np.flatnonzero(folds == fold)
        proba, details = PEERS[name](data, train, test, seed)
        per_fold.append({"fold": fold, **fold_metrics(data.y[test], proba), **details})
        note = ", ".join(f"{key}={value:.4g}" for key, value in details.items())
        progress(dataset, f"{name} fold {fold + 1}/{k}: AUC {per_fold[-1]['auc']:.4f}"
                          + (f" ({note})" if note else ""))
    seconds = time.perf_counter() - start
    means = {m: float(np.mean([f[m] for f in per_fold])) for m in METRICS}
    progress(dataset, f"{name}: AUC {means['auc']:.4f} in {seconds:.1f} s")
    return {"name": name, **means, "seconds": seconds, "folds": per_fold}


# --- leadscore ------------------------------------------------------------------------------

def leadscore_command(binary, table, spec, folds_path):
    command = [binary, "evaluate", "--table", table, "--label", spec.label,
               "--positive", spec.positive]
    if spec.drop:
        command += ["--drop", ",".join(spec.drop)]
    if spec.missing:
        command += ["--missing", ",".join(spec.missing)]
    return command + ["--folds-file", folds_path, "--format", "json"]


def run_leadscore(binary, table, spec, folds_path, k, rows_expected):
    """Rows `leadscore_<model>` from one `evaluate` run, or one failed `leadscore` row.

    A row's seconds are the model's own `seconds` from the JSON when it reports them (like the
    peers' figures: all folds, table reading excluded), else the wall time of the whole run.
    `command_seconds` is always that whole run. A different row or fold count than the peers
    had (leadscore skipped rows, or ignored the folds file) is warned about on stderr.
    """
    command = leadscore_command(binary, table, spec, folds_path)
    progress(spec.name, "leadscore: " + shlex.join(command))
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True)
    except OSError as e:
        return [failed_row(spec.name, f"cannot run {binary}: {e.strerror}")]
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        return [failed_row(spec.name, f"exit status {done.returncode}")]
    try:
        output = json.loads(done.stdout)
        models = output["models"]
        rows = [{"name": "leadscore_" + m["name"], **{x: float(m[x]) for x in METRICS},
                 "seconds": float(m.get("seconds", seconds)), "command_seconds": seconds,
                 "folds": m.get("folds", [])} for m in models]
    except (ValueError, KeyError, TypeError) as e:
        sys.stderr.write(done.stdout[:2000] + "\n")
        return [failed_row(spec.name, f"unexpected output: {e!r}")]
    if output.get("rows", rows_expected) != rows_expected:
        progress(spec.name, f"warning: leadscore used {output['rows']} rows, the peers "
                            f"{rows_expected}")
    for row in rows:
        if len(row["folds"]) != k:
            progress(spec.name, f"warning: {row['name']} reports {len(row['folds'])} folds, "
                                f"expected {k}")
        progress(spec.name, f"{row['name']}: AUC {row['auc']:.4f} in {row['seconds']:.1f} s")
    return rows


def failed_row(dataset, reason):
    progress(dataset, "leadscore FAILED: " + reason)
    return {"name": "leadscore", "failed": reason}


# --- report ---------------------------------------------------------------------------------

def progress(dataset, message):
    print(f"[{dataset}] {message}", file=sys.stderr, flush=True)


def dataset_heading(result):
    return (f"### {result['dataset']}: {result['rows']:,} rows, {result['positive_rate']:.2%} "
            f"positive, {result['numeric_features']} numeric + "
            f"{result['categorical_features']} categorical features, {result['folds']} folds")


def markdown_table(result):
    lines = [dataset_heading(result), "",
             "| model | AUC | PR-AUC | log loss | Brier | seconds |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for row in result["models"]:
        if "failed" in row:
            lines.append(f"| {row['name']} | failed: {row['failed']} | | | | |")
        else:
            lines.append(f"| {row['name']} | {row['auc']:.4f} | {row['pr_auc']:.4f} | "
                         f"{row['log_loss']:.4f} | {row['brier']:.4f} | {row['seconds']:.1f} |")
    whole = [row["command_seconds"] for row in result["models"] if "command_seconds" in row]
    if whole:
        lines.append(f"\nThe whole `leadscore evaluate` run took {whole[0]:.1f} s "
                     "(process start and table reading included).")
    return "\n".join(lines)


def summarize(results):
    """Per dataset and leadscore model: its AUC against the best peer's."""
    summary = []
    for result in results:
        peers = [r for r in result["models"] if r["name"] in PEERS]
        best = max(peers, key=lambda r: r["auc"], default={"name": "(none run)", "auc": float("nan")})
        ours = [r for r in result["models"] if r["name"].startswith("leadscore")]
        base = {"dataset": result["dataset"], "best_peer": best["name"],
                "best_peer_auc": best["auc"]}
        if not ours:
            summary.append({**base, "leadscore": "not run"})
        for row in ours:
            if "failed" in row:
                summary.append({**base, "leadscore": "failed"})
            else:
                summary.append({**base, "leadscore": row["name"], "auc": row["auc"],
                                "auc_minus_best_peer": row["auc"] - best["auc"]})
    return summary


def summary_table(summary):
    lines = ["### Summary: AUC, leadscore against the best peer", "",
             "| dataset | best peer | peer AUC | leadscore model | AUC | difference |",
             "| --- | --- | ---: | --- | ---: | ---: |"]
    for s in summary:
        ours = (f"{s['auc']:.4f} | {s['auc_minus_best_peer']:+.4f}" if "auc" in s else " | ")
        lines.append(f"| {s['dataset']} | {s['best_peer']} | {s['best_peer_auc']:.4f} | "
                     f"{s['leadscore']} | {ours} |")
    return "\n".join(lines)


# --- main -----------------------------------------------------------------------------------

def benchmark(spec, args, workdir):
    table = spec.table(workdir)
    data = load_features(table, spec)
    folds = make_folds(data.y, args.folds, args.seed)
    folds_path = os.path.join(workdir, f"{spec.name}.folds.csv")
    write_folds(folds_path, folds)
    progress(spec.name, f"{len(data.y):,} rows, {data.y.mean():.2%} positive, "
                        f"{len(data.numeric_names)} numeric + {len(data.categorical_names)} "
                        f"categorical features; table {table}")
    peers = () if args.leadscore_only else QUICK_PEERS if args.quick else tuple(PEERS)
    models = [run_peer(name, spec.name, data, folds, args.seed) for name in peers]
    if not args.peers_only:
        models += run_leadscore(args.binary, table, spec, folds_path, args.folds, len(data.y))
    return {"dataset": spec.name, "table": table, "rows": len(data.y),
            "positive_rate": float(data.y.mean()),
            "numeric_features": len(data.numeric_names),
            "categorical_features": len(data.categorical_names),
            "folds": args.folds, "seed": args.seed, "models": models}


def parse_args():
    names = [d.name for d in DATASETS]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="datasets (label=positive; dropped columns; missing placeholders besides empty):\n"
               + "\n".join(f"  {d.name:12} {d.label}={d.positive}; drop {','.join(d.drop) or '-'}"
                           f"; missing {','.join(d.missing) or '-'}" for d in DATASETS))
    parser.add_argument("--datasets", default=",".join(names),
                        help="comma-separated subset of: %(default)s")
    parser.add_argument("--folds", type=int, default=5, help="K of the stratified K-fold "
                        "split (default %(default)s)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the fold split, the "
                        "validation split and the models (default %(default)s)")
    parser.add_argument("--binary", default=os.path.join(ROOT, "build", "leadscore"),
                        help="leadscore executable (default: build/leadscore in the repository)")
    parser.add_argument("--json", metavar="OUT", help="also write all figures, per fold "
                        "too, to this JSON file")
    parser.add_argument("--peers-only", action="store_true", help="do not run leadscore")
    parser.add_argument("--quick", action="store_true", help="peers sklearn_logreg and "
                        "xgb_default only (skip the tuned xgb_grid), for a fast smoke run")
    parser.add_argument("--leadscore-only", action="store_true", help="run no peer: "
                        "leadscore alone on the same folds (while working on it)")
    args = parser.parse_args()
    chosen = list(dict.fromkeys(args.datasets.split(",")))
    unknown = [name for name in chosen if name not in names]
    if unknown:
        parser.error(f"unknown dataset(s) {','.join(unknown)}; choose from {','.join(names)}")
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    args.specs = [DATASETS[names.index(name)] for name in chosen]
    return args


def main():
    args = parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="leadscore-predictive-") as workdir:
        results = [benchmark(spec, args, workdir) for spec in args.specs]
    summary = summarize(results)
    for result in results:
        print(markdown_table(result) + "\n")
    if not args.leadscore_only:  # no peer to set beside
        print(summary_table(summary))
    total = time.perf_counter() - start
    progress("total", f"{total:.1f} s")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"folds": args.folds, "seed": args.seed,
                       "binary": None if args.peers_only else args.binary,
                       "seconds": total, "datasets": results, "summary": summary}, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
