//! UNSIR (Tarun et al., IEEE TNNLS 2023), the data-augmentation branch of the data-driven family: learn
//! error-maximising noise for the forget labels, then *impair* (one epoch on the noise plus a subset of the retain
//! set, at a high learning rate) and *repair* (epochs on the retain subset alone). As in the reference code the
//! noise starts as N(0, 1) in the standardised feature space, one row per forget point (at most 256), labelled
//! with that point's label, so the method also runs on forget sets that are not whole classes.

use std::collections::BTreeMap;

use burn::prelude::*;
use lethe_protocol::{MethodSpec, TrainConfig};

use super::descent::{batch, checkpoint, cross_entropy, labels, minibatches, optimizer, step};
use super::forget::subset;
use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::Split;
use crate::data::rng::{Rng64, stream};
use crate::error::{EngineError, Result};
use crate::host::Host;

/// Most noise rows.
const NOISE_ROWS: usize = 256;

/// UNSIR settings.
pub struct Unsir {
    /// Repair epochs on the retain subset (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size of repair; impair runs at 10 × this (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Fraction of the retain set used (default 0.5).
    pub retain_fraction: f64,
    /// Gradient-ascent steps that shape the noise (default 20).
    pub noise_steps: usize,
    /// Step size of the noise (default 0.1, in standard deviations of the features).
    pub noise_learning_rate: f64,
    /// L2 penalty keeping the noise bounded (default 0.01).
    pub noise_l2: f64,
}

impl Unsir {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            retain_fraction: real(spec, "retain_fraction", 0.5),
            noise_steps: whole(spec, "noise_steps", 20),
            noise_learning_rate: real(spec, "noise_learning_rate", 0.1),
            noise_l2: real(spec, "noise_l2", 0.01),
        }
    }
}

impl Unlearner for Unsir {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            ("retain_fraction".into(), self.retain_fraction),
            ("noise_steps".into(), self.noise_steps as f64),
            ("noise_learning_rate".into(), self.noise_learning_rate),
            ("noise_l2".into(), self.noise_l2),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let d = sets.d;
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        // The noise: forget points (cycled) plus N(0, 1), labelled with their forget labels.
        let rows = NOISE_ROWS.min(sets.forget.len().max(1));
        let mut x0 = Vec::with_capacity(rows * d);
        let mut y = Vec::with_capacity(rows);
        for i in 0..rows {
            let j = i % sets.forget.len();
            x0.extend((0..d).map(|_| rng.normal() as f32));
            y.push(sets.forget.y[j]);
        }
        let target = labels(&y, device);
        let mut noise = Tensor::<2>::from_data(TensorData::new(x0, [rows, d]), device);
        for _ in 0..self.noise_steps {
            let leaf = noise.clone().detach().require_grad();
            // Maximise the forget labels' loss, minus an L2 penalty on the noise.
            let objective = cross_entropy(ctx.original.forward(leaf.clone()), target.clone())
                - leaf
                    .clone()
                    .powf_scalar(2.0)
                    .mean()
                    .mul_scalar(self.noise_l2 as f32);
            let grads = objective.backward();
            let g = leaf
                .grad(&grads)
                .ok_or_else(|| EngineError::Backend("the noise has no gradient".into()))?;
            let g = Tensor::<2>::from_inner(g);
            noise = leaf.detach() + g.sign().mul_scalar(self.noise_learning_rate as f32);
            checkpoint(host).await?;
        }
        let noise_x: Vec<f32> = noise
            .into_data_async()
            .await
            .map_err(|e| EngineError::Backend(format!("reading the noise: {e:?}")))?
            .iter::<f32>()
            .collect();
        let noise = Split { x: noise_x, y };
        let mut pool: Vec<usize> = (0..sets.retain.len()).collect();
        rng.shuffle(&mut pool);
        pool.truncate(((sets.retain.len() as f64 * self.retain_fraction).round() as usize).max(1));
        pool.sort_unstable();
        let retain = subset(&sets.retain, &pool, d);
        let mut model = ctx.original.clone();
        let mut optim = optimizer(ctx.train);
        // Impair: one epoch over noise and retain subset together.
        let mixed = Split {
            x: [noise.x.as_slice(), retain.x.as_slice()].concat(),
            y: [noise.y.as_slice(), retain.y.as_slice()].concat(),
        };
        // Repair: epochs over the retain subset alone.
        let passes = std::iter::once((&mixed, 10.0 * self.learning_rate)).chain(
            std::iter::repeat_n((&retain, self.learning_rate), self.epochs),
        );
        for (split, lr) in passes {
            for rows in minibatches(split.len(), ctx.train.batch_size, &mut rng) {
                let (x, y) = batch(split, &rows, d, device);
                let loss = cross_entropy(model.forward(x), y);
                model = step(model, &mut optim, lr, loss);
                checkpoint(host).await?;
            }
        }
        Ok(Unlearned::net(model, self.epochs + 1))
    }
}
