//! The membership-inference attack of the audit: a logistic regression on per-example losses, cross-validated
//! (the NeurIPS 2023 unlearning challenge's starting kit does the same with scikit-learn). Members are forget
//! points; non-members are as many test points **of the same classes**, so that the attack measures membership
//! and not class. The ideal AUC is the retrained model's, not 0.5.

use crate::data::rng::{Rng64, stream};

/// Cross-validation folds (fewer when there are fewer pairs).
const FOLDS: usize = 5;

/// Which forget points and which test points the attack compares: equal numbers per class.
#[derive(Debug, Clone, PartialEq)]
pub struct Pairs {
    /// Indices into the forget set.
    pub members: Vec<usize>,
    /// Indices into the test split.
    pub non_members: Vec<usize>,
}

impl Pairs {
    /// For each class, min(forget points, test points) of each, drawn with `seed`.
    pub fn class_matched(forget_y: &[u32], test_y: &[u32], n_classes: usize, seed: u64) -> Self {
        let mut rng = Rng64::new(seed, stream::AUDIT);
        let (mut members, mut non_members) = (Vec::new(), Vec::new());
        for c in 0..n_classes as u32 {
            let mut f: Vec<usize> = (0..forget_y.len()).filter(|&i| forget_y[i] == c).collect();
            let mut t: Vec<usize> = (0..test_y.len()).filter(|&i| test_y[i] == c).collect();
            let m = f.len().min(t.len());
            rng.shuffle(&mut f);
            rng.shuffle(&mut t);
            members.extend_from_slice(&f[..m]);
            non_members.extend_from_slice(&t[..m]);
        }
        Self {
            members,
            non_members,
        }
    }

    /// Number of member/non-member pairs.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there is no pair.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
}

/// The attack's AUC from the losses of members and non-members (equal numbers): `None` with fewer than 2 pairs.
/// Each fold fits a one-feature logistic regression (L2 penalty ½w², scikit-learn's default C = 1) on the other
/// folds' standardised losses; the held-out scores of all folds are pooled into one AUC.
pub fn attack_auc(member_loss: &[f64], non_member_loss: &[f64]) -> Option<f64> {
    let m = member_loss.len().min(non_member_loss.len());
    if m < 2 {
        return None;
    }
    let folds = FOLDS.min(m);
    // Stratified folds: the i-th member and the i-th non-member go to fold i mod folds.
    let points: Vec<(f64, f64, usize)> = (0..m)
        .flat_map(|i| {
            [
                (member_loss[i], 1.0, i % folds),
                (non_member_loss[i], 0.0, i % folds),
            ]
        })
        .collect();
    let mut scores = Vec::with_capacity(points.len());
    for fold in 0..folds {
        let train: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.2 != fold)
            .map(|p| (p.0, p.1))
            .collect();
        let (w, b, mean, std) = fit_logistic_1d(&train);
        for p in points.iter().filter(|p| p.2 == fold) {
            scores.push((w * (p.0 - mean) / std + b, p.1));
        }
    }
    Some(auc(&scores))
}

/// Fits P(member | loss) = σ(w·(loss − mean)/std + b) by Newton's method; returns (w, b, mean, std).
fn fit_logistic_1d(points: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    let n = points.len() as f64;
    let mean = points.iter().map(|p| p.0).sum::<f64>() / n;
    let var = points.iter().map(|p| (p.0 - mean).powi(2)).sum::<f64>() / n;
    let std = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
    let (mut w, mut b) = (0.0f64, 0.0f64);
    for _ in 0..50 {
        // Gradient and Hessian of Σ log-loss + ½w².
        let (mut gw, mut gb, mut hww, mut hwb, mut hbb) = (w, 0.0, 1.0, 0.0, 0.0);
        for &(x, y) in points {
            let z = (x - mean) / std;
            let p = 1.0 / (1.0 + (-(w * z + b)).exp());
            let r = p * (1.0 - p);
            gw += (p - y) * z;
            gb += p - y;
            hww += r * z * z;
            hwb += r * z;
            hbb += r;
        }
        let det = hww * hbb - hwb * hwb;
        if det.abs() < 1e-300 {
            break;
        }
        let dw = (hbb * gw - hwb * gb) / det;
        let db = (hww * gb - hwb * gw) / det;
        w -= dw;
        b -= db;
        if dw.abs() + db.abs() < 1e-10 {
            break;
        }
    }
    (w, b, mean, std)
}

/// Area under the ROC curve of `(score, label)` pairs (label 1 = positive): the Mann–Whitney statistic, ties
/// counted as one half.
pub fn auc(scores: &[(f64, f64)]) -> f64 {
    let mut sorted: Vec<(f64, f64)> = scores.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_pos = sorted.iter().filter(|s| s.1 > 0.5).count() as f64;
    let n_neg = sorted.len() as f64 - n_pos;
    if n_pos == 0.0 || n_neg == 0.0 {
        return 0.5;
    }
    // Average ranks over ties.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += sorted[i..=j].iter().filter(|s| s.1 > 0.5).count() as f64 * rank;
        i = j + 1;
    }
    (rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Hand-computed Mann–Whitney: positives {0.9, 0.4}, negatives {0.5, 0.1}. Of the 4 (positive, negative)
    pairs, 0.9 beats both and 0.4 beats 0.1 only: AUC = 3/4. With a tie (positive 0.5 vs negative 0.5) the pair
    counts 1/2: positives {0.9, 0.5}, negatives {0.5, 0.1} → (2 + 1.5)/4 = 0.875. */
    #[test]
    fn auc_matches_hand_computation() {
        assert_eq!(auc(&[(0.9, 1.0), (0.4, 1.0), (0.5, 0.0), (0.1, 0.0)]), 0.75);
        assert_eq!(
            auc(&[(0.9, 1.0), (0.5, 1.0), (0.5, 0.0), (0.1, 0.0)]),
            0.875
        );
    }

    /* Members with losses far below every non-member's: each fold's logistic fit has a negative slope, so every
    held-out member scores above every held-out non-member: AUC 1. Members above: also separable, the fit flips
    its slope, AUC 1 again (the attack learns the direction). */
    #[test]
    fn separable_losses_give_auc_one() {
        let members: Vec<f64> = (0..20).map(|i| 0.01 + 0.001 * i as f64).collect();
        let non_members: Vec<f64> = (0..20).map(|i| 2.0 + 0.1 * i as f64).collect();
        assert_eq!(attack_auc(&members, &non_members), Some(1.0));
        assert_eq!(attack_auc(&non_members, &members), Some(1.0));
    }

    /* Identical losses carry no membership signal: every score ties, AUC exactly 1/2. */
    #[test]
    fn identical_losses_give_one_half() {
        assert_eq!(attack_auc(&[0.3; 12], &[0.3; 12]), Some(0.5));
        assert_eq!(attack_auc(&[0.3], &[0.2]), None);
    }

    /* Class matching: forget classes [0,0,0,1], test classes [0,1,1,2]: class 0 pairs min(3,1) = 1, class 1
    min(1,2) = 1, class 2 none: 2 pairs, and each non-member has its member's class. */
    #[test]
    fn pairs_are_class_matched() {
        let f = [0, 0, 0, 1];
        let t = [0, 1, 1, 2];
        let p = Pairs::class_matched(&f, &t, 3, 1);
        assert_eq!(p.len(), 2);
        for (m, n) in p.members.iter().zip(&p.non_members) {
            assert_eq!(f[*m], t[*n]);
        }
    }
}
