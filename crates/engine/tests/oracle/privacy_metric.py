"""The NeurIPS 2023 unlearning challenge's ε, as its scoring code computes it (google-deepmind/unlearning_evaluation,
metric.py, `_get_epsilons` and `compute_forget_score_from_confs`), written again with numpy in place of torch and
CUDA (the same threshold grids, the same float32 rates, the same special cases), for Lethe's oracle test.

Reads {"unlearned": [[φ per run] per example], "retrained": [...]} on standard input (example-major), prints
{"epsilons": [...], "forgetting_score": s}.
"""

import json
import sys

import numpy as np

DELTA = 1e-05
EPSILON_CAP = 50
NUM_THRESHOLDS_PER_UNIT = 100


def double_rates(pos, neg):
    pos_diff = pos.max() - pos.min()
    neg_diff = neg.max() - neg.min()
    smallest = neg_diff if pos_diff > neg_diff else pos_diff
    if pos_diff >= neg_diff:
        pos, neg = neg, pos
    buffer = 2.0
    width = smallest
    min_ = pos.min() + width - buffer
    max_ = pos.max() + buffer
    right = np.linspace(min_, max_, num=int(np.ceil((max_ - min_) * NUM_THRESHOLDS_PER_UNIT)))
    n_left = int(np.ceil(2 * buffer * NUM_THRESHOLDS_PER_UNIT))
    left = np.concatenate([np.linspace(tr - width - buffer, tr - width + buffer, num=n_left) for tr in right])
    right = np.repeat(right, n_left)

    def is_pp(c):
        return np.logical_and(left[None, :] <= c[:, None], c[:, None] <= right[None, :]).astype(np.float32)

    tpr = np.mean(is_pp(pos), 0, dtype=np.float32)
    fnr = np.mean(1 - is_pp(pos), 0, dtype=np.float32)
    fpr = np.mean(is_pp(neg), 0, dtype=np.float32)
    tnr = np.mean(1 - is_pp(neg), 0, dtype=np.float32)
    return tpr, fnr, fpr, tnr


def single_rates(pos, neg):
    all_ = np.concatenate([pos, neg])
    lo, hi = all_.min(), all_.max()
    t = np.linspace(lo, hi, int(np.ceil((hi - lo) * NUM_THRESHOLDS_PER_UNIT)))
    tpr = np.mean((pos[:, None] >= t[None, :]).astype(np.float32), 0, dtype=np.float32)
    fpr = np.mean((neg[:, None] >= t[None, :]).astype(np.float32), 0, dtype=np.float32)
    tnr = np.mean((neg[:, None] < t[None, :]).astype(np.float32), 0, dtype=np.float32)
    fnr = np.mean((pos[:, None] < t[None, :]).astype(np.float32), 0, dtype=np.float32)
    return tpr, fnr, fpr, tnr


def epsilons(pos_confs, neg_confs):
    out = []
    for i in range(pos_confs.shape[1]):
        pos, neg = pos_confs[:, i], neg_confs[:, i]
        pd, nd = pos.max() - pos.min(), neg.max() - neg.min()
        largest = pd if pd > nd else nd
        smallest = nd if pd > nd else pd
        with np.errstate(invalid="ignore", divide="ignore"):
            if smallest / largest < 0.01:
                out.append(EPSILON_CAP)
                continue
            rates = [double_rates(pos, neg), single_rates(pos, neg)]
            tpr, fnr, fpr, tnr = (np.concatenate([r[k] for r in rates]) for k in range(4))
            eps = np.zeros(tpr.shape[0])
            eps = np.where((fpr + fnr == 0) & (tpr + tnr == 2), np.inf, eps)
            eps = np.where((eps == 0) & (fpr * fnr == 0), np.nan, eps)
            bound = np.clip(
                np.nanmax([np.log(1 - DELTA - fpr) - np.log(fnr), np.log(1 - DELTA - fnr) - np.log(fpr)], axis=0),
                0,
                None,
            )
            eps = np.where(eps == 0, bound, eps)
            eps = eps[~np.isnan(eps)]
            out.append(np.nanmax(eps))
    return np.clip(out, 0, EPSILON_CAP)


def main():
    request = json.load(sys.stdin)
    unlearned = np.array(request["unlearned"], dtype=np.float64).T  # [runs, examples]
    retrained = np.array(request["retrained"], dtype=np.float64).T
    retrain_is_positive = np.median(retrained, axis=0) > np.median(unlearned, axis=0)
    pos = np.where(retrain_is_positive, retrained, unlearned)
    neg = np.where(retrain_is_positive, unlearned, retrained)
    eps = epsilons(pos, neg)
    max_epsilon = np.ceil(np.log(unlearned.shape[0] - 1))
    buckets, start, points = {}, 0.0, 1.0
    while start + 0.5 <= max_epsilon:
        buckets[start] = points
        points /= 2
        start += 0.5
    score = 0.0
    for e in eps:
        for s, p in buckets.items():
            if e < s + 0.5:
                score += p
                break
    print(json.dumps({"epsilons": [float(e) for e in eps], "forgetting_score": score / unlearned.shape[1]}))


if __name__ == "__main__":
    main()
