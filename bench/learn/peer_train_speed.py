#!/usr/bin/python3
"""Times scikit-learn's LogisticRegression and XGBoost (defaults, and the depth-6 hist trees
leadscore grows) fitting the benchmark table; run by train_speed.sh in the same run as
leadscore. Reading the CSV is not timed."""
import sys
import time

import numpy as np
import xgboost
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import OneHotEncoder


def read(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
        rows = [line.rstrip("\n").split(",") for line in f]
    cols = list(zip(*rows))
    y = np.array(cols[-1], dtype=int)
    numeric = [i for i, h in enumerate(header[:-1]) if h.startswith("x")]
    categorical = [i for i, h in enumerate(header[:-1]) if h.startswith("c")]
    x_num = np.array([[float(v) if v else np.nan for v in cols[i]] for i in numeric]).T
    x_cat = np.array([cols[i] for i in categorical]).T
    return x_num, x_cat, y


def timed(name, fit):
    start = time.perf_counter()
    fit()
    print(f"{name}: {time.perf_counter() - start:.1f} s fit")


def main():
    x_num, x_cat, y = read(sys.argv[1])
    onehot = OneHotEncoder(handle_unknown="ignore").fit_transform(x_cat)
    filled = np.nan_to_num(x_num)
    design = hstack([csr_matrix(filled), onehot]).tocsr()
    timed("sklearn LogisticRegression (lbfgs, one-hot)",
          lambda: LogisticRegression(max_iter=1000).fit(design, y))
    dense = np.hstack([x_num, onehot.toarray().astype(np.float32)])
    timed("xgboost XGBClassifier() defaults (100 rounds)",
          lambda: xgboost.XGBClassifier(n_jobs=2, tree_method="hist").fit(dense, y))


if __name__ == "__main__":
    main()
