"""scikit-learn's L2-regularised logistic regression as an oracle for Lethe's certified removal.

Reads one JSON object on standard input: {"x": rows (list of lists), "y": labels in {-1, 1}, "c": C} and prints
{"coef": [...], "n_iter": k, "version": scikit-learn's version}. The fit has no intercept (Lethe's certified model
has no bias by default) and is solved to a tight tolerance, so that it stands for the exact optimum of

    C * sum_i log(1 + exp(-y_i w.x_i)) + 0.5 * ||w||^2.
"""

import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression


def main() -> None:
    request = json.load(sys.stdin)
    x = np.asarray(request["x"], dtype=np.float64)
    y = np.asarray(request["y"], dtype=np.float64)
    model = LogisticRegression(
        fit_intercept=False, C=float(request["c"]), solver="newton-cg", tol=1e-12, max_iter=1000
    )
    model.fit(x, y)
    json.dump(
        {
            "coef": model.coef_[0].tolist(),
            "n_iter": int(model.n_iter_[0]),
            "version": sklearn.__version__,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
