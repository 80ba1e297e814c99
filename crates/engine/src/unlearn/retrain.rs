//! Retraining from scratch on the retain set: the exact answer every other method approximates. Same
//! architecture, same recipe, same seed policy as the original training (seed `seed + i` for the i-th of
//! `unlearn.retrain_seeds`), without the forget set.

use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::host::Host;
use crate::model::Classifier;

use super::Context;
use crate::fit::descent::{fit, optimizer};

/// Retrains with `seed`: weights and shuffles drawn as the original training draws them.
pub async fn retrain<H: Host>(ctx: &Context<'_>, seed: u64, host: &mut H) -> Result<Classifier> {
    from_scratch(ctx, &ctx.sets.retain, seed, host).await
}

/// A fresh model trained on `split` with `seed` and the experiment's recipe (the privacy score's originals train
/// this way on the full training split).
pub async fn from_scratch<H: Host>(
    ctx: &Context<'_>,
    split: &Split,
    seed: u64,
    host: &mut H,
) -> Result<Classifier> {
    let sets = ctx.sets;
    let model = Classifier::new(ctx.model, sets.d, sets.n_classes, seed, &ctx.rt.device);
    let mut optim = optimizer(ctx.train);
    let mut rng = Rng64::new(seed, stream::SHUFFLE);
    fit(
        model,
        split,
        sets.d,
        ctx.train,
        &mut optim,
        &mut rng,
        &ctx.rt.device,
        host,
    )
    .await
}
