//! Distances from an unlearned model to the reference retrain: Jensen–Shannon divergence of predictions and the
//! tug-of-war score (Zhao et al., NeurIPS 2024, `RUM/surgical_plugins/analysis.py`, there with accuracies in %).

/// Mean Jensen–Shannon divergence in nats between rows of two row-major probability matrices with `k` columns:
/// JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m), m = (p + q)/2. Between 0 and ln 2.
pub fn mean_js(p: &[f32], q: &[f32], k: usize) -> f64 {
    let n = p.len() / k.max(1);
    if n == 0 {
        return 0.0;
    }
    let kl = |a: f64, m: f64| if a > 0.0 { a * (a / m).ln() } else { 0.0 };
    let total: f64 = (0..n)
        .map(|i| {
            (0..k)
                .map(|c| {
                    let (a, b) = (p[i * k + c] as f64, q[i * k + c] as f64);
                    let m = 0.5 * (a + b);
                    0.5 * kl(a, m) + 0.5 * kl(b, m)
                })
                .sum::<f64>()
        })
        .sum();
    total / n as f64
}

/// Tug-of-war: (1 − |ΔRA|)(1 − |ΔFA|)(1 − |ΔTA|), accuracies as fractions, Δ against the reference retrain.
pub fn tow(unlearned: [f64; 3], retrained: [f64; 3]) -> f64 {
    unlearned
        .iter()
        .zip(retrained)
        .map(|(u, r)| 1.0 - (u - r).abs())
        .product()
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Hand-computed. p = (1, 0), q = (0, 1): m = (½, ½), KL(p‖m) = ln 2, KL(q‖m) = ln 2, JS = ln 2.
    p = q: JS = 0. p = (½, ½), q = (1, 0): m = (¾, ¼); KL(p‖m) = ½ ln(2/3) + ½ ln 2 = ½ ln(4/3);
    KL(q‖m) = ln(4/3); JS = ¼ ln(4/3) + ½ ln(4/3) = ¾ ln(4/3) ≈ 0.215762. The mean of the three rows is
    (ln 2 + 0 + ¾ ln(4/3)) / 3. */
    #[test]
    fn js_matches_hand_computation() {
        let p = [1.0, 0.0, 0.3, 0.7, 0.5, 0.5];
        let q = [0.0, 1.0, 0.3, 0.7, 1.0, 0.0];
        let expected = (2f64.ln() + 0.75 * (4.0f64 / 3.0).ln()) / 3.0;
        assert!((mean_js(&p, &q, 2) - expected).abs() < 1e-7);
    }

    /* Hand-computed: ΔRA = 0.02, ΔFA = 0.5, ΔTA = 0.01 → 0.98 · 0.5 · 0.99 = 0.4851; identical accuracies → 1. */
    #[test]
    fn tow_matches_hand_computation() {
        assert!((tow([0.97, 0.6, 0.9], [0.99, 0.1, 0.91]) - 0.4851).abs() < 1e-12);
        assert_eq!(tow([0.9, 0.1, 0.8], [0.9, 0.1, 0.8]), 1.0);
    }
}
