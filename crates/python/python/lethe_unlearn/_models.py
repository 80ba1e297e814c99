"""The models ``unlearn`` takes, as the engine reads them, and each row's model given back in the same form.

A fitted scikit-learn ``MLPClassifier`` or ``LogisticRegression``, a PyTorch state_dict file (.safetensors, .pt,
.pth), a dict of numpy arrays (PyTorch's layout, or Keras's with keys ``"0"``, ``"1"``, …) or a Keras
``get_weights()`` list. An adapter knows the weights in the engine's terms (a layout and named tensors), the model
section the file cannot say (the activation), a training recipe when the estimator has one, the class order, and how
to rebuild the original form from a row's weights.
"""

import copy
import os
import warnings

import numpy as np

from . import _safetensors

ACCEPTED = (
    "a fitted scikit-learn MLPClassifier or LogisticRegression, a PyTorch state_dict file (.safetensors, .pt, "
    ".pth), a dict of numpy arrays, or a Keras get_weights() list"
)

# scikit-learn's MLP activations → Lethe's.
_ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid"}


class Adapter:
    """One model in the engine's terms, and the way back."""

    def __init__(self, *, layout, tensors=None, path=None, model=None, train=None, classes=None, rebuild):
        self.layout = layout  # "pytorch" or "keras"
        self.tensors = tensors  # names → arrays, or None when the engine reads `path`
        self.path = path  # a .pt/.pth file the engine reads itself
        self.model = model or {}  # the experiment's model section, without `import`
        self.train = train  # the estimator's own recipe for n training rows (a function of n), when it has one
        self.classes = classes  # model.import.classes: the label each output scores
        self._rebuild = rebuild

    @property
    def file_name(self):
        """The name the experiment gives the weights file."""
        if self.path is not None:
            return "model" + os.path.splitext(self.path)[1].lower()
        return "model.safetensors"

    def file_bytes(self):
        """The weights file's bytes (the engine's input, and what ``save`` writes)."""
        if self.path is not None:
            with open(self.path, "rb") as f:
                return f.read()
        return _safetensors.dumps(self.tensors)

    def rebuild(self, method, tensors, metadata):
        """A row's model in the original form."""
        return self._rebuild(method, tensors, metadata)


def _is(model, name, module):
    return any(c.__name__ == name and c.__module__.startswith(module) for c in type(model).__mro__)


def _floats(name, value):
    """``value`` (a numpy array, a torch tensor, a list) as a float array, named ``model[name]`` in messages."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"model[{name!r}] holds {array.dtype}, not numbers")
    return array


def _only_networks(method, metadata, what):
    """Refuses SISA's ensemble and the certified linear model, which no single network of ``what`` holds."""
    if "aggregation" in metadata or "features" in metadata:
        raise ValueError(
            f"model({method!r}): {method}'s model is not one {what} ({metadata.get('aggregation') or metadata.get('features')}); "
            f"weights({method!r}) gives its tensors"
        )


def sklearn_mlp(estimator):
    """An ``MLPClassifier``: its layers in the PyTorch layout of ``nn.Sequential`` (``0.weight``, ``2.weight`` …),
    its activation, its recipe (solver, learning rate, batch size, the epochs it ran, alpha) and its classes."""
    if not hasattr(estimator, "coefs_"):
        raise ValueError("model: the MLPClassifier is not fitted (call fit first)")
    activation = _ACTIVATIONS.get(estimator.activation)
    if activation is None:
        raise ValueError(
            f"model.activation: MLPClassifier(activation={estimator.activation!r}) has no counterpart in Lethe "
            f"(relu, tanh or logistic)"
        )
    classes = list(estimator.classes_)
    if getattr(estimator, "_label_binarizer", None) is not None and estimator._label_binarizer.y_type_ == "multilabel-indicator":
        raise ValueError("model: a multi-label MLPClassifier; Lethe takes single-label classifiers")
    tensors = {}
    for i, (w, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_)):
        tensors[f"{2 * i}.weight"] = np.ascontiguousarray(np.asarray(w).T)
        tensors[f"{2 * i}.bias"] = np.asarray(b)
    n_iter = int(getattr(estimator, "n_iter_", 0) or estimator.max_iter)

    def train(n):
        batch = min(200 if estimator.batch_size == "auto" else int(estimator.batch_size), n)
        recipe = {
            "optimizer": "sgd" if estimator.solver == "sgd" else "adam",
            "learning_rate": float(estimator.learning_rate_init),
            "epochs": max(1, n_iter),
            "batch_size": batch,
            # scikit-learn adds alpha/2 ‖W‖² to each batch's mean loss: weight decay alpha / batch per step.
            "l2": float(estimator.alpha) / batch,
        }
        if estimator.solver == "sgd":
            recipe["momentum"] = float(estimator.momentum)
        return recipe
    if estimator.solver == "lbfgs":
        warnings.warn(
            "MLPClassifier(solver='lbfgs'): Lethe retrains with Adam at the estimator's learning_rate_init "
            "(it has no L-BFGS); train= sets another recipe",
            stacklevel=3,
        )
    dtype = estimator.coefs_[0].dtype
    n_layers = len(estimator.coefs_)

    def rebuild(method, out, metadata):
        _only_networks(method, metadata, "MLPClassifier")
        copy_ = copy.deepcopy(estimator)
        copy_.coefs_ = [np.ascontiguousarray(out[f"{2 * i}.weight"].T, dtype=dtype) for i in range(n_layers)]
        copy_.intercepts_ = [out[f"{2 * i}.bias"].astype(dtype) for i in range(n_layers)]
        return copy_

    return Adapter(
        layout="pytorch",
        tensors=tensors,
        model={"kind": "mlp", "activation": activation},
        train=train,
        classes=[str(c) for c in classes],
        rebuild=rebuild,
    )


def sklearn_logistic(estimator):
    """A ``LogisticRegression``: one linear layer (``weight``, ``bias``), multinomial or binary, and its recipe's
    L2 strength (1 / (C n) per example)."""
    if not hasattr(estimator, "coef_"):
        raise ValueError("model: the LogisticRegression is not fitted (call fit first)")
    penalty = getattr(estimator, "penalty", "l2")
    l1_ratio = getattr(estimator, "l1_ratio", None)
    if penalty not in ("l2", None, "none", "deprecated") or (l1_ratio not in (None, 0, 0.0)):
        raise ValueError(
            f"model: LogisticRegression(penalty={penalty!r}, l1_ratio={l1_ratio!r}): Lethe's logistic regression "
            "has an L2 penalty only"
        )
    coef = np.asarray(estimator.coef_)
    classes = list(estimator.classes_)
    if coef.shape[0] > 1 and getattr(estimator, "multi_class", "auto") == "ovr":
        raise ValueError(
            "model: LogisticRegression(multi_class='ovr') scores each class on its own; Lethe's is multinomial"
        )
    intercept = np.asarray(estimator.intercept_, dtype=coef.dtype) * np.ones(coef.shape[0], dtype=coef.dtype)
    C = float(getattr(estimator, "C", 1.0))

    def train(n):
        # scikit-learn minimises C Σ loss + ½‖w‖²: per example, the mean loss plus ‖w‖² / (2 C n).
        return {"optimizer": "adam", "learning_rate": 0.01, "batch_size": min(64, n), "epochs": 100, "l2": 1.0 / (C * n)}
    dtype = coef.dtype

    def rebuild(method, out, metadata):
        _only_networks(method, metadata, "LogisticRegression")
        copy_ = copy.deepcopy(estimator)
        copy_.coef_ = np.ascontiguousarray(out["weight"], dtype=dtype)
        copy_.intercept_ = out["bias"].astype(dtype)
        return copy_

    return Adapter(
        layout="pytorch",
        tensors={"weight": coef, "bias": intercept},
        model={"kind": "logistic"},
        train=train,
        classes=[str(c) for c in classes],
        rebuild=rebuild,
    )


def from_dict(weights, layout):
    """A dict of arrays: PyTorch's layout, or Keras's when its keys are ``"0"``, ``"1"``, … (or ``layout`` says)."""
    if not weights:
        raise ValueError("model: the dict holds no arrays")
    names = [str(k) for k in weights]
    if layout is None:
        layout = "keras" if all(n.isdigit() for n in names) else "pytorch"
    tensors = {str(k): _floats(str(k), v) for k, v in weights.items()}

    def rebuild(method, out, metadata):
        _only_networks(method, metadata, "network")
        return {name: out[name] for name in names}

    return Adapter(layout=layout, tensors=tensors, rebuild=rebuild)


def from_list(weights, layout):
    """A Keras ``get_weights()`` list: kernels and biases in pairs, named ``"0"``, ``"1"``, … in the file."""
    if layout not in (None, "keras"):
        raise ValueError(f"layout: a list of arrays is Keras's get_weights() order, got layout {layout!r}")
    if len(weights) == 0:
        raise ValueError("model: the list holds no arrays")
    tensors = {str(i): _floats(str(i), w) for i, w in enumerate(weights)}

    def rebuild(method, out, metadata):
        _only_networks(method, metadata, "network")
        return [out[str(i)] for i in range(len(weights))]

    return Adapter(layout="keras", tensors=tensors, rebuild=rebuild)


def from_file(path, layout):
    """A weights file: a .safetensors read here, a .pt/.pth read by the engine (PyTorch's zip and pickle)."""
    lower = path.lower()
    if not os.path.isfile(path):
        raise ValueError(f"model: no file {path}")
    if lower.endswith((".pt", ".pth")):
        if layout not in (None, "pytorch"):
            raise ValueError(f"layout: a .pt file is PyTorch's, got layout {layout!r}")

        def rebuild(method, out, metadata):
            _only_networks(method, metadata, "network")
            return out

        return Adapter(layout="pytorch", path=path, rebuild=rebuild)
    if not lower.endswith(".safetensors"):
        raise ValueError(f"model: {path} is not a .safetensors, .pt or .pth file")
    with open(path, "rb") as f:
        data = f.read()
    try:
        tensors, _ = _safetensors.loads(data)
    except Exception as e:  # noqa: BLE001 - any parse failure is the file's
        raise ValueError(f"model: {path} is not a readable safetensors file ({e})") from None
    adapter = from_dict(tensors, layout)
    return adapter


def adapt(model, layout=None):
    """The adapter of ``model``; ``layout`` ("pytorch" or "keras") for dicts and files."""
    if layout not in (None, "pytorch", "keras"):
        raise ValueError(f'layout must be "pytorch" or "keras", got {layout!r}')
    if _is(model, "MLPClassifier", "sklearn"):
        return sklearn_mlp(model)
    if _is(model, "LogisticRegression", "sklearn"):
        return sklearn_logistic(model)
    if isinstance(model, (str, os.PathLike)):
        return from_file(os.fspath(model), layout)
    if isinstance(model, dict):
        return from_dict(model, layout)
    if isinstance(model, (list, tuple)):
        return from_list(model, layout)
    raise ValueError(f"model must be {ACCEPTED}; got {type(model).__module__}.{type(model).__name__}")
