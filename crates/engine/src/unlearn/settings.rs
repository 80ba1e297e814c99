//! Resolving a method's settings: what the experiment gave, or the documented default. Epoch counts default to a
//! fraction of `train.epochs`, so that a method stays cheaper than retraining, and to at most
//! [`MAX_DEFAULT_EPOCHS`], the references' count.

use lethe_protocol::MethodSpec;

/// Most epochs a method runs by default: the references run 5 (NegGrad+ `ng_epochs = 5` in meghdadk/SCRUB,
/// fine-tuning `epochs = 5` in the NeurIPS 2023 starting kit, SCRUB's 5 in the RUM settings). Without the cap, a
/// model trained for long (a scikit-learn MLP stops after 100 to 200 epochs) got 14 or more epochs of ascent, and
/// NegGrad+ and SCRUB wrecked the classes they should keep (digits, class 3: 8 to 9 points below retraining).
pub const MAX_DEFAULT_EPOCHS: usize = 5;

/// `round(fraction × epochs)`, at least 1 and at most [`MAX_DEFAULT_EPOCHS`].
pub fn fraction_of(epochs: usize, fraction: f64) -> usize {
    ((epochs as f64 * fraction).round() as usize).clamp(1, MAX_DEFAULT_EPOCHS)
}

/// A real setting, or its default.
pub fn real(spec: &MethodSpec, name: &str, default: f64) -> f64 {
    spec.get(name).unwrap_or(default)
}

/// A whole-number setting, or its default.
pub fn whole(spec: &MethodSpec, name: &str, default: usize) -> usize {
    spec.get(name).map_or(default, |v| v as usize)
}
