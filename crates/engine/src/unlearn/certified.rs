//! Certified removal (Guo, Goldstein, Hannun, van der Maaten, ICML 2020) for L2-regularised logistic regression.
//!
//! It has its own recipe, because the certificate needs the exact optimum of the perturbed objective
//!     L(w; D) = Σᵢ ℓ(wᵀxᵢ, yᵢ) + (λn/2)‖w‖² + bᵀw,   ℓ(z, y) = log(1 + e^{−yz}),   b ~ N(0, σ²I),
//! which minibatch training does not reach: it is solved in f64 with Newton's method (λ = `train.l2`).
//! Several classes are one-vs-rest, one binary model per class, each with its own noise. The bias is a
//! constant feature: each standardised row gets a trailing 1 and is then scaled to unit L2 norm (the reference
//! code normalises rows so that ‖x‖ ≤ 1, which the bound's constants assume), so the bias is penalised like any
//! weight.
//!
//! Removing a point (x, y) from D is one Newton step, w⁻ = w + H⁻¹Δ with Δ = λw + ∇ℓ(wᵀx, y) and H the Hessian
//! of L(·; D′), as `test_removal.py` of facebookresearch/certified-removal does. H is cached at the optimum w*
//! and downdated per removed point (H ← H − p(1−p)xxᵀ − λI), so a removal costs a d×d solve, not a pass over the
//! data. The data-dependent bound on the gradient residual of each step is the reference's
//! γ·‖X‖₂·‖H⁻¹Δ‖·‖X H⁻¹Δ‖ (γ = 1/4; the reference recomputes ‖X‖₂ for the remaining data after each removal,
//! here the spectral norm of the full training split is used, an upper bound for every subset; ‖XH⁻¹Δ‖² is
//! ΔᵀKΔ with K = XᵀX downdated per point, a d×d product instead of a pass over the data), plus, because H is the
//! cached Hessian at w* rather than at the current w, a bound on the extra term ‖(H_w − H_{w*})H⁻¹Δ‖:
//! γ·‖X(w − w*)‖·‖XH⁻¹Δ‖ (zero for the first removal). A removal therefore costs O(d³), whatever n. The bounds add up over removals and classes; the model is
//! (ε, δ)-certified while the sum stays within σε/c, c = √(2 ln(1.5/δ)). Past the budget it is retrained from
//! scratch on what remains, with fresh noise.

use std::collections::BTreeMap;

use lethe_protocol::{Certificate, MethodSpec, TrainConfig};

use super::settings::real;
use super::{Context, Fitted, Unlearned, Unlearner, timed_by_repetition};
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::host::Host;

/// The Lipschitz constant of the logistic loss's second derivative (γ = 1/4).
const GAMMA: f64 = 0.25;

/// A one-vs-rest logistic model in f64 on the normalised (and, with `bias`, augmented) features.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearOvr {
    /// One weight vector per binary model (one for two classes, one per class otherwise), each of length d, or
    /// d + 1 with a bias.
    pub w: Vec<Vec<f64>>,
    /// Classes.
    pub n_classes: usize,
    /// Whether the rows carry a trailing constant 1 (a penalised bias).
    pub bias: bool,
}

/// Standardised rows → rows scaled to unit L2 norm, with a trailing 1 before the scaling when `bias`. A row of
/// zeros stays zeros.
pub fn augment(x: &[f32], d: usize, bias: bool) -> Vec<f64> {
    x.chunks(d.max(1))
        .flat_map(|row| {
            let mut r: Vec<f64> = row.iter().map(|&v| v as f64).collect();
            if bias {
                r.push(1.0);
            }
            let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt().max(1e-300);
            r.into_iter().map(move |v| v / norm)
        })
        .collect()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

impl LinearOvr {
    /// Class probabilities for standardised rows `x` (`d` features): σ(wᵀx) for two classes; otherwise each
    /// class's σ(w_cᵀx), normalised to sum to 1.
    pub fn probabilities(&self, x: &[f32]) -> Vec<f32> {
        let dim = self.w.first().map_or(1, Vec::len);
        let rows = augment(x, dim - usize::from(self.bias), self.bias);
        rows.chunks(dim)
            .flat_map(|r| {
                if self.w.len() == 1 {
                    let p = sigmoid(dot(&self.w[0], r));
                    vec![(1.0 - p) as f32, p as f32]
                } else {
                    let s: Vec<f64> = self.w.iter().map(|w| sigmoid(dot(w, r))).collect();
                    let total: f64 = s.iter().sum::<f64>().max(1e-300);
                    s.into_iter().map(|v| (v / total) as f32).collect()
                }
            })
            .collect()
    }

    /// All weights, concatenated.
    pub fn flat(&self) -> Vec<f64> {
        self.w.concat()
    }
}

/// One binary problem: labels ±1 and the noise vector.
#[derive(Debug, Clone)]
struct Binary {
    y: Vec<f64>,
    b: Vec<f64>,
}

/// The work of the Newton solver and of a removal, counted in rows: per-example gradients (`sample_grads`) and
/// per-example Hessian terms `r x xᵀ` added or taken away (`hessian_rows`), summed over the one-vs-rest binaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewtonWork {
    /// Per-example gradients computed.
    pub sample_grads: u64,
    /// Per-example Hessian terms touched.
    pub hessian_rows: u64,
}

impl NewtonWork {
    fn add(&mut self, gradients: u64, hessian_rows: u64) {
        self.sample_grads += gradients;
        self.hessian_rows += hessian_rows;
    }
}

/// The augmented data and the binary problems.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Row-major augmented rows, `dim` each.
    x: Vec<f64>,
    dim: usize,
    lambda: f64,
    binaries: Vec<Binary>,
    n_classes: usize,
    bias: bool,
}

impl Problem {
    /// The problem for a training split: `lambda` = `train.l2`, noise N(0, σ²) drawn from `seed` and `draw`.
    pub fn new(split: &Split, d: usize, n_classes: usize, settings: &Certified, seed: u64) -> Self {
        let x = augment(&split.x, d, settings.bias);
        let dim = d + usize::from(settings.bias);
        let mut p = Self {
            x,
            dim,
            lambda: settings.lambda,
            binaries: Vec::new(),
            n_classes,
            bias: settings.bias,
        };
        let models = if n_classes == 2 { 1 } else { n_classes };
        p.binaries = (0..models)
            .map(|m| {
                let positive = if n_classes == 2 { 1 } else { m as u32 };
                Binary {
                    y: split
                        .y
                        .iter()
                        .map(|&c| if c == positive { 1.0 } else { -1.0 })
                        .collect(),
                    b: Vec::new(),
                }
            })
            .collect();
        p.draw_noise(settings.sigma, seed, 0);
        p
    }

    fn draw_noise(&mut self, sigma: f64, seed: u64, round: u64) {
        let mut rng = Rng64::new(seed.wrapping_add(round), stream::UNLEARN);
        for bin in &mut self.binaries {
            bin.b = (0..self.dim).map(|_| sigma * rng.normal()).collect();
        }
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }

    fn n(&self) -> usize {
        self.x.len() / self.dim
    }

    /// Objective, gradient and (when `hessian`) Hessian of binary model `m` at `w` over the rows where `alive`.
    fn derivatives(
        &self,
        m: usize,
        w: &[f64],
        alive: &[bool],
        hessian: bool,
    ) -> (f64, Vec<f64>, Vec<f64>) {
        let (dim, bin) = (self.dim, &self.binaries[m]);
        let n_alive = alive.iter().filter(|&&a| a).count() as f64;
        let reg = self.lambda * n_alive;
        let mut f = 0.5 * reg * dot(w, w) + dot(&bin.b, w);
        let mut g: Vec<f64> = w.iter().zip(&bin.b).map(|(wi, bi)| reg * wi + bi).collect();
        let mut h = vec![0.0; if hessian { dim * dim } else { 0 }];
        for i in (0..self.n()).filter(|&i| alive[i]) {
            let x = self.row(i);
            let y = bin.y[i];
            let z = dot(w, x);
            let s = sigmoid(-y * z);
            f += if y * z > 0.0 {
                (-(y * z)).exp().ln_1p()
            } else {
                -(y * z) + (y * z).exp().ln_1p()
            };
            let r = s * (1.0 - s);
            for a in 0..dim {
                g[a] -= y * s * x[a];
                if hessian {
                    let rxa = r * x[a];
                    for c in a..dim {
                        h[a * dim + c] += rxa * x[c];
                    }
                }
            }
        }
        if !hessian {
            return (f, g, h);
        }
        for a in 0..dim {
            h[a * dim + a] += reg;
            for c in 0..a {
                h[a * dim + c] = h[c * dim + a];
            }
        }
        (f, g, h)
    }

    /// The exact minimiser for binary model `m` over the rows where `alive` (Newton with backtracking), and the
    /// Hessian there.
    fn solve(&self, m: usize, alive: &[bool]) -> Result<(Vec<f64>, Vec<f64>, NewtonWork)> {
        let rows = alive.iter().filter(|&&a| a).count() as u64;
        let mut work = NewtonWork::default();
        let mut w = vec![0.0; self.dim];
        for _ in 0..100 {
            let (f, g, h) = self.derivatives(m, &w, alive, true);
            work.add(rows, rows);
            let step = cholesky_solve(&h, &g, self.dim)?;
            let mut t = 1.0;
            let mut next: Vec<f64>;
            loop {
                next = w.iter().zip(&step).map(|(a, s)| a - t * s).collect();
                work.add(rows, 0);
                if self.derivatives(m, &next, alive, false).0 <= f || t < 1e-8 {
                    break;
                }
                t *= 0.5;
            }
            let moved = t * norm(&step);
            w = next;
            if moved <= 1e-12 * (1.0 + norm(&w)) {
                break;
            }
        }
        let (_, _, h) = self.derivatives(m, &w, alive, true);
        work.add(rows, rows);
        Ok((w, h, work))
    }

    /// ‖∇L(w; D′)‖ summed over the binary models.
    fn residual(&self, w: &[Vec<f64>], alive: &[bool]) -> f64 {
        (0..w.len())
            .map(|m| norm(&self.derivatives(m, &w[m], alive, false).1))
            .sum()
    }
}

/// Solves H x = g for a symmetric positive-definite `dim`×`dim` H by Cholesky.
fn cholesky_solve(h: &[f64], g: &[f64], dim: usize) -> Result<Vec<f64>> {
    let l = crate::linalg::cholesky(h, dim).ok_or_else(|| {
        EngineError::Unlearn(
            "certified: the Hessian is not positive definite (raise train.l2)".into(),
        )
    })?;
    Ok(crate::linalg::cholesky_solve(&l, g, dim))
}

/// The largest eigenvalue of a symmetric `dim`×`dim` matrix by power iteration, warm-started from `v`.
fn top_eigenvalue(k: &[f64], dim: usize, v: &mut Vec<f64>) -> f64 {
    let mut lambda = 0.0;
    for _ in 0..500 {
        let kv: Vec<f64> = (0..dim)
            .map(|i| dot(&k[i * dim..(i + 1) * dim], v))
            .collect();
        let next = norm(&kv);
        if next == 0.0 {
            return 0.0;
        }
        *v = kv.into_iter().map(|x| x / next).collect();
        let done = (next - lambda).abs() <= 1e-12 * next;
        lambda = next;
        if done {
            break;
        }
    }
    lambda
}

/// An upper bound on the largest eigenvalue of a symmetric positive semi-definite `dim`×`dim` matrix `k`. Power
/// iteration converges from below (its Rayleigh quotient never exceeds the largest eigenvalue), the wrong side for
/// a certificate, so its estimate θ is raised to the first t = θ(1 + m), m = 10⁻⁶, 10⁻⁵, …, for which tI − k has a
/// Cholesky factor: then tI − k is positive definite and every eigenvalue of k is below t. The margin is far above
/// the factorisation's rounding (about dim · 2⁻⁵² relative). Gershgorin's bound (the largest absolute row sum),
/// always valid, caps it.
pub fn top_eigenvalue_upper_bound(k: &[f64], dim: usize) -> f64 {
    let gershgorin = (0..dim)
        .map(|i| {
            k[i * dim..(i + 1) * dim]
                .iter()
                .map(|v| v.abs())
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    let mut v = vec![1.0 / (dim as f64).sqrt(); dim];
    let theta = top_eigenvalue(k, dim, &mut v);
    let mut margin = 1e-6;
    while margin < 1.0 {
        let t = theta * (1.0 + margin) + f64::MIN_POSITIVE;
        if t >= gershgorin {
            break;
        }
        let shifted: Vec<f64> = (0..dim * dim)
            .map(|i| if i / dim == i % dim { t - k[i] } else { -k[i] })
            .collect();
        if crate::linalg::cholesky(&shifted, dim).is_some() {
            return t;
        }
        margin *= 10.0;
    }
    gershgorin
}

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
    gram: Vec<f64>,
    /// An upper bound on ‖X‖₂, the spectral norm of the full training split (√ of an upper bound on the largest
    /// eigenvalue of K, [`top_eigenvalue_upper_bound`]).
    spectral_norm: f64,
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
    fn problem_after(&self, retrains: usize, seed: u64) -> std::borrow::Cow<'_, Problem> {
        let mut p = std::borrow::Cow::Borrowed(&self.problem);
        if retrains > 0 {
            p.to_mut()
                .draw_noise(self.settings.sigma, seed, retrains as u64);
        }
        p
    }
}

/// Certified removal settings.
#[derive(Debug, Clone, Copy)]
pub struct Certified {
    /// Noise scale σ of the loss perturbation (default 1).
    pub sigma: f64,
    /// ε of the (ε, δ) certificate (default 1).
    pub epsilon: f64,
    /// δ of the (ε, δ) certificate (default 1e-4).
    pub delta: f64,
    /// λ, the L2 coefficient: `train.l2`.
    pub lambda: f64,
    /// A trailing constant 1 on every row, a bias penalised like any weight (default off: the reference's linear
    /// model has none).
    pub bias: bool,
}

impl Certified {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            sigma: real(spec, "sigma", 1.0),
            epsilon: real(spec, "epsilon", 1.0),
            delta: real(spec, "delta", 1e-4),
            lambda: train.l2,
            bias: real(spec, "bias", 0.0) != 0.0,
        }
    }
}

impl Unlearner for Certified {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("sigma".into(), self.sigma),
            ("epsilon".into(), self.epsilon),
            ("delta".into(), self.delta),
            ("lambda".into(), self.lambda),
            ("bias".into(), f64::from(u8::from(self.bias))),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let state = ctx.state.certified.as_ref().ok_or_else(|| {
            EngineError::Unlearn("certified needs its solver's state, which training prepares only when unlearn.methods lists \"certified\"".into())
        })?;
        super::descent::checkpoint(host, 0).await?;
        let ((model, certificate, _, work), seconds) =
            timed_by_repetition(|| state.remove(&ctx.sets.forget_positions, ctx.seed))?;
        Ok(Unlearned {
            model: Fitted::Linear(model),
            epochs: 0,
            certificate: Some(certificate),
            sisa: None,
            seconds: Some(seconds),
            newton: Some(work),
        })
    }
}

/// Times the oracle for a finished removal (by repetition, like the removal) and fills in the certificate's oracle
/// figures; returns the oracle and its work.
pub fn with_oracle(
    state: &CertifiedState,
    ctx_seed: u64,
    positions: &[usize],
    model: &LinearOvr,
    certificate: &mut Certificate,
) -> Result<(LinearOvr, NewtonWork)> {
    let mut alive = vec![true; state.problem.n()];
    positions.iter().for_each(|&p| alive[p] = false);
    let ((oracle, work), seconds) =
        timed_by_repetition(|| state.oracle(&alive, certificate.retrains, ctx_seed))?;
    certificate.oracle_seconds = seconds;
    certificate.residual = state
        .problem_after(certificate.retrains, ctx_seed)
        .residual(&model.w, &alive);
    let (a, b) = (model.flat(), oracle.flat());
    let diff: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    certificate.relative_to_oracle = norm(&diff) / norm(&b).max(1e-300);
    Ok((oracle, work))
}

#[cfg(test)]
mod spectral_tests {
    use super::*;

    /* Source: closed form. K = I + u uᵀ with u = (1, −1)/√2 has eigenvalues 2 (along u) and 1 (along (1, 1)).
    Power iteration started from (1, 1)/√2, as the solver starts it, never leaves that eigenvector and reports 1:
    an under-estimate, which would make the certificate's bound too small. The upper bound must be at least 2.
    A diagonal matrix diag(3, 1, 0.5) has its top eigenvalue 3 found from that start, and the bound sits within
    10⁻⁵ above it. */
    #[test]
    fn the_norm_bound_is_never_below_the_largest_eigenvalue() {
        let k = vec![1.5, -0.5, -0.5, 1.5];
        let mut v = vec![1.0 / 2f64.sqrt(); 2];
        assert!(
            (top_eigenvalue(&k, 2, &mut v) - 1.0).abs() < 1e-12,
            "power iteration stalls"
        );
        let bound = top_eigenvalue_upper_bound(&k, 2);
        assert!((2.0..=2.0 + 1e-9).contains(&bound), "{bound}");
        let d = vec![3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5];
        let bound = top_eigenvalue_upper_bound(&d, 3);
        assert!((3.0..=3.0 * (1.0 + 1e-5)).contains(&bound), "{bound}");
    }
}
