//! NegGrad: gradient ascent on the forget set, θ ← θ + η∇L(θ; D_f). It needs only the forget set, and with no
//! anchor on the retain set it damages the rest of the model as it goes: a lower bound for the others.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{batch, checkpoint, cross_entropy, minibatches, optimizer, step};
use crate::host::Host;

/// NegGrad settings.
pub struct Neggrad {
    /// Epochs over the forget set (default 25 % of `train.epochs`, at least 1: the forget set is small).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
}

impl Neggrad {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.25)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
        }
    }
}

impl Unlearner for Neggrad {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let mut optim = optimizer(ctx.train);
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        let mut model = ctx.original.clone();
        for _ in 0..self.epochs {
            for rows in minibatches(sets.forget.len(), ctx.train.batch_size, &mut rng) {
                let (x, y) = batch(&sets.forget, &rows, sets.d, device);
                let loss = cross_entropy(model.forward(x), y).neg();
                model = step(model, &mut optim, self.learning_rate, loss);
                checkpoint(host, rows.len()).await?;
            }
        }
        Ok(Unlearned::net(model, self.epochs))
    }
}
