"""lethe_unlearn.unlearn: a scikit-learn, PyTorch-layout or Keras-layout model, its rows and the rows to forget →
every method against retraining, each row's model given back in the form it came in, the experiment saved for the
CLI, and every refusal a ValueError naming the field."""

import os
import sys
import warnings

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import lethe_unlearn
from common import cli, timeless


@pytest.fixture(scope="module")
def digits():
    """scikit-learn's MLPClassifier (48, 24) on the digits' raw pixels, a stratified quarter held out."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mlp = MLPClassifier(hidden_layer_sizes=(48, 24), random_state=0, max_iter=300).fit(X_train, y_train)
    return mlp, X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def digit_3(digits):
    """Digit 3 forgotten from the MLP with SCRUB and NegGrad+ at their defaults."""
    mlp, X_train, y_train, X_test, y_test = digits
    return lethe_unlearn.unlearn(
        mlp, X_train, y_train, y_train == 3, methods=["scrub", "neggrad_plus"], X_test=X_test, y_test=y_test, progress=False
    )


# Source: the retrain oracle of the same run. Retraining without digit 3 cannot predict it; a method that forgot it
# predicts it as rarely (≤ 0.10 of the test 3s) and keeps the other digits within 5 points of retraining (measured at
# the defaults: SCRUB 0.010 and NegGrad+ 0.047 below, on this split).
def test_scrub_and_neggrad_plus_forget_digit_3_and_keep_the_others(digits, digit_3):
    _, _, _, X_test, y_test = digits
    three = y_test == 3
    retrain = digit_3.model("retrain")
    assert retrain.score(X_test[three], y_test[three]) == 0.0
    kept = retrain.score(X_test[~three], y_test[~three])
    for method in ("scrub", "neggrad_plus"):
        model = digit_3.model(method)
        assert type(model) is MLPClassifier
        assert model.score(X_test[three], y_test[three]) <= 0.10, method
        assert abs(model.score(X_test[~three], y_test[~three]) - kept) <= 0.05, method


# Source: the estimator itself. The train row is the imported model as Lethe holds it (float32 weights), so its
# probabilities are scikit-learn's within float32 rounding, and the returned estimators behave as scikit-learn's.
def test_the_train_row_is_the_estimator_and_every_row_an_estimator(digits, digit_3):
    mlp, X_train, y_train, X_test, y_test = digits
    train = digit_3.model("train")
    assert train is not mlp and type(train) is MLPClassifier
    np.testing.assert_allclose(train.predict_proba(X_test), mlp.predict_proba(X_test), rtol=0, atol=1e-5)
    assert (train.predict(X_test) == mlp.predict(X_test)).mean() >= 0.99
    scrubbed = digit_3.model("scrub")
    assert set(scrubbed.predict(X_test)) <= set(mlp.classes_)
    assert 0.0 <= scrubbed.score(X_test, y_test) <= 1.0
    assert digit_3.methods == ["train", "retrain", "scrub", "neggrad_plus"]
    # The report's own numbers agree with the estimators' (the test split is X_test, the forget rows are y == 3).
    rows = {run["method"]: run for run in digit_3.report["runs"]}
    assert rows["scrub"]["test_acc"] == pytest.approx(scrubbed.score(X_test, y_test), abs=1e-9)
    assert digit_3.report["experiment"]["unlearn"]["forget"] == {"kind": "rows", "rows": np.flatnonzero(y_train == 3).tolist()}
    assert digit_3.report["dataset"]["n_test"] == len(X_test)


def test_the_table_is_a_data_frame_or_a_list_of_dicts(digit_3, monkeypatch):
    table = digit_3.table()
    assert list(table.index) == ["train", "retrain", "scrub", "neggrad_plus"]
    assert table.loc["retrain", "forget_acc"] == 0.0
    assert {"test_acc", "retain_acc", "forget_acc", "mia_auc", "sample_grads", "family"} <= set(table.columns)
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    rows = digit_3.table()
    assert [r["method"] for r in rows] == ["train", "retrain", "scrub", "neggrad_plus"]
    assert rows[1]["forget_acc"] == 0.0
    assert "scrub" in repr(digit_3)


# Source: the CLI on the same files. `save` writes the experiment, its CSV (with the split column) and the weights;
# `lethe run` on them gives the report unlearn() gave, number for number (wall times and the host aside).
def test_logistic_regression_certified_removal_equals_the_clis(tmp_path):
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    lr = LogisticRegression(C=1.0).fit(X_train, y_train)
    forget = np.random.default_rng(3).choice(len(X_train), size=20, replace=False)
    result = lethe_unlearn.unlearn(
        lr, X_train, y_train, forget, methods=["certified"], X_test=X_test, y_test=y_test, random_state=5, progress=False
    )
    assert result.methods == ["train", "retrain", "certified"]
    assert result.report["seed"] == 5
    np.testing.assert_allclose(result.model("train").predict_proba(X_test), lr.predict_proba(X_test), atol=1e-5)
    path = result.save(tmp_path / "saved")
    assert sorted(os.listdir(tmp_path / "saved")) == ["data.csv", "experiment.json", "model.safetensors"]
    assert timeless(result.report) == timeless(cli(str(path)))
    with pytest.raises(ValueError, match=r"model\('certified'\): certified's model is not one LogisticRegression"):
        result.model("certified")
    weights, metadata = result.weights("certified")
    assert weights["weight"].dtype == np.float64 and "features" in metadata


# Source: the file's own tensors. A state_dict file and a Keras get_weights() list come back in their form: the train
# row equals the input (float32), the others have the same names and shapes.
def test_a_state_dict_file_and_a_keras_list_come_back_in_their_layout(digits, tmp_path):
    mlp, X_train, y_train, X_test, y_test = digits
    state = {f"{2 * i}.weight": w.T.astype(np.float32).copy() for i, w in enumerate(mlp.coefs_)}
    state |= {f"{2 * i}.bias": b.astype(np.float32) for i, b in enumerate(mlp.intercepts_)}
    path = tmp_path / "mlp.safetensors"
    save_file(state, str(path))
    common = dict(methods=["finetune"], X_test=X_test, y_test=y_test, progress=False, train={"epochs": 3})
    from_file = lethe_unlearn.unlearn(str(path), X_train, y_train, y_train == 3, **common)
    train = from_file.model("train")
    assert sorted(train) == sorted(state)
    for name in state:
        np.testing.assert_array_equal(train[name], state[name])
    tuned = from_file.model("finetune")
    assert {k: v.shape for k, v in tuned.items()} == {k: v.shape for k, v in state.items()}
    assert any(not np.array_equal(tuned[k], state[k]) for k in state)
    keras = [w.astype(np.float32) for pair in zip(mlp.coefs_, mlp.intercepts_) for w in pair]
    from_list = lethe_unlearn.unlearn(keras, X_train, y_train, y_train == 3, **common)
    back = from_list.model("train")
    assert isinstance(back, list) and len(back) == len(keras)
    for a, b in zip(back, keras):
        np.testing.assert_array_equal(a, b)
    # The same weights in either layout are the same model: the same report.
    assert timeless(from_list.report)["runs"] == timeless(from_file.report)["runs"]
    saved = from_file.save(tmp_path / "file")
    assert load_file(os.path.join(os.path.dirname(saved), "model.safetensors")).keys() == state.keys()


def test_without_x_test_a_share_of_x_is_held_out_with_a_warning(digits):
    mlp, X_train, y_train, _, _ = digits
    forget = np.flatnonzero(y_train == 3)[:20]
    with pytest.warns(UserWarning, match="no X_test"):
        result = lethe_unlearn.unlearn(mlp, X_train, y_train, forget, methods=["finetune"], progress=False, test_fraction=0.2)
    n_test = result.report["dataset"]["n_test"]
    assert abs(n_test - 0.2 * (len(X_train) - 20)) <= 10, n_test
    assert result.report["dataset"]["n_train"] == len(X_train) - n_test


def test_progress_goes_to_a_callback_or_to_tqdm(digits, capsys):
    mlp, X_train, y_train, X_test, y_test = digits
    events = []
    args = (mlp, X_train, y_train, [0, 1, 2])
    lethe_unlearn.unlearn(*args, methods=["finetune"], X_test=X_test, y_test=y_test, progress=events.append)
    stages = {e["stage"] for e in events if "stage" in e}
    assert "finetune" in " ".join(stages) and all(e["done"] <= e["total"] for e in events if "stage" in e)
    lethe_unlearn.unlearn(*args, methods=["finetune"], X_test=X_test, y_test=y_test, progress=True)
    assert "step" in capsys.readouterr().err  # tqdm's bars, on stderr


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(model=SVC()), r"model must be a fitted scikit-learn MLPClassifier or LogisticRegression.*got sklearn.svm._classes.SVC"),
        (dict(model=MLPClassifier()), r"model: the MLPClassifier is not fitted"),
        (dict(model="weights.h5"), r"model: no file weights.h5"),
        (dict(X="not rows"), r"X must be 2-D"),
        (dict(y=[1, 2, 3]), r"y has 3 labels, but X has 1347 rows"),
        (dict(forget=np.zeros(10, dtype=bool)), r"forget: a boolean mask needs one entry per row of X \(1347\), got 10"),
        (dict(forget=[5, 1347]), r"forget\[1\] is 1347, but X has 1347 rows \(0 to 1346\)"),
        (dict(forget=[0.5]), r"forget must hold row indices \(integers\) or booleans"),
        (dict(forget=[]), r"forget: no rows to forget"),
        (dict(methods=["scrub", "forget_harder"]), r'unlearn.methods\[1\] must be one of .*"forget_harder"'),
        (dict(methods=["scrub", "scrub"]), r"methods\[1\]: scrub is listed twice"),
        (dict(X_test=np.zeros((5, 3)), y_test=np.zeros(5)), r"X_test has 3 columns, but X has 64"),
        (dict(X_test=np.zeros((5, 64)), y_test=None), r"X_test and y_test: give both, or neither"),
        (dict(epochs=3), r"epochs: not a setting of unlearn"),
        (dict(salun={"epochs": 2}), r"salun: settings for a method that is not in methods"),
        (dict(scrub={"epochs": -1}), r"unlearn.methods\[0\].epochs"),
        (dict(train={"learning_rate": -1}), r"train.learning_rate"),
        (dict(random_state="seven"), r"random_state must be an int, None or a numpy random generator"),
        (dict(layout="onnx"), r'layout must be "pytorch" or "keras"'),
    ],
)
def test_every_refusal_names_the_field(digits, change, message):
    mlp, X_train, y_train, X_test, y_test = digits
    args = dict(model=mlp, X=X_train, y=y_train, forget=[0, 1, 2], methods=["scrub"], X_test=X_test, y_test=y_test)
    args.update(change)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=message):
            lethe_unlearn.unlearn(progress=False, **args)
