//! Measuring a model against the forget set and the retrain oracle: accuracies, the membership attack, output and
//! weight distances, relearn time, and the warnings they raise.

pub mod divergence;
pub mod mia;
pub mod relearn;
pub mod shadow;
pub mod warnings;
pub mod yardstick;

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
