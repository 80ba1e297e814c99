//! NegGrad+ (Kurmanji et al., NeurIPS 2023): descend on the retain set and ascend on the forget set together,
//! minimising β·L(D_r) − (1 − β)·L(D_f). The retain term holds the model's utility while the forget term pushes
//! the forget set out.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{batch, checkpoint, cross_entropy, optimizer, paired_batches, step};
use crate::host::Host;

/// NegGrad+ settings.
pub struct NeggradPlus {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Weight of the retain loss; the forget loss gets 1 − β (default 0.97).
    pub beta: f64,
}

impl NeggradPlus {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            beta: real(spec, "beta", 0.97),
        }
    }
}

impl Unlearner for NeggradPlus {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            ("beta".into(), self.beta),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let mut optim = optimizer(ctx.train);
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        let mut model = ctx.original.clone();
        let b = self.beta as f32;
        for _ in 0..self.epochs {
            let pairs = paired_batches(
                sets.retain.len(),
                sets.forget.len(),
                ctx.train.batch_size,
                &mut rng,
            );
            for (r, f) in pairs {
                let (xr, yr) = batch(&sets.retain, &r, sets.d, device);
                let (xf, yf) = batch(&sets.forget, &f, sets.d, device);
                let keep = cross_entropy(model.forward(xr), yr).mul_scalar(b);
                let push = cross_entropy(model.forward(xf), yf).mul_scalar(1.0 - b);
                model = step(model, &mut optim, self.learning_rate, keep - push);
                checkpoint(host, r.len() + f.len()).await?;
            }
        }
        Ok(Unlearned::net(model, self.epochs))
    }
}
