//! Minimising F(q) = E_q[a(θ)] + KL[q ‖ r] over Gaussians q = N(μ, L Lᵀ), by reparameterised Monte-Carlo
//! gradients (θ = μ + L ε) and Adam, returning the average of the second half of the iterates (which damps the
//! Monte-Carlo noise).
//!
//! - Variational inference: a = −log p(D|θ), r = the prior (maximises the ELBO).
//! - The EUBO of VBU: a = log p̃(D_e|θ) (the adjusted likelihood), r = q(θ|D).
//!
//! Gradients: ∇μ F = E[∇a(θ)] + Σr⁻¹(μ − μr); ∇L F = lower(E[∇a(θ) εᵀ]) + lower(Σr⁻¹ L) − diag(1/Lᵢᵢ).

use super::gaussian::Gaussian;
use crate::data::rng::Rng64;
use crate::linalg::cholesky_inverse;

/// How long and how finely to optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// Monte-Carlo samples per gradient.
    pub samples: usize,
    /// Adam steps.
    pub iterations: usize,
    /// Adam's step size.
    pub learning_rate: f64,
    /// Keep the covariance diagonal (mean field): only L's diagonal moves.
    pub diagonal: bool,
}

/// Minimises E_q[a(θ)] + KL[q ‖ `reference`] from `start`; `term(θ)` returns ∇a(θ).
pub fn minimise(
    start: &Gaussian,
    reference: &Gaussian,
    term: impl Fn(&[f64]) -> Vec<f64>,
    schedule: Schedule,
    rng: &mut Rng64,
) -> Gaussian {
    let p = start.dim();
    let r_inv = cholesky_inverse(&reference.chol, p);
    let mut q = start.clone();
    // Adam state over μ (p) and L (p × p, only the lower triangle moves).
    let n = p + p * p;
    let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
    let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
    let mut avg = Gaussian {
        mean: vec![0.0; p],
        chol: vec![0.0; p * p],
    };
    let mut averaged = 0usize;
    for it in 1..=schedule.iterations {
        let mut g = vec![0.0; n];
        for _ in 0..schedule.samples {
            let (theta, e) = q.sample(rng);
            let ga = term(&theta);
            for i in 0..p {
                g[i] += ga[i];
                for j in 0..=i {
                    g[p + i * p + j] += ga[i] * e[j];
                }
            }
        }
        let s = schedule.samples.max(1) as f64;
        g.iter_mut().for_each(|x| *x /= s);
        for i in 0..p {
            g[i] += (0..p)
                .map(|k| r_inv[i * p + k] * (q.mean[k] - reference.mean[k]))
                .sum::<f64>();
            for j in 0..=i {
                // (Σr⁻¹ L)ᵢⱼ, then the log-determinant's −1/Lᵢᵢ on the diagonal.
                g[p + i * p + j] += (j..p)
                    .map(|k| r_inv[i * p + k] * q.chol[k * p + j])
                    .sum::<f64>();
                if i == j {
                    g[p + i * p + i] -= 1.0 / q.chol[i * p + i];
                }
            }
        }
        let (c1, c2) = (1.0 - b1.powi(it as i32), 1.0 - b2.powi(it as i32));
        for k in 0..n {
            let lower = k < p || (k - p) % p <= (k - p) / p;
            let off_diagonal = k >= p && (k - p) % p != (k - p) / p;
            if !lower || (schedule.diagonal && off_diagonal) {
                continue;
            }
            m[k] = b1 * m[k] + (1.0 - b1) * g[k];
            v[k] = b2 * v[k] + (1.0 - b2) * g[k] * g[k];
            let step = schedule.learning_rate * (m[k] / c1) / ((v[k] / c2).sqrt() + eps);
            if k < p {
                q.mean[k] -= step;
            } else {
                q.chol[k - p] -= step;
            }
        }
        for i in 0..p {
            let d = &mut q.chol[i * p + i];
            if *d < 1e-6 {
                *d = 1e-6;
            }
        }
        if it > schedule.iterations / 2 {
            averaged += 1;
            avg.mean.iter_mut().zip(&q.mean).for_each(|(a, b)| *a += b);
            avg.chol.iter_mut().zip(&q.chol).for_each(|(a, b)| *a += b);
        }
    }
    let k = averaged.max(1) as f64;
    avg.mean.iter_mut().for_each(|a| *a /= k);
    avg.chol.iter_mut().for_each(|a| *a /= k);
    if averaged == 0 { q } else { avg }
}
