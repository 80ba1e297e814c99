//! Relearn time (Golatkar et al. 2020): how many epochs of fine-tuning on the forget set bring the forget accuracy
//! back within a tolerance of the original model's. Quick relearning means the knowledge was only hidden.

use crate::error::Result;

/// How close to the original forget accuracy counts as relearned.
pub const RELEARN_TOLERANCE: f64 = 0.01;

/// The first epoch count `e` in `0..=cap` whose forget accuracy is at least `target − RELEARN_TOLERANCE`, or
/// `cap` when none is. `accuracy_after(e)` is called with e = 0, 1, 2, … in order: the accuracy before any
/// epoch, then after each further epoch of fine-tuning.
pub async fn epochs_to_relearn(
    target: f64,
    cap: usize,
    mut accuracy_after: impl AsyncFnMut(usize) -> Result<f64>,
) -> Result<usize> {
    for e in 0..=cap {
        if accuracy_after(e).await? >= target - RELEARN_TOLERANCE {
            return Ok(e);
        }
    }
    Ok(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(target: f64, cap: usize, seq: &[f64]) -> usize {
        let mut calls = Vec::new();
        let e = futures_executor::block_on(epochs_to_relearn(target, cap, async |e| {
            calls.push(e);
            Ok(seq[e.min(seq.len() - 1)])
        }))
        .unwrap();
        assert_eq!(
            calls,
            (0..=e.min(cap)).collect::<Vec<_>>(),
            "epochs are taken in order, once"
        );
        e
    }

    /* Hand-computed: target 0.95, so 0.94 counts. Accuracies 0.1, 0.5, 0.94, … → 2 epochs. Already there → 0.
    Never there with cap 3 → 3. */
    #[test]
    fn counts_epochs_until_within_tolerance() {
        assert_eq!(count(0.95, 10, &[0.1, 0.5, 0.94, 0.99]), 2);
        assert_eq!(count(0.95, 10, &[0.96]), 0);
        assert_eq!(count(0.95, 3, &[0.2]), 3);
    }
}
