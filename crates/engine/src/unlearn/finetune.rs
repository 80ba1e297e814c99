//! Fine-tuning on the retain set: continue training the original model on what is kept, counting on catastrophic
//! forgetting to erase the rest (the NeurIPS 2023 challenge's baseline). Cheap; forgets little of a random forget
//! set because the retain set holds the same patterns.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{fit, optimizer};
use crate::host::Host;
use crate::model::Classifier;

/// Fine-tune settings.
pub struct Finetune {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
}

impl Finetune {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
        }
    }
}

impl Unlearner for Finetune {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let model = on_retain(
            ctx.original.clone(),
            ctx,
            self.epochs,
            self.learning_rate,
            host,
        )
        .await?;
        Ok(Unlearned::net(model, self.epochs))
    }
}

/// `epochs` of the training recipe on the retain set at `learning_rate`, from `model`, with a fresh optimiser:
/// fine-tuning, and the repair step of other methods (amnesiac).
pub async fn on_retain<H: Host>(
    model: Classifier,
    ctx: &Context<'_>,
    epochs: usize,
    learning_rate: f64,
    host: &mut H,
) -> Result<Classifier> {
    let recipe = TrainConfig {
        epochs,
        learning_rate,
        ..ctx.train.clone()
    };
    let mut optim = optimizer(&recipe);
    let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
    let sets = ctx.sets;
    fit(
        model,
        &sets.retain,
        sets.d,
        &recipe,
        &mut optim,
        &mut rng,
        &ctx.rt.device,
        host,
    )
    .await
}
