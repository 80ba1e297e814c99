"""Each unlearning method at its defaults on every model kind: forget and retain accuracy against retraining's.

Digits, forgetting one class (two seeds, two classes) and a random 10 %, on an MLP (ReLU and tanh, 2 × 64, Adam 0.01,
20 epochs), logistic regression (the same recipe) and the CNN (Adam 0.003, 8 epochs). A class-forgetting run passes
when forget accuracy is at most 0.10 and retain accuracy within 5 points of retraining's (the issue's bar).

    python3 bench/defaults.py scrub '{"method": "scrub", "alpha": 0.5}'   # methods or method objects
    LETHE_CLI=path/to/lethe python3 bench/defaults.py ...                 # default: the release build's CLI

Prints one line per run; needs the CLI built (`cargo build --release -p lethe-cli`).
"""

import json
import os
import subprocess
import sys
import tempfile

CLI = os.environ.get("LETHE_CLI", os.path.join(os.environ.get("CARGO_TARGET_DIR", "target"), "release", "lethe"))
KINDS = [("mlp", "relu"), ("mlp", "tanh"), ("logistic", None), ("cnn", None)]


def experiment(kind, activation, seed, forget, method):
    cnn = kind == "cnn"
    model = {"kind": kind}
    if kind == "mlp":
        model.update(layers=2, width=64, activation=activation)
    return {
        "version": 1,
        "seed": seed,
        "data": {"source": "digits", "test_fraction": 0.25, "plot_features": [33, 26]},
        "model": model,
        "train": {"optimizer": "adam", "learning_rate": 0.003 if cnn else 0.01, "batch_size": 64,
                  "epochs": 8 if cnn else 20, "l2": 0.0},
        "backend": "cpu",
        "unlearn": {"forget": forget, "methods": [method], "retrain_seeds": 1},
    }


def run(e):
    with tempfile.TemporaryDirectory() as tmp:
        path, out = os.path.join(tmp, "e.json"), os.path.join(tmp, "r.json")
        with open(path, "w") as f:
            json.dump(e, f)
        subprocess.run([CLI, "run", path, "--out", out], check=True, capture_output=True)
        with open(out) as f:
            report = json.load(f)
    retrain = next(r for r in report["runs"] if r["method"] == "retrain")
    method = report["runs"][2]
    return retrain["retain_acc"], retrain["forget_acc"], method["retain_acc"], method["forget_acc"]


def main(methods):
    for method in methods:
        name = method if isinstance(method, str) else json.dumps(method)
        for kind, activation in KINDS:
            label = kind if activation is None else f"{kind}-{activation}"
            for seed, cls in [(1, 3), (2, 7)]:
                rra, _, ra, fa = run(experiment(kind, activation, seed, {"kind": "class", "classes": [cls]}, method))
                verdict = "ok" if fa <= 0.10 and ra >= rra - 0.05 else "FAIL"
                print(f"{name} {label} seed {seed} class {cls}: retrain RA {rra:.3f} | RA {ra:.3f} FA {fa:.3f} {verdict}",
                      flush=True)
            rra, rfa, ra, fa = run(experiment(kind, activation, 1, {"kind": "random", "fraction": 0.1}, method))
            print(f"{name} {label} random 10 %: retrain RA {rra:.3f} FA {rfa:.3f} | RA {ra:.3f} FA {fa:.3f}", flush=True)


if __name__ == "__main__":
    main([json.loads(a) if a.startswith("{") else a for a in sys.argv[1:]])
