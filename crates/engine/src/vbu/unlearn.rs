//! Unlearning D_e from q(θ|D), two ways, each with the adjusted likelihood p̃: log p(D_e|θ) counts only where
//! q(θ|D) is above λ times its density at the mode (λ = 0: everywhere, the plain EUBO), because q(θ|D) is only an
//! approximation and far in its tails dividing by p(D_e|θ) would follow the approximation's errors.
//!
//! - EUBO: minimise E_q[log p̃(D_e|θ)] + KL[q ‖ q(θ|D)]; its minimum is the exact p(θ|D_r) when q(θ|D) is exact.
//! - Reverse KL: minimise KL[q̃ ‖ q] with q̃(θ) ∝ q(θ|D) / p̃(D_e|θ): the Gaussian that matches q̃'s mean and
//!   covariance, estimated by self-normalised importance sampling from q(θ|D).

use super::fit::{Schedule, minimise, minimise_hosted};
use super::gaussian::Gaussian;
use super::likelihood::Likelihood;
use crate::data::rng::Rng64;
use crate::error::Result;
use crate::host::Host;

/// Whether θ counts under the adjusted likelihood at threshold `lambda`.
fn counts(full: &Gaussian, log_threshold: Option<f64>, theta: &[f64]) -> bool {
    match log_threshold {
        None => true,
        Some(t) => full.log_prob(theta) > t,
    }
}

/// ln(λ · max q(θ|D)), or `None` for λ = 0.
fn threshold(full: &Gaussian, lambda: f64) -> Option<f64> {
    (lambda > 0.0).then(|| lambda.ln() + full.log_prob_at_mode())
}

/// The EUBO's ∇a(θ): the erased points' likelihood gradient where q(θ|D) is above the threshold `t`, zero elsewhere.
fn eubo_term<'a>(
    full: &'a Gaussian,
    erased: &'a dyn Likelihood,
    t: Option<f64>,
) -> impl Fn(&[f64]) -> Vec<f64> + 'a {
    move |theta| {
        if counts(full, t, theta) {
            erased.value_grad(theta).1
        } else {
            vec![0.0; theta.len()]
        }
    }
}

/// VBU with the EUBO, starting from q(θ|D).
pub fn eubo(
    full: &Gaussian,
    erased: &dyn Likelihood,
    lambda: f64,
    schedule: Schedule,
    rng: &mut Rng64,
) -> Gaussian {
    let t = threshold(full, lambda);
    minimise(full, full, eubo_term(full, erased, t), schedule, rng)
}

/// [`eubo`] under a host, which can yield and cancel between iterations.
pub async fn eubo_hosted<H: Host>(
    full: &Gaussian,
    erased: &dyn Likelihood,
    lambda: f64,
    schedule: Schedule,
    rng: &mut Rng64,
    host: &mut H,
) -> Result<Gaussian> {
    let t = threshold(full, lambda);
    minimise_hosted(full, full, eubo_term(full, erased, t), schedule, rng, host).await
}

/// VBU with the reverse KL, from `samples` draws of q(θ|D).
pub fn reverse_kl(
    full: &Gaussian,
    erased: &dyn Likelihood,
    lambda: f64,
    samples: usize,
    rng: &mut Rng64,
) -> Gaussian {
    let p = full.dim();
    let t = threshold(full, lambda);
    let draws: Vec<Vec<f64>> = (0..samples).map(|_| full.sample(rng).0).collect();
    // log w ∝ −log p̃(D_e|θ).
    let log_w: Vec<f64> = draws
        .iter()
        .map(|theta| {
            if counts(full, t, theta) {
                -erased.value_grad(theta).0
            } else {
                0.0
            }
        })
        .collect();
    let top = log_w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = log_w.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = w.iter().sum();
    let mean: Vec<f64> = (0..p)
        .map(|i| draws.iter().zip(&w).map(|(d, wi)| wi * d[i]).sum::<f64>() / total)
        .collect();
    let mut cov = vec![0.0; p * p];
    for (d, wi) in draws.iter().zip(&w) {
        for i in 0..p {
            for j in 0..p {
                cov[i * p + j] += wi * (d[i] - mean[i]) * (d[j] - mean[j]) / total;
            }
        }
    }
    // A little of q(θ|D)'s own covariance keeps a few dominant weights from collapsing q.
    let base = full.covariance();
    for k in 0..p * p {
        cov[k] += 1e-6 * base[k];
    }
    for i in 0..p {
        cov[i * p + i] += 1e-9;
    }
    Gaussian::from_covariance(mean, &cov).unwrap_or_else(|| full.clone())
}
