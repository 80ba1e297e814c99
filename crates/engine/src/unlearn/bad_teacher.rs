//! Bad Teacher (Chundawat et al., AAAI 2023): the student (a copy of the original) distils from a competent
//! teacher (the original) on retain points and from an incompetent one (a randomly initialised network of the
//! same shape) on forget points, so that it behaves on the forget set like a model that never learned it.

use std::collections::BTreeMap;

use lethe_protocol::{MethodSpec, TrainConfig};

use super::settings::{fraction_of, real, whole};
use super::{Context, Unlearned, Unlearner};
use crate::data::rng::{Rng64, stream};
use crate::error::Result;
use crate::fit::descent::{batch, checkpoint, distillation, optimizer, step};
use crate::fit::subset::subset;
use crate::host::Host;
use crate::model::Classifier;

/// Bad Teacher settings.
pub struct BadTeacher {
    /// Epochs over the mixed set (default 10 % of `train.epochs`, at least 1).
    pub epochs: usize,
    /// Step size (default `train.learning_rate`).
    pub learning_rate: f64,
    /// Fraction of the retain set distilled alongside the forget set (default 0.3, the paper's subset).
    pub retain_fraction: f64,
    /// Distillation temperature (default 1).
    pub temperature: f64,
}

impl BadTeacher {
    /// Settings from the experiment, defaults filled in.
    pub fn new(spec: &MethodSpec, train: &TrainConfig) -> Self {
        Self {
            epochs: whole(spec, "epochs", fraction_of(train.epochs, 0.1)),
            learning_rate: real(spec, "learning_rate", train.learning_rate),
            retain_fraction: real(spec, "retain_fraction", 0.3),
            temperature: real(spec, "temperature", 1.0),
        }
    }
}

impl Unlearner for BadTeacher {
    fn params(&self) -> BTreeMap<String, f64> {
        BTreeMap::from([
            ("epochs".into(), self.epochs as f64),
            ("learning_rate".into(), self.learning_rate),
            ("retain_fraction".into(), self.retain_fraction),
            ("temperature".into(), self.temperature),
        ])
    }

    async fn unlearn<H: Host>(&self, ctx: &Context<'_>, host: &mut H) -> Result<Unlearned> {
        let (sets, device) = (ctx.sets, &ctx.rt.device);
        let mut rng = Rng64::new(ctx.seed, stream::UNLEARN);
        let incompetent = Classifier::new(
            ctx.model,
            sets.d,
            sets.n_classes,
            ctx.seed ^ 0xBAD7_EAC4,
            device,
        );
        let mut pool: Vec<usize> = (0..sets.retain.len()).collect();
        rng.shuffle(&mut pool);
        pool.truncate(((sets.retain.len() as f64 * self.retain_fraction).round() as usize).max(1));
        pool.sort_unstable();
        let retain = subset(&sets.retain, &pool, sets.d);
        // Mixed order: indices below n_r are retain points, the rest forget points.
        let n_r = retain.len();
        let n = n_r + sets.forget.len();
        let mut student = ctx.original.clone();
        let mut optim = optimizer(ctx.train);
        let t = self.temperature;
        for _ in 0..self.epochs {
            for rows in crate::fit::descent::minibatches(n, ctx.train.batch_size, &mut rng) {
                let r: Vec<usize> = rows.iter().copied().filter(|&i| i < n_r).collect();
                let f: Vec<usize> = rows
                    .iter()
                    .filter(|&&i| i >= n_r)
                    .map(|&i| i - n_r)
                    .collect();
                let mut loss = None;
                for (rows, split, teacher) in [
                    (&r, &retain, ctx.original),
                    (&f, &sets.forget, &incompetent),
                ] {
                    if rows.is_empty() {
                        continue;
                    }
                    let (x, _) = batch(split, rows, sets.d, device);
                    let part = distillation(teacher.forward(x.clone()), student.forward(x), t)
                        .mul_scalar(rows.len() as f32 / (r.len() + f.len()) as f32);
                    loss = Some(match loss {
                        Some(l) => l + part,
                        None => part,
                    });
                }
                if let Some(loss) = loss {
                    student = step(student, &mut optim, self.learning_rate, loss);
                }
                checkpoint(host, rows.len()).await?;
            }
        }
        Ok(Unlearned::net(student, self.epochs))
    }
}
