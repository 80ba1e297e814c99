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

mod problem;
mod solve;
mod state;

use std::collections::BTreeMap;

use lethe_protocol::{Certificate, MethodSpec, TrainConfig};

use crate::error::{EngineError, Result};
use crate::host::Host;
use crate::unlearn::settings::real;
use crate::unlearn::{Context, Fitted, Unlearned, Unlearner, timed_by_repetition};

use problem::norm;
pub use problem::{LinearOvr, NewtonWork, Problem, augment};
pub use solve::top_eigenvalue_upper_bound;
pub use state::CertifiedState;

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
        crate::fit::descent::checkpoint(host, 0).await?;
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
