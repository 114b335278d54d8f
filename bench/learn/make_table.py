#!/usr/bin/python3
"""Writes a synthetic training table for the training-speed benchmark.

N rows x 50 features (30 numeric, 20 categorical with 3 to 40 levels, about 5 % of the cells
empty) and a 0/1 label drawn from a logistic model with interactions, so that both the
scorecard and the trees have something to find. Deterministic for a seed.

    bench/learn/make_table.py --rows 1000000 --out /tmp/train-1m.csv
"""
import argparse
import numpy as np


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    n = args.rows

    numeric = rng.normal(size=(n, 30))
    levels = [3 + (i * 37) % 38 for i in range(20)]
    categorical = np.stack([rng.integers(0, k, size=n) for k in levels], axis=1)
    level_effect = [rng.normal(scale=0.5, size=k) for k in levels]

    z = -2.0 + numeric[:, :10] @ rng.normal(scale=0.4, size=10)
    z += 0.5 * numeric[:, 10] * numeric[:, 11] + 0.4 * np.maximum(numeric[:, 12], 0)
    for j in range(8):
        z += level_effect[j][categorical[:, j]]
    label = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    empty = rng.random((n, 50)) < 0.05

    header = [f"x{i}" for i in range(30)] + [f"c{i}" for i in range(20)] + ["converted"]
    with open(args.out, "w") as out:
        out.write(",".join(header) + "\n")
        block = 100_000
        for start in range(0, n, block):
            stop = min(n, start + block)
            num = np.char.mod("%.4f", numeric[start:stop]).astype(object)
            cat = np.char.add("L", categorical[start:stop].astype(str)).astype(object)
            cells = np.concatenate([num, cat], axis=1)
            cells[empty[start:stop]] = ""
            lines = [",".join(row) + f",{y}" for row, y in zip(cells, label[start:stop])]
            out.write("\n".join(lines) + "\n")
    print(f"{args.out}: {n} rows, {label.mean():.3f} positive")


if __name__ == "__main__":
    main()
