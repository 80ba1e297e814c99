//! A Gaussian over parameters, N(μ, L Lᵀ) with L lower-triangular: the variational family of VBU, with the
//! closed forms it needs (log-density, KL between two Gaussians) and reparameterised samples θ = μ + L ε.

use crate::data::rng::Rng64;
use crate::linalg::{cholesky, cholesky_inverse, lower_times_transpose, solve_lower};

/// N(`mean`, `chol` `chol`ᵀ), `chol` lower-triangular and row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaussian {
    /// μ.
    pub mean: Vec<f64>,
    /// L, with a positive diagonal.
    pub chol: Vec<f64>,
}

const LN_2PI: f64 = 1.837_877_066_409_345_5;

impl Gaussian {
    /// N(0, `variance` I) in `p` dimensions.
    pub fn isotropic(p: usize, variance: f64) -> Self {
        let mut chol = vec![0.0; p * p];
        (0..p).for_each(|i| chol[i * p + i] = variance.sqrt());
        Self {
            mean: vec![0.0; p],
            chol,
        }
    }

    /// A Gaussian from its mean and covariance, or `None` when the covariance is not positive definite.
    pub fn from_covariance(mean: Vec<f64>, cov: &[f64]) -> Option<Self> {
        let p = mean.len();
        Some(Self {
            chol: cholesky(cov, p)?,
            mean,
        })
    }

    /// Dimensions.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Σ = L Lᵀ.
    pub fn covariance(&self) -> Vec<f64> {
        lower_times_transpose(&self.chol, self.dim())
    }

    /// ln |Σ|.
    pub fn log_det(&self) -> f64 {
        let p = self.dim();
        (0..p).map(|i| 2.0 * self.chol[i * p + i].abs().ln()).sum()
    }

    /// A standard normal draw ε and θ = μ + L ε.
    pub fn sample(&self, rng: &mut Rng64) -> (Vec<f64>, Vec<f64>) {
        let p = self.dim();
        let eps: Vec<f64> = (0..p).map(|_| rng.normal()).collect();
        (self.transform(&eps), eps)
    }

    /// μ + L ε.
    pub fn transform(&self, eps: &[f64]) -> Vec<f64> {
        let p = self.dim();
        (0..p)
            .map(|i| self.mean[i] + (0..=i).map(|k| self.chol[i * p + k] * eps[k]).sum::<f64>())
            .collect()
    }

    /// ln N(θ; μ, Σ).
    pub fn log_prob(&self, theta: &[f64]) -> f64 {
        let p = self.dim();
        let diff: Vec<f64> = theta.iter().zip(&self.mean).map(|(a, b)| a - b).collect();
        let z = solve_lower(&self.chol, &diff, p);
        -0.5 * (p as f64 * LN_2PI + self.log_det() + z.iter().map(|v| v * v).sum::<f64>())
    }

    /// ln N(μ; μ, Σ): the density at the mode.
    pub fn log_prob_at_mode(&self) -> f64 {
        -0.5 * (self.dim() as f64 * LN_2PI + self.log_det())
    }

    /// KL[self ‖ other], in nats.
    pub fn kl(&self, other: &Gaussian) -> f64 {
        let p = self.dim();
        let inv = cholesky_inverse(&other.chol, p);
        let cov = self.covariance();
        let trace: f64 = (0..p)
            .map(|i| (0..p).map(|j| inv[i * p + j] * cov[j * p + i]).sum::<f64>())
            .sum();
        let diff: Vec<f64> = other
            .mean
            .iter()
            .zip(&self.mean)
            .map(|(a, b)| a - b)
            .collect();
        let z = solve_lower(&other.chol, &diff, p);
        0.5 * (trace + z.iter().map(|v| v * v).sum::<f64>() - p as f64 + other.log_det()
            - self.log_det())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /* Source: closed form: KL[N(0,1) ‖ N(1,4)] = ½(1/4 + 1/4 − 1 + ln 4) = 0.4431…; KL of a Gaussian to itself 0. */
    #[test]
    fn kl_and_log_density_match_their_closed_forms() {
        let a = Gaussian::isotropic(1, 1.0);
        let b = Gaussian {
            mean: vec![1.0],
            chol: vec![2.0],
        };
        assert!((a.kl(&b) - 0.5 * (0.25 + 0.25 - 1.0 + 4f64.ln())).abs() < 1e-12);
        assert!(a.kl(&a).abs() < 1e-12);
        assert!((a.log_prob(&[0.0]) - (-0.5 * LN_2PI)).abs() < 1e-12);
        assert!((b.log_prob(&[1.0]) - b.log_prob_at_mode()).abs() < 1e-12);
    }
}
