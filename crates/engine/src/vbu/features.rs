//! Random Fourier features: φ(x) = [1, √(2/W) cos(ωₖᵀx + bₖ)]ₖ with ω ~ N(0, I/ℓ²) and b ~ U(0, 2π), so that a
//! linear model on φ approximates a Gaussian-process classifier with an RBF kernel of bandwidth ℓ (Rahimi &
//! Recht 2007). It stands in for the paper's sparse GP on the moons.

use crate::data::rng::Rng64;

/// A fixed draw of `width` random features over `d` inputs.
#[derive(Debug, Clone)]
pub struct Fourier {
    omega: Vec<f64>,
    phase: Vec<f64>,
    d: usize,
}

impl Fourier {
    /// Draws the features.
    pub fn new(d: usize, width: usize, bandwidth: f64, rng: &mut Rng64) -> Self {
        Self {
            omega: (0..width * d).map(|_| rng.normal() / bandwidth).collect(),
            phase: (0..width)
                .map(|_| rng.uniform() * 2.0 * std::f64::consts::PI)
                .collect(),
            d,
        }
    }

    /// Parameters of a model on these features (with the bias).
    pub fn dim(&self) -> usize {
        self.phase.len() + 1
    }

    /// φ of each row of `x` (row-major, `d` per row), row-major.
    pub fn map(&self, x: &[f64]) -> Vec<f64> {
        let w = self.phase.len();
        let scale = (2.0 / w as f64).sqrt();
        x.chunks(self.d)
            .flat_map(|row| {
                std::iter::once(1.0).chain((0..w).map(move |k| {
                    let z: f64 = (0..self.d)
                        .map(|j| self.omega[k * self.d + j] * row[j])
                        .sum();
                    scale * (z + self.phase[k]).cos()
                }))
            })
            .collect()
    }
}
