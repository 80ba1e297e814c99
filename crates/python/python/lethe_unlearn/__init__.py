"""Lethe's engine from Python: machine unlearning measured against the retrain-from-scratch oracle.

- ``run(experiment, X=None, y=None)``: an experiment (a dict, a JSON string or a path) → the report ``lethe run``
  prints, as a dict: the same engine, validation and messages (a ``ValueError`` naming the field and the value).
- ``unlearn(model, X, y, forget, methods=...)``: a scikit-learn, PyTorch or Keras model → every method against
  retraining from scratch, each row's model given back in the form it came in.
- ``fit_local``, ``client_splits``, ``client_rng_state``: a federation's clients as the simulation runs them.

docs/python.md documents the API. Not to be confused with ``lethe-ml`` on the Python package index, another
unlearning library.
"""

from . import _engine
from ._federated import client_rng_state, client_splits, fit_local, initial_weights, predict_proba, prepared, weighted_mean
from ._run import run
from ._unlearn import Unlearned, unlearn

__all__ = [
    "run",
    "unlearn",
    "Unlearned",
    "fit_local",
    "client_splits",
    "client_rng_state",
    "prepared",
    "initial_weights",
    "predict_proba",
    "weighted_mean",
]
__version__ = _engine.__version__
