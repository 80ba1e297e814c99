//! The membership attack of the federated table, with the source paper's protocol: one shadow attack trained once
//! on the original global model's outputs (each point's sorted softmax vector, most confident class first, and the
//! logit-scaled confidence in its own label: a model that memorised a point is confident in that point's label), every
//! client's training rows as members against as many rows of half the test split as non-members, then applied
//! unchanged to every model on the target client's rows against as many unseen test rows. Its precision and
//! recall are the paper's "precision" and "recall" columns. The reference trains gradient-boosted trees
//! (XGBoost); Lethe's stand-in is a logistic regression on the same features, written here, so that the worker
//! gains no dependency and the same attack runs natively and in the browser.

use crate::linalg::{dot, sigmoid};

/// In words, for the report.
pub const DESCRIPTION: &str = "shadow attack: logistic regression on the sorted softmax vector and the logit-scaled \
confidence in the point's own label, trained once on \
the original global model's outputs (all clients' training rows as members against as many rows of half the test \
split as non-members) and applied unchanged to every model on the target client's rows against as many rows of the \
other half";

/// The attack's features of each row of row-major `probs` (`k` classes) with label `y`: the sorted probabilities
/// ([`sorted_rows`]), then the label's logit-scaled confidence ln p_y − ln Σ_{c≠y} p_c (LiRA's statistic: it spreads
/// out the confident end, where a memorised point and a merely easy one differ in the fifth decimal).
pub fn features(probs: &[f32], y: &[u32], k: usize) -> Vec<Vec<f64>> {
    let phi = super::privacy::logit_scaled(probs, y, k);
    sorted_rows(probs, k)
        .into_iter()
        .zip(phi)
        .map(|(mut row, phi)| {
            row.push(phi);
            row
        })
        .collect()
}

/// Most points per side of the attack's training and evaluation sets.
pub const MAX_ATTACK_POINTS: usize = 500;

/// Each row of row-major `probs` (`k` classes) sorted in descending order.
pub fn sorted_rows(probs: &[f32], k: usize) -> Vec<Vec<f64>> {
    probs
        .chunks(k.max(1))
        .map(|row| {
            let mut r: Vec<f64> = row.iter().map(|&p| p as f64).collect();
            r.sort_by(|a, b| b.total_cmp(a));
            r
        })
        .collect()
}

/// A binary logistic regression fitted by full-batch gradient descent on standardised features (with a bias and a
/// small L2 penalty, so that it converges on separable data).
pub struct Logistic {
    mean: Vec<f64>,
    std: Vec<f64>,
    w: Vec<f64>,
    b: f64,
}

impl Logistic {
    /// Fits `positives` (label 1) against `negatives` (label 0).
    pub fn fit(positives: &[Vec<f64>], negatives: &[Vec<f64>]) -> Self {
        let dim = positives.first().or(negatives.first()).map_or(0, Vec::len);
        let all: Vec<&Vec<f64>> = positives.iter().chain(negatives).collect();
        let n = all.len().max(1) as f64;
        let mean: Vec<f64> = (0..dim)
            .map(|j| all.iter().map(|x| x[j]).sum::<f64>() / n)
            .collect();
        let std: Vec<f64> = (0..dim)
            .map(|j| {
                let v = all.iter().map(|x| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
                if v > 1e-18 { v.sqrt() } else { 1.0 }
            })
            .collect();
        let mut model = Self {
            mean,
            std,
            w: vec![0.0; dim],
            b: 0.0,
        };
        let data: Vec<(Vec<f64>, f64)> = positives
            .iter()
            .map(|x| (model.scale(x), 1.0))
            .chain(negatives.iter().map(|x| (model.scale(x), 0.0)))
            .collect();
        let (lr, l2) = (0.5, 1e-3);
        for _ in 0..400 {
            let mut gw = vec![0.0; dim];
            let mut gb = 0.0;
            for (x, y) in &data {
                let err = sigmoid(dot(&model.w, x) + model.b) - y;
                gw.iter_mut().zip(x).for_each(|(g, xi)| *g += err * xi);
                gb += err;
            }
            for (w, g) in model.w.iter_mut().zip(&gw) {
                *w -= lr * (g / n + l2 * *w);
            }
            model.b -= lr * gb / n;
        }
        model
    }

    fn scale(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.mean.iter().zip(&self.std))
            .map(|(v, (m, s))| (v - m) / s)
            .collect()
    }

    /// The attack's probability that `x` is a member.
    pub fn score(&self, x: &[f64]) -> f64 {
        sigmoid(dot(&self.w, &self.scale(x)) + self.b)
    }

    /// Whether the attack calls `x` a member (its probability above ½).
    pub fn member(&self, x: &[f64]) -> bool {
        self.score(x) > 0.5
    }
}

/// Precision and recall of `attack` calling `members` members and `non_members` not (null precision when it calls
/// nothing a member).
pub fn precision_recall(
    attack: &Logistic,
    members: &[Vec<f64>],
    non_members: &[Vec<f64>],
) -> (Option<f64>, Option<f64>) {
    let tp = members.iter().filter(|x| attack.member(x)).count();
    let fp = non_members.iter().filter(|x| attack.member(x)).count();
    let precision = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
    let recall = (!members.is_empty()).then(|| tp as f64 / members.len() as f64);
    (precision, recall)
}

/// The AUC of `attack`'s scores, `members` against `non_members` (null when either is empty): how well it ranks
/// members above non-members at every threshold, not only at ½.
pub fn attack_auc(
    attack: &Logistic,
    members: &[Vec<f64>],
    non_members: &[Vec<f64>],
) -> Option<f64> {
    if members.is_empty() || non_members.is_empty() {
        return None;
    }
    let scores: Vec<(f64, f64)> = members
        .iter()
        .map(|x| (attack.score(x), 1.0))
        .chain(non_members.iter().map(|x| (attack.score(x), 0.0)))
        .collect();
    Some(super::mia::auc(&scores))
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: closed form: members are confident (top probability 0.95), non-members are not (0.55): any sensible
    attack separates them perfectly. */
    #[test]
    fn a_separable_attack_has_full_precision_and_recall() {
        let confident = vec![vec![0.95, 0.05]; 40];
        let unsure = vec![vec![0.55, 0.45]; 40];
        let attack = Logistic::fit(&confident, &unsure);
        assert_eq!(
            precision_recall(&attack, &confident, &unsure),
            (Some(1.0), Some(1.0))
        );
        assert_eq!(
            sorted_rows(&[0.1, 0.7, 0.2], 3),
            vec![vec![0.7f32 as f64, 0.2f32 as f64, 0.1f32 as f64]]
        );
    }
}
