"""Writes examples/models/digits-mlp.safetensors, the model of examples/digits-unlearn-your-model.json: scikit-learn's
MLPClassifier(hidden_layer_sizes=(48, 24), random_state=0) trained on the training split Lethe makes of the digits
for that experiment (the same seed and test fraction, raw pixel values 0 to 16, as an imported model reads them), and
saved in PyTorch's layout by the safetensors package: the state_dict of

    nn.Sequential(nn.Linear(64, 48), nn.ReLU(), nn.Linear(48, 24), nn.ReLU(), nn.Linear(24, 10))

Usage (the Python make test prepares has both packages): LETHE=path/to/lethe $LETHE_PYTHON scripts/example-model.py
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from safetensors.numpy import save_file
from sklearn.neural_network import MLPClassifier

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(ROOT, "examples", "digits-unlearn-your-model.json")


def main() -> None:
    with open(EXAMPLE) as f:
        experiment = json.load(f)
    # The same data, without the model to import or the unlearning: `lethe export` prints its splits.
    experiment["data"]["scaling"] = "none"
    experiment["model"] = {"kind": "mlp"}
    experiment.pop("unlearn")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(experiment, f)
    exported = json.loads(subprocess.check_output([os.environ.get("LETHE", "lethe"), "export", f.name]))
    os.unlink(f.name)
    d = exported["n_features"]
    x = np.asarray(exported["train"]["x"], dtype=np.float64).reshape(-1, d)
    y = np.asarray(exported["train"]["y"])
    model = MLPClassifier(hidden_layer_sizes=(48, 24), random_state=0, max_iter=300).fit(x, y)
    tensors = {}
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        tensors[f"{2 * i}.weight"] = np.ascontiguousarray(w.T, dtype=np.float32)
        tensors[f"{2 * i}.bias"] = b.astype(np.float32)
    path = os.path.join(ROOT, "examples", "models", "digits-mlp.safetensors")
    save_file(tensors, path)
    test_x = np.asarray(exported["test"]["x"], dtype=np.float64).reshape(-1, d)
    accuracy = model.score(test_x, np.asarray(exported["test"]["y"]))
    print(f"{path}: test accuracy {accuracy:.4f} after {model.n_iter_} epochs", file=sys.stderr)


if __name__ == "__main__":
    main()
