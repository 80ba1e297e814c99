"""Lethe's engine from Python: machine unlearning measured against the retrain-from-scratch oracle.

- ``run(experiment, X=None, y=None)``: an experiment (a dict, a JSON string or a path) → the report ``lethe run``
  prints, as a dict: the same engine, validation and messages (a ``ValueError`` naming the field and the value).
- ``unlearn(model, X, y, forget, methods=...)``: a scikit-learn, PyTorch or Keras model → every method against
  retraining from scratch, each row's model given back in the form it came in.
- ``fit_local``, ``client_splits``, ``client_rng_state``, ``federation``, ``schedule``, ``calibrate``,
  ``federated_report``: a federation outside the simulation (the Flower integration) as the simulation runs and
  measures it.

docs/python.md documents the API. Not to be confused with ``lethe-ml`` on the Python package index, another
unlearning library.
"""

from . import _engine
from ._federated import (
    calibrate,
    client_rng_state,
    client_splits,
    federated_report,
    federation,
    fit_local,
    initial_weights,
    predict_proba,
    prepared,
    schedule,
    weighted_mean,
)
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
    "federation",
    "schedule",
    "calibrate",
    "federated_report",
]
__version__ = _engine.__version__
