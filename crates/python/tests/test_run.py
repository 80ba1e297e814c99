"""lethe_unlearn.run: the same report as the CLI for the same experiment, numpy arrays read as the same CSV, progress,
and every refusal a ValueError naming the field. The CLI is the one `cargo test` builds (LETHE_CLI; make test sets it)."""

import json
import os
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_iris

import lethe_unlearn
from common import cli, example, timeless


# Source: the CLI on the same file and machine, whose numbers the golden reports pin; the engine is deterministic, so
# the reports are equal key for key and number for number (wall times and the host's name aside).
@pytest.mark.parametrize("name", ["moons-mlp.json", "digits-unlearn-your-model.json"])
def test_an_experiment_file_gives_the_clis_report(name):
    report = lethe_unlearn.run(example(name))
    assert report["host"] == "python"
    assert timeless(report) == timeless(cli(example(name)))


def test_a_dict_and_a_json_string_give_the_same_report_as_the_file():
    with open(example("moons-mlp.json"), encoding="utf-8") as f:
        text = f.read()
    from_file = timeless(lethe_unlearn.run(example("moons-mlp.json")))
    assert timeless(lethe_unlearn.run(json.loads(text))) == from_file
    assert timeless(lethe_unlearn.run(text)) == from_file


# Source: the same numbers written to a CSV file and read by the CLI: arrays are read as that CSV, so the prepared data
# (its checksum) and every number of the report are equal.
def test_numpy_arrays_are_read_as_the_same_csv(tmp_path):
    X, y = load_iris(return_X_y=True)
    X = X.astype(np.float32)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    lines = [",".join([f"x{j}" for j in range(4)] + ["label"])]
    lines += [",".join([repr(float(v)) for v in row] + [label]) for row, label in zip(X, names)]
    (tmp_path / "iris.csv").write_text("\n".join(lines) + "\n")
    experiment = {
        "version": 1, "seed": 5,
        "data": {"source": "csv", "csv": {"file": "iris.csv", "label_column": "label"}, "plot_features": [2, 3]},
        "model": {"kind": "mlp", "layers": 1, "width": 16},
        "train": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 16, "epochs": 5},
    }
    (tmp_path / "iris.json").write_text(json.dumps(experiment))
    from_arrays = lethe_unlearn.run({**experiment, "data": {"plot_features": [2, 3]}}, X, names)
    from_csv = cli(str(tmp_path / "iris.json"))
    assert from_arrays["dataset"]["checksum"] == from_csv["dataset"]["checksum"]
    assert from_arrays["dataset"]["class_names"] == ["setosa", "versicolor", "virginica"]
    assert timeless(from_arrays["runs"]) == timeless(from_csv["runs"])


def test_progress_is_reported_per_epoch():
    seen = []
    lethe_unlearn.run(example("moons-mlp.json"), progress=seen.append)
    epochs = [p["epoch"] for p in seen if "epoch" in p]
    with open(example("moons-mlp.json"), encoding="utf-8") as f:
        planned = json.load(f)["train"]["epochs"]
    assert epochs == list(range(1, planned + 1))
    assert all(p["epochs_total"] == planned for p in seen)
    assert seen[-1]["steps"] > seen[0]["steps"] > 0


def test_an_error_in_the_progress_callback_stops_the_run_with_it():
    def fail(_):
        raise RuntimeError("the callback broke")

    with pytest.raises(RuntimeError, match="the callback broke"):
        lethe_unlearn.run(example("moons-mlp.json"), progress=fail)


def moons(**train):
    return {
        "version": 1, "seed": 1, "data": {"source": "moons", "n_samples": 200},
        "model": {"kind": "mlp"},
        "train": {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "epochs": 2, **train},
    }


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: lethe_unlearn.run(moons(learning_rate=-1)), "train.learning_rate must be > 0 and ≤ 10, got -1"),
        (lambda: lethe_unlearn.run({**moons(), "colour": 1}), "unknown field `colour`"),
        (lambda: lethe_unlearn.run(42), "experiment must be a dict, a JSON string or a path, got int"),
        (lambda: lethe_unlearn.run("no/such/file.json"), "experiment: cannot read no/such/file.json"),
        (lambda: lethe_unlearn.run(moons(), np.zeros(5), [0] * 5), r"X must be 2-D \(rows × features\), got shape \(5,\)"),
        (lambda: lethe_unlearn.run(moons(), np.zeros((5, 2)), [0, 1]), "y has 2 labels, but X has 5 rows"),
        (lambda: lethe_unlearn.run(moons(), np.zeros((5, 2))), "X and y: give both, or neither"),
        (
            lambda: lethe_unlearn.run(moons(), np.array([[0.0, np.nan]] * 30), [0, 1] * 15),
            r"X\[0, 1\] is NaN; features must be finite",
        ),
    ],
)
def test_every_refusal_is_a_value_error_naming_the_field(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# Ctrl-C: the engine looks for it between optimiser steps. A child process runs an experiment of 10,000 epochs and
# prints a line at its first; SIGINT then must end it with KeyboardInterrupt (the process exits by itself).
def test_ctrl_c_stops_a_run_between_steps():
    import signal
    import sys

    # A shell starts a background job with SIGINT ignored, and a child inherits that: Python then installs no
    # KeyboardInterrupt handler. The child sets the default handler itself, so the test holds however it is started.
    script = (
        "import signal, sys, lethe_unlearn\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "e = {'version': 1, 'seed': 1, 'data': {'source': 'moons', 'n_samples': 2000}, 'model': {'kind': 'mlp'},\n"
        "     'train': {'optimizer': 'adam', 'learning_rate': 0.01, 'batch_size': 8, 'epochs': 10000}}\n"
        "def tell(p):\n"
        "    if p.get('epoch') == 1: print('epoch 1', flush=True)\n"
        "lethe_unlearn.run(e, progress=tell)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "epoch 1"
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=120)
    finally:
        # On every path, a failed assertion or a timeout included: the 10,000-epoch run never outlives the test.
        if child.poll() is None:
            child.kill()
        child.wait()
    assert child.returncode != 0
    # Raised by the engine's check between steps ("the run was interrupted") or, when the signal lands while the
    # progress callback runs Python code, inside the callback: either way the run stops with KeyboardInterrupt.
    assert stderr.strip().splitlines()[-1].startswith("KeyboardInterrupt"), stderr

