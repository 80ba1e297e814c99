//! Minimising F(q) = E_q[a(θ)] + KL[q ‖ r] over Gaussians q = N(μ, L Lᵀ), by reparameterised Monte-Carlo
//! gradients (θ = μ + L ε) and Adam, returning the average of the second half of the iterates (which damps the
//! Monte-Carlo noise).
//!
//! - Variational inference: a = −log p(D|θ), r = the prior (maximises the ELBO).
//! - The EUBO of VBU: a = log p̃(D_e|θ) (the adjusted likelihood), r = q(θ|D).
//!
//! Gradients: ∇μ F = E[∇a(θ)] + Σr⁻¹(μ − μr); ∇L F = lower(E[∇a(θ) εᵀ]) + lower(Σr⁻¹ L) − diag(1/Lᵢᵢ).

use super::gaussian::Gaussian;
use super::likelihood::{Likelihood, Logistic};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::checkpoint;
use crate::host::Host;
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

/// One minimisation in progress: Adam's state, stepped by [`Minimiser::step`], so that a host can yield (and take a
/// cancel) between iterations.
pub struct Minimiser {
    p: usize,
    r_inv: Vec<f64>,
    reference_mean: Vec<f64>,
    q: Gaussian,
    /// Adam state over μ (p) and L (p × p, only the lower triangle moves).
    m: Vec<f64>,
    v: Vec<f64>,
    avg: Gaussian,
    averaged: usize,
    it: usize,
    schedule: Schedule,
}

const B1: f64 = 0.9;
const B2: f64 = 0.999;
const EPS: f64 = 1e-8;

impl Minimiser {
    /// Starts minimising E_q[a(θ)] + KL[q ‖ `reference`] from `start`.
    pub fn new(start: &Gaussian, reference: &Gaussian, schedule: Schedule) -> Self {
        let p = start.dim();
        let n = p + p * p;
        Self {
            p,
            r_inv: cholesky_inverse(&reference.chol, p),
            reference_mean: reference.mean.clone(),
            q: start.clone(),
            m: vec![0.0; n],
            v: vec![0.0; n],
            avg: Gaussian {
                mean: vec![0.0; p],
                chol: vec![0.0; p * p],
            },
            averaged: 0,
            it: 0,
            schedule,
        }
    }

    /// One Adam iteration; `term(θ)` returns ∇a(θ).
    pub fn step(&mut self, term: &impl Fn(&[f64]) -> Vec<f64>, rng: &mut Rng64) {
        let (p, schedule) = (self.p, self.schedule);
        let n = p + p * p;
        self.it += 1;
        let it = self.it;
        let q = &mut self.q;
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
        let r_inv = &self.r_inv;
        for i in 0..p {
            g[i] += (0..p)
                .map(|k| r_inv[i * p + k] * (q.mean[k] - self.reference_mean[k]))
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
        let (c1, c2) = (1.0 - B1.powi(it as i32), 1.0 - B2.powi(it as i32));
        let (m, v) = (&mut self.m, &mut self.v);
        for k in 0..n {
            let lower = k < p || (k - p) % p <= (k - p) / p;
            let off_diagonal = k >= p && (k - p) % p != (k - p) / p;
            if !lower || (schedule.diagonal && off_diagonal) {
                continue;
            }
            m[k] = B1 * m[k] + (1.0 - B1) * g[k];
            v[k] = B2 * v[k] + (1.0 - B2) * g[k] * g[k];
            let step = schedule.learning_rate * (m[k] / c1) / ((v[k] / c2).sqrt() + EPS);
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
            self.averaged += 1;
            self.avg
                .mean
                .iter_mut()
                .zip(&q.mean)
                .for_each(|(a, b)| *a += b);
            self.avg
                .chol
                .iter_mut()
                .zip(&q.chol)
                .for_each(|(a, b)| *a += b);
        }
    }

    /// The average of the second half of the iterates (the last iterate when none was averaged).
    pub fn finish(self) -> Gaussian {
        let Self {
            q,
            mut avg,
            averaged,
            ..
        } = self;
        if averaged == 0 {
            return q;
        }
        let k = averaged as f64;
        avg.mean.iter_mut().for_each(|a| *a /= k);
        avg.chol.iter_mut().for_each(|a| *a /= k);
        avg
    }
}

/// Minimises E_q[a(θ)] + KL[q ‖ `reference`] from `start`; `term(θ)` returns ∇a(θ).
pub fn minimise(
    start: &Gaussian,
    reference: &Gaussian,
    term: impl Fn(&[f64]) -> Vec<f64>,
    schedule: Schedule,
    rng: &mut Rng64,
) -> Gaussian {
    let mut fit = Minimiser::new(start, reference, schedule);
    for _ in 0..schedule.iterations {
        fit.step(&term, rng);
    }
    fit.finish()
}

/// [`minimise`] under a host: it yields between iterations (the heartbeat, and a cancel, get through within one
/// iteration) and stops with [`crate::EngineError::Cancelled`] when the user cancels. The same iterates.
pub async fn minimise_hosted<H: Host>(
    start: &Gaussian,
    reference: &Gaussian,
    term: impl Fn(&[f64]) -> Vec<f64>,
    schedule: Schedule,
    rng: &mut Rng64,
    host: &mut H,
) -> Result<Gaussian> {
    let mut fit = Minimiser::new(start, reference, schedule);
    for _ in 0..schedule.iterations {
        fit.step(&term, rng);
        checkpoint(host, 0).await?;
    }
    Ok(fit.finish())
}

/// Variational inference: the Gaussian closest to the posterior under `prior` and the likelihood `lik` (maximises
/// the ELBO), seeded by `rng_seed`; the host can yield and cancel between iterations.
pub async fn vi<H: Host>(
    prior: &Gaussian,
    lik: &Logistic,
    schedule: Schedule,
    rng_seed: u64,
    host: &mut H,
) -> Result<Gaussian> {
    minimise_hosted(
        prior,
        prior,
        |t| lik.value_grad(t).1.into_iter().map(|g| -g).collect(),
        schedule,
        &mut Rng64::new(rng_seed, stream::UNLEARN),
        host,
    )
    .await
}
