"""Models trained or written by real libraries, as the oracles of Lethe's model import and export.

Reads one JSON object on standard input, {"action": ..., ...}, and prints a JSON answer:

- "mlp": trains scikit-learn's MLPClassifier(hidden_layer_sizes=hidden) on x, y; writes its weights with the
  safetensors package in PyTorch's layout (the state_dict of nn.Sequential(Linear, ReLU, Linear, ReLU, Linear):
  "0.weight" [out, in], "0.bias", "2.weight", ...) to path; answers predict_proba on probe.
- "logistic": scikit-learn's binary LogisticRegression on x, y, written as one nn.Linear(d, 1) ("weight" [1, d],
  "bias" [1]); answers predict_proba on probe.
- "cnn": seeded random weights of a CNN (convs: [[channels, kernel, padding, pool], ...], then dense widths and
  classes) written in PyTorch's layout to path and in Keras's to keras_path; answers the logits of a numpy forward
  pass on probe (images of side x side).
- "pt": rewrites the safetensors file path as the .pt archive pt_path that torch.save(state_dict) writes (a zip of
  data.pkl, one float32 storage per tensor under data/, version and byteorder), without torch: the pickle names
  torch._utils._rebuild_tensor_v2 and torch.FloatStorage as torch's own pickles do.
- "forward": reads path with numpy (safetensors.numpy.load_file), a PyTorch-layout MLP or logistic model (linear
  layers in the order of their names), and answers its logits on probe with the activation between layers.
"""

import json
import sys

import numpy as np
import safetensors
import sklearn
from safetensors.numpy import load_file, save_file
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier


def mlp(request):
    x, y = np.asarray(request["x"], dtype=np.float64), np.asarray(request["y"])
    model = MLPClassifier(
        hidden_layer_sizes=tuple(request["hidden"]), random_state=0, max_iter=request["max_iter"]
    )
    model.fit(x, y)
    tensors = {}
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        tensors[f"{2 * i}.weight"] = np.ascontiguousarray(w.T)
        tensors[f"{2 * i}.bias"] = b
    save_file(tensors, request["path"])
    probe = np.asarray(request["probe"], dtype=np.float64)
    return {"proba": model.predict_proba(probe).tolist(), "classes": model.classes_.tolist()}


def logistic(request):
    x, y = np.asarray(request["x"], dtype=np.float64), np.asarray(request["y"])
    model = LogisticRegression(max_iter=5000)
    model.fit(x, y)
    save_file({"weight": model.coef_.copy(), "bias": model.intercept_.copy()}, request["path"])
    probe = np.asarray(request["probe"], dtype=np.float64)
    return {"proba": model.predict_proba(probe).tolist(), "classes": model.classes_.tolist()}


def relu(v):
    return np.maximum(v, 0.0)


def conv2d(image, w, b, padding):
    """image [c_in, s, s], w [c_out, c_in, k, k] (PyTorch's cross-correlation, stride 1)."""
    c_out, c_in, k, _ = w.shape
    padded = np.pad(image, ((0, 0), (padding, padding), (padding, padding)))
    side = padded.shape[1] - k + 1
    out = np.zeros((c_out, side, side))
    for o in range(c_out):
        for y in range(side):
            for x in range(side):
                out[o, y, x] = np.sum(padded[:, y : y + k, x : x + k] * w[o]) + b[o]
    return out


def max_pool(image, pool):
    c, s, _ = image.shape
    side = s // pool
    trimmed = image[:, : side * pool, : side * pool]
    return trimmed.reshape(c, side, pool, side, pool).max(axis=(2, 4))


def cnn(request):
    rng = np.random.default_rng(request["seed"])
    side = request["side"]
    torch_tensors, keras_tensors, layers = {}, [], []
    c_in, s, index = 1, side, 1  # module 0 is nn.Unflatten
    for channels, kernel, padding, pool in request["convs"]:
        w = rng.normal(0, 0.4, size=(channels, c_in, kernel, kernel))
        b = rng.normal(0, 0.1, size=channels)
        torch_tensors[f"{index}.weight"], torch_tensors[f"{index}.bias"] = w, b
        keras_tensors += [np.transpose(w, (2, 3, 1, 0)), b]
        layers.append(("conv", w, b, padding, pool))
        index += 3 if pool > 1 else 2
        s = (s + 2 * padding - kernel + 1) // pool
        c_in = channels
    index += 1  # nn.Flatten
    d_in, first = c_in * s * s, True
    for width in request["widths"]:
        w = rng.normal(0, 1 / np.sqrt(d_in), size=(width, d_in))
        b = rng.normal(0, 0.1, size=width)
        torch_tensors[f"{index}.weight"], torch_tensors[f"{index}.bias"] = w, b
        kernel = w.T
        if first:
            # Keras flattens [height, width, channels]: its rows are PyTorch's, taken pixel by pixel.
            kernel = kernel.reshape(c_in, s, s, width).transpose(1, 2, 0, 3).reshape(d_in, width)
            first = False
        keras_tensors += [np.ascontiguousarray(kernel), b]
        layers.append(("dense", w, b))
        index += 2
        d_in = width
    save_file({k: np.ascontiguousarray(v) for k, v in torch_tensors.items()}, request["path"])
    save_file({str(i): np.ascontiguousarray(v) for i, v in enumerate(keras_tensors)}, request["keras_path"])
    logits = []
    for row in np.asarray(request["probe"], dtype=np.float64):
        h = row.reshape(1, side, side)
        dense = [l for l in layers if l[0] == "dense"]
        for _, w, b, padding, pool in (l for l in layers if l[0] == "conv"):
            h = relu(conv2d(h, w, b, padding))
            if pool > 1:
                h = max_pool(h, pool)
        h = h.reshape(-1)
        for i, (_, w, b) in enumerate(dense):
            h = w @ h + b
            if i + 1 < len(dense):
                h = relu(h)
        logits.append(h.tolist())
    return {"logits": logits}


def pt(request):
    import collections
    import io
    import pickle
    import types
    import zipfile

    torch, utils = types.ModuleType("torch"), types.ModuleType("torch._utils")

    def _rebuild_tensor_v2(*args):
        raise RuntimeError("only written here, never loaded")

    class FloatStorage:
        pass

    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    FloatStorage.__module__, FloatStorage.__qualname__ = "torch", "FloatStorage"
    utils._rebuild_tensor_v2, torch.FloatStorage, torch._utils = _rebuild_tensor_v2, FloatStorage, utils
    sys.modules["torch"], sys.modules["torch._utils"] = torch, utils

    class Storage:
        def __init__(self, key, numel):
            self.key, self.numel = key, numel

    class Tensor:
        def __init__(self, storage, shape):
            self.storage, self.shape = storage, shape

        def __reduce__(self):
            strides, step = [], 1
            for size in reversed(self.shape):
                strides.insert(0, step)
                step *= size
            args = (self.storage, 0, tuple(self.shape), tuple(strides), False, collections.OrderedDict())
            return (_rebuild_tensor_v2, args)

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, Storage):
                return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
            return None

    tensors = load_file(request["path"])
    state, blobs = collections.OrderedDict(), {}
    for i, (name, value) in enumerate(sorted(tensors.items())):
        value = np.ascontiguousarray(value, dtype="<f4")
        state[name] = Tensor(Storage(str(i), value.size), list(value.shape))
        blobs[str(i)] = value.tobytes()
    pickled = io.BytesIO()
    Pickler(pickled, protocol=2).dump(state)
    with zipfile.ZipFile(request["pt_path"], "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", pickled.getvalue())
        for key, blob in blobs.items():
            archive.writestr(f"archive/data/{key}", blob)
        archive.writestr("archive/version", "3\n")
        archive.writestr("archive/byteorder", "little")
    return {}


def natural(head):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in head.split(".")]


def forward(request):
    tensors = load_file(request["path"])
    names = sorted({n.rsplit(".", 1)[0] if "." in n else "" for n in tensors}, key=natural)
    h = np.asarray(request["probe"], dtype=np.float64)
    for i, name in enumerate(names):
        prefix = f"{name}." if name else ""
        h = h @ tensors[prefix + "weight"].astype(np.float64).T + tensors[prefix + "bias"]
        if i + 1 < len(names):
            h = relu(h)
    return {"logits": h.tolist(), "names": sorted(tensors), "shapes": {k: list(v.shape) for k, v in tensors.items()}}


def main() -> None:
    request = json.load(sys.stdin)
    answer = {"mlp": mlp, "logistic": logistic, "cnn": cnn, "pt": pt, "forward": forward}[request["action"]](request)
    answer["versions"] = {"scikit-learn": sklearn.__version__, "safetensors": safetensors.__version__}
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
