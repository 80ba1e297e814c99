//! Classification metrics: accuracy, per-example losses and arg-max predictions, and from a confusion matrix with
//! scikit-learn's conventions (`precision_recall_fscore_support`, `average="macro"`, `zero_division=0`); the
//! mean and spread of a list.

use lethe_protocol::ClassMetrics;

/// `confusion[true][predicted]` counts.
pub fn confusion(truth: &[u32], predicted: &[u32], n_classes: usize) -> Vec<Vec<u32>> {
    let mut m = vec![vec![0u32; n_classes]; n_classes];
    for (&t, &p) in truth.iter().zip(predicted) {
        m[t as usize][p as usize] += 1;
    }
    m
}

/// Precision, recall, F1 and support per class; a ratio with a zero denominator is 0.
pub fn per_class(confusion: &[Vec<u32>], class_names: &[String]) -> Vec<ClassMetrics> {
    let k = confusion.len();
    (0..k)
        .map(|c| {
            let tp = confusion[c][c] as f64;
            let predicted: u32 = (0..k).map(|t| confusion[t][c]).sum();
            let support: u32 = confusion[c].iter().sum();
            let precision = ratio(tp, predicted as f64);
            let recall = ratio(tp, support as f64);
            let f1 = ratio(2.0 * precision * recall, precision + recall);
            ClassMetrics {
                class: class_names[c].clone(),
                precision,
                recall,
                f1,
                support,
            }
        })
        .collect()
}

/// Unweighted means of precision, recall and F1 over classes.
pub fn macro_average(per_class: &[ClassMetrics]) -> (f64, f64, f64) {
    let n = per_class.len().max(1) as f64;
    let sum = |f: fn(&ClassMetrics) -> f64| per_class.iter().map(f).sum::<f64>() / n;
    (sum(|m| m.precision), sum(|m| m.recall), sum(|m| m.f1))
}

fn ratio(num: f64, den: f64) -> f64 {
    if den == 0.0 { 0.0 } else { num / den }
}

/// `reference / own`: how many times less work `own` did, both counted in per-example forward and backward passes
/// (`sample_grads`); `None` when `own` computed no gradient at all.
pub fn work_ratio(reference: u64, own: u64) -> Option<f64> {
    (own > 0).then(|| reference as f64 / own as f64)
}

/// Per-example cross-entropy (nats) from row-major probabilities, floored at 1e-12 to stay finite.
pub fn losses(probs: &[f32], y: &[u32], k: usize) -> Vec<f64> {
    y.iter()
        .enumerate()
        .map(|(i, &c)| -((probs[i * k + c as usize] as f64).max(1e-12)).ln())
        .collect()
}

/// Arg-max class per row.
pub fn predictions(probs: &[f32], k: usize) -> Vec<u32> {
    probs
        .chunks(k.max(1))
        .map(|row| {
            row.iter()
                .enumerate()
                .fold((0, f32::NEG_INFINITY), |best, (c, &p)| {
                    if p > best.1 { (c, p) } else { best }
                })
                .0 as u32
        })
        .collect()
}

/// Fraction of `predicted` equal to `y` (0 for an empty set).
pub fn accuracy(predicted: &[u32], y: &[u32]) -> f64 {
    if y.is_empty() {
        return 0.0;
    }
    predicted.iter().zip(y).filter(|(p, t)| p == t).count() as f64 / y.len() as f64
}

/// Mean and population standard deviation.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Hand-computed. truth = [0,0,0,1,1,2], predicted = [0,0,1,1,2,2]:
    confusion rows (true) 0: [2,1,0], 1: [0,1,1], 2: [0,0,1]; accuracy 4/6.
    class 0: P = 2/2 = 1,   R = 2/3, F1 = 0.8
    class 1: P = 1/2,       R = 1/2, F1 = 0.5
    class 2: P = 1/2,       R = 1/1, F1 = 2/3
    macro: P = 2/3, R = (2/3 + 1/2 + 1)/3 = 13/18, F1 = (0.8 + 0.5 + 2/3)/3 = 59/90.
    scikit-learn: precision_recall_fscore_support(t, p, average="macro") gives the same. */
    #[test]
    fn three_class_metrics_match_hand_computation() {
        let m = confusion(&[0, 0, 0, 1, 1, 2], &[0, 0, 1, 1, 2, 2], 3);
        assert_eq!(m, vec![vec![2, 1, 0], vec![0, 1, 1], vec![0, 0, 1]]);
        assert!((accuracy(&[0, 0, 1, 1, 2, 2], &[0, 0, 0, 1, 1, 2]) - 4.0 / 6.0).abs() < 1e-12);
        let names: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let pc = per_class(&m, &names);
        assert!((pc[0].f1 - 0.8).abs() < 1e-12);
        assert!((pc[2].f1 - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(pc[0].support, 3);
        let (p, r, f) = macro_average(&pc);
        assert!((p - 2.0 / 3.0).abs() < 1e-12);
        assert!((r - 13.0 / 18.0).abs() < 1e-12);
        assert!((f - 59.0 / 90.0).abs() < 1e-12);
    }

    /* A class never predicted: precision 0/0 → 0 (zero_division=0), so its F1 is 0 too. */
    #[test]
    fn never_predicted_class_scores_zero_not_nan() {
        let m = confusion(&[0, 1, 1], &[0, 0, 0], 2);
        let pc = per_class(&m, &["x".into(), "y".into()]);
        assert_eq!(pc[1].precision, 0.0);
        assert_eq!(pc[1].f1, 0.0);
        assert!((pc[0].precision - 1.0 / 3.0).abs() < 1e-12);
    }
}
