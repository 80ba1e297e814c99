//! Amnesiac unlearning (Graves et al., AAAI 2021): training logs each batch's parameter update; unlearning
//! subtracts the updates of every batch that held a forget point, then repairs briefly on the retain set.
//! The log costs memory (batches × parameters × 4 bytes), so it is capped.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, ModelKind, TrainConfig};

use super::finetune::on_retain;
use super::settings::{real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::error::{EngineError, Result};
use crate::fit::params::{flat_tensor, with_flat_tensor};
use crate::host::Host;

/// Amnesiac settings.
pub struct Amnesiac {
    /// Epochs of repair on the retain set after the subtraction (default 1; 3 on a logistic model, where one epoch
    /// left retain accuracy 0.919 against the retrain's 0.997 on digits' class 3, and 3 epochs 0.964).
    pub repair_epochs: usize,
    /// Repair step size (default `train.learning_rate`).
    pub learning_rate: f64,
}

impl Amnesiac {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig, kind: ModelKind) -> Self {
        let repair = if kind == ModelKind::Logistic { 3 } else { 1 };
        Self {
            repair_epochs: whole(spec, "repair_epochs", repair),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
        }
    }
}

impl Unlearner for Amnesiac {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("repair_epochs".into(), self.repair_epochs as f64),
            ("learning_rate".into(), self.learning_rate),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let log = ctx.state.log.as_ref().ok_or_else(|| {
            EngineError::Unlearn("amnesiac needs the update log, which training keeps only when unlearn.methods lists \"amnesiac\"".into())
        })?;
        let sets = ctx.sets;
        let mut forgotten = vec![false; sets.train.len()];
        sets.forget_positions
            .iter()
            .for_each(|&p| forgotten[p] = true);
        let mut theta = flat_tensor(ctx.original);
        for (rows, delta) in &log.steps {
            if rows.iter().any(|&r| forgotten[r]) {
                theta = theta - delta.clone();
            }
        }
        let mut model = with_flat_tensor(ctx.original.clone(), theta);
        if self.repair_epochs > 0 {
            model = on_retain(model, ctx, self.repair_epochs, self.learning_rate, host).await?;
        }
        Ok(Unlearned::net(model, self.repair_epochs))
    }
}
