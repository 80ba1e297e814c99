//! SalUn (Fan et al., ICLR 2024): random labels, but only on the weights most salient to the forget set. The
//! saliency of a weight is |∂L(D_f)/∂θ| at the original model; the top `sparsity` fraction is updated, the rest
//! stays exactly as trained.

use std::collections::BTreeMap;

use burn::module::{Module, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::Gradients;
use lethe_protocol::{MethodSpec, TrainConfig};

use super::descent::{batch, cross_entropy};
use super::random_labels::relabel_loop;
use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::error::{EngineError, Result};
use crate::host::Host;

/// SalUn settings.
pub struct Salun {
    /// Epochs over the retain set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Fraction of weights updated: the most salient ones (default 0.5, the reference code's usual mask).
    pub sparsity: f64,
}

impl Salun {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            sparsity: real(spec, "sparsity", 0.5),
        }
    }
}

struct FlatGrads<'a> {
    grads: &'a Gradients,
    parts: Vec<Tensor<1>>,
}

impl ModuleVisitor for FlatGrads<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let value = param.val();
        let g = value
            .grad(self.grads)
            .unwrap_or_else(|| value.inner().zeros_like());
        self.parts.push(g.reshape([-1]));
    }
}

impl Unlearner for Salun {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            ("sparsity".into(), self.sparsity),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let sets = ctx.sets;
        let rows: Vec<usize> = (0..sets.forget.len()).collect();
        let (x, y) = batch(&sets.forget, &rows, sets.d, &ctx.rt.device);
        let grads = cross_entropy(ctx.original.forward(x), y).backward();
        let mut visitor = FlatGrads {
            grads: &grads,
            parts: Vec::new(),
        };
        ctx.original.visit(&mut visitor);
        let saliency: Vec<f32> = Tensor::cat(visitor.parts, 0)
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
        let model = relabel_loop(ctx, self.epochs, self.learning_rate, Some(&mask), host).await?;
        Ok(Unlearned::net(model, self.epochs))
    }
}
