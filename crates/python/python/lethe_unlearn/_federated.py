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
