//! SalUn (Fan et al., ICLR 2024): random labels, but only on the weights most salient to the forget set. The
//! saliency of a weight is |∂L(D_f)/∂θ| at the original model; the top `sparsity` fraction is updated, the rest
//! stays exactly as trained.

use std::collections::BTreeMap;

use burn::prelude::*;
use lethe_protocol::{MethodSpec, TrainConfig};

use super::random_labels::relabel_loop;
use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::error::{EngineError, Result};
use crate::fit::descent::{batch, cross_entropy};
use crate::fit::params::flat_grads;
use crate::host::Host;

/// SalUn settings.
pub struct Salun {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Fraction of weights updated: the most salient ones (default 0.5, the reference code's usual mask).
    pub sparsity: f64,
    /// Draw only classes other than the true one (default off, as the reference's random labels).
    pub exclude_true: bool,
}

impl Salun {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            sparsity: real(spec, "sparsity", 0.5),
            exclude_true: real(spec, "exclude_true", 0.0) != 0.0,
        }
    }
}

impl Unlearner for Salun {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            ("sparsity".into(), self.sparsity),
            (
                "exclude_true".into(),
                f64::from(u8::from(self.exclude_true)),
            ),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let sets = ctx.sets;
        let rows: Vec<usize> = (0..sets.forget.len()).collect();
        let (x, y) = batch(&sets.forget, &rows, sets.d, &ctx.rt.device);
        let grads = cross_entropy(ctx.original.forward(x), y).backward();
        host.work(rows.len());
        let saliency: Vec<f32> = flat_grads(ctx.original, &grads, "salun")?
            .abs()
            .into_data_async()
            .await
            .map_err(|e| EngineError::Backend(format!("reading the saliency: {e:?}")))?
            .iter::<f32>()
            .collect();
        // The threshold: the value below which 1 − sparsity of the weights fall.
        let keep =
            ((saliency.len() as f64 * self.sparsity).round() as usize).clamp(1, saliency.len());
        let mut sorted = saliency.clone();
        sorted.sort_by(|a, b| b.total_cmp(a));
        let threshold = sorted[keep - 1];
        let mask: Vec<f32> = saliency
            .iter()
            .map(|&s| if s >= threshold { 1.0 } else { 0.0 })
            .collect();
        let n = mask.len();
        let mask = Tensor::<1>::from_data(TensorData::new(mask, [n]), &ctx.rt.device);
        let model = relabel_loop(
            ctx,
            self.epochs,
            self.learning_rate,
            self.exclude_true,
            Some(&mask),
            host,
        )
        .await?;
        Ok(Unlearned::net(model, self.epochs))
    }
}
