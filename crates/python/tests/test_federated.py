"""fit_local, client_rng_state and client_splits: a federation's clients as the simulation runs them, for a federation
outside it (Flower)."""

import numpy as np
import pytest
from sklearn.datasets import make_moons

import lethe_unlearn
from common import timeless

TRAIN = {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.0, "batch_size": 16}


def federation(clients, rounds, split):
    """A federated section: every client every round, one local epoch, FedRetrain only."""
    return {
        "clients": clients,
        "rounds": rounds,
        "local_epochs": 1,
        "participation": 1.0,
        "retain_every": 1,
        "calibration_ratio": 0.5,
        "continue_rounds": 1,
        "target_client": 0,
        "methods": ["fed_retrain"],
        "split": split,
    }


@pytest.fixture(scope="module")
def client():
    """A client's rows (moons, standardised) and a starting MLP 2 → 8 → 8 → 2 in PyTorch's layout."""
    X, y = make_moons(n_samples=120, noise=0.1, random_state=0)
    X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    rng = np.random.default_rng(0)
    shapes = {"0.weight": (8, 2), "0.bias": (8,), "2.weight": (8, 8), "2.bias": (8,), "4.weight": (2, 8), "4.bias": (2,)}
    weights = {k: rng.normal(0, 0.5, s).astype(np.float32) for k, s in shapes.items()}
    return weights, X, y


# Source: the simulation's recipe (federated/fedavg.rs): each round a fresh optimiser and the client's one generator
# carried on. With momentum-free SGD the optimiser holds nothing between epochs, so one epoch and then another, the
# generator passed along, is the same computation as two epochs: equal parameter for parameter, bit for bit.
def test_two_calls_of_one_epoch_equal_one_call_of_two(client):
    weights, X, y = client
    start = lethe_unlearn.client_rng_state(7, 2)
    once, state_a, grads_a = lethe_unlearn.fit_local(weights, X, y, train=TRAIN, epochs=2, rng_state=start)
    half, state_1, grads_1 = lethe_unlearn.fit_local(weights, X, y, train=TRAIN, epochs=1, rng_state=start)
    twice, state_b, grads_2 = lethe_unlearn.fit_local(half, X, y, train=TRAIN, epochs=1, rng_state=state_1)
    assert sorted(once) == sorted(weights)
    for name in weights:
        np.testing.assert_array_equal(once[name], twice[name], err_msg=name)
        assert not np.array_equal(once[name], weights[name])
    assert state_a == state_b and state_1 != start
    assert grads_a == grads_1 + grads_2 == 2 * len(X)
    # Another starting generator shuffles otherwise: the carried state matters.
    other, _, _ = lethe_unlearn.fit_local(half, X, y, train=TRAIN, epochs=1, rng_state=start)
    assert any(not np.array_equal(other[k], twice[k]) for k in weights)


def test_fit_local_keeps_the_form_it_was_given(client):
    weights, X, y = client
    order = ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]  # Keras: kernel [in, out], then bias
    keras = [weights[k].T.copy() if k.endswith("weight") else weights[k] for k in order]
    state = lethe_unlearn.client_rng_state(7, 0)
    as_list, _, _ = lethe_unlearn.fit_local(keras, X, y, train=TRAIN, epochs=1, rng_state=state)
    as_dict, _, _ = lethe_unlearn.fit_local(weights, X, y, train=TRAIN, epochs=1, rng_state=state)
    assert isinstance(as_list, list) and [w.shape for w in as_list] == [w.shape for w in keras]
    for w, name in zip(as_list, order):
        expected = as_dict[name].T if name.endswith("weight") else as_dict[name]
        np.testing.assert_allclose(w, expected, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(rng_state=b"short"), r"rng_state must be the 48 bytes"),
        (dict(y=np.full(120, 2)), r"y\[0\] is 2, but the model scores 2 classes \(0 to 1\)"),
        (dict(y=np.zeros(5, dtype=int)), r"y must hold one class index per row of X \(120\)"),
        (dict(X=np.full((120, 3), 1.0)), r"takes 2 inputs, but the data has 3 features"),
        (dict(train={**TRAIN, "learning_rate": 0}), r"train.learning_rate"),
        (dict(epochs=0), r"train.epochs"),
        (dict(weights={"0.weight": np.zeros((2, 2))}), r"0.bias"),
    ],
)
def test_fit_local_refusals_name_the_field(client, change, message):
    weights, X, y = client
    args = dict(weights=weights, X=X, y=y, train=TRAIN, epochs=1, rng_state=lethe_unlearn.client_rng_state(7, 0))
    args.update(change)
    with pytest.raises(ValueError, match=message):
        lethe_unlearn.fit_local(**args)


# Source: the simulation's own report of the same experiment and data: its per-client summary (rows and rows per
# class) is what client_splits' rows hold, and together they are the training split.
def test_client_splits_are_the_simulations_clients():
    X, y = make_moons(n_samples=300, noise=0.1, random_state=1)
    experiment = {
        "version": 1,
        "seed": 7,
        "data": {"source": "csv", "csv": {"file": "moons.csv"}},
        "model": {"kind": "mlp", "layers": 1, "width": 8},
        "train": {**TRAIN, "epochs": 1},
        "federated": federation(4, 1, {"kind": "dirichlet", "alpha": 0.5}),
    }
    splits = lethe_unlearn.client_splits(experiment, X, y)
    report = lethe_unlearn.run(experiment, X, y, progress=False)
    clients = report["federation"]["clients"]
    assert len(splits) == len(clients) == 4
    for rows, summary in zip(splits, clients):
        assert len(rows) == summary["size"]
        assert np.bincount(y[rows], minlength=2).tolist() == summary["class_counts"]
    every = np.concatenate(splits)
    assert len(set(every.tolist())) == len(every) == report["dataset"]["n_train"]
    with pytest.raises(ValueError, match="no federated section"):
        lethe_unlearn.client_splits({k: v for k, v in experiment.items() if k != "federated"}, X, y)


# Source: the simulation's own report. FedAvg written in Python from the package's parts (the prepared data, each
# client's rows, the initial model, each client's generator, fit_local, the mean weighted by rows in float64) gives the
# simulation's round-by-round test accuracy exactly: the parts are the simulation's.
def test_fedavg_from_the_parts_is_the_simulations():
    experiment = {
        "version": 1,
        "seed": 7,
        "data": {"source": "moons", "n_samples": 300, "noise": 0.1},
        "model": {"kind": "mlp", "layers": 2, "width": 16, "activation": "relu"},
        "train": {**TRAIN, "epochs": 1},
        "federated": federation(3, 4, {"kind": "iid"}),
    }
    data = lethe_unlearn.prepared(experiment)
    X, y = data["train"]
    rows = [np.searchsorted(data["train_rows"], s) for s in lethe_unlearn.client_splits(experiment)]
    weights = lethe_unlearn.initial_weights(experiment, data["n_features"], len(data["classes"]))
    assert sorted(weights) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]
    states = [lethe_unlearn.client_rng_state(7, k) for k in range(3)]
    X_test, y_test = data["test"]
    curve = []
    for _ in range(4):
        local = []
        for k in range(3):
            w, states[k], _ = lethe_unlearn.fit_local(weights, X[rows[k]], y[rows[k]], experiment, 1, states[k])
            local.append(w)
        weights = lethe_unlearn.weighted_mean(local, [len(r) for r in rows])
        probs = lethe_unlearn.predict_proba(weights, X_test, model=experiment["model"])
        curve.append(float((probs.argmax(1) == y_test).mean()))
    report = lethe_unlearn.run(experiment, progress=False)
    federated = next(r for r in report["runs"] if r["method"] == "federated")
    assert curve == [point["test_acc"] for point in federated["curve"]]


def fedavg_from_parts(experiment, data, start, states, exclude=None, rounds=None, offset=0):
    """FedAvg as the simulation runs it, from the package's parts: the seeded schedule, each client's rows and
    generator, fit_local, the mean weighted by rows. Returns the model, its curve and the work."""
    fed = experiment["federated"]
    X, y = data["train"]
    parts = data["parts"]
    weights, curve, epochs, grads = start, [], 0, 0
    plan = lethe_unlearn.schedule(experiment, rounds=rounds, offset=offset)
    for t, clients in enumerate(plan):
        local, sizes = [], []
        for k in [k for k in clients if k != exclude]:
            w, states[k], g = lethe_unlearn.fit_local(weights, X[parts[k]], y[parts[k]], experiment, fed["local_epochs"], states[k])
            local.append(w)
            sizes.append(len(parts[k]))
            epochs += fed["local_epochs"]
            grads += g
        if local:
            weights = lethe_unlearn.weighted_mean(local, sizes)
        probs = lethe_unlearn.predict_proba(weights, data["test"][0], model=experiment["model"])
        trig = data["triggered"]
        asr = lethe_unlearn.predict_proba(weights, trig["X"], model=experiment["model"]).argmax(1) == trig["target_class"]
        curve.append({"round": offset + t + 1, "test_acc": float((probs.argmax(1) == data["test"][1]).mean()), "backdoor_asr": float(asr.mean())})
    return weights, curve, epochs, grads


# Source: the simulation's own report of the same experiment. A federation run outside the simulation from the
# package's parts (the backdoored client rows of `federation`, the seeded schedule at participation 2/3, fit_local, the
# weighted mean) and handed to `federated_report` gives the simulation's report: every row and key equal (accuracies,
# the target client's accuracy, the backdoor's success, the shadow attack's precision and recall, angles, distances,
# work, the clients' cards), the wall-clock times aside.
def test_a_federation_outside_the_simulation_gets_the_simulations_report():
    experiment = {
        "version": 1,
        "seed": 3,
        "data": {"source": "moons", "n_samples": 300, "noise": 0.1},
        "model": {"kind": "mlp", "layers": 1, "width": 16, "activation": "relu"},
        "train": {**TRAIN, "epochs": 1},
        "federated": {
            **federation(3, 3, {"kind": "iid"}),
            "participation": 0.67,
            "methods": ["fed_retrain", "continue_without"],
            "continue_rounds": 2,
            "target_backdoor": {"fraction": 0.5, "target_class": 1},
        },
    }
    simulated = lethe_unlearn.run(experiment, progress=False)
    data = lethe_unlearn.federation(experiment)
    assert data["stamped"] == simulated["federation"]["clients"][0]["backdoored"] > 0
    initial = lethe_unlearn.initial_weights(experiment, data["n_features"], len(data["classes"]))

    def streams():
        return [lethe_unlearn.client_rng_state(3, k) for k in range(3)]

    learned, curve, epochs, grads = fedavg_from_parts(experiment, data, initial, streams())
    sim = {r["method"]: r for r in simulated["runs"]}
    models = [{"method": "federated", "weights": learned, "seconds": 1.0, "curve": curve, "client_epochs": epochs,
               "sample_grads": grads, "history_bytes": sim["federated"]["history_bytes"]}]
    retrained = fedavg_from_parts(experiment, data, initial, streams(), exclude=0)
    continued = fedavg_from_parts(experiment, data, learned, streams(), exclude=0, rounds=2, offset=3)
    for method, (w, c, e, g) in (("fed_retrain", retrained), ("continue_without", continued)):
        models.append({"method": method, "weights": w, "seconds": 0.5, "unlearning_seconds": 0.5, "curve": c,
                       "client_epochs": e, "sample_grads": g})
    report = lethe_unlearn.federated_report(experiment, models, 2.0, host="flower")
    assert report["host"] == "flower"
    assert report["experiment"] == simulated["experiment"]
    assert timeless(report) == timeless(simulated)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda m: m.pop(0), 'starts with the learned federation (method "federated")'),
        (lambda m: m.pop(1), "needs fed_retrain"),
        (lambda m: m[1].update(method="retrain"), 'method "retrain" is not a row of the federated table'),
        (lambda m: m.append(dict(m[1])), "method fed_retrain is given twice"),
        (lambda m: m[1].update(weights={"0.weight": np.zeros((3, 2), np.float32)}), "fed_retrain.safetensors"),
        (lambda m: m[1].update(seconds=float("nan")), "fed_retrain's seconds is NaN"),
    ],
)
def test_federated_report_refusals_name_the_row(change, message):
    experiment = {
        "version": 1,
        "seed": 3,
        "data": {"source": "moons", "n_samples": 120, "noise": 0.1},
        "model": {"kind": "mlp", "layers": 1, "width": 8, "activation": "relu"},
        "train": {**TRAIN, "epochs": 1},
        "federated": federation(2, 1, {"kind": "iid"}),
    }
    data = lethe_unlearn.federation(experiment)
    w = lethe_unlearn.initial_weights(experiment, data["n_features"], len(data["classes"]))
    row = {"weights": w, "seconds": 1.0, "curve": [], "client_epochs": 0, "sample_grads": 0}
    models = [{**row, "method": "federated"}, {**row, "method": "fed_retrain", "unlearning_seconds": 1.0}]
    change(models)
    with pytest.raises(ValueError) as e:
        lethe_unlearn.federated_report(experiment, models, 1.0)
    assert message in str(e.value)
