//! Fisher forgetting (Golatkar et al., CVPR 2020), in the diagonal form of the OPTML reference code: estimate
//! the diagonal Fisher information F of the retain set from per-example gradients of log p(y|x), then add noise
//! θ_i ← θ_i + min(√(α / F_i), max_std)·n_i, n ~ N(0, 1). Weights the retain set relies on (large F_i) barely move;
//! weights only the forget set used are scrambled.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::Gradients;
use lethe_protocol::{MethodSpec, TrainConfig};

use super::descent::{batch, checkpoint, cross_entropy};
use super::params::{flat, with_flat};
use super::settings::{real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::host::Host;

/// Fisher forgetting settings.
pub struct Fisher {
    /// Noise scale α (default 1e-7).
    pub alpha: f64,
    /// Largest noise standard deviation per weight (default 0.1).
    pub max_std: f64,
    /// Retain points the Fisher is estimated on (default 64: one backward pass each).
    pub samples: usize,
}

impl Fisher {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, _train: &TrainConfig) -> Self {
        Self {
            alpha: real(spec, "alpha", 1e-7),
            max_std: real(spec, "max_std", 0.1),
            samples: whole(spec, "samples", 64),
        }
    }
}

/// Adds the squares of one backward pass's gradients to a running sum, in flat-parameter order.
struct Accumulate<'a> {
    grads: &'a Gradients,
    parts: Vec<Tensor<1>>,
}

impl ModuleVisitor for Accumulate<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let g = value
            .grad(self.grads)
            .unwrap_or_else(|| value.inner().zeros_like());
        self.parts.push(g.powf_scalar(2.0).reshape([-1]));
    }
}

impl Unlearner for Fisher {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("alpha".into(), self.alpha),
            ("max_std".into(), self.max_std),
            ("samples".into(), self.samples as f64),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        let mut pool: Vec<usize> = (0..sets.retain.len()).collect();
        rng.shuffle(&mut pool);
        pool.truncate(self.samples.min(pool.len()));
        let mut sum: Option<Tensor<1>> = None;
        for &i in &pool {
            let (x, y) = batch(&sets.retain, &[i], sets.d, device);
            let grads = cross_entropy(ctx.original.forward(x), y).backward();
            let mut acc = Accumulate {
                grads: &grads,
                parts: Vec::new(),
            };
            ctx.original.visit(&mut acc);
            let g2 = Tensor::cat(acc.parts, 0);
            sum = Some(match sum {
                Some(s) => s + g2,
                None => g2,
            });
            checkpoint(host).await?;
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
        let noisy: Vec<f32> = theta
            .iter()
            .zip(&fisher)
            .map(|(&w, &f)| {
                let std = (self.alpha / (f as f64 + 1e-12)).sqrt().min(self.max_std);
                w + (std * rng.normal()) as f32
            })
            .collect();
        Ok(Unlearned::net(
            with_flat(ctx.original.clone(), &noisy, device),
            0,
        ))
    }
}
