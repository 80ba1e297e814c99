//! What a Bayesian classifier predicts: its inputs (raw features and a bias, or random Fourier features),
//! P(y = 1 | x) averaged over draws of its posterior, and the predictive KL between two models.

use super::features::Fourier;
use super::gaussian::Gaussian;
use super::likelihood::Logistic;
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::linalg::{dot, sigmoid};

/// Draws of q averaged for a predictive probability.
const PREDICTIVE_DRAWS: usize = 200;

/// The features the classifier sees, fixed for the experiment.
pub(super) struct Inputs {
    pub(super) fourier: Option<Fourier>,
    pub(super) d: usize,
}

impl Inputs {
    pub(super) fn dim(&self) -> usize {
        self.fourier.as_ref().map_or(self.d + 1, Fourier::dim)
    }
    pub(super) fn map(&self, x: &[f32]) -> Vec<f64> {
        let x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        match &self.fourier {
            Some(f) => f.map(&x),
            None => x
                .chunks(self.d)
                .flat_map(|row| std::iter::once(1.0).chain(row.iter().copied()))
                .collect(),
        }
    }
    pub(super) fn likelihood(&self, split: &Split) -> Logistic {
        Logistic {
            phi: self.map(&split.x),
            y: split.y.iter().map(|&c| c as f64).collect(),
            p: self.dim(),
        }
    }
}

/// P(y = 1 | x) for each row of `phi`, averaged over fixed draws of q.
pub fn predictive(q: &Gaussian, phi: &[f64], p: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng64::new(seed, stream::AUDIT);
    let draws: Vec<Vec<f64>> = (0..PREDICTIVE_DRAWS)
        .map(|_| q.sample(&mut rng).0)
        .collect();
    phi.chunks(p)
        .map(|row| draws.iter().map(|t| sigmoid(dot(row, t))).sum::<f64>() / draws.len() as f64)
        .collect()
}

/// Mean KL[Bernoulli(a) ‖ Bernoulli(b)].
pub fn mean_kl(a: &[f64], b: &[f64]) -> f64 {
    let c = |v: f64| v.clamp(1e-9, 1.0 - 1e-9);
    a.iter()
        .zip(b)
        .map(|(&x, &y)| {
            let (x, y) = (c(x), c(y));
            x * (x / y).ln() + (1.0 - x) * ((1.0 - x) / (1.0 - y)).ln()
        })
        .sum::<f64>()
        / a.len().max(1) as f64
}
