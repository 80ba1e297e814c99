"""The Python package against the CLI on the same work: lethe_unlearn.unlearn() on scikit-learn's digits MLP (digit 3
forgotten with SCRUB and NegGrad+, two retrains) and `lethe run` on the experiment unlearn() saved, which computes the
same report. Both are release builds (make bench-python). Prints each side's best wall time over REPS runs and the
ratio; the package's overhead is the arrays written as CSV text, the weights as safetensors, and every row's model
read back into an estimator.

Usage: LETHE_CLI=path/to/release/lethe python bench/python.py
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import lethe_unlearn

REPS = int(os.environ.get("REPS", "3"))


def best(f):
    times = []
    for _ in range(REPS):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return min(times), value


def main():
    cli = os.environ.get("LETHE_CLI")
    if not cli:
        sys.exit("LETHE_CLI must name the release CLI (make bench-python sets it)")
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mlp = MLPClassifier(hidden_layer_sizes=(48, 24), random_state=0, max_iter=300).fit(X_train, y_train)

    def api():
        result = lethe_unlearn.unlearn(
            mlp, X_train, y_train, y_train == 3, methods=["scrub", "neggrad_plus"], X_test=X_test, y_test=y_test,
            progress=False, retrain_seeds=2,
        )
        for method in result.methods:
            result.model(method)
        return result

    api_seconds, result = best(api)
    with tempfile.TemporaryDirectory() as folder:
        path = result.save(folder)

        def run_cli():
            out = subprocess.run([cli, "run", path], check=True, capture_output=True, text=True)
            return json.loads(out.stdout)

        cli_seconds, report = best(run_cli)
    same = [r["test_acc"] for r in report["runs"]] == [r["test_acc"] for r in result.report["runs"]]
    work = sum(r["sample_grads"] or 0 for r in report["runs"])
    print(f"digits MLP (48, 24), digit 3 forgotten: retrain ×2, scrub, neggrad_plus; {work:,} sample gradients")
    print(f"  lethe_unlearn.unlearn(), models read back: {api_seconds:.3f} s (best of {REPS})")
    print(f"  lethe run on the saved experiment:          {cli_seconds:.3f} s (best of {REPS}, process start included)")
    print(f"  ratio unlearn() / CLI: {api_seconds / cli_seconds:.2f} (goal ≤ 1.2); same numbers: {same}")
    if not same:
        sys.exit("the CLI's report differs from unlearn()'s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
