//! The certified model's optimisation problem: the one-vs-rest logistic model in f64, its binary problems with
//! their noise, and Newton's method on the perturbed objective.

use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::linalg::{dot, sigmoid};

use super::Certified;
use super::solve::cholesky_solve;

/// The Lipschitz constant of the logistic loss's second derivative (γ = 1/4).
pub(super) const GAMMA: f64 = 0.25;

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

pub(super) fn norm(a: &[f64]) -> f64 {
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
pub(super) struct Binary {
    pub(super) y: Vec<f64>,
    pub(super) b: Vec<f64>,
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
    pub(super) fn add(&mut self, gradients: u64, hessian_rows: u64) {
        self.sample_grads += gradients;
        self.hessian_rows += hessian_rows;
    }
}

/// The augmented data and the binary problems.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Row-major augmented rows, `dim` each.
    pub(super) x: Vec<f64>,
    pub(super) dim: usize,
    pub(super) lambda: f64,
    pub(super) binaries: Vec<Binary>,
    pub(super) n_classes: usize,
    pub(super) bias: bool,
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

    pub(super) fn draw_noise(&mut self, sigma: f64, seed: u64, round: u64) {
        let mut rng = Rng64::new(seed.wrapping_add(round), stream::UNLEARN);
        for bin in &mut self.binaries {
            bin.b = (0..self.dim).map(|_| sigma * rng.normal()).collect();
        }
    }

    pub(super) fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.dim..(i + 1) * self.dim]
    }

    pub(super) fn n(&self) -> usize {
        self.x.len() / self.dim
    }

    /// Objective, gradient and (when `hessian`) Hessian of binary model `m` at `w` over the rows where `alive`.
    pub(super) fn derivatives(
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
    pub(super) fn solve(
        &self,
        m: usize,
        alive: &[bool],
    ) -> Result<(Vec<f64>, Vec<f64>, NewtonWork)> {
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
    pub(super) fn residual(&self, w: &[Vec<f64>], alive: &[bool]) -> f64 {
        (0..w.len())
            .map(|m| norm(&self.derivatives(m, &w[m], alive, false).1))
            .sum()
    }
}
