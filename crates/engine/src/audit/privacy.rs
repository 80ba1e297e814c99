//! The per-example privacy score of the NeurIPS 2023 machine-unlearning challenge, and a LiRA test from the same
//! runs. Both read, for each forget example, its logit-scaled confidence φ = log p_y − log(1 − p_y) under N models
//! of the method and N retrained models, and ask how well a threshold (or a likelihood ratio) tells the two apart.
//!
//! The ε of one example follows the challenge's scoring code as it computes (google-deepmind/unlearning_evaluation,
//! `metric.py`): the retrained or the unlearned φ is the "positive" side, whichever has the larger median; every rule
//! of two families (one threshold: φ ≥ t is positive; two thresholds around the peakier side: l ≤ φ ≤ r is that
//! side) gives a false-positive and a false-negative rate over the runs, and a rule with both rates above zero bounds
//! ε by max(ln((1 − δ − FPR)/FNR), ln((1 − δ − FNR)/FPR)) with δ = 10⁻⁵; a rule that separates perfectly gives
//! infinity; ε is the largest bound, capped at 50. A side whose φ spread is below 1 % of the other's is "peaky" and
//! gets the cap at once. The forgetting score buckets each ε in steps of ½ up to ⌈ln(N − 1)⌉ and gives bucket k
//! 2⁻ᵏ points (beyond: 0), averaged over the forget set.

use crate::data::rng::{Rng64, stream};
use crate::metrics::mean_std;

/// δ of the (ε, δ) bound.
pub const DELTA: f64 = 1e-5;
/// The largest ε reported (a perfect separation, or a peaky side).
pub const EPSILON_CAP: f64 = 50.0;
/// Thresholds per unit of φ.
const THRESHOLDS_PER_UNIT: f64 = 100.0;
/// How far the double-threshold family reaches beyond the peakier side, in units of φ.
const BUFFER: f64 = 2.0;
/// Thresholds on the left for each right threshold of the double family.
const LEFT_THRESHOLDS: usize = (2.0 * BUFFER * THRESHOLDS_PER_UNIT) as usize;

/// φ = ln p_y − ln(Σ_{c≠y} p_c) of each row of row-major `probs` (`k` classes) against its label, the challenge's
/// numerically careful form (1e-45 keeps a zero finite; the wrong classes are summed, never taken as 1 − p_y).
pub fn logit_scaled(probs: &[f32], y: &[u32], k: usize) -> Vec<f64> {
    y.iter()
        .enumerate()
        .map(|(i, &c)| {
            let row = &probs[i * k..(i + 1) * k];
            let right = row[c as usize] as f64;
            let wrong: f64 = row
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != c as usize)
                .map(|(_, &p)| p as f64)
                .sum();
            (right + 1e-45).ln() - (wrong + 1e-45).ln()
        })
        .collect()
}

#[cfg(test)]
/// The median, as numpy takes it (the mean of the two middle values of an even count).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// `num` evenly spaced values from `a` to `b` inclusive, as numpy's `linspace`.
fn linspace(a: f64, b: f64, num: usize) -> impl Iterator<Item = f64> {
    (0..num).map(move |i| grid_at(a, b, num, i))
}

#[cfg(test)]
/// Values of sorted `v` at or above `t`, and in [l, r], counted by binary search.
fn at_least(v: &[f64], t: f64) -> usize {
    v.len() - v.partition_point(|&x| x < t)
}
#[cfg(test)]
fn between(v: &[f64], l: f64, r: f64) -> usize {
    if l > r {
        return 0;
    }
    v.partition_point(|&x| x <= r) - v.partition_point(|&x| x < l)
}

/// The ε bound of one rule from its rates; `None` for a rule that says nothing (one rate zero, the other not).
fn rule_epsilon(tpr: f64, fnr: f64, fpr: f64, tnr: f64) -> Option<f64> {
    if fpr + fnr == 0.0 && tpr + tnr == 2.0 {
        return Some(f64::INFINITY);
    }
    if fpr * fnr == 0.0 {
        return None;
    }
    let a = (1.0 - DELTA - fpr).ln() - fnr.ln();
    let b = (1.0 - DELTA - fnr).ln() - fpr.ln();
    let best = match (a.is_nan(), b.is_nan()) {
        (true, true) => return None,
        (true, false) => b,
        (false, true) => a,
        (false, false) => a.max(b),
    };
    Some(best.max(0.0))
}

/// Every rule's bound depends only on its two counts (true positives of `np`, false positives of `nn`): the bounds
/// of all (np + 1)(nn + 1) count pairs, computed once per example instead of once per threshold.
struct Bounds {
    nn: usize,
    table: Vec<Option<f64>>,
}

impl Bounds {
    fn new(np: usize, nn: usize) -> Self {
        let (fp_n, fn_n) = (np as f64, nn as f64);
        let mut table = Vec::with_capacity((np + 1) * (nn + 1));
        for tp in 0..=np {
            for fp in 0..=nn {
                let (tp, fp) = (tp as f64, fp as f64);
                table.push(rule_epsilon(
                    tp / fp_n,
                    (fp_n - tp) / fp_n,
                    fp / fn_n,
                    (fn_n - fp) / fn_n,
                ));
            }
        }
        Self { nn, table }
    }

    fn get(&self, tp: usize, fp: usize) -> Option<f64> {
        self.table[tp * (self.nn + 1) + fp]
    }
}

/// The `i`-th of `num` evenly spaced values from `a` to `b` inclusive (the last is `b` itself), as numpy's
/// `linspace` computes it.
fn grid_at(a: f64, b: f64, num: usize, i: usize) -> f64 {
    let step = if num > 1 {
        (b - a) / (num - 1) as f64
    } else {
        0.0
    };
    if i + 1 == num && num > 1 {
        b
    } else {
        a + step * i as f64
    }
}

fn max_opt(best: Option<f64>, e: Option<f64>) -> Option<f64> {
    match (best, e) {
        (Some(b), Some(e)) => Some(b.max(e)),
        (None, e) | (e, None) => e,
    }
}

/// The largest ε bound over the single-threshold rules, for sorted `pos` and `neg`: every threshold of the grid,
/// its counts followed by two pointers (the thresholds rise).
fn single_threshold(pos: &[f64], neg: &[f64], bounds: &Bounds) -> Option<f64> {
    let lo = pos[0].min(neg[0]);
    let hi = pos[pos.len() - 1].max(neg[neg.len() - 1]);
    let num = ((hi - lo) * THRESHOLDS_PER_UNIT).ceil() as usize;
    let (mut below_p, mut below_n) = (0, 0);
    let mut best = None;
    for t in linspace(lo, hi, num) {
        while below_p < pos.len() && pos[below_p] < t {
            below_p += 1;
        }
        while below_n < neg.len() && neg[below_n] < t {
            below_n += 1;
        }
        best = max_opt(best, bounds.get(pos.len() - below_p, neg.len() - below_n));
    }
    best
}

/// The largest ε bound over the double-threshold rules: an interval [l, r] around the peakier side, r over its grid
/// and l over a grid of [`LEFT_THRESHOLDS`] points from r − width − 2 to r − width + 2, as the reference scores them.
///
/// Scored by count pairs instead of grid points, with the same result: a grid point l counts, on each side, the
/// points below it, which are the points at or below the largest data value v_j under l. So the rules of one r are
/// the pair at the window's first grid point and, for each data value v_j in the window and below r, the pair of
/// counts at v_j, reached when some grid point lies in (v_j, v_{j+1}]. A gap wider than the grid's step always holds
/// one; a narrower gap (repeated values never) is checked against the grid itself. Where r moves without changing
/// its counts or the window's data, only the narrow gaps can add a rule, and only they are scored again.
fn double_threshold(
    pos: &[f64],
    neg: &[f64],
    bounds_pn: &Bounds,
    bounds_np: &Bounds,
) -> Option<f64> {
    let spread = |v: &[f64]| v[v.len() - 1] - v[0];
    let (pos_diff, neg_diff) = (spread(pos), spread(neg));
    let width = if pos_diff > neg_diff {
        neg_diff
    } else {
        pos_diff
    };
    // The peakier side is "positive" for this family.
    let (pos, neg, bounds) = if pos_diff >= neg_diff {
        (neg, pos, bounds_np)
    } else {
        (pos, neg, bounds_pn)
    };
    let lo = pos[0] + width - BUFFER;
    let hi = pos[pos.len() - 1] + BUFFER;
    let num = ((hi - lo) * THRESHOLDS_PER_UNIT).ceil() as usize;
    // Every data value with its side, sorted; the counts at or below each; which gaps above them are narrow.
    let mut all: Vec<(f64, bool)> = pos
        .iter()
        .map(|&v| (v, true))
        .chain(neg.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = all.len();
    let values: Vec<f64> = all.iter().map(|a| a.0).collect();
    let mut counts = Vec::with_capacity(n);
    let (mut cp, mut cn) = (0usize, 0usize);
    for &(_, is_pos) in &all {
        if is_pos {
            cp += 1;
        } else {
            cn += 1;
        }
        counts.push((cp, cn));
    }
    // Counts at or below values[j] must take in every copy of a repeated value: the last copy's counts.
    for j in (0..n.saturating_sub(1)).rev() {
        if values[j] == values[j + 1] {
            counts[j] = counts[j + 1];
        }
    }
    let step_l = 2.0 * BUFFER / (LEFT_THRESHOLDS - 1) as f64;
    // 1e-9 of slack: a gap this much wider than the step holds a grid point whatever the rounding.
    let narrow: Vec<bool> = (0..n)
        .map(|j| j + 1 < n && values[j + 1] - values[j] <= step_l + 1e-9)
        .collect();
    let narrow_at: Vec<usize> = (0..n).filter(|&j| narrow[j]).collect();
    // Whether the grid of [a, b] has a point in (values[j], values[j + 1]] (the last value: above it).
    let reached = |j: usize, a: f64, b: f64| -> bool {
        let v = values[j];
        if j + 1 < n && values[j + 1] == v {
            return false;
        }
        if !narrow[j] {
            return true;
        }
        let guess = ((v - a) / step_l).floor();
        let mut i = if guess.is_finite() && guess >= 0.0 {
            (guess as usize + 1).min(LEFT_THRESHOLDS)
        } else {
            0
        };
        while i > 0 && grid_at(a, b, LEFT_THRESHOLDS, i - 1) > v {
            i -= 1;
        }
        while i < LEFT_THRESHOLDS && grid_at(a, b, LEFT_THRESHOLDS, i) <= v {
            i += 1;
        }
        i < LEFT_THRESHOLDS && (j + 1 == n || grid_at(a, b, LEFT_THRESHOLDS, i) <= values[j + 1])
    };
    let mut best: Option<f64> = None;
    // Pointers, all rising with r: data below a (the window's start), below b (its end), at or below r (per side),
    // and below r (the values whose pairs can sit under r).
    let (mut below_a, mut below_b, mut le_p, mut le_n, mut below_r) = (0, 0, 0, 0, 0);
    let mut last_key = None;
    for r in linspace(lo, hi, num) {
        let (a, b) = (r - width - BUFFER, r - width + BUFFER);
        while below_a < n && values[below_a] < a {
            below_a += 1;
        }
        while below_b < n && values[below_b] < b {
            below_b += 1;
        }
        while le_p < pos.len() && pos[le_p] <= r {
            le_p += 1;
        }
        while le_n < neg.len() && neg[le_n] <= r {
            le_n += 1;
        }
        while below_r < n && values[below_r] < r {
            below_r += 1;
        }
        let stop = below_b.min(below_r);
        let key = (below_a, stop, le_p, le_n);
        let mut score = |tp_below: (usize, usize)| {
            best = max_opt(best, bounds.get(le_p - tp_below.0, le_n - tp_below.1));
        };
        if last_key == Some(key) {
            // The same data in the window and the same counts under r: only a narrow gap's grid point can come or go.
            let from = narrow_at.partition_point(|&j| j < below_a);
            for &j in narrow_at[from..].iter().take_while(|&&j| j < stop) {
                if reached(j, a, b) {
                    score(counts[j]);
                }
            }
            continue;
        }
        last_key = Some(key);
        // The window's first grid point, a: the counts below it.
        score(if below_a > 0 {
            counts[below_a - 1]
        } else {
            (0, 0)
        });
        for (j, &pair) in counts.iter().enumerate().take(stop).skip(below_a) {
            if reached(j, a, b) {
                score(pair);
            }
        }
    }
    best
}

/// ε of one forget example from its φ under the method's runs and under the retrained runs (any counts ≥ 2).
pub fn epsilon(unlearned: &[f64], retrained: &[f64]) -> f64 {
    epsilons(&[unlearned.to_vec()], &[retrained.to_vec()])[0]
}

/// ε of every forget example: `unlearned[e]` and `retrained[e]` are example e's φ over the runs (one table of
/// bounds for them all).
pub fn epsilons(unlearned: &[Vec<f64>], retrained: &[Vec<f64>]) -> Vec<f64> {
    let Some((u0, r0)) = unlearned.first().zip(retrained.first()) else {
        return Vec::new();
    };
    let scorer = Scorer::new(u0.len(), r0.len());
    unlearned
        .iter()
        .zip(retrained)
        .map(|(u, r)| {
            let (mut u, mut r) = (u.clone(), r.clone());
            u.sort_by(f64::total_cmp);
            r.sort_by(f64::total_cmp);
            scorer.epsilon_sorted(&u, &r)
        })
        .collect()
}

/// The bounds' tables for one pair of run counts, kept across examples and resamples.
pub struct Scorer {
    /// The method's runs as the rule's positive side (retraining's negative).
    method_positive: Bounds,
    /// Retraining's runs as the positive side.
    retrain_positive: Bounds,
}

impl Scorer {
    /// Tables for `n_unlearned` runs of the method and `n_retrained` retrains.
    pub fn new(n_unlearned: usize, n_retrained: usize) -> Self {
        let (nu, nr) = (n_unlearned, n_retrained);
        Self {
            method_positive: Bounds::new(nu, nr),
            retrain_positive: Bounds::new(nr, nu),
        }
    }

    /// ε of one example from its sorted φ on each side.
    pub fn epsilon_sorted(&self, unlearned: &[f64], retrained: &[f64]) -> f64 {
        let retrain_is_positive = median_sorted(retrained) > median_sorted(unlearned);
        // `pn`: the tables with `pos` positive; `np`: with `neg` positive (the double family may swap them).
        let (pos, neg, pn, np) = if retrain_is_positive {
            (
                retrained,
                unlearned,
                &self.retrain_positive,
                &self.method_positive,
            )
        } else {
            (
                unlearned,
                retrained,
                &self.method_positive,
                &self.retrain_positive,
            )
        };
        let spread = |v: &[f64]| v[v.len() - 1] - v[0];
        let (pd, nd) = (spread(pos), spread(neg));
        let (largest, smallest) = if pd > nd { (pd, nd) } else { (nd, pd) };
        // A side 100 times narrower than the other: peaky, so the cap (the challenge's own guard; 0/0 for two
        // constant sides is not below 1 %, as in the reference).
        if smallest / largest < 0.01 {
            return EPSILON_CAP;
        }
        let best = [
            double_threshold(pos, neg, pn, np),
            single_threshold(pos, neg, pn),
        ]
        .into_iter()
        .flatten()
        .reduce(f64::max)
        .unwrap_or(0.0);
        best.clamp(0.0, EPSILON_CAP)
    }
}

fn median_sorted(v: &[f64]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The forgetting score's 95 % interval by a seeded bootstrap: each of `resamples` resamples draws each side's runs
/// with replacement (the runs are the main source of noise: each is one model) and the forget examples with
/// replacement, and scores them as [`forgetting_score`] does. A resample repeats runs, and repeated runs are easier
/// to separate by a threshold, so every resample's score sits lower than the score of distinct runs (by about 0.03 at
/// 16 runs): the interval takes its width from the resamples and its centre from the score, [F − (m − q₂.₅),
/// F + (q₉₇.₅ − m)] with m the resamples' median, clamped to [0, 1]. `unlearned[e]` and `retrained[e]` are example
/// e's φ over the runs; `score` is their forgetting score F, which the caller has computed.
pub fn forgetting_interval(
    unlearned: &[Vec<f64>],
    retrained: &[Vec<f64>],
    score: f64,
    runs: usize,
    resamples: usize,
    seed: u64,
) -> [f64; 2] {
    let examples = unlearned.len().min(retrained.len());
    let (Some(u0), Some(r0)) = (unlearned.first(), retrained.first()) else {
        return [0.0, 0.0];
    };
    let (nu, nr) = (u0.len(), r0.len());
    let scorer = Scorer::new(nu, nr);
    let mut rng = Rng64::new(seed, stream::BOOTSTRAP);
    let mut scores = Vec::with_capacity(resamples);
    let (mut u, mut r) = (vec![0.0; nu], vec![0.0; nr]);
    for _ in 0..resamples {
        let u_runs: Vec<usize> = (0..nu).map(|_| rng.below(nu)).collect();
        let r_runs: Vec<usize> = (0..nr).map(|_| rng.below(nr)).collect();
        let mut epsilons = Vec::with_capacity(examples);
        for _ in 0..examples {
            let e = rng.below(examples);
            u.iter_mut()
                .zip(&u_runs)
                .for_each(|(x, &j)| *x = unlearned[e][j]);
            r.iter_mut()
                .zip(&r_runs)
                .for_each(|(x, &j)| *x = retrained[e][j]);
            u.sort_by(f64::total_cmp);
            r.sort_by(f64::total_cmp);
            epsilons.push(scorer.epsilon_sorted(&u, &r));
        }
        scores.push(forgetting_score(&epsilons, runs));
    }
    scores.sort_by(f64::total_cmp);
    let f = score;
    let m = percentile(&scores, 0.5);
    [
        (f - (m - percentile(&scores, 0.025))).clamp(0.0, 1.0),
        (f + (percentile(&scores, 0.975) - m)).clamp(0.0, 1.0),
    ]
}

/// The `q` quantile of sorted `v`, linearly interpolated (numpy's default).
fn percentile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let at = q * (v.len() - 1) as f64;
    let (i, frac) = (at.floor() as usize, at - at.floor());
    if i + 1 < v.len() {
        v[i] + (v[i + 1] - v[i]) * frac
    } else {
        v[i]
    }
}

/// The largest ε the score's buckets tell apart with `runs` runs per side: ⌈ln(N − 1)⌉.
pub fn epsilon_resolution(runs: usize) -> f64 {
    ((runs.max(2) - 1) as f64).ln().ceil()
}

/// The challenge's forgetting score: each example's ε bucketed in steps of ½ up to [`epsilon_resolution`], bucket k
/// worth 2⁻ᵏ points, averaged over the examples (1: indistinguishable everywhere; 0: told apart everywhere).
pub fn forgetting_score(epsilons: &[f64], runs: usize) -> f64 {
    let top = epsilon_resolution(runs);
    let mut buckets = Vec::new();
    let (mut start, mut points) = (0.0f64, 1.0f64);
    while start + 0.5 <= top {
        buckets.push((start, points));
        points /= 2.0;
        start += 0.5;
    }
    let total: f64 = epsilons
        .iter()
        .map(|&e| {
            buckets
                .iter()
                .find(|&&(s, _)| e < s + 0.5)
                .map_or(0.0, |&(_, p)| p)
        })
        .sum();
    total / epsilons.len().max(1) as f64
}

/// The challenge's final score: the forgetting score scaled by the method's retain and test accuracy relative to
/// retraining's (each averaged over the runs).
pub fn unlearning_score(forgetting: f64, retain: (f64, f64), test: (f64, f64)) -> f64 {
    let ratio = |(u, r): (f64, f64)| if r > 0.0 { u / r } else { 0.0 };
    forgetting * ratio(retain) * ratio(test)
}

/// A LiRA test from the same runs, for one forget set (not U-LiRA's many forget sets): for each example and each run
/// index j held out in turn (the method's j-th run and retraining's), Gaussians fitted to the other runs' φ under the
/// method and under retraining, and the two held-out φ scored by the log-likelihood ratio (method over
/// retraining). The AUC of those scores, the method's held-out
/// runs as positives against retraining's: 0.5 when the two are indistinguishable, 1 when every run gives itself
/// away. `unlearned[e]` and `retrained[e]` are example e's φ over the runs (at least 3 each).
pub fn lira_auc(unlearned: &[Vec<f64>], retrained: &[Vec<f64>]) -> f64 {
    let mut positives = Vec::new();
    let mut negatives = Vec::new();
    let without = |v: &[f64], j: usize| -> Vec<f64> {
        v.iter()
            .enumerate()
            .filter(|&(i, _)| i != j)
            .map(|(_, &x)| x)
            .collect()
    };
    for (u, r) in unlearned.iter().zip(retrained) {
        // Run j of each side held out together, so that both Gaussians are fitted on the same number of runs.
        for j in 0..u.len().min(r.len()) {
            let (u_rest, r_rest) = (without(u, j), without(r, j));
            let score = |x: f64| log_normal(x, &u_rest) - log_normal(x, &r_rest);
            positives.push(score(u[j]));
            negatives.push(score(r[j]));
        }
    }
    auc(&positives, &negatives)
}

/// ln N(x; mean, var) of the Gaussian fitted to `sample` (its variance floored, so that a constant side stays
/// finite).
fn log_normal(x: f64, sample: &[f64]) -> f64 {
    let (mean, std) = mean_std(sample);
    let var = (std * std).max(1e-8);
    -0.5 * ((x - mean).powi(2) / var + var.ln() + (2.0 * std::f64::consts::PI).ln())
}

/// The probability that a positive scores above a negative (ties count half): the ROC AUC.
fn auc(positives: &[f64], negatives: &[f64]) -> f64 {
    if positives.is_empty() || negatives.is_empty() {
        return 0.5;
    }
    let mut neg = negatives.to_vec();
    neg.sort_by(f64::total_cmp);
    let wins: f64 = positives
        .iter()
        .map(|&p| {
            let below = neg.partition_point(|&n| n < p) as f64;
            let equal = neg.partition_point(|&n| n <= p) as f64 - below;
            below + equal / 2.0
        })
        .sum();
    wins / (positives.len() as f64 * neg.len() as f64)
}

#[cfg(test)]
mod reference {
    //! The rules scored one grid point at a time, as the challenge's code scores them: the oracle of the fast path.
    //! The bound of one rule is shared (`rule_epsilon`): what differs is which rules are scored.
    use super::{
        BUFFER, EPSILON_CAP, LEFT_THRESHOLDS, THRESHOLDS_PER_UNIT, at_least, between, linspace,
        median, rule_epsilon,
    };

    /// The largest ε bound over the single-threshold rules, for sorted `pos` and `neg`.
    pub(super) fn single_threshold(pos: &[f64], neg: &[f64]) -> Option<f64> {
        let lo = pos[0].min(neg[0]);
        let hi = pos[pos.len() - 1].max(neg[neg.len() - 1]);
        let num = ((hi - lo) * THRESHOLDS_PER_UNIT).ceil() as usize;
        let (np, nn) = (pos.len() as f64, neg.len() as f64);
        linspace(lo, hi, num)
            .filter_map(|t| {
                let tp = at_least(pos, t) as f64;
                let fp = at_least(neg, t) as f64;
                rule_epsilon(tp / np, (np - tp) / np, fp / nn, (nn - fp) / nn)
            })
            .reduce(f64::max)
    }

    /// The largest ε bound over the double-threshold rules: an interval [l, r] around the peakier side.
    pub(super) fn double_threshold(pos: &[f64], neg: &[f64]) -> Option<f64> {
        let spread = |v: &[f64]| v[v.len() - 1] - v[0];
        let (pos_diff, neg_diff) = (spread(pos), spread(neg));
        let width = if pos_diff > neg_diff {
            neg_diff
        } else {
            pos_diff
        };
        // The peakier side is "positive" for this family.
        let (pos, neg) = if pos_diff >= neg_diff {
            (neg, pos)
        } else {
            (pos, neg)
        };
        let lo = pos[0] + width - BUFFER;
        let hi = pos[pos.len() - 1] + BUFFER;
        let num = ((hi - lo) * THRESHOLDS_PER_UNIT).ceil() as usize;
        let (np, nn) = (pos.len() as f64, neg.len() as f64);
        let mut best: Option<f64> = None;
        for r in linspace(lo, hi, num) {
            for l in linspace(r - width - BUFFER, r - width + BUFFER, LEFT_THRESHOLDS) {
                let tp = between(pos, l, r) as f64;
                let fp = between(neg, l, r) as f64;
                if let Some(e) = rule_epsilon(tp / np, (np - tp) / np, fp / nn, (nn - fp) / nn) {
                    best = Some(best.map_or(e, |b: f64| b.max(e)));
                }
            }
        }
        best
    }

    /// ε of one forget example from its φ under the method's runs and under the retrained runs (any counts ≥ 2).
    pub(super) fn epsilon(unlearned: &[f64], retrained: &[f64]) -> f64 {
        let retrain_is_positive = median(retrained) > median(unlearned);
        let (mut pos, mut neg) = if retrain_is_positive {
            (retrained.to_vec(), unlearned.to_vec())
        } else {
            (unlearned.to_vec(), retrained.to_vec())
        };
        pos.sort_by(f64::total_cmp);
        neg.sort_by(f64::total_cmp);
        let spread = |v: &[f64]| v[v.len() - 1] - v[0];
        let (pd, nd) = (spread(&pos), spread(&neg));
        let (largest, smallest) = if pd > nd { (pd, nd) } else { (nd, pd) };
        // A side 100 times narrower than the other: peaky, so the cap (the challenge's own guard; 0/0 for two
        // constant sides is not below 1 %, as in the reference).
        if smallest / largest < 0.01 {
            return EPSILON_CAP;
        }
        let best = [double_threshold(&pos, &neg), single_threshold(&pos, &neg)]
            .into_iter()
            .flatten()
            .reduce(f64::max)
            .unwrap_or(0.0);
        best.clamp(0.0, EPSILON_CAP)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Closed form: the same φ under both sides. For every single-threshold rule TPR = FPR = f and FNR = TNR = 1 − f,
    so both bounds are ln((1 − δ − f)/(1 − f)) < 0 and ln((f − δ)/f) < 0: ε = 0, the top bucket, 1 point. */
    #[test]
    fn identical_runs_are_indistinguishable() {
        let phi: Vec<f64> = (0..16).map(|i| (i as f64 * 0.37).sin() * 2.0).collect();
        assert_eq!(epsilon(&phi, &phi), 0.0);
        assert_eq!(forgetting_score(&[0.0, 0.0], 16), 1.0);
        let one = std::slice::from_ref(&phi);
        assert!((lira_auc(one, one) - 0.5).abs() < 1e-12);
    }

    /* Closed form: two sides that do not overlap. A threshold between them has FPR = FNR = 0 and TPR = TNR = 1: an
    infinite bound, capped at 50, which earns no points; every held-out run's ratio favours its own side. */
    #[test]
    fn disjoint_runs_are_told_apart_at_the_cap() {
        let u: Vec<f64> = (0..16).map(|i| 5.0 + i as f64 * 0.1).collect();
        let r: Vec<f64> = (0..16).map(|i| -5.0 + i as f64 * 0.1).collect();
        assert_eq!(epsilon(&u, &r), EPSILON_CAP);
        assert_eq!(forgetting_score(&[EPSILON_CAP], 16), 0.0);
        assert_eq!(lira_auc(&[u], &[r]), 1.0);
    }

    /* Closed form: the challenge's guard. One side a hundred times narrower than the other is peaky: the cap. */
    #[test]
    fn a_peaky_side_gets_the_cap() {
        let wide: Vec<f64> = (0..16).map(|i| i as f64).collect();
        let narrow: Vec<f64> = (0..16).map(|i| 7.0 + i as f64 * 1e-3).collect();
        assert_eq!(epsilon(&narrow, &wide), EPSILON_CAP);
    }

    /* Closed form of the buckets: N = 512 gives ⌈ln 511⌉ = 7, fourteen buckets of ½ worth 1, ½, ¼, …; N = 16 gives
    ⌈ln 15⌉ = 3, six buckets. ε = 0.7 is in the second (½ point), 2.9 in the sixth (1/32), 3.0 in none. */
    #[test]
    fn buckets_follow_the_challenge() {
        assert_eq!(epsilon_resolution(512), 7.0);
        assert_eq!(epsilon_resolution(16), 3.0);
        assert_eq!(forgetting_score(&[0.7], 16), 0.5);
        assert_eq!(forgetting_score(&[2.9], 16), 1.0 / 32.0);
        assert_eq!(forgetting_score(&[3.0], 16), 0.0);
        assert_eq!(forgetting_score(&[0.2, 3.0], 16), 0.5);
        assert!((unlearning_score(0.5, (0.9, 1.0), (0.8, 0.8)) - 0.45).abs() < 1e-12);
    }

    /* Source: the reference transcription (module `reference`, every grid point scored as the challenge's code scores
    it). The fast path scores each stretch of the left grid once and reads bounds from a table: on random sides of
    8, 16 and 32 runs, with ties, narrow and wide spreads and overlapping or shifted medians, every ε is equal bit for
    bit. */
    #[test]
    fn the_fast_path_equals_scoring_every_grid_point() {
        let mut rng = Rng64::new(3, 0);
        for case in 0..150 {
            let (nu, nr) = ([8, 16, 32][case % 3], [16, 8, 32][case / 3 % 3]);
            let (su, sr) = (rng.uniform_in(0.05, 3.0), rng.uniform_in(0.05, 3.0));
            let shift = rng.uniform_in(-3.0, 3.0);
            let mut draw = |n: usize, mean: f64, sd: f64| -> Vec<f64> {
                (0..n)
                    .map(|_| {
                        let x = mean + sd * rng.normal();
                        if case % 7 == 0 {
                            (x * 4.0).round() / 4.0
                        } else {
                            x
                        }
                    })
                    .collect()
            };
            let u = draw(nu, shift, su);
            let r = draw(nr, 0.0, sr);
            assert_eq!(
                epsilon(&u, &r),
                reference::epsilon(&u, &r),
                "case {case}: {u:?} {r:?}"
            );
        }
    }

    /* Source: the interval's meaning, checked by simulation. Two sides drawn from fixed distributions (30 examples, 16
    runs each, the method's φ shifted by 0.8) have a forgetting score that varies from draw to draw; the interval of
    one draw must hold the scores of fresh draws about as often as the spread of two draws allows (a fresh F lies
    within 1.96 standard errors of an observed one with probability P(|Z| < 1.96/√2) ≈ 0.83). Measured 38 of 40
    here; an interval from resampling the examples alone, not the runs, held 20 (the run noise it leaves out), so at
    least 26 of 40 are required. The interval is the same for the same seed, and a point where no resample can vary:
    sides that never overlap are told apart at the cap in every resample, F = 0. */
    #[test]
    fn the_interval_covers_fresh_draws_and_is_seeded() {
        let draw = |seed: u64| -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
            let mut rng = Rng64::new(seed, 0);
            let mut side = |shift: f64| -> Vec<Vec<f64>> {
                (0..30)
                    .map(|e| {
                        (0..16)
                            .map(|_| e as f64 * 0.1 + shift + rng.normal())
                            .collect()
                    })
                    .collect()
            };
            (side(0.8), side(0.0))
        };
        let score = |(u, r): &(Vec<Vec<f64>>, Vec<Vec<f64>>)| forgetting_score(&epsilons(u, r), 16);
        let first = draw(5);
        let f = score(&first);
        let [lo, hi] = forgetting_interval(&first.0, &first.1, f, 16, 200, 9);
        assert!(
            (0.0..=1.0).contains(&lo) && lo < hi && hi <= 1.0,
            "{lo} {hi}"
        );
        let inside = (100..140)
            .filter(|&seed| (lo..=hi).contains(&score(&draw(seed))))
            .count();
        eprintln!("{inside} of 40 fresh draws in [{lo}, {hi}] (F {f})");
        assert!(inside >= 26, "{inside} of 40 fresh draws in [{lo}, {hi}]");
        assert_eq!(
            forgetting_interval(&first.0, &first.1, f, 16, 200, 9),
            [lo, hi]
        );
        let r = &first.1;
        let far: Vec<Vec<f64>> = r
            .iter()
            .map(|v| v.iter().map(|x| x + 100.0).collect())
            .collect();
        let f_far = score(&(far.clone(), r.clone()));
        assert_eq!(f_far, 0.0);
        assert_eq!(forgetting_interval(&far, r, f_far, 16, 50, 9), [0.0, 0.0]);
    }

    /* Closed form: φ from probabilities, the wrong classes summed. p = (0.7, 0.2, 0.1), y = 0: ln 0.7 − ln 0.3. */
    #[test]
    fn logit_scaled_confidence() {
        let phi = logit_scaled(&[0.7, 0.2, 0.1, 0.25, 0.25, 0.5], &[0, 2], 3);
        assert!((phi[0] - (0.7f64.ln() - 0.3f64.ln())).abs() < 1e-6);
        assert!(phi[1].abs() < 1e-6);
    }
}
