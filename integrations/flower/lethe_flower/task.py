"""What both apps share: the experiment, a client's rows, and weights as Flower's records."""

import json

import numpy as np
from flwr.app import Array, ArrayRecord

import lethe_unlearn


def experiment(run_config):
    """The experiment named by the run's `experiment-file`, which must have a `federated` section."""
    path = run_config.get("experiment-file", "")
    if not path:
        raise ValueError("run config experiment-file: the path of an experiment with a federated section")
    with open(path, encoding="utf-8") as f:
        parsed = json.load(f)
    if "federated" not in parsed:
        raise ValueError(f"experiment-file {path}: the experiment has no federated section")
    return parsed


def client_rows(parsed, partition):
    """Client `partition`'s rows of the prepared training split and their labels: the simulation's partition, the
    target client's rows backdoored when the experiment says so."""
    data = lethe_unlearn.federation(parsed)
    parts = data["parts"]
    if not 0 <= partition < len(parts):
        raise ValueError(f"node config partition-id is {partition}, but the federation has {len(parts)} clients")
    X, y = data["train"]
    return X[parts[partition]], y[parts[partition]]


def to_record(weights):
    """A dict of arrays as an ArrayRecord, names kept."""
    return ArrayRecord({name: Array(np.ascontiguousarray(value)) for name, value in weights.items()})


def from_record(record):
    """An ArrayRecord as a dict of numpy arrays."""
    return {name: array.numpy() for name, array in record.items()}
