"""The digits federation (10 clients, 20 rounds) on Flower and in the simulation, both release builds
(make bench-flower): learning and each way to unlearn client 0, side by side, and the overhead per round that
Flower adds (its processes, messages and the records they carry). Prints whether the two reports' tables are equal
(wall-clock times and the history's size aside); they should be: the clients' work is the simulation's.

Usage: python bench/flower.py [--out DIR]
"""

import argparse
import json
import os
import sys
import tempfile
import time

import lethe_unlearn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integrations", "flower"))
import federation  # noqa: E402

sys.path.insert(0, os.path.join(HERE, "..", "crates", "python", "tests"))
from common import timeless  # noqa: E402

EXPERIMENT = {
    "version": 1,
    "seed": 5,
    "data": {"source": "digits", "test_fraction": 0.25},
    "model": {"kind": "mlp", "layers": 1, "width": 32, "activation": "relu"},
    "train": {"optimizer": "sgd", "learning_rate": 0.05, "momentum": 0.0, "batch_size": 32, "epochs": 1},
    "federated": {
        "clients": 10,
        "rounds": 20,
        "local_epochs": 1,
        "participation": 1.0,
        "retain_every": 2,
        "calibration_ratio": 0.5,
        "continue_rounds": 1,
        "target_client": 0,
        "methods": ["fed_retrain", "federaser", "federaser_no_calibration"],
        "split": {"kind": "iid"},
    },
}
def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="lethe-bench-flower-")
    path = os.path.join(out, "experiment.json")
    os.makedirs(out, exist_ok=True)
    with open(path, "w") as f:
        json.dump(EXPERIMENT, f)
    started = time.perf_counter()
    simulated = lethe_unlearn.run(EXPERIMENT, progress=False)
    simulation_wall = time.perf_counter() - started
    started = time.perf_counter()
    federation.run(path, os.path.join(out, "flower"), clients=10, unlearn_client=0, timeout=3600)
    flower_wall = time.perf_counter() - started
    with open(os.path.join(out, "flower", "unlearning", "report.json")) as f:
        flower = json.load(f)
    sim = {r["method"]: r for r in simulated["runs"]}
    fl = {r["method"]: r for r in flower["runs"]}
    fed = EXPERIMENT["federated"]
    print(f"digits, {fed['clients']} clients, {fed['rounds']} rounds, {fed['local_epochs']} local epoch, "
          f"history every {fed['retain_every']} rounds; seconds, one run each")
    print(f"{'':28}{'simulation':>12}{'Flower':>10}{'rounds':>8}{'Flower − sim per round':>25}")
    for method, key in (("federated", "learning_seconds"), ("fed_retrain", "unlearning_seconds"),
                        ("federaser", "unlearning_seconds"), ("federaser_no_calibration", "unlearning_seconds")):
        s, f = sim[method][key], fl[method][key]
        rounds = len(fl[method]["curve"])
        calibrated = fl[method]["client_epochs"] > 0
        per_round = f"{(f - s) / rounds:.2f}" if rounds and calibrated else "–"
        print(f"{method:28}{s:12.2f}{f:10.2f}{rounds:8}{per_round:>25}")
    print(f"{'whole run (wall)':28}{simulation_wall:12.2f}{flower_wall:10.2f}")
    learning = (fl["federated"]["learning_seconds"] - sim["federated"]["learning_seconds"]) / fed["rounds"]
    print(f"Flower's overhead per client message while learning: {learning / fed['clients']:.2f} s "
          f"({fed['clients']} clients a round)")
    print(f"client epochs (federated, fed_retrain, federaser): "
          f"{[fl[m]['client_epochs'] for m in ('federated', 'fed_retrain', 'federaser')]}")
    same = timeless(flower, also=("history_bytes",)) == timeless(simulated, also=("history_bytes",))
    print(f"the two reports' tables equal (times and history size aside): {'yes' if same else 'NO'}")
    print(f"history on disk: {fl['federaser']['history_bytes']:,} B (simulation in memory: {sim['federaser']['history_bytes']:,} B)")
    print(out)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
