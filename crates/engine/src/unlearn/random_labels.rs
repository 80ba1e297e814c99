//! Random labels (the RL baseline of SalUn, Fan et al. 2024): fine-tune with the forget set relabelled to random
//! wrong classes, alongside the retain set with its true labels, so that the model unlearns the forget set's
//! labels without unlearning the task.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::descent::{
    batch, checkpoint, cross_entropy, labels, optimizer, paired_batches, step, wrong_labels,
};
use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::host::Host;

/// Random-label settings.
pub struct RandomLabels {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
}

impl RandomLabels {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
        }
    }
}

impl Unlearner for RandomLabels {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let model = relabel_loop(ctx, self.epochs, self.learning_rate, None, host).await?;
        Ok(Unlearned::net(model, self.epochs))
    }
}

/// The random-label loop, shared with SalUn: each retain batch with its labels plus a forget batch with random
/// wrong labels. With a `mask` (SalUn), weights outside it are put back to the original's after every step.
pub async fn relabel_loop<H: Host>(
    ctx: &Context<'_>,
    epochs: usize,
    learning_rate: f64,
    mask: Option<&burn::prelude::Tensor<1>>,
    host: &mut H,
) -> Result<crate::model::Classifier> {
    use super::params::{flat_tensor, with_flat_tensor};
    let (sets, device) = (ctx.sets, &ctx.rt.device);
    let mut optim = optimizer(ctx.train);
    let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
    let mut model = ctx.original.clone();
    let original = mask.map(|_| flat_tensor(ctx.original));
    for _ in 0..epochs {
        let pairs = paired_batches(
            sets.retain.len(),
            sets.forget.len(),
            ctx.train.batch_size,
            &mut rng,
        );
        for (r, f) in pairs {
            let (xr, yr) = batch(&sets.retain, &r, sets.d, device);
            let (xf, _) = batch(&sets.forget, &f, sets.d, device);
            let true_y: Vec<u32> = f.iter().map(|&i| sets.forget.y[i]).collect();
            let yf = labels(&wrong_labels(&true_y, sets.n_classes, &mut rng), device);
            let loss = cross_entropy(model.forward(xr), yr) + cross_entropy(model.forward(xf), yf);
            model = step(model, &mut optim, learning_rate, loss);
            if let (Some(m), Some(o)) = (mask, &original) {
                // θ = m ⊙ θ + (1 − m) ⊙ θ_o
                let now = flat_tensor(&model);
                let kept = m.clone() * now + (m.clone().neg().add_scalar(1.0)) * o.clone();
                model = with_flat_tensor(model, kept);
            }
            checkpoint(host).await?;
        }
    }
    Ok(model)
}
