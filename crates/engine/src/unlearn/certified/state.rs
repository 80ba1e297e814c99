//! The certified model as trained, with its cached Hessians, and the removal of points one Newton step each.

use lethe_protocol::Certificate;

use crate::data::Split;
use crate::error::Result;
use crate::linalg::{dot, sigmoid};

use super::Certified;
use super::problem::{GAMMA, LinearOvr, NewtonWork, Problem, norm};
use super::solve::{cholesky_solve, top_eigenvalue_upper_bound};

/// The certified model as trained, with its cached Hessians.
pub struct CertifiedState {
    /// The problem on the full training split.
    pub problem: Problem,
    /// The optimum w* of each binary model.
    pub optimum: Vec<Vec<f64>>,
    /// The Hessian at w* of each binary model, full data.
    pub hessians: Vec<Vec<f64>>,
    /// K = XᵀX over the full training split: downdated per removed point, it gives ‖XΔ‖² = ΔᵀKΔ without a pass
    /// over the data.
    pub(super) gram: Vec<f64>,
    /// An upper bound on ‖X‖₂, the spectral norm of the full training split (√ of an upper bound on the largest
    /// eigenvalue of K, [`top_eigenvalue_upper_bound`]).
    pub(super) spectral_norm: f64,
    /// Settings.
    pub settings: Certified,
}

impl CertifiedState {
    /// Solves the perturbed problem on the training split.
    pub fn train(
        split: &Split,
        d: usize,
        n_classes: usize,
        settings: Certified,
        seed: u64,
    ) -> Result<Self> {
        let problem = Problem::new(split, d, n_classes, &settings, seed);
        let alive = vec![true; split.len()];
        let mut optimum = Vec::new();
        let mut hessians = Vec::new();
        for m in 0..problem.binaries.len() {
            let (w, h, _) = problem.solve(m, &alive)?;
            optimum.push(w);
            hessians.push(h);
        }
        let dim = problem.dim;
        let mut gram = vec![0.0; dim * dim];
        for i in 0..problem.n() {
            let x = problem.row(i);
            for a in 0..dim {
                for b in 0..dim {
                    gram[a * dim + b] += x[a] * x[b];
                }
            }
        }
        let spectral_norm = top_eigenvalue_upper_bound(&gram, dim).sqrt();
        Ok(Self {
            problem,
            optimum,
            hessians,
            gram,
            spectral_norm,
            settings,
        })
    }

    /// The model before any removal.
    pub fn model(&self) -> LinearOvr {
        LinearOvr {
            w: self.optimum.clone(),
            n_classes: self.problem.n_classes,
            bias: self.problem.bias,
        }
    }

    /// Removes the points at `positions`, in order, one Newton step each; returns the model, its certificate
    /// (without the oracle's figures and the measured residual, which [`with_oracle`] adds outside the removal's
    /// time) and the rows still alive.
    pub fn remove(
        &self,
        positions: &[usize],
        seed: u64,
    ) -> Result<(LinearOvr, Certificate, Vec<bool>, NewtonWork)> {
        // Copied only if the budget forces a retrain with fresh noise.
        let mut p = std::borrow::Cow::Borrowed(&self.problem);
        let dim = p.dim;
        let lambda = p.lambda;
        let s = &self.settings;
        let c = (2.0 * (1.5 / s.delta).ln()).sqrt();
        let budget = s.sigma * s.epsilon / c;
        let mut alive = vec![true; p.n()];
        let mut anchor = self.optimum.clone();
        let mut w = self.optimum.clone();
        let mut hs = self.hessians.clone();
        // ‖X‖₂ of the full training split bounds that of every subset (removing rows only lowers the spectral
        // norm), so the per-removal bound needs no eigenvalue computation and stays valid, slightly looser.
        let x_norm = self.spectral_norm;
        let mut kmat = self.gram.clone();
        let (mut bound, mut retrains) = (0.0, 0);
        let mut work = NewtonWork::default();
        for &q in positions {
            alive[q] = false;
            let x = p.row(q).to_vec();
            for a in 0..dim {
                for b in 0..dim {
                    kmat[a * dim + b] -= x[a] * x[b];
                }
            }
            for m in 0..w.len() {
                let y = p.binaries[m].y[q];
                let z_star = dot(&anchor[m], &x);
                let r_star = sigmoid(z_star) * (1.0 - sigmoid(z_star));
                for a in 0..dim {
                    for b in 0..dim {
                        hs[m][a * dim + b] -= r_star * x[a] * x[b];
                    }
                    hs[m][a * dim + a] -= lambda;
                }
                // One Hessian term taken away and one gradient, for this row and binary.
                work.add(1, 1);
                let s_q = sigmoid(-y * dot(&w[m], &x));
                let g: Vec<f64> = (0..dim)
                    .map(|a| lambda * w[m][a] - y * s_q * x[a])
                    .collect();
                let delta = cholesky_solve(&hs[m], &g, dim)?;
                // ‖XΔ‖² = ΔᵀKΔ over the remaining rows. The stale-Hessian term ‖(H_w − H_w*)Δ‖ =
                // ‖Σᵢ (rᵢ(w) − rᵢ(w*)) xᵢ xᵢᵀΔ‖ ≤ γ Σᵢ |xᵢᵀ(w − w*)| |xᵢᵀΔ| ≤ γ ‖X(w − w*)‖ ‖XΔ‖ (rᵢ = σ(1 − σ) is
                // γ-Lipschitz in xᵢᵀw, ‖xᵢ‖ = 1, then Cauchy–Schwarz): two d×d products, no pass over the data.
                let quad = |v: &[f64]| {
                    (0..dim)
                        .map(|a| v[a] * dot(&kmat[a * dim..(a + 1) * dim], v))
                        .sum::<f64>()
                        .max(0.0)
                        .sqrt()
                };
                let x_delta = quad(&delta);
                let moved: Vec<f64> = w[m].iter().zip(&anchor[m]).map(|(a, b)| a - b).collect();
                let stale = GAMMA * quad(&moved) * x_delta;
                bound += GAMMA * x_norm * norm(&delta) * x_delta + stale;
                w[m].iter_mut().zip(&delta).for_each(|(wa, da)| *wa += da);
            }
            if bound > budget {
                // The budget is spent: retrain from scratch on what remains, with fresh noise.
                retrains += 1;
                p.to_mut().draw_noise(s.sigma, seed, retrains as u64);
                for m in 0..w.len() {
                    let (wm, hm, solved) = p.solve(m, &alive)?;
                    w[m] = wm;
                    hs[m] = hm;
                    work.add(solved.sample_grads, solved.hessian_rows);
                }
                anchor = w.clone();
                bound = 0.0;
            }
        }
        let certificate = Certificate {
            sigma: s.sigma,
            epsilon: s.epsilon,
            delta: s.delta,
            budget,
            bound,
            residual: 0.0,
            removals: positions.len(),
            retrains,
            oracle_seconds: 0.0,
            relative_to_oracle: 0.0,
        };
        let model = LinearOvr {
            w,
            n_classes: p.n_classes,
            bias: p.bias,
        };
        Ok((model, certificate, alive, work))
    }

    /// The oracle: the same solver from scratch on the rows where `alive`, with the noise of the `retrains`-th
    /// draw (the noise the removed model carries).
    pub fn oracle(
        &self,
        alive: &[bool],
        retrains: usize,
        seed: u64,
    ) -> Result<(LinearOvr, NewtonWork)> {
        let p = self.problem_after(retrains, seed);
        let mut work = NewtonWork::default();
        let mut w = Vec::with_capacity(p.binaries.len());
        for m in 0..p.binaries.len() {
            let (wm, _, solved) = p.solve(m, alive)?;
            work.add(solved.sample_grads, solved.hessian_rows);
            w.push(wm);
        }
        Ok((
            LinearOvr {
                w,
                n_classes: p.n_classes,
                bias: p.bias,
            },
            work,
        ))
    }
}

impl CertifiedState {
    /// The problem with the noise of the `retrains`-th draw (the noise a model carries after that many retrains).
    pub(super) fn problem_after(
        &self,
        retrains: usize,
        seed: u64,
    ) -> std::borrow::Cow<'_, Problem> {
        let mut p = std::borrow::Cow::Borrowed(&self.problem);
        if retrains > 0 {
            p.to_mut()
                .draw_noise(self.settings.sigma, seed, retrains as u64);
        }
        p
    }
}
