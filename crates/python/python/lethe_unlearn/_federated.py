"""What a federation outside the simulation needs from Lethe (the Flower integration uses it): each client's rows,
each client's random stream, and one client's local training with Lethe's recipe.

The simulation gives client k its rows (``client_splits``), one generator for the whole federation
(``client_rng_state``: the state it starts from), and each round trains the global model on its rows with a fresh
optimiser for the local epochs (``fit_local``), the generator carried to the next round.
"""

import json

import numpy as np

from . import _engine, _safetensors
from ._models import adapt
from ._run import inputs

RNG_STATE_BYTES = 48


def client_splits(experiment, X=None, y=None):
    """The rows of each client of ``experiment``'s federation (its ``federated`` section), as the simulation
    partitions its training split: a list with one array of dataset row indices (0-based, in the data's order) per
    client. The data is the experiment's own, or ``X`` and ``y`` as ``run`` reads them."""
    text, source, _ = inputs(experiment, X, y)
    return [np.asarray(rows, dtype=np.int64) for rows in _engine.client_splits(text, source)]


def prepared(experiment, X=None, y=None):
    """The experiment's data as the engine prepares it: a dict with ``train`` and ``test`` (each ``(X, y)``: float32
    rows scaled as ``data.scaling`` says, class indices), ``train_rows`` (the dataset row of each training row, so
    ``client_splits``' rows index into it through ``numpy.searchsorted``), ``classes`` and ``n_features``."""
    text, source, _ = inputs(experiment, X, y)
    d, classes, train_x, train_y, test_x, test_y, rows = _engine.prepared(text, source)

    def split(x, labels):
        return np.frombuffer(bytes(x), dtype="<f4").reshape(-1, d).copy(), np.asarray(labels, dtype=np.int64)

    return {
        "train": split(train_x, train_y),
        "test": split(test_x, test_y),
        "train_rows": np.asarray(rows, dtype=np.int64),
        "classes": list(classes),
        "n_features": d,
    }


def initial_weights(experiment, n_features, n_classes):
    """The model ``experiment`` starts from (its ``model``, seeded by its ``seed``) for ``n_features`` inputs and
    ``n_classes`` classes: a dict of arrays in the PyTorch layout of its ``nn.Sequential`` (``0.weight``, …)."""
    text = json.dumps(experiment) if isinstance(experiment, dict) else experiment
    tensors, _ = _safetensors.loads(bytes(_engine.initial_weights(text, int(n_features), int(n_classes))))
    return tensors


def predict_proba(weights, X, model=None, layout=None):
    """Class probabilities of the network in ``weights`` (a dict in either layout, a Keras list, an estimator) for
    the rows ``X`` (taken as they are), computed by the engine; ``model`` says what the weights cannot
    (``activation``, ``convs``)."""
    adapter = adapt(weights, layout)
    if adapter.path is not None:
        raise ValueError("weights: predict_proba takes arrays or an estimator, not a .pt file")
    x = np.ascontiguousarray(np.asarray(X), dtype="<f4")
    if x.ndim != 2:
        raise ValueError(f"X must be 2-D (rows × features), got shape {x.shape}")
    section = {k: v for k, v in (model or {}).items() if k != "import"}
    experiment = {
        "version": 1,
        "seed": 0,
        "data": {"source": "csv", "csv": {"file": "rows"}, "scaling": "none"},
        "model": {"kind": "mlp", **adapter.model, **section, "import": {"file": "weights.safetensors", "layout": adapter.layout}},
        "train": {"optimizer": "sgd", "learning_rate": 0.1, "batch_size": 1, "epochs": 1},
    }
    probs = _engine.predict(json.dumps(experiment), adapter.file_bytes(), x.tobytes(), x.shape[1])
    return np.asarray(probs, dtype=np.float32).reshape(len(x), -1)


def weighted_mean(models, sizes):
    """FedAvg's mean of ``models`` (dicts of arrays with the same names) weighted by ``sizes`` (the clients' rows),
    accumulated in float64 in the order given and returned as float32, as the simulation's server computes it."""
    total = float(sum(sizes))
    return {
        name: (sum(s * m[name].astype(np.float64) for s, m in zip(sizes, models)) / total).astype(np.float32)
        for name in models[0]
    }


def client_rng_state(seed, client):
    """The state (48 bytes) of the generator client ``client`` of a federation seeded ``seed`` shuffles its rows
    with, before its first round."""
    if not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be an int ≥ 0, got {seed!r}")
    if not isinstance(client, (int, np.integer)) or client < 0:
        raise ValueError(f"client must be an int ≥ 0, got {client!r}")
    return bytes(_engine.client_rng_state(int(seed), int(client)))


def fit_local(weights, X, y, train, epochs, rng_state, model=None, layout=None, progress=None):
    """One client's local training as the simulation runs it: ``weights`` trained ``epochs`` epochs on (``X``,
    ``y``) with a fresh optimiser, shuffled by the generator ``rng_state``. Returns ``(weights, rng_state,
    sample_grads)``: the trained weights in the form given, the generator's state to pass to the next call, and the
    per-example gradient computations it took.

    ``weights``: a dict of arrays (PyTorch's layout, or Keras's with keys "0", "1", …), a Keras ``get_weights()``
    list, or a fitted scikit-learn MLPClassifier or LogisticRegression. ``X``: the client's rows as the model sees
    them (not scaled here); ``y``: class indices, 0 to the model's classes − 1. ``train``: the experiment's ``train``
    section (optimizer, learning_rate, batch_size, momentum, l2), or a whole experiment whose ``train`` and
    ``model`` are taken; ``model``: what the weights cannot say (``activation``). ``rng_state``: from
    ``client_rng_state`` or the previous call. Calling it twice for one epoch equals one call for two epochs
    when the optimiser keeps no state across epochs (SGD without momentum): FedAvg's fresh optimiser each round.
    """
    adapter = adapt(weights, layout)
    if adapter.path is not None:
        raise ValueError("weights: fit_local takes arrays or an estimator, not a .pt file")
    if not isinstance(train, dict):
        raise ValueError(f"train must be a dict (the experiment's train section, or the experiment), got {type(train).__name__}")
    section = dict(model or {})
    if "train" in train:
        section = {**(train.get("model") or {}), **section}
        train = train["train"]
    section.pop("import", None)
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):
        raise ValueError(f"epochs must be a whole number ≥ 1, got {epochs!r}")
    if not isinstance(rng_state, (bytes, bytearray)) or len(rng_state) != RNG_STATE_BYTES:
        raise ValueError(
            f"rng_state must be the {RNG_STATE_BYTES} bytes client_rng_state or fit_local gave, got {rng_state!r:.60}"
        )
    x = np.asarray(X)
    if x.ndim != 2:
        raise ValueError(f"X must be 2-D (rows × features), got shape {x.shape}")
    labels = np.asarray(y)
    if labels.ndim != 1 or len(labels) != len(x):
        raise ValueError(f"y must hold one class index per row of X ({len(x)}), got shape {labels.shape}")
    if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
        raise ValueError(f"y must hold class indices (whole numbers ≥ 0), got dtype {labels.dtype}")
    experiment = {
        "version": 1,
        "seed": 0,
        "data": {"source": "csv", "csv": {"file": "local rows"}, "scaling": "none"},
        "model": {
            **{"kind": "mlp"},
            **adapter.model,
            **section,
            "import": {"file": "weights.safetensors", "layout": adapter.layout},
        },
        "train": {**train, "epochs": int(epochs)},
    }
    out, state, sample_grads = _engine.fit_local(
        json.dumps(experiment),
        adapter.file_bytes(),
        np.ascontiguousarray(x, dtype="<f4").tobytes(),
        x.shape[1],
        labels.astype(np.uint32).tolist(),
        bytes(rng_state),
        progress if callable(progress) else None,
    )
    tensors, metadata = _safetensors.loads(bytes(out))
    return adapter.rebuild("fit_local", tensors, metadata), bytes(state), int(sample_grads)


def _text(experiment):
    return json.dumps(experiment) if isinstance(experiment, dict) else experiment


def federation(experiment, X=None, y=None):
    """The data of ``experiment``'s federation as the simulation trains on it: a dict with ``train`` and ``test``
    (each ``(X, y)``: float32 rows as prepared, class indices), ``parts`` (each client's positions in ``train``:
    client k trains on ``train[0][parts[k]]``), ``triggered`` (with ``federated.target_backdoor``: the test rows with
    the trigger, their classes and the backdoor's ``target_class``, else None), ``stamped`` (the target client's
    rows that carry the backdoor), ``classes``, ``n_features`` and ``experiment`` (as the engine reads it, every
    default written out). The target client's rows are backdoored here, as the simulation stamps them."""
    text, source, _ = inputs(experiment, X, y)
    d, classes, train, test, parts, triggered, stamped, normalized = _engine.federation(text, source)

    def rows(x):
        return np.frombuffer(bytes(x), dtype="<f4").reshape(-1, d).copy()

    return {
        "train": (rows(train[0]), np.asarray(train[1], dtype=np.int64)),
        "test": (rows(test[0]), np.asarray(test[1], dtype=np.int64)),
        "parts": [np.asarray(p, dtype=np.int64) for p in parts],
        "triggered": None
        if triggered is None
        else {"X": rows(triggered[0]), "y": np.asarray(triggered[1], dtype=np.int64), "target_class": int(triggered[2])},
        "stamped": int(stamped),
        "classes": list(classes),
        "n_features": d,
        "experiment": json.loads(normalized),
    }


def schedule(experiment, rounds=None, offset=0):
    """Which clients train in each round of ``experiment``'s federation: the simulation's seeded schedule for its
    ``federated.participation`` (every client at 1), ``rounds`` rounds (default ``federated.rounds``) from round
    ``offset`` (0-based; ``continue_without`` continues at ``federated.rounds``). A list of sorted client lists."""
    parsed = json.loads(experiment) if isinstance(experiment, str) else experiment
    fed = parsed.get("federated")
    if not isinstance(fed, dict):
        raise ValueError("the experiment has no federated section: schedule plans a federation's rounds")
    rounds = int(fed["rounds"]) if rounds is None else int(rounds)
    return [list(r) for r in _engine.schedule(int(fed["clients"]), rounds, float(fed.get("participation", 1.0)), int(parsed.get("seed", 0)), int(offset))]


def calibrate(old_update, new_update):
    """FedEraser's calibrated update (the engine's rule): per tensor, the stored update's size (``old_update``) in
    the direction of the calibration's (``new_update``); both dicts of arrays with the same names and shapes."""
    names = list(old_update)
    if sorted(names) != sorted(new_update):
        raise ValueError(f"calibrate: the updates name different tensors: {sorted(names)} and {sorted(new_update)}")
    old = [np.asarray(old_update[n], dtype="<f4") for n in names]
    new = [np.asarray(new_update[n], dtype="<f4") for n in names]
    for n, o, w in zip(names, old, new):
        if o.shape != w.shape:
            raise ValueError(f"calibrate: tensor {n!r} has shapes {o.shape} and {w.shape}")
    out = np.frombuffer(
        bytes(_engine.calibrate(b"".join(o.tobytes() for o in old), b"".join(w.tobytes() for w in new), [o.size for o in old])),
        dtype="<f4",
    )
    result, at = {}, 0
    for n, o in zip(names, old):
        result[n] = out[at : at + o.size].reshape(o.shape).copy()
        at += o.size
    return result


def federated_report(experiment, models, wall_seconds, X=None, y=None, host="flower"):
    """The report of a federation that ran outside the simulation, measured by the engine as the simulation
    measures its own (the same rows and keys: test and target accuracy, backdoor success, the shadow attack's
    precision and recall, the angle to FedRetrain, the work), with ``host``. ``models``: one dict per row, in
    order, ``federated`` first, then ``fed_retrain`` and the others: ``method``, ``weights`` (a dict of arrays in
    the PyTorch layout of ``initial_weights``), ``seconds``, ``unlearning_seconds`` (None on ``federated``),
    ``curve`` (a list of ``{"round", "test_acc", "backdoor_asr"}``), ``client_epochs``, ``sample_grads``,
    ``history_bytes`` (or None). Returns the report as a dict."""
    text, source, _ = inputs(experiment, X, y)
    rows = []
    for m in models:
        rows.append({
            "method": str(m["method"]),
            "weights": _safetensors.dumps({n: np.asarray(v, dtype=np.float32) for n, v in m["weights"].items()}),
            "seconds": float(m["seconds"]),
            "unlearning_seconds": None if m.get("unlearning_seconds") is None else float(m["unlearning_seconds"]),
            "curve": [(int(p["round"]), float(p["test_acc"]), None if p.get("backdoor_asr") is None else float(p["backdoor_asr"])) for p in m["curve"]],
            "client_epochs": int(m["client_epochs"]),
            "sample_grads": int(m["sample_grads"]),
            "history_bytes": None if m.get("history_bytes") is None else int(m["history_bytes"]),
        })
    return json.loads(_engine.federated_report(text, source, rows, float(wall_seconds), str(host)))
