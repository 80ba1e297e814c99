//! Resolving a method's settings: what the experiment gave, or the documented default. Epoch counts default to a
//! fraction of `train.epochs`, so that a method stays cheaper than retraining.

use lethe_protocol::MethodSpec;

/// `round(fraction × epochs)`, at least 1.
pub fn fraction_of(epochs: usize, fraction: f64) -> usize {
    ((epochs as f64 * fraction).round() as usize).max(1)
}

/// A real setting, or its default.
pub fn real(spec: &MethodSpec, name: &str, default: f64) -> f64 {
    spec.get(name).unwrap_or(default)
}

/// A whole-number setting, or its default.
pub fn whole(spec: &MethodSpec, name: &str, default: usize) -> usize {
    spec.get(name).map_or(default, |v| v as usize)
}
