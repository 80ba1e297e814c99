"""``unlearn``: a model trained elsewhere, its training rows and the rows to forget → every method against the
retrain-from-scratch oracle, with each row's model given back in the form it came in.

It writes the experiment a user would write for the CLI (a CSV source whose ``split`` column marks the test rows,
``model.import`` for the weights, ``unlearn.forget`` of kind ``rows``) and runs it; ``Unlearned.save`` writes that
experiment, its CSV and its weights file, and ``lethe run`` on them gives the same report.
"""

import json
import os
import warnings

import numpy as np

from . import _engine, _safetensors
from ._models import adapt
from ._progress import reporter
from ._run import arrays

DEFAULT_METHODS = ("finetune", "neggrad_plus", "scrub")
# The recipe for a model that brings none (a state_dict, a dict, a Keras list): Lethe's, unless train= says.
DEFAULT_TRAIN = {"optimizer": "adam", "learning_rate": 0.001, "batch_size": 64, "epochs": 50}
SETTINGS = ("layout", "model", "train", "classes", "scaling", "test_fraction", "retrain_seeds", "privacy_score")
# Report keys that differ from run to run (wall times and the host).
TIMINGS = ("seconds", "prepare_seconds", "wall_seconds", "speedup_vs_retrain", "unlearning_seconds")
_DATA_FILE = "data.csv"


def _forget_rows(forget, n):
    """``forget`` (row indices or a boolean mask over X's rows) as sorted, unique row indices."""
    rows = np.asarray(forget)
    if rows.ndim != 1:
        raise ValueError(f"forget must be 1-D (row indices or a boolean mask), got shape {rows.shape}")
    if rows.dtype == bool:
        if len(rows) != n:
            raise ValueError(f"forget: a boolean mask needs one entry per row of X ({n}), got {len(rows)}")
        rows = np.flatnonzero(rows)
    elif rows.size and rows.dtype.kind not in "iu":
        raise ValueError(f"forget must hold row indices (integers) or booleans, got dtype {rows.dtype}")
    if rows.size == 0:
        raise ValueError("forget: no rows to forget")
    bad = np.flatnonzero((rows < 0) | (rows >= n))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"forget[{i}] is {int(rows[i])}, but X has {n} rows (0 to {n - 1})")
    return sorted(set(int(r) for r in rows))


def _seed(random_state):
    """``random_state`` as scikit-learn reads it: an int, None (fresh entropy, recorded in the report), or a
    ``numpy.random.RandomState``/``Generator`` drawn from."""
    if random_state is None:
        return int(np.random.SeedSequence().entropy % (2**53))
    if isinstance(random_state, (bool, np.bool_)):
        raise ValueError(f"random_state must be an int, None or a numpy random generator, got {random_state!r}")
    if isinstance(random_state, (int, np.integer)):
        if random_state < 0:
            raise ValueError(f"random_state must be ≥ 0, got {random_state}")
        return int(random_state)
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(0, 2**53))
    raise ValueError(f"random_state must be an int, None or a numpy random generator, got {type(random_state).__name__}")


def _held_out(labels, forget, fraction, seed):
    """Without X_test: a seeded, stratified ``fraction`` of the rows outside the forget set, per label."""
    if not (isinstance(fraction, (int, float)) and 0 < fraction < 1):
        raise ValueError(f"test_fraction must be > 0 and < 1, got {fraction!r}")
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(labels), dtype=bool)
    forgotten = np.zeros(len(labels), dtype=bool)
    forgotten[forget] = True
    labels = np.asarray(labels)
    for label in np.unique(labels):
        members = np.flatnonzero((labels == label) & ~forgotten)
        if len(members) < 2:
            continue
        n_test = min(max(1, round(len(members) * fraction)), len(members) - 1)
        is_test[rng.choice(members, size=n_test, replace=False)] = True
    return is_test


def _methods(methods, settings):
    """The ``unlearn.methods`` list: names, with a method's settings from the keyword of its name."""
    if isinstance(methods, str):
        methods = [methods]
    seen = set()
    for i, m in enumerate(methods):
        name = m.get("method") if isinstance(m, dict) else m
        if isinstance(name, str) and name in seen:
            raise ValueError(f"methods[{i}]: {name} is listed twice; the report has one row per method")
        seen.add(name)
    out = []
    for m in methods:
        if isinstance(m, str) and isinstance(settings.get(m), dict):
            out.append({"method": m, **settings.pop(m)})
        else:
            out.append(m)
    return out


class Unlearned:
    """What ``unlearn`` gives: the report, its table, and every row's model."""

    def __init__(self, report, files, adapter, data):
        self.report = report
        self._files = files
        self._adapter = adapter
        self._data = data  # (X's bytes, columns, labels, split): the CSV save writes

    @property
    def methods(self):
        """The report's rows: ``train``, ``retrain``, then each method."""
        return [run["method"] for run in self.report["runs"]]

    def table(self):
        """One row per model with the report's numbers (its scalar keys): a pandas DataFrame indexed by
        ``method`` when pandas is installed, a list of dicts otherwise."""
        rows = [
            {k: v for k, v in run.items() if not isinstance(v, (list, dict))} for run in self.report["runs"]
        ]
        try:
            import pandas
        except ImportError:
            return rows
        return pandas.DataFrame(rows).set_index("method")

    def weights(self, method):
        """A row's model as the tensors of its safetensors file (names → arrays) and the file's metadata: SISA's
        constituents ``shard{i}.…``, the certified model's ``weight``, any network in the imported layout."""
        if method not in self._files:
            raise ValueError(f"method: the report has no row {method!r}; its rows are {', '.join(self.methods)}")
        return _safetensors.loads(self._files[method])

    def model(self, method):
        """A row's model (``"train"``: the imported model as Lethe sees it) in the form it came in: an estimator
        of the same scikit-learn class with those weights, or arrays in the imported layout (a dict with the same
        names, or a Keras ``get_weights()`` list)."""
        tensors, metadata = self.weights(method)
        return self._adapter.rebuild(method, tensors, metadata)

    def save(self, folder):
        """Writes ``experiment.json``, its CSV and its weights file into ``folder`` (made if missing) and returns the
        experiment's path: ``lethe run`` on it gives this report (wall times and the host aside)."""
        os.makedirs(folder, exist_ok=True)
        experiment = self.report["experiment"]
        with open(os.path.join(folder, _DATA_FILE), "w", encoding="utf-8", newline="") as f:
            f.write(_engine.arrays_csv(*self._data))
        with open(os.path.join(folder, experiment["model"]["import"]["file"]), "wb") as f:
            f.write(self._adapter.file_bytes())
        path = os.path.join(folder, "experiment.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(experiment, f, indent=2)
            f.write("\n")
        return path

    def __repr__(self):
        keys = ("test_acc", "retain_acc", "forget_acc", "mia_auc", "sample_grads")
        lines = [f"{'method':<16}" + "".join(f"{k:>14}" for k in keys)]
        for run in self.report["runs"]:
            cells = "".join(
                f"{'—':>14}" if run.get(k) is None else f"{run[k]:>14.4g}" for k in keys
            )
            lines.append(f"{run['method']:<16}{cells}")
        return "\n".join(lines)


def unlearn(
    model,
    X,
    y,
    forget,
    methods=DEFAULT_METHODS,
    X_test=None,
    y_test=None,
    random_state=0,
    progress=None,
    **settings,
):
    """Forgets the rows ``forget`` of (``X``, ``y``) from ``model`` with each of ``methods``, against retraining
    from scratch without them, and returns an :class:`Unlearned`.

    ``model``: a fitted scikit-learn ``MLPClassifier`` or ``LogisticRegression``, a PyTorch state_dict file
    (.safetensors, .pt, .pth), a dict of numpy arrays (PyTorch's layout; Keras's when its keys are "0", "1", …) or a
    Keras ``get_weights()`` list. ``X``, ``y``: the rows the model was trained on, as it saw them (Lethe does not
    scale them). ``forget``: row indices of X or a boolean mask. ``X_test``, ``y_test``: held-out rows to measure
    on; without them a seeded ``test_fraction`` (0.25) of the rows outside the forget set is held out (the model has
    seen those, so its test accuracy reads high: a warning says so). ``random_state``: the experiment's seed.

    ``settings``: ``train`` (the retraining recipe: optimizer, learning_rate, batch_size, epochs, l2, momentum; an
    estimator's own by default), ``model`` (what a file cannot say: activation, convs), ``layout``, ``classes``,
    ``scaling``, ``test_fraction``, ``retrain_seeds``, ``privacy_score``, and a method's settings under its name
    (``scrub={"epochs": 5}``). Every check is the engine's: a ``ValueError`` names the field and the value.
    """
    unknown = [k for k in settings if k not in SETTINGS and not isinstance(settings[k], dict)]
    if unknown:
        raise ValueError(
            f"{unknown[0]}: not a setting of unlearn ({', '.join(SETTINGS)}, or a method's name with a dict of its "
            f"settings)"
        )
    settings = dict(settings)
    adapter = adapt(model, settings.pop("layout", None))
    x, labels = arrays(X, y)
    n = len(x)
    rows = _forget_rows(forget, n)
    seed = _seed(random_state)
    if (X_test is None) != (y_test is None):
        raise ValueError("X_test and y_test: give both, or neither")
    test_fraction = settings.pop("test_fraction", None)
    if X_test is not None:
        if test_fraction is not None:
            raise ValueError("test_fraction: X_test and y_test are the test split; give one or the other")
        try:
            xt, test_labels = arrays(X_test, y_test)
        except ValueError as e:
            raise ValueError(str(e).replace("X ", "X_test ").replace("y ", "y_test ")) from None
        if xt.shape[1] != x.shape[1]:
            raise ValueError(f"X_test has {xt.shape[1]} columns, but X has {x.shape[1]}")
        x = np.concatenate([x, xt])
        labels = labels + test_labels
        split = [False] * n + [True] * len(xt)
    else:
        split = _held_out(labels, rows, 0.25 if test_fraction is None else test_fraction, seed).tolist()
        warnings.warn(
            "unlearn: no X_test, so a share of X (outside the forget set) is the test split; the model was trained "
            "on those rows, so its test accuracy reads high. Give X_test, y_test for held-out rows.",
            stacklevel=2,
        )
    n_train = split.count(False)
    method_list = _methods(methods, settings)
    stray = [k for k in settings if k not in SETTINGS]
    if stray:
        raise ValueError(f"{stray[0]}: settings for a method that is not in methods ({', '.join(map(str, method_list))})")
    train = dict(adapter.train(n_train) if adapter.train else {**DEFAULT_TRAIN, "batch_size": min(64, n_train)})
    train.update(settings.pop("train", None) or {})
    model_section = {**adapter.model, **(settings.pop("model", None) or {})}
    model_section.setdefault("kind", "mlp")
    import_section = {"file": adapter.file_name, "layout": adapter.layout}
    classes = settings.pop("classes", None) or adapter.classes
    if classes is not None:
        import_section["classes"] = [str(c) for c in classes]
    model_section["import"] = import_section
    data = {
        "source": "csv",
        "csv": {"file": _DATA_FILE, "label_column": "label", "split_column": "split"},
        "plot_features": [0, min(1, x.shape[1] - 1)],
    }
    if "scaling" in settings:
        data["scaling"] = settings.pop("scaling")
    section = {"forget": {"kind": "rows", "rows": rows}, "methods": method_list}
    for key in ("retrain_seeds", "privacy_score"):
        if key in settings:
            section[key] = settings.pop(key)
    experiment = {"version": 1, "seed": seed, "data": data, "model": model_section, "train": train, "unlearn": section}
    callback, close = reporter(progress)
    try:
        report, files = _engine.run(
            json.dumps(experiment),
            {"x": x.tobytes(), "n_features": x.shape[1], "y": labels, "split": split},
            weights_path=adapter.path,
            weights_bytes=None if adapter.path is not None else adapter.file_bytes(),
            models=["*"],
            progress=callback,
        )
    finally:
        close()
    return Unlearned(json.loads(report), dict(files), adapter, (x.tobytes(), x.shape[1], labels, split))
