"""``run``: an experiment (a dict, a JSON string or a file) through the engine, the CLI's report as a dict."""

import json
import os

import numpy as np

from . import _engine
from ._progress import reporter


def _experiment(experiment):
    """The experiment as JSON text and the folder its files are read from."""
    if isinstance(experiment, dict):
        return json.dumps(experiment), os.getcwd()
    if isinstance(experiment, os.PathLike) or (
        isinstance(experiment, str) and not experiment.lstrip().startswith("{")
    ):
        path = os.fspath(experiment)
        try:
            with open(path, encoding="utf-8") as f:
                return f.read(), os.path.dirname(os.path.abspath(path))
        except OSError as e:
            raise ValueError(f"experiment: cannot read {path}: {e.strerror}") from None
    if isinstance(experiment, str):
        return experiment, os.getcwd()
    raise ValueError(
        f"experiment must be a dict, a JSON string or a path, got {type(experiment).__name__}"
    )


def arrays(X, y):
    """X as float32 rows and y as label strings, checked."""
    x = np.asarray(X)
    if x.ndim != 2:
        raise ValueError(f"X must be 2-D (rows × features), got shape {x.shape}")
    try:
        x = np.ascontiguousarray(x, dtype="<f4")
    except (TypeError, ValueError):
        raise ValueError(f"X must hold numbers, got dtype {np.asarray(X).dtype}") from None
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be 1-D (one label per row), got shape {labels.shape}")
    if len(labels) != len(x):
        raise ValueError(f"y has {len(labels)} labels, but X has {len(x)} rows")
    return x, [str(v) for v in labels.tolist()]


def _weights_path(parsed, folder):
    """``model.import.file`` next to the experiment, when the experiment imports a model."""
    model = parsed.get("model") if isinstance(parsed, dict) else None
    imported = model.get("import") if isinstance(model, dict) else None
    if isinstance(imported, dict) and isinstance(imported.get("file"), str):
        return os.path.join(folder, imported["file"])
    return None


def run(experiment, X=None, y=None, progress=None):
    """Runs ``experiment`` and returns its report (a dict, the report ``lethe run`` prints).

    ``experiment``: a dict, a JSON string, or a path to an experiment file. ``X`` (rows × features) and ``y`` (one
    label per row), numpy arrays or anything ``numpy.asarray`` takes, replace the experiment's data: it then reads
    them as it reads a CSV (``data.source`` "csv", the labels sorted as scikit-learn sorts them). Without them, a
    CSV experiment reads ``data.csv.file`` next to the experiment file, and an imported model (``model.import``) its
    weights file. ``progress``, when given, is called with a
    dict per epoch (``epoch``, ``epochs_total``, ``train_loss``, ``test_acc``) and per step of the unlearning lab
    (``stage``, ``done``, ``total``), each with ``steps`` so far; None shows tqdm's bars on a terminal when tqdm is
    installed, True always, False nothing. The engine runs without the GIL; Ctrl-C stops it at its next step with
    ``KeyboardInterrupt``.
    """
    callback, close = reporter(progress)
    try:
        return _run(experiment, X, y, callback)
    finally:
        close()


def inputs(experiment, X=None, y=None):
    """The experiment's JSON text, where the engine reads its data (a dict: ``csv_text``, the CSV next to the
    experiment, or ``x``/``n_features``/``y``, the arrays read as a CSV) and the weights file's path, if any."""
    text, folder = _experiment(experiment)
    if (X is None) != (y is None):
        raise ValueError("X and y: give both, or neither")
    if X is not None:
        x, labels = arrays(X, y)
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"experiment file: {e}") from None
        data = parsed.setdefault("data", {}) if isinstance(parsed, dict) else {}
        if isinstance(data, dict):
            data["source"] = "csv"
            data["csv"] = {"file": (data.get("csv") or {}).get("file", "X, y"), "label_column": "label"}
        return json.dumps(parsed), {"x": x.tobytes(), "n_features": x.shape[1], "y": labels}, _weights_path(parsed, folder)
    csv_text = None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError:
        parsed = None  # the engine says what is wrong, with its position
    data = parsed.get("data") if isinstance(parsed, dict) else None
    if isinstance(data, dict) and data.get("source") == "csv" and isinstance(data.get("csv"), dict):
        path = os.path.join(folder, str(data["csv"].get("file", "")))
        try:
            with open(path, encoding="utf-8") as f:
                csv_text = f.read()
        except OSError as e:
            raise ValueError(f"data.csv.file: cannot read {path}: {e.strerror}") from None
    return text, {"csv_text": csv_text, "n_features": 0}, _weights_path(parsed, folder)


def _run(experiment, X, y, progress):
    text, source, weights_path = inputs(experiment, X, y)
    report, _ = _engine.run(text, source, weights_path=weights_path, progress=progress)
    return json.loads(report)
