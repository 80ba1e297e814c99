//! Fisher forgetting (Golatkar et al., CVPR 2020), in the diagonal form of the OPTML reference code
//! (OPTML-Group/Unlearn-Sparse, `unlearn/fisher.py`, `fisher` and `fisher_information_martix`): estimate the
//! diagonal Fisher information F of the whole retain set as the mean of (∂ log p(y|x)/∂θ + 1e-8)², then add noise
//! θ_i ← θ_i + min(√(α / F_i), 1e-3)·n_i, n ~ N(0, 1), ×10 on the parameters whose PyTorch shape ends in 10, with
//! α = 0.2 (its `--alpha`). Weights the retain set relies on (large F_i) barely move; weights only the forget set
//! used are scrambled. `strong` keeps Lethe's earlier, stronger form (α 1e-7, cap 0.1, 64 retain points, no ×10).

use std::collections::BTreeMap;

use burn::prelude::*;
use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::fit::descent::{batch, checkpoint, cross_entropy};
use crate::fit::params::{flat, flat_grads, torch_last_dims, with_flat};
use crate::host::Host;

/// The reference's ε inside the square, `(derivative + epsilon) ** 2` with `epsilon = 1e-8`.
const GRAD_EPSILON: f32 = 1e-8;

/// Fisher forgetting settings.
pub struct Fisher {
    /// Noise scale α (default 0.2, the reference's `--alpha`; 1e-7 with `strong`).
    pub alpha: f64,
    /// Largest noise standard deviation per weight (default 1e-3, the reference's clamp; 0.1 with `strong`).
    pub max_std: f64,
    /// Retain points the Fisher is estimated on (default: all of them, as the reference; 64 with `strong`).
    pub samples: Option<usize>,
    /// Lethe's stronger form: its own defaults above, and no ×10 on the parameters whose PyTorch shape ends in
    /// 10 (default off: the reference's form).
    pub strong: bool,
}

impl Fisher {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, _train: &TrainConfig) -> Self {
        let strong = real(spec, "strong", 0.0) != 0.0;
        Self {
            alpha: real(spec, "alpha", if strong { 1e-7 } else { 0.2 }),
            max_std: real(spec, "max_std", if strong { 0.1 } else { 1e-3 }),
            samples: spec
                .get("samples")
                .map(|_| whole(spec, "samples", 64))
                .or(strong.then_some(64)),
            strong,
        }
    }

    /// The standard deviation of the noise on a weight with Fisher information `f` in a parameter whose PyTorch
    /// shape ends in `last`: √(α / f) capped at `max_std`, and ×10 in the reference form where `last` is 10 (the
    /// reference's `noise * 10 if parameter.shape[-1] == 10`, which on a 10-class network hits the output bias and
    /// any layer with 10 inputs).
    pub fn std(&self, f: f64, last: usize) -> f64 {
        let std = if self.alpha == 0.0 {
            0.0
        } else {
            (self.alpha / f).sqrt().min(self.max_std)
        };
        if !self.strong && last == 10 {
            10.0 * std
        } else {
            std
        }
    }
}

impl Unlearner for Fisher {
    fn params(&self) -> BTreeMap<String, f64> {
        let mut p = BTreeMap::from([
            ("alpha".into(), self.alpha),
            ("max_std".into(), self.max_std),
            ("strong".into(), f64::from(u8::from(self.strong))),
        ]);
        if let Some(n) = self.samples {
            p.insert("samples".into(), n as f64);
        }
        p
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        let mut pool: Vec<usize> = (0..sets.retain.len()).collect();
        if let Some(n) = self.samples {
            rng.shuffle(&mut pool);
            pool.truncate(n.min(pool.len()));
        }
        let mut sum: Option<Tensor<1>> = None;
        for &i in &pool {
            let (x, y) = batch(&sets.retain, &[i], sets.d, device);
            let grads = cross_entropy(ctx.original.forward(x), y).backward();
            let g2 = flat_grads(ctx.original, &grads, "fisher")?
                .add_scalar(GRAD_EPSILON)
                .powf_scalar(2.0);
            sum = Some(match sum {
                Some(s) => s + g2,
                None => g2,
            });
            checkpoint(host, 1).await?;
        }
        let fisher: Vec<f32> = match sum {
            Some(s) => s
                .div_scalar(pool.len() as f32)
                .into_data_async()
                .await
                .map_err(|e| {
                    EngineError::Backend(format!("reading the Fisher information: {e:?}"))
                })?
                .iter::<f32>()
                .collect(),
            None => return Err(EngineError::Unlearn("fisher needs retain points".into())),
        };
        let theta = flat(ctx.original).await?;
        let last: Vec<usize> = torch_last_dims(ctx.original)
            .into_iter()
            .flat_map(|(n, last)| std::iter::repeat_n(last, n))
            .collect();
        let noisy: Vec<f32> = theta
            .iter()
            .zip(&fisher)
            .zip(&last)
            .map(|((&w, &f), &last)| w + (self.std(f as f64, last) * rng.normal()) as f32)
            .collect();
        Ok(Unlearned::net(
            with_flat(ctx.original.clone(), &noisy, device),
            0,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(settings: &[(&str, f64)]) -> Fisher {
        let spec = MethodSpec {
            method: lethe_protocol::Method::Fisher,
            settings: settings.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        };
        Fisher::new(&spec, &lethe_protocol::Experiment::demo().train)
    }

    /* Source: hand computation of √(α / F) capped. The reference form (α 0.2, cap 1e-3): F = 1e4 gives
    √(2e-5) = 0.00447, capped to 0.001, and ×10 = 0.01 on a parameter whose PyTorch shape ends in 10; F = 1e6 gives
    √(2e-7) = 0.000447, under the cap. Lethe's strong form (α 1e-7, cap 0.1, no ×10): F = 1e-3 gives 0.01, F = 1e-7
    gives 1, capped to 0.1. α = 0 adds nothing, whatever F. */
    #[test]
    fn the_noise_scale_is_the_capped_inverse_root_of_the_fisher() {
        let reference = with(&[]);
        assert_eq!(
            (reference.alpha, reference.max_std, reference.samples),
            (0.2, 1e-3, None)
        );
        assert!((reference.std(1e4, 64) - 1e-3).abs() < 1e-12);
        assert!((reference.std(1e4, 10) - 1e-2).abs() < 1e-12);
        assert!((reference.std(1e6, 64) - 4.472_136e-4).abs() < 1e-9);
        let strong = with(&[("strong", 1.0)]);
        assert_eq!(
            (strong.alpha, strong.max_std, strong.samples),
            (1e-7, 0.1, Some(64))
        );
        assert!((strong.std(1e-3, 10) - 0.01).abs() < 1e-12);
        assert!((strong.std(1e-7, 64) - 0.1).abs() < 1e-12);
        assert_eq!(with(&[("alpha", 0.0)]).std(0.0, 10), 0.0);
    }
}
